/* Opportunistic locks: each file's FCB holds an OPLOCK that FsRtl's oplock package keeps. The oplock
 * FSCTLs go to FsRtlOplockFsctrl with the file's handle count (byte-range locks for a shared
 * request, as Learn says OpenCount means then), and the operations that break oplocks check it
 * first; one that must wait for an acknowledgement is handed to FsRtl, which calls
 * FatOplockBreakDone when the break ends and the request is posted to a worker to start again.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtloplockfsctrl
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcheckoplock */
#include "fastfat.h"

NTSTATUS FatOplockRequest(PFAT_FCB Fcb, PIRP Irp)
{
    ULONG openCount;
    NTSTATUS status;

    if (FsRtlOplockIsSharedRequest(Irp)) {
        openCount = FsRtlAreThereCurrentFileLocks(&Fcb->FileLock) ? 1 : 0;
    } else {
        openCount = (ULONG)Fcb->OpenHandles;
    }
    status = FsRtlOplockFsctrl(&Fcb->Oplock, Irp, openCount);
    if (status == STATUS_PENDING) {
        return status;
    }
    return FatCompleteRequest(Irp, status, 0);
}

static VOID NTAPI FatOplockBreakDone(PVOID Context, PIRP Irp)
{
    (void)FatPostRequest((PDEVICE_OBJECT)Context, Irp);
}

NTSTATUS FatCheckOplock(PDEVICE_OBJECT DeviceObject, PFAT_FCB Fcb, PIRP Irp, ULONG Flags)
{
    return FsRtlCheckOplockEx(&Fcb->Oplock, Irp, Flags, DeviceObject, FatOplockBreakDone, NULL);
}
