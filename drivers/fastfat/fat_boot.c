/* Mounting: the boot sector's BPB is validated field by field and the FAT type comes from the count
 * of data clusters exactly as Microsoft's FAT specification (fatgen103, "FAT Type Determination")
 * says; FAT32 volumes also get their FSInfo sector read and, after every change, rewritten. */
#include "fat_internal.h"

/* BPB and boot sector field offsets (fatgen103, "Boot Sector and BPB"). */
#define BS_JMP_BOOT 0
#define BPB_BYTS_PER_SEC 11
#define BPB_SEC_PER_CLUS 13
#define BPB_RSVD_SEC_CNT 14
#define BPB_NUM_FATS 16
#define BPB_ROOT_ENT_CNT 17
#define BPB_TOT_SEC16 19
#define BPB_MEDIA 21
#define BPB_FAT_SZ16 22
#define BPB_TOT_SEC32 32
#define BPB_FAT_SZ32 36
#define BPB_EXT_FLAGS 40
#define BPB_FS_VER 42
#define BPB_ROOT_CLUS 44
#define BPB_FS_INFO 48
#define BS_BOOT_SIG_16 38
#define BS_BOOT_SIG_32 66

/* FSInfo layout (fatgen103, "FAT32 FSInfo Sector Structure"). */
#define FSI_LEAD_SIG 0x41615252
#define FSI_STRUC_SIG 0x61417272
#define FSI_TRAIL_SIG 0xAA550000
#define FSI_STRUC_SIG_OFFSET 484
#define FSI_FREE_COUNT 488
#define FSI_NXT_FREE 492
#define FSI_TRAIL_SIG_OFFSET 508

static BOOLEAN IsPowerOfTwo(ULONG v) { return v != 0 && (v & (v - 1)) == 0; }

/* Everything here is checked before any value is used as a size or an offset, so a foreign or
 * damaged boot sector is STATUS_UNRECOGNIZED_VOLUME and never an out-of-range access. */
