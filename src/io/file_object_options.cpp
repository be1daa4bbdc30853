// What a driver reads and marks on a file object beyond its fields: the remote-origin flag network
// file systems set, the ignore-sharing option, the ECP list of the create IRP under way, and the
// transaction a create belongs to (none: ntio has no transactions).
#include "io/ecp_list.hpp"
#include "io/objects.hpp"

namespace {

// The file object an IRP_MJ_CREATE opens, when the I/O manager made it; NULL for any other IRP and
// for a create around a FILE_OBJECT a driver built itself (it has nowhere to keep a list).
PFILE_OBJECT create_file(PIRP irp) noexcept {
    if (!irp || !(irp->Flags & IRP_CREATE_OPERATION)) return nullptr;
    PFILE_OBJECT file = irp->Tail.Overlay.OriginalFileObject;
    if (!file) file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    return ntio::io::is_file(file) ? file : nullptr;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioisfileoriginremote
// Any IRQL. A NULL file object is not remote.
BOOLEAN NTAPI IoIsFileOriginRemote(PFILE_OBJECT FileObject) {
    return FileObject && (ntio::io::file_flags(FileObject) & FO_REMOTE_ORIGIN) ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iosetfileorigin
// STATUS_INVALID_PARAMETER_MIX when the flag already says what Remote asks, without touching it.
// Any IRQL; the flag changes atomically, other flags of the file object are left as they are.
// A NULL file object: STATUS_INVALID_PARAMETER (Learn is silent).
NTSTATUS NTAPI IoSetFileOrigin(PFILE_OBJECT FileObject, BOOLEAN Remote) {
    if (!FileObject) return STATUS_INVALID_PARAMETER;
    const ULONG before = Remote ? __atomic_fetch_or(&FileObject->Flags, ULONG{FO_REMOTE_ORIGIN}, __ATOMIC_RELAXED)
                                : __atomic_fetch_and(&FileObject->Flags, ~ULONG{FO_REMOTE_ORIGIN}, __ATOMIC_RELAXED);
    const bool was_remote = (before & FO_REMOTE_ORIGIN) != 0;
    return was_remote == (Remote != FALSE) ? STATUS_INVALID_PARAMETER_MIX : STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iosetfileobjectignoresharing
// The option lives with the file object's private part: a FILE_OBJECT the I/O manager did not make
// has no option information (STATUS_NOT_FOUND, the status Learn gives for that). Once set, the share
// access routines (IoCheckShareAccess and friends) neither check nor record this open, unless a
// caller of IoCheckLinkShareAccess asks for IO_CHECK_SHARE_ACCESS_FORCE_CHECK. Any IRQL.
NTSTATUS NTAPI IoSetFileObjectIgnoreSharing(PFILE_OBJECT FileObject) {
    if (!ntio::io::is_file(FileObject)) return STATUS_NOT_FOUND;
    __atomic_store_n(&ntio::io::file_private(FileObject).ignore_sharing, true, __ATOMIC_RELAXED);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioisfileobjectignoringsharing
BOOLEAN NTAPI IoIsFileObjectIgnoringSharing(PFILE_OBJECT FileObject) {
    return ntio::io::ignores_sharing(FileObject) ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iosetirpextracreateparameter
// Learn gives the prototype only; the routine does what FsRtlSetEcpListIntoIrp (ntifs) documents
// and answers with its statuses: STATUS_INVALID_PARAMETER for a list FsRtlAllocateExtraCreateParameterList
// did not make, STATUS_INVALID_PARAMETER_2 for an IRP that is not an IRP-based IRP_MJ_CREATE,
// STATUS_INVALID_PARAMETER_3 when the create already carries a list. The list is the create's until
// it completes; the caller still frees it.
// NT deviation: the list is kept with the file object the I/O manager made for the create, so a
// create IRP a driver built around its own FILE_OBJECT cannot carry one (STATUS_INVALID_PARAMETER_2).
NTSTATUS NTAPI IoSetIrpExtraCreateParameter(PIRP Irp, struct _ECP_LIST* ExtraCreateParameter) {
    if (!ntio::io::is_ecp_list(ExtraCreateParameter)) return STATUS_INVALID_PARAMETER;
    PFILE_OBJECT file = create_file(Irp);
    if (!file) return STATUS_INVALID_PARAMETER_2;
    auto& priv = ntio::io::file_private(file);
    if (priv.create_ecp_list) return STATUS_INVALID_PARAMETER_3;
    priv.create_ecp_list = ExtraCreateParameter;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioclearirpextracreateparameter
// Detaches the create's ECP list (the list itself is the caller's to free), so that a filter can
// attach its own. Any other IRP is left alone.
VOID NTAPI IoClearIrpExtraCreateParameter(PIRP Irp) {
    if (PFILE_OBJECT file = create_file(Irp)) ntio::io::file_private(file).create_ecp_list = nullptr;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iogetirpextracreateparameter
// As FsRtlGetEcpListFromIrp: *ExtraCreateParameter (optional) receives the create's ECP list or
// NULL; STATUS_INVALID_PARAMETER for an IRP that is not an IRP-based IRP_MJ_CREATE.
NTSTATUS NTAPI IoGetIrpExtraCreateParameter(PIRP Irp, struct _ECP_LIST** ExtraCreateParameter) {
    if (!Irp || !(Irp->Flags & IRP_CREATE_OPERATION)) return STATUS_INVALID_PARAMETER;
    PFILE_OBJECT file = create_file(Irp);
    if (ExtraCreateParameter) *ExtraCreateParameter = file ? ntio::io::file_private(file).create_ecp_list : nullptr;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iogettransactionparameterblock
// NULL when the file was not opened as part of a transaction, which here is always.
// NT deviation: ntio has no kernel transaction manager; no open is ever transacted.
PTXN_PARAMETER_BLOCK NTAPI IoGetTransactionParameterBlock(PFILE_OBJECT FileObject) {
    (void)FileObject;
    return nullptr;
}

}  // extern "C"
