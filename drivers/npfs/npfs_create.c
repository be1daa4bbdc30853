/* npfs.sys opens: IRP_MJ_CREATE_NAMED_PIPE makes a server instance (a new pipe name, or one more
 * instance of an existing one), IRP_MJ_CREATE connects a client to a listening instance, or opens the
 * file system root itself (the target of FSCTL_PIPE_WAIT). Statuses: NtCreateNamedPipeFile and
 * CreateNamedPipe on Microsoft Learn. */
#include "npfs.h"

/* The pipe name of a create: the file object's name without its leading backslash (relative to the
 * root, the name has none). */
static VOID NpfsPipeName(_In_ PFILE_OBJECT FileObject, _Out_ PUNICODE_STRING Name)
{
    *Name = FileObject->FileName;
    if (Name->Length >= sizeof(WCHAR) && Name->Buffer[0] == L'\\') {
        Name->Buffer++;
        Name->Length -= sizeof(WCHAR);
        Name->MaximumLength -= sizeof(WCHAR);
    }
}

static PNPFS_FCB NpfsFindPipe(_In_ PNPFS_DEVICE_EXTENSION Extension, _In_ PCUNICODE_STRING Name)
{
    PLIST_ENTRY link;
    for (link = Extension->Pipes.Flink; link != &Extension->Pipes; link = link->Flink) {
        PNPFS_FCB fcb = CONTAINING_RECORD(link, NPFS_FCB, ListEntry);
        if (RtlEqualUnicodeString(&fcb->Name, Name, TRUE)) {
            return fcb;
        }
    }
    return NULL;
}

static PNPFS_FCB NpfsNewPipe(_In_ PCUNICODE_STRING Name, _In_ PNAMED_PIPE_CREATE_PARAMETERS Parameters,
                             _In_ ULONG Configuration)
{
    PNPFS_FCB fcb = (PNPFS_FCB)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(NPFS_FCB) + Name->Length, NPFS_TAG);
    if (fcb == NULL) {
        return NULL;
    }
    fcb->Name.Buffer = (PWCH)(fcb + 1);
    fcb->Name.Length = Name->Length;
    fcb->Name.MaximumLength = Name->Length;
    RtlCopyMemory(fcb->Name.Buffer, Name->Buffer, Name->Length);
    fcb->NamedPipeType = Parameters->NamedPipeType & FILE_PIPE_MESSAGE_TYPE;
    fcb->NamedPipeConfiguration = Configuration;
    fcb->MaximumInstances = Parameters->MaximumInstances;
    fcb->CurrentInstances = 0;
    fcb->InboundQuota = Parameters->InboundQuota;
    fcb->OutboundQuota = Parameters->OutboundQuota;
    /* The time FSCTL_PIPE_WAIT waits when it names none: the pipe's, else 50 ms (NMPWAIT_USE_DEFAULT_WAIT). */
    fcb->DefaultTimeout.QuadPart = Parameters->TimeoutSpecified ? Parameters->DefaultTimeout.QuadPart : -500000;
    fcb->References = 0;
    fcb->Listed = FALSE;
    InitializeListHead(&fcb->Instances);
    return fcb;
}

static PNPFS_CCB NpfsNewInstance(_In_ PNPFS_FCB Fcb, _In_ PNAMED_PIPE_CREATE_PARAMETERS Parameters,
                                 _In_ PFILE_OBJECT ServerFile)
{
    PNPFS_CCB ccb = (PNPFS_CCB)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(NPFS_CCB), NPFS_TAG);
    if (ccb == NULL) {
        return NULL;
    }
    ccb->NodeType = NPFS_NODE_CCB;
    ccb->Fcb = Fcb;
    /* A new instance listens from the start: a client may connect before FSCTL_PIPE_LISTEN, which
     * then reports STATUS_PIPE_CONNECTED (NT fact O1). */
    ccb->State = FILE_PIPE_LISTENING_STATE;
    ccb->EndFile[FILE_PIPE_SERVER_END] = ServerFile;
    ccb->EndFile[FILE_PIPE_CLIENT_END] = NULL;
    ccb->ReadMode[FILE_PIPE_SERVER_END] = Parameters->ReadMode;
    ccb->CompletionMode[FILE_PIPE_SERVER_END] = Parameters->CompletionMode;
    ccb->ReadMode[FILE_PIPE_CLIENT_END] = FILE_PIPE_BYTE_STREAM_MODE;
    ccb->CompletionMode[FILE_PIPE_CLIENT_END] = FILE_PIPE_QUEUE_OPERATION;
    ccb->OpenFiles = 1;
    NpfsInitializeQueue(&ccb->Queue[FILE_PIPE_INBOUND], Fcb->InboundQuota);
    NpfsInitializeQueue(&ccb->Queue[FILE_PIPE_OUTBOUND], Fcb->OutboundQuota);
    InitializeListHead(&ccb->Listeners);
    InsertTailList(&Fcb->Instances, &ccb->ListEntry);
    Fcb->CurrentInstances++;
    Fcb->References++;
    return ccb;
}

/* The share access of the create says which way data flows: what it lets clients do. Sharing read
 * only is outbound (clients read), write only inbound (clients write), both full duplex; 0 when it
 * shares neither. */
static ULONG NpfsConfiguration(_In_ ULONG ShareAccess, _Out_ PBOOLEAN Valid)
{
    *Valid = TRUE;
    switch (ShareAccess & (FILE_SHARE_READ | FILE_SHARE_WRITE)) {
    case FILE_SHARE_READ | FILE_SHARE_WRITE:
        return FILE_PIPE_FULL_DUPLEX;
    case FILE_SHARE_READ:
        return FILE_PIPE_OUTBOUND;
    case FILE_SHARE_WRITE:
        return FILE_PIPE_INBOUND;
    default:
        *Valid = FALSE;
        return 0;
    }
}

