/* The public interface of the FAT on-disk engine: the volume I/O callbacks, the volume and directory
 * entry structures, and every operation the fastfat IRP layer calls. The engine is C11 over the
 * public DDK headers, holds no global state and issues no IRPs: all volume access goes through the
 * caller's callbacks, so it can sit on the cache manager or on direct I/O.
 *
 * Serialization (the caller's job, with ERESOURCEs): operations that only read (lookup, enumerate,
 * read file data, queries) may run concurrently on one volume when the caller holds the volume
 * shared; every operation that changes the volume (FAT, directories, file data length, label, FSInfo)
 * needs the volume held exclusively, because it updates the free-cluster count and hint in FAT_VOLUME
 * and read-modify-writes FAT12 entries that share bytes with their neighbours. All routines run at
 * PASSIVE_LEVEL (they call the callbacks and may allocate paged pool). */
#ifndef NTIO_FASTFAT_FAT_ENGINE_H
#define NTIO_FASTFAT_FAT_ENGINE_H

#include <ntifs.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Reads or writes Length bytes at byte Offset of the volume. The engine passes any offset and length
 * (a FAT12 entry is 2 bytes at an odd offset, a directory entry 32 bytes): an adapter over sector I/O
 * does its own read-modify-write. A short transfer is an error status, never partial success. */
typedef NTSTATUS (*PFAT_VOLUME_READ)(PVOID Context, ULONGLONG Offset, ULONG Length, PVOID Buffer);
typedef NTSTATUS (*PFAT_VOLUME_WRITE)(PVOID Context, ULONGLONG Offset, ULONG Length, const VOID *Buffer);

typedef struct _FAT_VOLUME_IO {
    PFAT_VOLUME_READ Read;
    PFAT_VOLUME_WRITE Write;
    PVOID Context;
    /* Bytes the device holds (IOCTL_DISK_GET_LENGTH_INFO), 0 when unknown. A BPB that claims more
     * sectors than this is not mounted, so no later access can fall off the device. */
    ULONGLONG VolumeLength;
} FAT_VOLUME_IO, *PFAT_VOLUME_IO;

typedef enum _FAT_TYPE { FatType12 = 12, FatType16 = 16, FatType32 = 32 } FAT_TYPE;

/* Attribute bits of a directory entry (fatgen103, "FAT Directory Structure"). */
#define FAT_ATTR_READ_ONLY 0x01
#define FAT_ATTR_HIDDEN 0x02
#define FAT_ATTR_SYSTEM 0x04
#define FAT_ATTR_VOLUME_ID 0x08
#define FAT_ATTR_DIRECTORY 0x10
#define FAT_ATTR_ARCHIVE 0x20
#define FAT_ATTR_LONG_NAME 0x0F

/* The NT lower-case bits in the reserved byte (DIR_NTRes) of a short entry: the name was all lower
 * case in the base (0x08) or extension (0x10), so no long-name entries are needed for it. */
#define FAT_NT_LOWER_BASE 0x08
#define FAT_NT_LOWER_EXTENSION 0x10

/* The directory cluster value that names the fixed root directory region of FAT12/16. A FAT32 root
 * is named by its first cluster (FAT_VOLUME.RootCluster); FatRootDirectory gives the right one. */
#define FAT_FIXED_ROOT 0

#define FAT_MAX_LONG_NAME 255

/* Everything the engine knows about one mounted volume. Filled by FatMountVolume; the caller owns
 * the storage (the driver's VCB embeds it). */
