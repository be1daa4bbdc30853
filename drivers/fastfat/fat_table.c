/* FAT entries of the three widths (fatgen103, "FAT Data Structure"): reading one, writing one into
 * every FAT copy in use, and counting the free ones. Values are normalised so the rest of the engine
 * never sees a width: end-of-chain is FAT_CLUSTER_EOC and the bad-cluster mark FAT_CLUSTER_BAD. */
#include "fat_internal.h"

static ULONGLONG FatCopyOffset(const FAT_VOLUME *Volume, ULONG Copy) {
    return ((ULONGLONG)Volume->ReservedSectors + (ULONGLONG)Copy * Volume->FatSectors) * Volume->BytesPerSector;
}

/* Byte offset of a cluster's entry inside one FAT copy: FAT12 packs two entries in three bytes. */
static ULONG EntryOffset(const FAT_VOLUME *Volume, ULONG Cluster) {
    switch (Volume->FatType) {
    case FatType12: return Cluster + Cluster / 2;
    case FatType16: return Cluster * 2;
    default: return Cluster * 4;
    }
}

static ULONG Normalise(const FAT_VOLUME *Volume, ULONG Raw) {
    ULONG bad, eoc_min;
    switch (Volume->FatType) {
    case FatType12: bad = 0xFF7; eoc_min = 0xFF8; break;
    case FatType16: bad = 0xFFF7; eoc_min = 0xFFF8; break;
    default:
        /* fatgen103: the high 4 bits of a FAT32 entry are reserved and ignored on read. */
        Raw &= 0x0FFFFFFF;
        bad = 0x0FFFFFF7;
        eoc_min = 0x0FFFFFF8;
        break;
    }
    if (Raw >= eoc_min) return FAT_CLUSTER_EOC;
    if (Raw == bad) return FAT_CLUSTER_BAD;
    return Raw;
}

static ULONG DecodeRaw(const FAT_VOLUME *Volume, ULONG Cluster, const UCHAR *Bytes) {
    switch (Volume->FatType) {
    case FatType12: {
        USHORT pair = FatLe16(Bytes);
        return (Cluster & 1) ? (ULONG)(pair >> 4) : (ULONG)(pair & 0x0FFF);
    }
    case FatType16: return FatLe16(Bytes);
    default: return FatLe32(Bytes);
    }
}

NTSTATUS FatGetFatEntry(PFAT_VOLUME Volume, ULONG Cluster, PULONG Value) {
    /* Entries 0 and 1 are reserved; the caller only ever asks for data clusters. */
    if (!FatIsDataCluster(Volume, Cluster)) return STATUS_FILE_CORRUPT_ERROR;
    UCHAR bytes[4];
    ULONG width = Volume->FatType == FatType32 ? 4 : 2;
    NTSTATUS status = FatRead(Volume, FatCopyOffset(Volume, Volume->ActiveFat) + EntryOffset(Volume, Cluster),
                              width, bytes);
    if (!NT_SUCCESS(status)) return status;
    *Value = Normalise(Volume, DecodeRaw(Volume, Cluster, bytes));
    return STATUS_SUCCESS;
}

NTSTATUS FatSetFatEntry(PFAT_VOLUME Volume, ULONG Cluster, ULONG Value) {
    if (!FatIsDataCluster(Volume, Cluster)) return STATUS_FILE_CORRUPT_ERROR;
    ULONG raw;
    switch (Volume->FatType) {
    case FatType12: raw = Value == FAT_CLUSTER_EOC ? 0xFFF : Value == FAT_CLUSTER_BAD ? 0xFF7 : Value & 0xFFF; break;
    case FatType16: raw = Value == FAT_CLUSTER_EOC ? 0xFFFF : Value == FAT_CLUSTER_BAD ? 0xFFF7 : Value & 0xFFFF; break;
    default: raw = Value == FAT_CLUSTER_EOC ? 0x0FFFFFFF : Value == FAT_CLUSTER_BAD ? 0x0FFFFFF7 : Value & 0x0FFFFFFF; break;
    }
    ULONG offset = EntryOffset(Volume, Cluster);
    ULONG width = Volume->FatType == FatType32 ? 4 : 2;
    for (ULONG copy = 0; copy < Volume->NumberOfFats; ++copy) {
        if (!Volume->MirrorFats && copy != Volume->ActiveFat) continue;
        ULONGLONG at = FatCopyOffset(Volume, copy) + offset;
        UCHAR bytes[4];
        NTSTATUS status;
        if (Volume->FatType == FatType12) {
            /* The other 4 bits of the pair belong to the neighbouring cluster. */
            status = FatRead(Volume, at, 2, bytes);
            if (!NT_SUCCESS(status)) return status;
            USHORT pair = FatLe16(bytes);
            pair = (Cluster & 1) ? (USHORT)((pair & 0x000F) | (raw << 4)) : (USHORT)((pair & 0xF000) | raw);
            FatPut16(bytes, pair);
        } else if (Volume->FatType == FatType16) {
            FatPut16(bytes, (USHORT)raw);
        } else {
            /* fatgen103: keep the reserved high 4 bits of a FAT32 entry as they are on disk. */
            status = FatRead(Volume, at, 4, bytes);
            if (!NT_SUCCESS(status)) return status;
            FatPut32(bytes, (FatLe32(bytes) & 0xF0000000) | raw);
        }
        status = FatWrite(Volume, at, width, bytes);
        if (!NT_SUCCESS(status)) return status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS FatCountFreeClusters(PFAT_VOLUME Volume, PULONG FreeClusters) {
    /* Reads the FAT a chunk at a time instead of one callback per entry. */
    enum { kChunk = 4096 };
    UCHAR *chunk = (UCHAR *)ExAllocatePoolWithTag(PagedPool, kChunk + 4, FAT_POOL_TAG);
    if (chunk == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    ULONGLONG base = FatCopyOffset(Volume, Volume->ActiveFat);
    ULONG last_cluster = Volume->ClusterCount + 1;
    ULONG end_byte = EntryOffset(Volume, last_cluster) + (Volume->FatType == FatType32 ? 4 : 2);
    ULONG chunk_start = 0, chunk_len = 0, free_count = 0;
    NTSTATUS status = STATUS_SUCCESS;
    for (ULONG cluster = 2; cluster <= last_cluster; ++cluster) {
        ULONG offset = EntryOffset(Volume, cluster);
        ULONG width = Volume->FatType == FatType32 ? 4 : 2;
        if (chunk_len == 0 || offset < chunk_start || offset + width > chunk_start + chunk_len) {
            chunk_start = offset;
            chunk_len = end_byte - offset < kChunk ? end_byte - offset : kChunk;
            status = FatRead(Volume, base + chunk_start, chunk_len, chunk);
            if (!NT_SUCCESS(status)) break;
        }
        if (Normalise(Volume, DecodeRaw(Volume, cluster, chunk + (offset - chunk_start))) == FAT_CLUSTER_FREE) {
            ++free_count;
        }
    }
    ExFreePoolWithTag(chunk, FAT_POOL_TAG);
    if (NT_SUCCESS(status)) *FreeClusters = free_count;
    return status;
}
