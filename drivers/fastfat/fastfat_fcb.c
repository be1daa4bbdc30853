/* FCBs and CCBs: one FCB per file or directory in use, found by where its directory entry is (the
 * directory and the entry index), shared by every open of it and freed at its last close; one CCB
 * per file object. Also the full names change notification reports. */
#include "fastfat.h"

VOID FatFcbSizesFromDirent(PFAT_FCB Fcb)
{
    PFAT_VOLUME volume = &Fcb->Vcb->Volume;
    ULONG clusters = 0;
    ULONGLONG size = Fcb->Dirent.FileSize;

    if (FatIsDirectoryFcb(Fcb) || Fcb->Header.NodeTypeCode == FAT_NTC_VOLUME_OPEN) {
        size = 0;
    }
    if (Fcb->Header.NodeTypeCode == FAT_NTC_FCB && Fcb->Dirent.FirstCluster &&
        !NT_SUCCESS(FatChainLength(volume, Fcb->Dirent.FirstCluster, &clusters, NULL))) {
        clusters = 0;
    }
    Fcb->Header.FileSize.QuadPart = (LONGLONG)size;
    Fcb->Header.ValidDataLength.QuadPart = (LONGLONG)size;
    Fcb->Header.AllocationSize.QuadPart = (LONGLONG)clusters * volume->BytesPerCluster;
    if (Fcb->Header.AllocationSize.QuadPart < Fcb->Header.FileSize.QuadPart) {
        Fcb->Header.AllocationSize.QuadPart = (LONGLONG)((size + volume->BytesPerCluster - 1) /
                                                         volume->BytesPerCluster * volume->BytesPerCluster);
    }
}

NTSTATUS FatSetFcbName(PFAT_FCB Fcb, PCUNICODE_STRING ParentName, const FAT_DIRENT *Dirent)
{
    const WCHAR *name = Dirent->LongNameLength ? Dirent->LongName : Dirent->ShortName;
    USHORT nameBytes = (USHORT)((Dirent->LongNameLength ? Dirent->LongNameLength : Dirent->ShortNameLength) *
                                sizeof(WCHAR));
    USHORT parentBytes = 0;
    USHORT total;
    PWCHAR buffer;

    if (!ParentName) {
        /* The root (and the volume open): "\". */
        buffer = (PWCHAR)ExAllocatePoolWithTag(PagedPool, sizeof(WCHAR), FASTFAT_TAG);
        if (!buffer) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        buffer[0] = L'\\';
        total = sizeof(WCHAR);
        Fcb->FinalNameOffset = sizeof(WCHAR);
    } else {
        /* The root's name is "\": its children's names do not repeat the separator. */
        parentBytes = ParentName->Length <= sizeof(WCHAR) ? 0 : ParentName->Length;
        total = (USHORT)(parentBytes + sizeof(WCHAR) + nameBytes);
        buffer = (PWCHAR)ExAllocatePoolWithTag(PagedPool, total, FASTFAT_TAG);
        if (!buffer) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        RtlCopyMemory(buffer, ParentName->Buffer, parentBytes);
        buffer[parentBytes / sizeof(WCHAR)] = L'\\';
        RtlCopyMemory(buffer + parentBytes / sizeof(WCHAR) + 1, name, nameBytes);
        Fcb->FinalNameOffset = (USHORT)(parentBytes + sizeof(WCHAR));
    }
    if (Fcb->FullName.Buffer) {
        ExFreePoolWithTag(Fcb->FullName.Buffer, FASTFAT_TAG);
    }
    Fcb->FullName.Buffer = buffer;
    Fcb->FullName.Length = Fcb->FullName.MaximumLength = total;
    return STATUS_SUCCESS;
}

