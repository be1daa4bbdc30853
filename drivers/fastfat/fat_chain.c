/* Cluster chains: following, measuring, allocating (contiguous runs first), truncating and freeing.
 * A chain can never be longer than the volume's cluster count, so every walk stops there and calls
 * a longer one a loop: a damaged FAT gives STATUS_FILE_CORRUPT_ERROR, never a hang. */
#include "fat_internal.h"

NTSTATUS FatNextCluster(PFAT_VOLUME Volume, ULONG Cluster, PULONG Next) {
    ULONG value;
    NTSTATUS status = FatGetFatEntry(Volume, Cluster, &value);
    if (!NT_SUCCESS(status)) return status;
    if (value == FAT_CLUSTER_EOC) {
        *Next = FAT_CLUSTER_EOC;
        return STATUS_SUCCESS;
    }
    /* Free, reserved, bad or past the last cluster: the chain is broken. */
    if (!FatIsDataCluster(Volume, value)) return STATUS_FILE_CORRUPT_ERROR;
    *Next = value;
    return STATUS_SUCCESS;
}

NTSTATUS FatChainLength(PFAT_VOLUME Volume, ULONG First, PULONG Count, PULONG Last) {
    *Count = 0;
    if (Last) *Last = 0;
    if (First == 0) return STATUS_SUCCESS;
    if (!FatIsDataCluster(Volume, First)) return STATUS_FILE_CORRUPT_ERROR;
    ULONG cluster = First, count = 1;
    for (;;) {
        ULONG next;
        NTSTATUS status = FatNextCluster(Volume, cluster, &next);
        if (!NT_SUCCESS(status)) return status;
        if (next == FAT_CLUSTER_EOC) break;
        if (++count > Volume->ClusterCount) return STATUS_FILE_CORRUPT_ERROR;
        cluster = next;
    }
    *Count = count;
    if (Last) *Last = cluster;
    return STATUS_SUCCESS;
}

NTSTATUS FatChainSeek(PFAT_VOLUME Volume, ULONG First, ULONG Index, PULONG Cluster) {
    if (First == 0) return STATUS_END_OF_FILE;
    if (!FatIsDataCluster(Volume, First)) return STATUS_FILE_CORRUPT_ERROR;
    if (Index >= Volume->ClusterCount) return STATUS_END_OF_FILE;
    ULONG cluster = First;
    for (ULONG i = 0; i < Index; ++i) {
        ULONG next;
        NTSTATUS status = FatNextCluster(Volume, cluster, &next);
        if (!NT_SUCCESS(status)) return status;
        if (next == FAT_CLUSTER_EOC) return STATUS_END_OF_FILE;
        cluster = next;
    }
    *Cluster = cluster;
    return STATUS_SUCCESS;
}

/* The free cluster at or after Start (wrapping once around the data area). */
static NTSTATUS FindFree(PFAT_VOLUME Volume, ULONG Start, PULONG Found) {
    ULONG count = Volume->ClusterCount;
    if (!FatIsDataCluster(Volume, Start)) Start = 2;
    for (ULONG i = 0; i < count; ++i) {
        ULONG cluster = 2 + (Start - 2 + i) % count;
        ULONG value;
        NTSTATUS status = FatGetFatEntry(Volume, cluster, &value);
        if (!NT_SUCCESS(status)) return status;
        if (value == FAT_CLUSTER_FREE) {
            *Found = cluster;
            return STATUS_SUCCESS;
        }
    }
    /* The free count said there was room; the FAT disagrees. */
    return STATUS_FILE_CORRUPT_ERROR;
}

