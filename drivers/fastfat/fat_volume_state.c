/* The volume's dirty state, the way Windows records it: bit 0x01 of the boot sector's "current
 * head" byte (offset 37, or 65 on FAT32), which chkdsk/autochk reads, and on FAT16/32 also the
 * clean-shutdown bit of FAT entry 1 (fatgen103, "FAT Volume Initialization": ClnShutBitMask) that
 * DOS and Windows 9x read. The driver marks the volume dirty while it has changes outstanding and
 * clean at flush and dismount. */
#include "fat_internal.h"

#define BS_CURRENT_HEAD_16 37
#define BS_CURRENT_HEAD_32 65
#define BOOT_SECTOR_DIRTY 0x01

static ULONG CurrentHeadOffset(const FAT_VOLUME *Volume) {
    return Volume->FatType == FatType32 ? BS_CURRENT_HEAD_32 : BS_CURRENT_HEAD_16;
}

/* FAT entry 1 as raw bytes in one FAT copy: the entry routines only address data clusters. */
static ULONGLONG Entry1Offset(const FAT_VOLUME *Volume, ULONG Copy) {
    ULONGLONG fat = ((ULONGLONG)Volume->ReservedSectors + (ULONGLONG)Copy * Volume->FatSectors) * Volume->BytesPerSector;
    return fat + (Volume->FatType == FatType32 ? 4 : 2);
}

static ULONG CleanBit(const FAT_VOLUME *Volume) {
    return Volume->FatType == FatType32 ? 0x08000000 : 0x8000;
}

NTSTATUS FatMarkVolumeDirty(PFAT_VOLUME Volume, BOOLEAN Dirty) {
    UCHAR head;
    NTSTATUS status = FatRead(Volume, CurrentHeadOffset(Volume), 1, &head);
    if (!NT_SUCCESS(status)) return status;
    head = Dirty ? (UCHAR)(head | BOOT_SECTOR_DIRTY) : (UCHAR)(head & ~BOOT_SECTOR_DIRTY);
    status = FatWrite(Volume, CurrentHeadOffset(Volume), 1, &head);
    if (!NT_SUCCESS(status) || Volume->FatType == FatType12) return status;
    ULONG width = Volume->FatType == FatType32 ? 4 : 2;
    for (ULONG copy = 0; copy < Volume->NumberOfFats; ++copy) {
        UCHAR bytes[4];
        status = FatRead(Volume, Entry1Offset(Volume, copy), width, bytes);
        if (!NT_SUCCESS(status)) return status;
        ULONG value = width == 4 ? FatLe32(bytes) : FatLe16(bytes);
        value = Dirty ? (value & ~CleanBit(Volume)) : (value | CleanBit(Volume));
        if (width == 4) FatPut32(bytes, value);
        else FatPut16(bytes, (USHORT)value);
        status = FatWrite(Volume, Entry1Offset(Volume, copy), width, bytes);
        if (!NT_SUCCESS(status)) return status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS FatQueryVolumeDirty(PFAT_VOLUME Volume, PBOOLEAN Dirty) {
    UCHAR head;
    NTSTATUS status = FatRead(Volume, CurrentHeadOffset(Volume), 1, &head);
    if (!NT_SUCCESS(status)) return status;
    *Dirty = (head & BOOT_SECTOR_DIRTY) != 0;
    if (*Dirty || Volume->FatType == FatType12) return STATUS_SUCCESS;
    UCHAR bytes[4];
    ULONG width = Volume->FatType == FatType32 ? 4 : 2;
    status = FatRead(Volume, Entry1Offset(Volume, 0), width, bytes);
    if (!NT_SUCCESS(status)) return status;
    ULONG value = width == 4 ? FatLe32(bytes) : FatLe16(bytes);
    *Dirty = (value & CleanBit(Volume)) == 0;
    return STATUS_SUCCESS;
}
