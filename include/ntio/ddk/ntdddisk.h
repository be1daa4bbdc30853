/* <ntdddisk.h>: the disk-class IOCTLs (IOCTL_DISK_*) and the structures they carry, with the WDK
 * spellings and Windows x64 layouts; includes <ntddstor.h> as the WDK's does. Usable after <wdm.h> or
 * <windows.h> in either order (guarded macros, types defined once).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntdddisk/ */
#ifndef NTIO_DDK_NTDDDISK_H
#define NTIO_DDK_NTDDDISK_H
#include "ntddstor.h"

#ifndef IOCTL_DISK_BASE
#define IOCTL_DISK_BASE FILE_DEVICE_DISK
#endif
#ifndef IOCTL_DISK_GET_DRIVE_GEOMETRY
#define IOCTL_DISK_GET_DRIVE_GEOMETRY CTL_CODE(IOCTL_DISK_BASE, 0x0000, METHOD_BUFFERED, FILE_ANY_ACCESS)
#endif
#ifndef IOCTL_DISK_GET_PARTITION_INFO
#define IOCTL_DISK_GET_PARTITION_INFO CTL_CODE(IOCTL_DISK_BASE, 0x0001, METHOD_BUFFERED, FILE_READ_ACCESS)
#endif
#ifndef IOCTL_DISK_VERIFY
#define IOCTL_DISK_VERIFY CTL_CODE(IOCTL_DISK_BASE, 0x0005, METHOD_BUFFERED, FILE_ANY_ACCESS)
#endif
#ifndef IOCTL_DISK_IS_WRITABLE
#define IOCTL_DISK_IS_WRITABLE CTL_CODE(IOCTL_DISK_BASE, 0x0009, METHOD_BUFFERED, FILE_ANY_ACCESS)
#endif
#ifndef IOCTL_DISK_GET_PARTITION_INFO_EX
#define IOCTL_DISK_GET_PARTITION_INFO_EX CTL_CODE(IOCTL_DISK_BASE, 0x0012, METHOD_BUFFERED, FILE_ANY_ACCESS)
#endif
#ifndef IOCTL_DISK_GET_LENGTH_INFO
#define IOCTL_DISK_GET_LENGTH_INFO CTL_CODE(IOCTL_DISK_BASE, 0x0017, METHOD_BUFFERED, FILE_READ_ACCESS)
#endif
#ifndef IOCTL_DISK_GET_DRIVE_GEOMETRY_EX
#define IOCTL_DISK_GET_DRIVE_GEOMETRY_EX CTL_CODE(IOCTL_DISK_BASE, 0x0028, METHOD_BUFFERED, FILE_ANY_ACCESS)
#endif
#ifndef IOCTL_DISK_CHECK_VERIFY
#define IOCTL_DISK_CHECK_VERIFY CTL_CODE(IOCTL_DISK_BASE, 0x0200, METHOD_BUFFERED, FILE_READ_ACCESS)
#endif
#ifndef IOCTL_DISK_GET_MEDIA_TYPES
#define IOCTL_DISK_GET_MEDIA_TYPES CTL_CODE(IOCTL_DISK_BASE, 0x0300, METHOD_BUFFERED, FILE_ANY_ACCESS)
#endif

#ifndef NTIO_DISK_TYPES_DEFINED
#define NTIO_DISK_TYPES_DEFINED

typedef enum _MEDIA_TYPE {
    Unknown,
    F5_1Pt2_512,
    F3_1Pt44_512,
    F3_2Pt88_512,
    F3_20Pt8_512,
    F3_720_512,
    F5_360_512,
    F5_320_512,
    F5_320_1024,
    F5_180_512,
    F5_160_512,
    RemovableMedia,
    FixedMedia,
    F3_120M_512,
    F3_640_512,
    F5_640_512,
    F5_720_512,
    F3_1Pt2_512,
    F3_1Pt23_1024,
    F5_1Pt23_1024,
    F3_128Mb_512,
    F3_230Mb_512,
    F8_256_128,
    F3_200Mb_512,
    F3_240M_512,
    F3_32M_512
} MEDIA_TYPE, *PMEDIA_TYPE;