typedef struct _FAT_VOLUME {
    FAT_VOLUME_IO Io;
    FAT_TYPE FatType;
    ULONG BytesPerSector;
    ULONG SectorsPerCluster;
    ULONG BytesPerCluster;
    ULONG ReservedSectors;
    ULONG NumberOfFats;
    ULONG RootEntryCount;      /* FAT12/16: entries in the fixed root region */
    ULONG FatSectors;          /* sectors per FAT copy */
    ULONG TotalSectors;
    ULONG RootDirSectors;      /* FAT12/16 fixed root region length */
    ULONG FirstRootDirSector;
    ULONG FirstDataSector;
    ULONG ClusterCount;        /* data clusters: valid cluster numbers are 2 .. ClusterCount + 1 */
    ULONG RootCluster;         /* FAT32 */
    ULONG FsInfoSector;        /* FAT32, 0 when absent or invalid */
    BOOLEAN HasExtendedBpb;    /* BS_BootSig 0x29: the volume ID and label fields are valid */
    ULONG FreeClusterCount;    /* counted from the FAT at mount, kept by every allocation and free */
    ULONG NextFreeHint;        /* where the next allocation search starts */
    ULONG FsInfoFreeCount;     /* what FSInfo said at mount (0xFFFFFFFF: unknown) */
    ULONG SerialNumber;
    UCHAR MediaDescriptor;
    /* FAT stores local time. The engine converts with this bias, in 100 ns units, the way
     * ExSystemTimeToLocalTime does (local = system - bias); the driver sets it from the system's time
     * zone, tests leave it 0 (the volume's local time is UTC). */
    LONGLONG TimeZoneBias;
} FAT_VOLUME, *PFAT_VOLUME;

/* One directory entry as the engine reports it: where it is, its names and its short-entry fields. */
typedef struct _FAT_DIRENT {
    ULONG DirectoryCluster;    /* the directory that holds it (FAT_FIXED_ROOT for a FAT12/16 root) */
    ULONG DirentIndex;         /* index of the short entry, in 32-byte entries from the start */
    ULONG LfnIndex;            /* index of its first long-name entry (DirentIndex when it has none) */
    UCHAR RawName[11];         /* DIR_Name as on disk, a leading 0x05 turned back into 0xE5 */
    UCHAR Attributes;
    UCHAR NtCaseBits;          /* FAT_NT_LOWER_BASE | FAT_NT_LOWER_EXTENSION */
    ULONG FirstCluster;
    ULONG FileSize;
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER LastAccessTime;
    USHORT LongNameLength;     /* in WCHARs, 0 when the entry has no long name */
    USHORT ShortNameLength;    /* in WCHARs */
    WCHAR LongName[FAT_MAX_LONG_NAME + 1];
    WCHAR ShortName[13];       /* "NAME.EXT", with the NT lower-case bits applied */
} FAT_DIRENT, *PFAT_DIRENT;

/* ---- volume (fat_boot.c, fat_volume_label.c, fat_volume_state.c) ---------------------------- */

/* Reads and validates the boot sector, determines the FAT type from the cluster count, reads FSInfo
 * and counts the free clusters. A boot sector that is not a valid FAT BPB gives
 * STATUS_UNRECOGNIZED_VOLUME (the driver's mount answer); read errors come back as they are;
 * STATUS_FILE_CORRUPT_ERROR when the BPB is valid but the FAT or root is not. */
NTSTATUS FatMountVolume(_In_ const FAT_VOLUME_IO *Io, _Out_ PFAT_VOLUME Volume);

/* Writes the free count and next-free hint to FSInfo (FAT32; nothing on FAT12/16). The engine calls
 * it after each allocation or free; the driver calls it again at flush and dismount. */
NTSTATUS FatFlushFsInfo(_In_ PFAT_VOLUME Volume);

ULONG FatRootDirectory(_In_ const FAT_VOLUME *Volume);

VOID FatQueryFreeSpace(_In_ const FAT_VOLUME *Volume, _Out_ PULONG FreeClusters, _Out_ PULONG TotalClusters,
                       _Out_ PULONG BytesPerCluster);

/* The label is the root directory's volume-ID entry (what Windows shows); LabelLength in WCHARs, at
 * most 11, trailing spaces removed. No entry gives length 0. */
NTSTATUS FatQueryVolumeLabel(_In_ PFAT_VOLUME Volume, _Out_writes_(11) PWCHAR Label, _Out_ PUSHORT LabelLength);

/* Sets (or with length 0 removes) the label in the root directory and in the extended BPB.
 * STATUS_INVALID_VOLUME_LABEL for more than 11 characters or characters a short name cannot hold. */
