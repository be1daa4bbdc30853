// Requestor context of an IRP: the process that issued it and whether the request is synchronous
// from the I/O manager's point of view. IoGetCurrentProcess lives with the other process queries in
// ob/thread_objects.cpp.
#include "io/objects.hpp"

using namespace ntio;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iogetrequestorprocess
// The process of the thread that issued the IRP; NULL for an IRP without a thread (one a driver
// built with IoAllocateIrp or an asynchronous IoBuild*Request).
PEPROCESS NTAPI IoGetRequestorProcess(PIRP Irp) {
    PETHREAD thread = Irp->Tail.Overlay.Thread;
    return thread ? PsGetThreadProcess(thread) : nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iogetrequestorprocessid
ULONG NTAPI IoGetRequestorProcessId(PIRP Irp) {
    PEPROCESS process = IoGetRequestorProcess(Irp);
    return process ? static_cast<ULONG>(reinterpret_cast<ULONG_PTR>(PsGetProcessId(process))) : 0;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iogetrequestorsessionid
// IRQL <= APC_LEVEL. The session of the requesting process is the session ID of its primary
// token. STATUS_UNSUCCESSFUL with -1 for an IRP without a thread. A guess where Learn is silent: a
// NULL Irp is STATUS_UNSUCCESSFUL too (-1 written when pSessionId is given), and a NULL pSessionId
// STATUS_INVALID_PARAMETER.
NTSTATUS NTAPI IoGetRequestorSessionId(PIRP Irp, PULONG pSessionId) {
    if (!pSessionId) return STATUS_INVALID_PARAMETER;
    *pSessionId = static_cast<ULONG>(-1);
    PEPROCESS process = Irp ? IoGetRequestorProcess(Irp) : nullptr;
    if (!process) return STATUS_UNSUCCESSFUL;
    PACCESS_TOKEN token = PsReferencePrimaryToken(process);
    if (!token) return STATUS_UNSUCCESSFUL;
    ULONG session = 0;
    const NTSTATUS status = SeQuerySessionIdToken(token, &session);
    PsDereferencePrimaryToken(token);
    if (!NT_SUCCESS(status)) return STATUS_UNSUCCESSFUL;
    *pSessionId = session;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iothreadtoprocess
// The process the thread belongs to. A guess where Learn is silent: NULL for a NULL thread.
PEPROCESS NTAPI IoThreadToProcess(PETHREAD Thread) { return Thread ? PsGetThreadProcess(Thread) : nullptr; }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iois32bitprocess
// Every process ntio emulates is a 64-bit (x64) one: there is no WOW64 here, so the originator of a
// request, or the current process for a NULL Irp, is never a 32-bit application.
BOOLEAN NTAPI IoIs32bitProcess(PIRP Irp) {
    (void)Irp;
    return FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioissystemthread
// Whether the thread is a system thread (PsCreateSystemThread's, the worker threads).
BOOLEAN NTAPI IoIsSystemThread(PETHREAD Thread) { return PsIsSystemThread(Thread); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioisoperationsynchronous
// Asynchronous paging I/O is asynchronous whatever else holds; synchronous paging I/O, a file
// object opened for synchronous I/O, IRP_SYNCHRONOUS_API, and (as the page states) a METHOD_BUFFERED
// IOCTL or FSCTL make the operation synchronous.
BOOLEAN NTAPI IoIsOperationSynchronous(PIRP Irp) {
    const ULONG flags = Irp->Flags;
    if (flags & IRP_PAGING_IO) return (flags & IRP_SYNCHRONOUS_PAGING_IO) ? TRUE : FALSE;
    if (flags & IRP_SYNCHRONOUS_API) return TRUE;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = stack->FileObject;
    if (file && (io::file_flags(file) & FO_SYNCHRONOUS_IO)) return TRUE;
    ULONG code = 0;
    bool control = false;
    switch (stack->MajorFunction) {
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL:
        code = stack->Parameters.DeviceIoControl.IoControlCode;
        control = true;
        break;
    case IRP_MJ_FILE_SYSTEM_CONTROL:
        if (stack->MinorFunction == IRP_MN_USER_FS_REQUEST || stack->MinorFunction == IRP_MN_KERNEL_CALL) {
            code = stack->Parameters.FileSystemControl.FsControlCode;
            control = true;
        }
        break;
    default:
        break;
    }
    return (control && METHOD_FROM_CTL_CODE(code) == METHOD_BUFFERED) ? TRUE : FALSE;
}

}  // extern "C"