typedef struct _DISK_GEOMETRY {
    LARGE_INTEGER Cylinders;
    MEDIA_TYPE MediaType;
    ULONG TracksPerCylinder;
    ULONG SectorsPerTrack;
    ULONG BytesPerSector;
} DISK_GEOMETRY, *PDISK_GEOMETRY;

typedef struct _DISK_GEOMETRY_EX {
    DISK_GEOMETRY Geometry;
    LARGE_INTEGER DiskSize;
    UCHAR Data[1];
} DISK_GEOMETRY_EX, *PDISK_GEOMETRY_EX;

typedef struct _GET_LENGTH_INFORMATION {
    LARGE_INTEGER Length;
} GET_LENGTH_INFORMATION, *PGET_LENGTH_INFORMATION;

typedef struct _VERIFY_INFORMATION {
    LARGE_INTEGER StartingOffset;
    ULONG Length;
} VERIFY_INFORMATION, *PVERIFY_INFORMATION;

typedef struct _PARTITION_INFORMATION {
    LARGE_INTEGER StartingOffset;
    LARGE_INTEGER PartitionLength;
    ULONG HiddenSectors;
    ULONG PartitionNumber;
    UCHAR PartitionType;
    BOOLEAN BootIndicator;
    BOOLEAN RecognizedPartition;
    BOOLEAN RewritePartition;
} PARTITION_INFORMATION, *PPARTITION_INFORMATION;

#endif /* NTIO_DISK_TYPES_DEFINED */

/* ---- Partition tables: the structures of the I/O manager's partition routines and of the layout
 * IOCTLs, Windows x64 layouts (PARTITION_INFORMATION_EX is 144 bytes, DRIVE_LAYOUT_INFORMATION_EX
 * 192). https://learn.microsoft.com/windows-hardware/drivers/ddi/ntdddisk/ns-ntdddisk-_partition_information_ex */
#ifndef NTIO_PARTITION_TYPES_DEFINED
#define NTIO_PARTITION_TYPES_DEFINED

/* MBR partition type bytes (PARTITION_INFORMATION.PartitionType). */
#define PARTITION_ENTRY_UNUSED 0x00
#define PARTITION_FAT_12 0x01
#define PARTITION_XENIX_1 0x02
#define PARTITION_XENIX_2 0x03
#define PARTITION_FAT_16 0x04
#define PARTITION_EXTENDED 0x05
#define PARTITION_HUGE 0x06
#define PARTITION_IFS 0x07
#define PARTITION_OS2BOOTMGR 0x0A
#define PARTITION_FAT32 0x0B
#define PARTITION_FAT32_XINT13 0x0C
#define PARTITION_XINT13 0x0E
#define PARTITION_XINT13_EXTENDED 0x0F
#define PARTITION_MSFT_RECOVERY 0x27
#define PARTITION_MAIN_OS 0x28
#define PARTIITON_OS_DATA 0x29
#define PARTITION_PRE_INSTALLED 0x2A
#define PARTITION_BSP 0x2B
#define PARTITION_DPP 0x2C
#define PARTITION_WINDOWS_SYSTEM 0x2D
#define PARTITION_PREP 0x41
#define PARTITION_LDM 0x42
#define PARTITION_DM 0x54
#define PARTITION_EZDRIVE 0x55
#define PARTITION_UNIX 0x63
#define PARTITION_SPACES_DATA 0xD7
#define PARTITION_SPACES 0xE7
#define PARTITION_GPT 0xEE
#define PARTITION_SYSTEM 0xEF
#define PARTITION_NTFT 0x80
#define VALID_NTFT 0xC0

/* An extended partition: it holds the table of the next logical drive rather than a volume. */
#define IsContainerPartition(PartitionType) \
    (((PartitionType) == PARTITION_EXTENDED) || ((PartitionType) == PARTITION_XINT13_EXTENDED))
/* A type Windows mounts a volume on: the FAT and IFS types, with or without the fault-tolerance
 * bit, and the Windows system types. */