NTSTATUS FatSetVolumeLabel(_In_ PFAT_VOLUME Volume, _In_ PCUNICODE_STRING Label);

NTSTATUS FatSetVolumeSerialNumber(_In_ PFAT_VOLUME Volume, _In_ ULONG SerialNumber);

/* The dirty state chkdsk looks at (fat_volume_state.c): marking sets or clears it in the boot
 * sector and, on FAT16/32, in FAT entry 1; the query reports dirty when either says so. */
NTSTATUS FatMarkVolumeDirty(_In_ PFAT_VOLUME Volume, _In_ BOOLEAN Dirty);
NTSTATUS FatQueryVolumeDirty(_In_ PFAT_VOLUME Volume, _Out_ PBOOLEAN Dirty);

/* ---- FAT entries and chains (fat_table.c, fat_chain.c) --------------------------------------- */

/* FAT_CLUSTER_EOC is what FatGetFatEntry reports for every end-of-chain value of every width. */
#define FAT_CLUSTER_FREE 0
#define FAT_CLUSTER_EOC 0xFFFFFFFF
#define FAT_CLUSTER_BAD 0xFFFFFFF7

NTSTATUS FatGetFatEntry(_In_ PFAT_VOLUME Volume, _In_ ULONG Cluster, _Out_ PULONG Value);
/* Writes Value (a cluster, FAT_CLUSTER_FREE or FAT_CLUSTER_EOC) into every FAT copy. */
NTSTATUS FatSetFatEntry(_In_ PFAT_VOLUME Volume, _In_ ULONG Cluster, _In_ ULONG Value);

/* The next cluster of a chain: STATUS_SUCCESS with *Next = FAT_CLUSTER_EOC at the end;
 * STATUS_FILE_CORRUPT_ERROR when the entry is free, bad or out of range. */
NTSTATUS FatNextCluster(_In_ PFAT_VOLUME Volume, _In_ ULONG Cluster, _Out_ PULONG Next);

/* Counts the clusters of a chain and gives its last one. A loop (more links than the volume has
 * clusters) or an out-of-range link is STATUS_FILE_CORRUPT_ERROR. First == 0 is the empty chain. */
NTSTATUS FatChainLength(_In_ PFAT_VOLUME Volume, _In_ ULONG First, _Out_ PULONG Count, _Out_opt_ PULONG Last);

/* The Index-th cluster (0-based) of the chain starting at First; STATUS_END_OF_FILE past its end. */
NTSTATUS FatChainSeek(_In_ PFAT_VOLUME Volume, _In_ ULONG First, _In_ ULONG Index, _Out_ PULONG Cluster);

/* Allocates Count clusters as one chain, preferring the clusters right after After (the current
 * last cluster when extending, 0 for a new chain), and links After to it. All or nothing:
 * STATUS_DISK_FULL when fewer are free. */
NTSTATUS FatAllocateClusters(_In_ PFAT_VOLUME Volume, _In_ ULONG After, _In_ ULONG Count, _Out_ PULONG First);

/* Keeps the first Keep clusters of the chain at *First and frees the rest; Keep == 0 frees it all
 * and sets *First to 0. */
NTSTATUS FatTruncateChain(_In_ PFAT_VOLUME Volume, _Inout_ PULONG First, _In_ ULONG Keep);

NTSTATUS FatFreeChain(_In_ PFAT_VOLUME Volume, _In_ ULONG First);

/* Counts free entries by reading the whole FAT (the mount does this; FreeClusterCount keeps it). */
NTSTATUS FatCountFreeClusters(_In_ PFAT_VOLUME Volume, _Out_ PULONG FreeClusters);

ULONGLONG FatClusterOffset(_In_ const FAT_VOLUME *Volume, _In_ ULONG Cluster);

/* ---- directories (fat_dir_enum.c, fat_dir_create.c, fat_dir_change.c) ------------------------ */

/* Returns the next entry at or after *ResumeIndex (deleted entries, long-name pieces and the volume
 * label are skipped; "." and ".." are returned) and moves *ResumeIndex past it.
 * STATUS_NO_MORE_FILES at the end marker or the end of the directory. */
