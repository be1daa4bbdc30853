/* msfs.sys opens: IRP_MJ_CREATE_MAILSLOT makes a mailslot and its server (read) end, one per name;
 * IRP_MJ_CREATE opens a client (write) end of an existing mailslot, or the file system root itself.
 * https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-createmailslota
 * https://learn.microsoft.com/windows/win32/ipc/about-mailslots */
#include "msfs.h"

/* The mailslot name of a create: the file object's name without its leading backslash. */
static VOID MsfsMailslotName(_In_ PFILE_OBJECT FileObject, _Out_ PUNICODE_STRING Name)
{
    *Name = FileObject->FileName;
    if (Name->Length >= sizeof(WCHAR) && Name->Buffer[0] == L'\\') {
        Name->Buffer++;
        Name->Length -= sizeof(WCHAR);
        Name->MaximumLength -= sizeof(WCHAR);
    }
}

/* Names compare without case, as every Win32 name does. Lock held. */
static PMSFS_FCB MsfsFindMailslot(_In_ PMSFS_DEVICE_EXTENSION Extension, _In_ PCUNICODE_STRING Name)
{
    PLIST_ENTRY link;
    for (link = Extension->Mailslots.Flink; link != &Extension->Mailslots; link = link->Flink) {
        PMSFS_FCB fcb = CONTAINING_RECORD(link, MSFS_FCB, ListEntry);
        if (RtlEqualUnicodeString(&fcb->Name, Name, TRUE)) {
            return fcb;
        }
    }
    return NULL;
}

static PMSFS_FCB MsfsNewMailslot(_In_ PCUNICODE_STRING Name, _In_ PMAILSLOT_CREATE_PARAMETERS Parameters)
{
    PMSFS_FCB fcb = (PMSFS_FCB)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(MSFS_FCB) + Name->Length, MSFS_TAG);
    if (fcb == NULL) {
        return NULL;
    }
    fcb->NodeType = MSFS_NODE_FCB;
    fcb->Name.Buffer = (PWCH)(fcb + 1);
    fcb->Name.Length = Name->Length;
    fcb->Name.MaximumLength = Name->Length;
    RtlCopyMemory(fcb->Name.Buffer, Name->Buffer, Name->Length);
    fcb->MaximumMessageSize = Parameters->MaximumMessageSize;
    fcb->MailslotQuota = Parameters->MailslotQuota;
    /* No timeout given: reads wait until a message comes. */
    fcb->ReadTimeout.QuadPart = Parameters->TimeoutSpecified ? Parameters->ReadTimeout.QuadPart : MSFS_WAIT_FOREVER;
    fcb->Listed = TRUE;
    fcb->OpenFiles = 1;
    InitializeListHead(&fcb->Messages);
    fcb->MessageCount = 0;
    InitializeListHead(&fcb->Readers);
    return fcb;
}

NTSTATUS MsfsCreateMailslot(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PMSFS_DEVICE_EXTENSION extension = (PMSFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PMAILSLOT_CREATE_PARAMETERS parameters = stack->Parameters.CreateMailslot.Parameters;
    PFILE_OBJECT file = stack->FileObject;
    UNICODE_STRING name;
    PMSFS_FCB fcb;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;

    MsfsMailslotName(file, &name);
    if (name.Length == 0 || parameters == NULL) {
        return MsfsComplete(Irp, STATUS_OBJECT_NAME_INVALID, 0);
    }
    KeAcquireSpinLock(&extension->Lock, &irql);
    if (MsfsFindMailslot(extension, &name) != NULL) {
        /* One server per name: "An error occurs if a mailslot with the specified name already exists." */
        status = STATUS_OBJECT_NAME_COLLISION;
    } else {
        fcb = MsfsNewMailslot(&name, parameters);
        if (fcb == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            InsertTailList(&extension->Mailslots, &fcb->ListEntry);
            file->FsContext = fcb;
            file->FsContext2 = (PVOID)(ULONG_PTR)MSFS_SERVER_END;
            file->Flags |= FO_MAILSLOT;
        }
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    return MsfsComplete(Irp, status, NT_SUCCESS(status) ? FILE_CREATED : 0);
}

/* Any number of clients may open a mailslot, with any share access: they only write, and messages
 * do not interleave. The server must exist ("does not allow you to open the mailslot if the receiver
 * has not created the server end": STATUS_OBJECT_NAME_NOT_FOUND, ERROR_FILE_NOT_FOUND). */
NTSTATUS MsfsCreate(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
{
    PMSFS_DEVICE_EXTENSION extension = (PMSFS_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = stack->FileObject;
    UNICODE_STRING name;
    PMSFS_FCB fcb;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;

    MsfsMailslotName(file, &name);
    if (name.Length == 0) {
        file->FsContext = &extension->Root;
        return MsfsComplete(Irp, STATUS_SUCCESS, FILE_OPENED);
    }
    KeAcquireSpinLock(&extension->Lock, &irql);
    fcb = MsfsFindMailslot(extension, &name);
    if (fcb == NULL) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else {
        fcb->OpenFiles++;
        file->FsContext = fcb;
        file->FsContext2 = (PVOID)(ULONG_PTR)MSFS_CLIENT_END;
        file->Flags |= FO_MAILSLOT;
    }
    KeReleaseSpinLock(&extension->Lock, irql);
    return MsfsComplete(Irp, status, NT_SUCCESS(status) ? FILE_OPENED : 0);
}