#define IsFTPartition(PartitionType) \
    (((PartitionType) & PARTITION_NTFT) && ((((PartitionType) & ~VALID_NTFT) == PARTITION_FAT_12) || \
     (((PartitionType) & ~VALID_NTFT) == PARTITION_HUGE) || (((PartitionType) & ~VALID_NTFT) == PARTITION_IFS) || \
     (((PartitionType) & ~VALID_NTFT) == PARTITION_FAT32) || (((PartitionType) & ~VALID_NTFT) == PARTITION_FAT32_XINT13) || \
     (((PartitionType) & ~VALID_NTFT) == PARTITION_XINT13)))
#define IsRecognizedPartition(PartitionType) \
    (((PartitionType) == PARTITION_FAT_12) || ((PartitionType) == PARTITION_FAT_16) || \
     ((PartitionType) == PARTITION_HUGE) || ((PartitionType) == PARTITION_IFS) || \
     ((PartitionType) == PARTITION_FAT32) || ((PartitionType) == PARTITION_FAT32_XINT13) || \
     ((PartitionType) == PARTITION_XINT13) || ((PartitionType) == PARTITION_MSFT_RECOVERY) || \
     ((PartitionType) == PARTITION_MAIN_OS) || ((PartitionType) == PARTIITON_OS_DATA) || \
     ((PartitionType) == PARTITION_PRE_INSTALLED) || ((PartitionType) == PARTITION_BSP) || \
     ((PartitionType) == PARTITION_DPP) || ((PartitionType) == PARTITION_WINDOWS_SYSTEM) || \
     ((PartitionType) == PARTITION_SYSTEM) || IsFTPartition(PartitionType))

/* GPT partition attributes. */
#define GPT_ATTRIBUTE_PLATFORM_REQUIRED 0x0000000000000001ULL
#define GPT_ATTRIBUTE_NO_BLOCK_IO_PROTOCOL 0x0000000000000002ULL
#define GPT_ATTRIBUTE_LEGACY_BIOS_BOOTABLE 0x0000000000000004ULL
#define GPT_BASIC_DATA_ATTRIBUTE_NO_DRIVE_LETTER 0x8000000000000000ULL
#define GPT_BASIC_DATA_ATTRIBUTE_HIDDEN 0x4000000000000000ULL
#define GPT_BASIC_DATA_ATTRIBUTE_SHADOW_COPY 0x2000000000000000ULL
#define GPT_BASIC_DATA_ATTRIBUTE_READ_ONLY 0x1000000000000000ULL

/* GPT partition type GUIDs (UEFI specification 2.10, table 5.7, and Windows' own types).
 * https://learn.microsoft.com/windows/win32/api/winioctl/ns-winioctl-partition_information_gpt */