PFAT_FCB FatCreateFcb(PFAT_VCB Vcb, PCUNICODE_STRING ParentName, const FAT_DIRENT *Dirent, CSHORT NodeType)
{
    PFAT_FCB fcb = (PFAT_FCB)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(FAT_FCB), FASTFAT_TAG);

    if (!fcb) {
        return NULL;
    }
    RtlZeroMemory(fcb, sizeof(*fcb));
    fcb->Header.NodeTypeCode = NodeType;
    fcb->Header.NodeByteSize = sizeof(FAT_FCB);
    fcb->Header.IsFastIoPossible = NodeType == FAT_NTC_FCB ? FastIoIsQuestionable : FastIoIsNotPossible;
    fcb->Header.Resource = &fcb->MainResource;
    fcb->Header.PagingIoResource = &fcb->PagingIoResource;
    /* As FAT on Windows: stream contexts, no file contexts (a FAT file has one stream, so a file's
     * context is its stream's; "File System Support for Contexts" on Microsoft Learn). */
    ExInitializeFastMutex(&fcb->AdvancedFcbHeaderMutex);
    FsRtlSetupAdvancedHeader(&fcb->Header, &fcb->AdvancedFcbHeaderMutex);
    fcb->Vcb = Vcb;
    fcb->References = 1;
    RtlCopyMemory(&fcb->Dirent, Dirent, sizeof(FAT_DIRENT));
    if (!NT_SUCCESS(FatSetFcbName(fcb, ParentName, Dirent))) {
        ExFreePoolWithTag(fcb, FASTFAT_TAG);
        return NULL;
    }
    (void)ExInitializeResourceLite(&fcb->MainResource);
    (void)ExInitializeResourceLite(&fcb->PagingIoResource);
    FsRtlInitializeFileLock(&fcb->FileLock, NULL, NULL);
    FsRtlInitializeOplock(&fcb->Oplock);
    FatFcbSizesFromDirent(fcb);
    InsertTailList(&Vcb->FcbList, &fcb->Links);
    return fcb;
}

PFAT_FCB FatFindFcb(PFAT_VCB Vcb, ULONG DirectoryCluster, ULONG DirentIndex)
{
    PLIST_ENTRY entry;

    for (entry = Vcb->FcbList.Flink; entry != &Vcb->FcbList; entry = entry->Flink) {
        PFAT_FCB fcb = CONTAINING_RECORD(entry, FAT_FCB, Links);
        if ((fcb->Header.NodeTypeCode == FAT_NTC_FCB || fcb->Header.NodeTypeCode == FAT_NTC_DCB) && !fcb->Deleted &&
            fcb->Dirent.DirectoryCluster == DirectoryCluster && fcb->Dirent.DirentIndex == DirentIndex) {
            return fcb;
        }
    }
    return NULL;
}

VOID FatReferenceFcb(PFAT_FCB Fcb)
{
    InterlockedIncrement(&Fcb->References);
}

VOID FatDereferenceFcb(PFAT_FCB Fcb)
{
    if (InterlockedDecrement(&Fcb->References) != 0) {
        return;
    }
    RemoveEntryList(&Fcb->Links);
    /* The filters' contexts on the stream go with it: each one's FreeCallback runs, once. */
    FsRtlTeardownPerStreamContexts(&Fcb->Header);
    FsRtlUninitializeFileLock(&Fcb->FileLock);
    FsRtlUninitializeOplock(&Fcb->Oplock);
    ExDeleteResourceLite(&Fcb->MainResource);
    ExDeleteResourceLite(&Fcb->PagingIoResource);
    ExFreePoolWithTag(Fcb->FullName.Buffer, FASTFAT_TAG);
    ExFreePoolWithTag(Fcb, FASTFAT_TAG);
}

PFAT_CCB FatCreateCcb(VOID)
{
    PFAT_CCB ccb = (PFAT_CCB)ExAllocatePoolWithTag(PagedPool, sizeof(FAT_CCB), FASTFAT_TAG);
    if (ccb) {
        RtlZeroMemory(ccb, sizeof(*ccb));
        ccb->NodeTypeCode = FAT_NTC_CCB;
    }
    return ccb;
}

VOID FatDeleteCcb(PFAT_CCB Ccb)
{
    if (Ccb->SearchMask.Buffer) {
        ExFreePoolWithTag(Ccb->SearchMask.Buffer, FASTFAT_TAG);
    }
    if (Ccb->NotifyName.Buffer) {
        ExFreePoolWithTag(Ccb->NotifyName.Buffer, FASTFAT_TAG);
    }
    ExFreePoolWithTag(Ccb, FASTFAT_TAG);
}

/* FsRtlNotifyFullReportChange takes the full name as a STRING of bytes (it compares it with the
 * watched directories' names the same way), with the last component at FinalNameOffset. */
VOID FatNotifyChange(PFAT_VCB Vcb, PFAT_FCB Fcb, ULONG Filter, ULONG Action)
{
    STRING name;

    name.Buffer = (PCHAR)Fcb->FullName.Buffer;
    name.Length = Fcb->FullName.Length;
    name.MaximumLength = Fcb->FullName.MaximumLength;
    FsRtlNotifyFullReportChange(Vcb->NotifySync, &Vcb->DirNotifyList, &name, Fcb->FinalNameOffset, NULL, NULL, Filter,
                                Action, NULL);
}