static NTSTATUS ParseBpb(const UCHAR *Bs, PFAT_VOLUME Volume) {
    /* fatgen103: BS_jmpBoot is EB ?? 90 or E9 ?? ??; the 0x55 0xAA signature ends sector 0. */
    if (!((Bs[BS_JMP_BOOT] == 0xEB && Bs[2] == 0x90) || Bs[BS_JMP_BOOT] == 0xE9)) return STATUS_UNRECOGNIZED_VOLUME;
    if (Bs[510] != 0x55 || Bs[511] != 0xAA) return STATUS_UNRECOGNIZED_VOLUME;

    ULONG bps = FatLe16(Bs + BPB_BYTS_PER_SEC);
    ULONG spc = Bs[BPB_SEC_PER_CLUS];
    ULONG reserved = FatLe16(Bs + BPB_RSVD_SEC_CNT);
    ULONG fats = Bs[BPB_NUM_FATS];
    ULONG root_entries = FatLe16(Bs + BPB_ROOT_ENT_CNT);
    ULONG total16 = FatLe16(Bs + BPB_TOT_SEC16);
    ULONG total32 = FatLe32(Bs + BPB_TOT_SEC32);
    ULONG fat16 = FatLe16(Bs + BPB_FAT_SZ16);
    ULONG fat32 = FatLe32(Bs + BPB_FAT_SZ32);
    UCHAR media = Bs[BPB_MEDIA];

    if (bps != 512 && bps != 1024 && bps != 2048 && bps != 4096) return STATUS_UNRECOGNIZED_VOLUME;
    /* fatgen103 stops at 32 KiB clusters; NT also mounts 64 KiB ones (large-sector media). */
    if (!IsPowerOfTwo(spc) || spc > 128 || bps * spc > 65536) return STATUS_UNRECOGNIZED_VOLUME;
    if (reserved == 0 || fats == 0) return STATUS_UNRECOGNIZED_VOLUME;
    if (media != 0xF0 && media < 0xF8) return STATUS_UNRECOGNIZED_VOLUME;

    ULONG fat_size = fat16 != 0 ? fat16 : fat32;
    ULONG total = total16 != 0 ? total16 : total32;
    if (fat_size == 0 || total == 0) return STATUS_UNRECOGNIZED_VOLUME;

    /* fatgen103, "FAT Type Determination", with 64-bit sums so no field can wrap them. */
    ULONGLONG root_dir_sectors = ((ULONGLONG)root_entries * 32 + (bps - 1)) / bps;
    ULONGLONG first_data = (ULONGLONG)reserved + (ULONGLONG)fats * fat_size + root_dir_sectors;
    if (first_data >= total) return STATUS_UNRECOGNIZED_VOLUME;
    ULONGLONG clusters = (total - first_data) / spc;
    if (clusters == 0) return STATUS_UNRECOGNIZED_VOLUME;

    FAT_TYPE type = clusters < 4085 ? FatType12 : clusters < 65525 ? FatType16 : FatType32;

    if (type == FatType32) {
        /* A FAT32 BPB has no fixed root and only the 32-bit FAT size; version 0.0 is all there is. */
        if (root_entries != 0 || fat16 != 0 || FatLe16(Bs + BPB_FS_VER) != 0) return STATUS_UNRECOGNIZED_VOLUME;
        /* Cluster numbers are 28 bits. */
        if (clusters > 0x0FFFFFF5) return STATUS_UNRECOGNIZED_VOLUME;
    } else if (root_entries == 0) {
        return STATUS_UNRECOGNIZED_VOLUME;
    }

    /* The FAT must have an entry for every cluster (plus the two reserved ones). */
    ULONGLONG bits = type == FatType12 ? 12 : type == FatType16 ? 16 : 32;
    if ((ULONGLONG)fat_size * bps * 8 < (clusters + 2) * bits) return STATUS_UNRECOGNIZED_VOLUME;

    Volume->FatType = type;
    Volume->BytesPerSector = bps;
    Volume->SectorsPerCluster = spc;
    Volume->BytesPerCluster = bps * spc;
    Volume->ReservedSectors = reserved;
    Volume->NumberOfFats = fats;
    Volume->RootEntryCount = root_entries;
    Volume->FatSectors = fat_size;
    Volume->TotalSectors = total;
    Volume->RootDirSectors = (ULONG)root_dir_sectors;
    Volume->FirstRootDirSector = reserved + fats * fat_size;
    Volume->FirstDataSector = (ULONG)first_data;
    Volume->ClusterCount = (ULONG)clusters;
    Volume->MediaDescriptor = media;
    Volume->MirrorFats = TRUE;
    Volume->ActiveFat = 0;

    ULONG boot_sig_offset = type == FatType32 ? BS_BOOT_SIG_32 : BS_BOOT_SIG_16;
    Volume->HasExtendedBpb = Bs[boot_sig_offset] == 0x29;
    Volume->SerialNumber = Volume->HasExtendedBpb ? FatLe32(Bs + boot_sig_offset + 1) : 0;

    if (type == FatType32) {
        Volume->RootCluster = FatLe32(Bs + BPB_ROOT_CLUS);
        if (!FatIsDataCluster(Volume, Volume->RootCluster)) return STATUS_UNRECOGNIZED_VOLUME;
        /* BPB_ExtFlags bit 7: only the FAT numbered in bits 0-3 is active and written. */
        USHORT ext = FatLe16(Bs + BPB_EXT_FLAGS);
        if (ext & 0x80) {
            Volume->MirrorFats = TRUE;
            Volume->ActiveFat = ext & 0x0F;
            if (Volume->ActiveFat >= fats) return STATUS_UNRECOGNIZED_VOLUME;
        }
        ULONG fsinfo = FatLe16(Bs + BPB_FS_INFO);
        Volume->FsInfoSector = (fsinfo != 0 && fsinfo != 0xFFFF && fsinfo < reserved) ? fsinfo : 0;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS ReadFsInfo(PFAT_VOLUME Volume) {
    UCHAR sector[512];
    Volume->FsInfoFreeCount = 0xFFFFFFFF;
    if (Volume->FsInfoSector == 0) return STATUS_SUCCESS;
    NTSTATUS status = FatRead(Volume, (ULONGLONG)Volume->FsInfoSector * Volume->BytesPerSector, sizeof(sector), sector);
    if (!NT_SUCCESS(status)) return status;
    /* A sector without the three signatures is not an FSInfo: ignore it rather than overwrite it. */
    if (FatLe32(sector) != FSI_LEAD_SIG || FatLe32(sector + FSI_STRUC_SIG_OFFSET) != FSI_STRUC_SIG ||
        FatLe32(sector + FSI_TRAIL_SIG_OFFSET) != FSI_TRAIL_SIG) {
        Volume->FsInfoSector = 0;
        return STATUS_SUCCESS;
    }
    Volume->FsInfoFreeCount = FatLe32(sector + FSI_FREE_COUNT);
    ULONG hint = FatLe32(sector + FSI_NXT_FREE);
    /* fatgen103: 0xFFFFFFFF means no hint; anything outside the data clusters is ignored too. */
    if (FatIsDataCluster(Volume, hint)) Volume->NextFreeHint = hint;
    return STATUS_SUCCESS;
}

NTSTATUS FatUpdateFsInfo(PFAT_VOLUME Volume) {
    if (Volume->FatType != FatType32 || Volume->FsInfoSector == 0) return STATUS_SUCCESS;
    UCHAR fields[8];
    FatPut32(fields, Volume->FreeClusterCount);
    FatPut32(fields + 4, Volume->NextFreeHint);
    return FatWrite(Volume, (ULONGLONG)Volume->FsInfoSector * Volume->BytesPerSector + FSI_FREE_COUNT,
                    sizeof(fields), fields);
}

NTSTATUS FatFlushFsInfo(PFAT_VOLUME Volume) { return FatUpdateFsInfo(Volume); }

NTSTATUS FatMountVolume(const FAT_VOLUME_IO *Io, PFAT_VOLUME Volume) {
    if (Io == NULL || Io->Read == NULL || Io->Write == NULL || Volume == NULL) return STATUS_INVALID_PARAMETER;
    RtlZeroMemory(Volume, sizeof(*Volume));
    Volume->Io = *Io;

    UCHAR boot[512];
    NTSTATUS status = FatRead(Volume, 0, sizeof(boot), boot);
    if (!NT_SUCCESS(status)) return status;
    status = ParseBpb(boot, Volume);
    if (!NT_SUCCESS(status)) return status;
    if (Io->VolumeLength != 0 && (ULONGLONG)Volume->TotalSectors * Volume->BytesPerSector > Io->VolumeLength) {
        return STATUS_UNRECOGNIZED_VOLUME;
    }

    Volume->NextFreeHint = 2;
    if (Volume->FatType == FatType32) {
        status = ReadFsInfo(Volume);
        if (!NT_SUCCESS(status)) return status;
        /* The root chain must be sound before anyone enumerates it. */
        ULONG count;
        status = FatChainLength(Volume, Volume->RootCluster, &count, NULL);
        if (!NT_SUCCESS(status)) return status;
    } else {
        Volume->FsInfoFreeCount = 0xFFFFFFFF;
    }
    /* fatgen103 calls FSInfo's free count a hint that may be wrong; the FAT is the truth. */
    return FatCountFreeClusters(Volume, &Volume->FreeClusterCount);
}

ULONG FatRootDirectory(const FAT_VOLUME *Volume) {
    return Volume->FatType == FatType32 ? Volume->RootCluster : FAT_FIXED_ROOT;
}

ULONGLONG FatClusterOffset(const FAT_VOLUME *Volume, ULONG Cluster) {
    return ((ULONGLONG)Volume->FirstDataSector + (ULONGLONG)(Cluster - 2) * Volume->SectorsPerCluster) *
           Volume->BytesPerSector;
}