NTSTATUS FatEnumerateDirectory(_In_ PFAT_VOLUME Volume, _In_ ULONG Directory, _Inout_ PULONG ResumeIndex,
                               _Out_ PFAT_DIRENT Dirent);

/* Finds Name (one path component) by its long or its short name, case-insensitively.
 * STATUS_OBJECT_NAME_NOT_FOUND when absent. */
NTSTATUS FatLookupName(_In_ PFAT_VOLUME Volume, _In_ ULONG Directory, _In_ PCUNICODE_STRING Name,
                       _Out_ PFAT_DIRENT Dirent);

/* Creates a file (or, with FAT_ATTR_DIRECTORY in Attributes, a directory with its "." and ".."
 * entries) named Name in Directory. Names that fit 8.3 (upper case, or all lower case in the base
 * or the extension) get one short entry with the NT case bits; others get long-name entries and a
 * generated "BASIS~N" short name. STATUS_OBJECT_NAME_COLLISION when the name exists,
 * STATUS_OBJECT_NAME_INVALID for an illegal name, STATUS_DISK_FULL when no cluster is left,
 * STATUS_CANNOT_MAKE when the directory cannot grow (a full FAT12/16 root, 65,536 entries). */
NTSTATUS FatCreateEntry(_In_ PFAT_VOLUME Volume, _In_ ULONG Directory, _In_ PCUNICODE_STRING Name,
                        _In_ UCHAR Attributes, _Out_ PFAT_DIRENT Dirent);
/* The same, with the short name a long-named entry should get (file name tunneling gives the one a
 * removed entry had): used when it is a legal upper-case 8.3 name no entry of Directory holds,
 * otherwise one is generated as above. NULL or empty: always generated. */
NTSTATUS FatCreateEntryEx(_In_ PFAT_VOLUME Volume, _In_ ULONG Directory, _In_ PCUNICODE_STRING Name,
                          _In_opt_ PCUNICODE_STRING ShortName, _In_ UCHAR Attributes, _Out_ PFAT_DIRENT Dirent);

/* Removes the entry and frees its clusters. A directory must hold nothing but "." and ".."
 * (STATUS_DIRECTORY_NOT_EMPTY). */
NTSTATUS FatDeleteEntry(_In_ PFAT_VOLUME Volume, _In_ PFAT_DIRENT Dirent);

/* Renames or moves the entry to NewName in TargetDirectory (same volume), keeping its clusters,
 * size, attributes and times; a moved directory gets its ".." updated. An existing target is
 * STATUS_OBJECT_NAME_COLLISION (the driver deletes it first for ReplaceIfExists); a directory moved
 * under itself is STATUS_INVALID_PARAMETER. Dirent describes the entry at its new place on return. */
NTSTATUS FatRenameEntry(_In_ PFAT_VOLUME Volume, _Inout_ PFAT_DIRENT Dirent, _In_ ULONG TargetDirectory,
                        _In_ PCUNICODE_STRING NewName);
/* The same, with the short name the new name should get, as for FatCreateEntryEx. */
NTSTATUS FatRenameEntryEx(_In_ PFAT_VOLUME Volume, _Inout_ PFAT_DIRENT Dirent, _In_ ULONG TargetDirectory,
                          _In_ PCUNICODE_STRING NewName, _In_opt_ PCUNICODE_STRING NewShortName);

/* Sets attributes (the directory bit cannot change) and times; a time of 0 leaves that time as it
 * is, like FILE_BASIC_INFORMATION. Attributes == 0xFF leaves the attributes. */
NTSTATUS FatSetEntryInformation(_In_ PFAT_VOLUME Volume, _Inout_ PFAT_DIRENT Dirent, _In_ UCHAR Attributes,
                                _In_opt_ const LARGE_INTEGER *CreationTime,
                                _In_opt_ const LARGE_INTEGER *LastWriteTime,
                                _In_opt_ const LARGE_INTEGER *LastAccessTime);

/* ---- file data (fat_file.c) ------------------------------------------------------------------ */