NTSTATUS FatAllocateClusters(PFAT_VOLUME Volume, ULONG After, ULONG Count, PULONG First) {
    *First = 0;
    if (Count == 0) return STATUS_SUCCESS;
    if (Count > Volume->FreeClusterCount) return STATUS_DISK_FULL;
    if (After != 0 && !FatIsDataCluster(Volume, After)) return STATUS_FILE_CORRUPT_ERROR;

    /* Searching forward from the cluster after the chain's end takes a contiguous run whenever one
     * is there; each new cluster is marked end-of-chain before the previous one links to it, so an
     * error part way leaves a well-formed (if longer) chain that the caller can truncate. */
    ULONG start = After != 0 ? After + 1 : Volume->NextFreeHint;
    ULONG previous = After, first = 0;
    NTSTATUS status = STATUS_SUCCESS;
    for (ULONG i = 0; i < Count; ++i) {
        ULONG cluster;
        status = FindFree(Volume, start, &cluster);
        if (!NT_SUCCESS(status)) break;
        status = FatSetFatEntry(Volume, cluster, FAT_CLUSTER_EOC);
        if (!NT_SUCCESS(status)) break;
        --Volume->FreeClusterCount;
        if (previous != 0) {
            status = FatSetFatEntry(Volume, previous, cluster);
            if (!NT_SUCCESS(status)) break;
        }
        if (first == 0) first = cluster;
        previous = cluster;
        start = cluster + 1;
        Volume->NextFreeHint = FatIsDataCluster(Volume, start) ? start : 2;
    }
    if (!NT_SUCCESS(status)) {
        /* Undo: cut the chain back to where it was. */
        if (first != 0) {
            if (After != 0) (void)FatSetFatEntry(Volume, After, FAT_CLUSTER_EOC);
            (void)FatFreeChain(Volume, first);
        }
        (void)FatUpdateFsInfo(Volume);
        return status;
    }
    *First = first;
    return FatUpdateFsInfo(Volume);
}

NTSTATUS FatFreeChain(PFAT_VOLUME Volume, ULONG First) {
    if (First == 0) return STATUS_SUCCESS;
    if (!FatIsDataCluster(Volume, First)) return STATUS_FILE_CORRUPT_ERROR;
    ULONG cluster = First;
    NTSTATUS status = STATUS_SUCCESS;
    for (ULONG steps = 0;; ++steps) {
        if (steps >= Volume->ClusterCount) {
            status = STATUS_FILE_CORRUPT_ERROR;
            break;
        }
        ULONG next;
        status = FatNextCluster(Volume, cluster, &next);
        if (!NT_SUCCESS(status)) break;
        status = FatSetFatEntry(Volume, cluster, FAT_CLUSTER_FREE);
        if (!NT_SUCCESS(status)) break;
        ++Volume->FreeClusterCount;
        if (next == FAT_CLUSTER_EOC) break;
        cluster = next;
    }
    NTSTATUS fsinfo = FatUpdateFsInfo(Volume);
    return NT_SUCCESS(status) ? fsinfo : status;
}

NTSTATUS FatTruncateChain(PFAT_VOLUME Volume, PULONG First, ULONG Keep) {
    if (*First == 0) return STATUS_SUCCESS;
    if (Keep == 0) {
        NTSTATUS status = FatFreeChain(Volume, *First);
        if (NT_SUCCESS(status)) *First = 0;
        return status;
    }
    ULONG last;
    NTSTATUS status = FatChainSeek(Volume, *First, Keep - 1, &last);
    if (status == STATUS_END_OF_FILE) return STATUS_SUCCESS; /* already that short */
    if (!NT_SUCCESS(status)) return status;
    ULONG next;
    status = FatNextCluster(Volume, last, &next);
    if (!NT_SUCCESS(status)) return status;
    if (next == FAT_CLUSTER_EOC) return STATUS_SUCCESS;
    status = FatSetFatEntry(Volume, last, FAT_CLUSTER_EOC);
    if (!NT_SUCCESS(status)) return status;
    return FatFreeChain(Volume, next);
}

VOID FatQueryFreeSpace(const FAT_VOLUME *Volume, PULONG FreeClusters, PULONG TotalClusters, PULONG BytesPerCluster) {
    *FreeClusters = Volume->FreeClusterCount;
    *TotalClusters = Volume->ClusterCount;
    *BytesPerCluster = Volume->BytesPerCluster;
}
