// IoFastQueryNetworkAttributes: the network-open attributes of a named file in one call (open it,
// query FileNetworkOpenInformation, close it), as NtQueryFullAttributesFile does for the services
// but with the caller's desired access and open options. Learn marks it "reserved for system use":
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iofastquerynetworkattributes
// NT returns FALSE when its fast path cannot answer and the caller must take the IRP path; ntio
// always takes the full path here, so it always answers (TRUE) with the outcome in IoStatus.
#include <ntifs.h>

extern "C" {

BOOLEAN NTAPI IoFastQueryNetworkAttributes(POBJECT_ATTRIBUTES ObjectAttributes, ACCESS_MASK DesiredAccess,
                                           ULONG OpenOptions, PIO_STATUS_BLOCK IoStatus,
                                           PFILE_NETWORK_OPEN_INFORMATION Buffer) {
    if (!IoStatus) return FALSE;
    IoStatus->Information = 0;
    if (!ObjectAttributes || !Buffer) {
        IoStatus->Status = STATUS_INVALID_PARAMETER;
        return TRUE;
    }
    OBJECT_ATTRIBUTES attributes = *ObjectAttributes;
    attributes.Attributes |= OBJ_KERNEL_HANDLE;  // never a handle in the caller's process table
    HANDLE handle = nullptr;
    IO_STATUS_BLOCK open_status{};
    NTSTATUS status = ZwOpenFile(&handle, DesiredAccess | FILE_READ_ATTRIBUTES, &attributes, &open_status,
                                 FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, OpenOptions);
    if (!NT_SUCCESS(status)) {
        IoStatus->Status = status;
        return TRUE;
    }
    status = ZwQueryInformationFile(handle, IoStatus, Buffer, sizeof(*Buffer), FileNetworkOpenInformation);
    if (!NT_SUCCESS(status)) {
        IoStatus->Status = status;
        IoStatus->Information = 0;
    }
    (void)ZwClose(handle);
    return TRUE;
}

}  // extern "C"