/* Where the last transfer through a file's chain ended, so the next one at or after it starts there
 * instead of at the first cluster: a sequential stream then walks its chain once, not once per
 * request. Caller-owned and zeroed to start; one per stream (the CCB, or a local of one request),
 * never used by two threads at once. The engine ignores it when FirstCluster is not the file's; the
 * caller zeroes it when the file shrinks (the clusters it names may be gone). */
typedef struct _FAT_CHAIN_CURSOR {
    ULONG FirstCluster;
    ULONG Index;   /* 0-based position of Cluster in the chain */
    ULONG Cluster;
} FAT_CHAIN_CURSOR, *PFAT_CHAIN_CURSOR;

/* Reads up to Length bytes at Offset; stops at FileSize. STATUS_END_OF_FILE at or past the end.
 * The chain is trusted as far as FileSize reaches (a break inside that range is
 * STATUS_FILE_CORRUPT_ERROR): the driver measures it once with FatChainLength when it opens the file,
 * as FastFat sizes the allocation when it builds an FCB, and that is where a loop shows up. */
NTSTATUS FatReadFile(_In_ PFAT_VOLUME Volume, _In_ const FAT_DIRENT *Dirent, _In_ ULONGLONG Offset,
                     _In_ ULONG Length, _Out_writes_bytes_(Length) PVOID Buffer, _Out_ PULONG BytesRead);
NTSTATUS FatReadFileEx(_In_ PFAT_VOLUME Volume, _In_ const FAT_DIRENT *Dirent, _In_ ULONGLONG Offset,
                       _In_ ULONG Length, _Out_writes_bytes_(Length) PVOID Buffer, _Out_ PULONG BytesRead,
                       _Inout_opt_ PFAT_CHAIN_CURSOR Cursor);

/* Writes Length bytes at Offset, extending the file (and zero-filling any gap) as needed; the new
 * size and first cluster go to the directory entry. STATUS_DISK_FULL leaves the file as it was.
 * Files are limited to 4 GiB - 1 (STATUS_DISK_FULL beyond, as FAT cannot record more). */
NTSTATUS FatWriteFile(_In_ PFAT_VOLUME Volume, _Inout_ PFAT_DIRENT Dirent, _In_ ULONGLONG Offset,
                      _In_ ULONG Length, _In_reads_bytes_(Length) const VOID *Buffer);
NTSTATUS FatWriteFileEx(_In_ PFAT_VOLUME Volume, _Inout_ PFAT_DIRENT Dirent, _In_ ULONGLONG Offset,
                        _In_ ULONG Length, _In_reads_bytes_(Length) const VOID *Buffer,
                        _Inout_opt_ PFAT_CHAIN_CURSOR Cursor);

/* Sets the file's size: shrinking frees the clusters past the new end, growing allocates and
 * zero-fills. Directories are STATUS_INVALID_DEVICE_REQUEST, sizes past 4 GiB - 1 STATUS_DISK_FULL. */
NTSTATUS FatSetFileSize(_In_ PFAT_VOLUME Volume, _Inout_ PFAT_DIRENT Dirent, _In_ ULONGLONG NewSize);

/* ---- times (fat_time.c) ---------------------------------------------------------------------- */

/* FAT date and time (local time, 2-second resolution, 1980-2107) to NT system time; a zero or
 * invalid date gives 0. Tenths is DIR_CrtTimeTenth (0-199, in 10 ms units). */
LARGE_INTEGER FatTimeToNtTime(_In_ const FAT_VOLUME *Volume, _In_ USHORT Date, _In_ USHORT Time, _In_ UCHAR Tenths);
/* NT system time to FAT date and time, clamped to 1980-01-01 .. 2107-12-31 23:59:58. */
VOID FatNtTimeToFatTime(_In_ const FAT_VOLUME *Volume, _In_ LARGE_INTEGER NtTime, _Out_ PUSHORT Date,
                        _Out_ PUSHORT Time, _Out_opt_ PUCHAR Tenths);

#ifdef __cplusplus
}
#endif

#endif