DEFINE_GUID(PARTITION_ENTRY_UNUSED_GUID, 0x00000000L, 0x0000, 0x0000, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
DEFINE_GUID(PARTITION_SYSTEM_GUID, 0xC12A7328L, 0xF81F, 0x11D2, 0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E, 0xC9, 0x3B);
DEFINE_GUID(PARTITION_MSFT_RESERVED_GUID, 0xE3C9E316L, 0x0B5C, 0x4DB8, 0x81, 0x7D, 0xF9, 0x2D, 0xF0, 0x02, 0x15, 0xAE);
DEFINE_GUID(PARTITION_BASIC_DATA_GUID, 0xEBD0A0A2L, 0xB9E5, 0x4433, 0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99, 0xC7);
DEFINE_GUID(PARTITION_LDM_METADATA_GUID, 0x5808C8AAL, 0x7E8F, 0x42E0, 0x85, 0xD2, 0xE1, 0xE9, 0x04, 0x34, 0xCF, 0xB3);
DEFINE_GUID(PARTITION_LDM_DATA_GUID, 0xAF9B60A0L, 0x1431, 0x4F62, 0xBC, 0x68, 0x33, 0x11, 0x71, 0x4A, 0x69, 0xAD);
DEFINE_GUID(PARTITION_MSFT_RECOVERY_GUID, 0xDE94BBA4L, 0x06D1, 0x4D40, 0xA1, 0x6A, 0xBF, 0xD5, 0x01, 0x79, 0xD6, 0xAC);

typedef enum _PARTITION_STYLE {
    PARTITION_STYLE_MBR,
    PARTITION_STYLE_GPT,
    PARTITION_STYLE_RAW
} PARTITION_STYLE;

typedef struct _DRIVE_LAYOUT_INFORMATION {
    ULONG PartitionCount;
    ULONG Signature;
    PARTITION_INFORMATION PartitionEntry[1];
} DRIVE_LAYOUT_INFORMATION, *PDRIVE_LAYOUT_INFORMATION;

typedef struct _SET_PARTITION_INFORMATION {
    UCHAR PartitionType;
} SET_PARTITION_INFORMATION, *PSET_PARTITION_INFORMATION;

typedef struct _PARTITION_INFORMATION_GPT {
    GUID PartitionType;
    GUID PartitionId;
    ULONG64 Attributes;
    WCHAR Name[36];
} PARTITION_INFORMATION_GPT, *PPARTITION_INFORMATION_GPT;

typedef struct _PARTITION_INFORMATION_MBR {
    UCHAR PartitionType;
    BOOLEAN BootIndicator;
    BOOLEAN RecognizedPartition;
    ULONG HiddenSectors;
    GUID PartitionId;
} PARTITION_INFORMATION_MBR, *PPARTITION_INFORMATION_MBR;

typedef SET_PARTITION_INFORMATION SET_PARTITION_INFORMATION_MBR;
typedef PARTITION_INFORMATION_GPT SET_PARTITION_INFORMATION_GPT;

typedef struct _SET_PARTITION_INFORMATION_EX {
    PARTITION_STYLE PartitionStyle;
    union {
        SET_PARTITION_INFORMATION_MBR Mbr;
        SET_PARTITION_INFORMATION_GPT Gpt;
    };
} SET_PARTITION_INFORMATION_EX, *PSET_PARTITION_INFORMATION_EX;

typedef struct _CREATE_DISK_GPT {
    GUID DiskId;
    ULONG MaxPartitionCount;
} CREATE_DISK_GPT, *PCREATE_DISK_GPT;

typedef struct _CREATE_DISK_MBR {
    ULONG Signature;
} CREATE_DISK_MBR, *PCREATE_DISK_MBR;

typedef struct _CREATE_DISK {
    PARTITION_STYLE PartitionStyle;
    union {
        CREATE_DISK_MBR Mbr;
        CREATE_DISK_GPT Gpt;
    };
} CREATE_DISK, *PCREATE_DISK;

typedef struct _PARTITION_INFORMATION_EX {
    PARTITION_STYLE PartitionStyle;
    LARGE_INTEGER StartingOffset;
    LARGE_INTEGER PartitionLength;
    ULONG PartitionNumber;
    BOOLEAN RewritePartition;
    BOOLEAN IsServicePartition;
    union {
        PARTITION_INFORMATION_MBR Mbr;
        PARTITION_INFORMATION_GPT Gpt;
    };
} PARTITION_INFORMATION_EX, *PPARTITION_INFORMATION_EX;

typedef struct _DRIVE_LAYOUT_INFORMATION_GPT {
    GUID DiskId;
    LARGE_INTEGER StartingUsableOffset;
    LARGE_INTEGER UsableLength;
    ULONG MaxPartitionCount;
} DRIVE_LAYOUT_INFORMATION_GPT, *PDRIVE_LAYOUT_INFORMATION_GPT;

typedef struct _DRIVE_LAYOUT_INFORMATION_MBR {
    ULONG Signature;
    ULONG CheckSum;
} DRIVE_LAYOUT_INFORMATION_MBR, *PDRIVE_LAYOUT_INFORMATION_MBR;

typedef struct _DRIVE_LAYOUT_INFORMATION_EX {
    ULONG PartitionStyle;
    ULONG PartitionCount;
    union {
        DRIVE_LAYOUT_INFORMATION_MBR Mbr;
        DRIVE_LAYOUT_INFORMATION_GPT Gpt;
    };
    PARTITION_INFORMATION_EX PartitionEntry[1];
} DRIVE_LAYOUT_INFORMATION_EX, *PDRIVE_LAYOUT_INFORMATION_EX;

#endif /* NTIO_PARTITION_TYPES_DEFINED */

#endif /* NTIO_DDK_NTDDDISK_H */