NTSTATUS NpfsCreateNamedPipe(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PNAMED_PIPE_CREATE_PARAMETERS parameters = stack->Parameters.CreatePipe.Parameters;
    ULONG disposition = (stack->Parameters.CreatePipe.Options >> 24) & 0xFF;
    BOOLEAN valid;
    ULONG configuration = NpfsConfiguration(stack->Parameters.CreatePipe.ShareAccess, &valid);
    PFILE_OBJECT file = stack->FileObject;
    ULONG_PTR information = FILE_OPENED;
    LIST_ENTRY done;
    UNICODE_STRING name;
    PNPFS_FCB fcb;
    PNPFS_CCB ccb = NULL;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;

    NpfsPipeName(file, &name);
    if (name.Length == 0) {
        return NpfsComplete(Irp, STATUS_OBJECT_NAME_INVALID, 0);
    }
    if (!valid) {
        return NpfsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    fcb = NpfsFindPipe(extension, &name);
    if (fcb != NULL) {
        if (disposition == FILE_CREATE) {
            status = STATUS_ACCESS_DENIED; /* FILE_FLAG_FIRST_PIPE_INSTANCE: the name exists */
        } else if (fcb->CurrentInstances >= fcb->MaximumInstances) {
            status = STATUS_INSTANCE_NOT_AVAILABLE;
        } else if (configuration != fcb->NamedPipeConfiguration) {
            status = STATUS_ACCESS_DENIED; /* every instance has the first one's direction */
        }
    } else if (disposition == FILE_OPEN) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else {
        fcb = NpfsNewPipe(&name, parameters, configuration);
        if (fcb == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            InsertTailList(&extension->Pipes, &fcb->ListEntry);
            fcb->Listed = TRUE;
            information = FILE_CREATED;
        }
    }
    if (NT_SUCCESS(status)) {
        ccb = NpfsNewInstance(fcb, parameters, file);
        if (ccb == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            if (fcb->References == 0) {
                RemoveEntryList(&fcb->ListEntry);
                ExFreePoolWithTag(fcb, NPFS_TAG);
            }
        } else {
            file->FsContext = ccb;
            file->FsContext2 = (PVOID)(ULONG_PTR)FILE_PIPE_SERVER_END;
            file->Flags |= FO_NAMED_PIPE;
            NpfsSatisfyWaiters(extension, fcb, &done);
        }
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    NpfsCompleteList(&done);
    return NpfsComplete(Irp, status, NT_SUCCESS(status) ? information : 0);
}

NTSTATUS NpfsCreate(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PNPFS_DEVICE_EXTENSION extension = (PNPFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = stack->FileObject;
    LIST_ENTRY done;
    UNICODE_STRING name;
    PLIST_ENTRY link;
    PNPFS_FCB fcb;
    PNPFS_CCB ccb = NULL;
    NTSTATUS status;
    KIRQL irql;

    NpfsPipeName(file, &name);
    if (name.Length == 0) {
        file->FsContext = &extension->Root;
        return NpfsComplete(Irp, STATUS_SUCCESS, FILE_OPENED);
    }
    InitializeListHead(&done);
    KeAcquireSpinLock(&extension->Lock, &irql);
    fcb = NpfsFindPipe(extension, &name);
    if (fcb == NULL) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else {
        /* The first instance that listens takes the client. */
        status = STATUS_PIPE_NOT_AVAILABLE;
        for (link = fcb->Instances.Flink; link != &fcb->Instances; link = link->Flink) {
            ccb = CONTAINING_RECORD(link, NPFS_CCB, ListEntry);
            if (ccb->State == FILE_PIPE_LISTENING_STATE) {
                status = STATUS_SUCCESS;
                break;
            }
        }
    }
    if (NT_SUCCESS(status)) {
        /* A client may not read an inbound pipe nor write an outbound one: the pipe does not share
         * that access with it. */
        ACCESS_MASK access = stack->Parameters.Create.SecurityContext->DesiredAccess;
        if ((fcb->NamedPipeConfiguration == FILE_PIPE_INBOUND && (access & (FILE_READ_DATA | GENERIC_READ))) ||
            (fcb->NamedPipeConfiguration == FILE_PIPE_OUTBOUND && (access & (FILE_WRITE_DATA | GENERIC_WRITE)))) {
            status = STATUS_ACCESS_DENIED;
        }
    }
    if (NT_SUCCESS(status)) {
        ccb->State = FILE_PIPE_CONNECTED_STATE;
        ccb->EndFile[FILE_PIPE_CLIENT_END] = file;
        ccb->ReadMode[FILE_PIPE_CLIENT_END] = FILE_PIPE_BYTE_STREAM_MODE;
        ccb->CompletionMode[FILE_PIPE_CLIENT_END] = FILE_PIPE_QUEUE_OPERATION;
        ccb->OpenFiles++;
        /* FSCTL_PIPE_QUERY_CLIENT_PROCESS (GetNamedPipeClientProcessId) reports the opener. */
        ccb->ClientProcess.ClientSession = NULL;
        ccb->ClientProcess.ClientProcess = (PVOID)(ULONG_PTR)IoGetRequestorProcessId(Irp);
        file->FsContext = ccb;
        file->FsContext2 = (PVOID)(ULONG_PTR)FILE_PIPE_CLIENT_END;
        file->Flags |= FO_NAMED_PIPE;
        /* NT fact O1: the pending listens complete with STATUS_SUCCESS. */
        NpfsFailParked(&ccb->Listeners, STATUS_SUCCESS, &done);
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    NpfsCompleteList(&done);
    return NpfsComplete(Irp, status, NT_SUCCESS(status) ? FILE_OPENED : 0);
}
