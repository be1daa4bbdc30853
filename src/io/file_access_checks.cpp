// The checks a kernel-mode server or file system makes before it performs an operation on someone's
// behalf without the services' own checks: does the granted access allow the desired access or the
// function, and are an information class and its length valid. The answers come from the same
// per-class tables as NtQueryInformationFile and friends (io/information_classes.hpp).
#include "io/information_classes.hpp"

namespace {

using ntio::io::info::ClassRule;

// The access the I/O system services ask of a handle for each major function (the ones with no
// entry need none). Query/set information take theirs from the class tables.
ACCESS_MASK function_access(UCHAR major, UCHAR minor, ULONG control_code) noexcept {
    switch (major) {
    case IRP_MJ_READ:
        return FILE_READ_DATA;
    case IRP_MJ_WRITE:
    case IRP_MJ_FLUSH_BUFFERS:
        return FILE_WRITE_DATA | FILE_APPEND_DATA;  // either one (NtWriteFile, NtFlushBuffersFile)
    case IRP_MJ_QUERY_EA:
        return FILE_READ_EA;
    case IRP_MJ_SET_EA:
        return FILE_WRITE_EA;
    case IRP_MJ_DIRECTORY_CONTROL:
        return minor == IRP_MN_QUERY_DIRECTORY || minor == IRP_MN_NOTIFY_CHANGE_DIRECTORY ? FILE_LIST_DIRECTORY : 0;
    case IRP_MJ_LOCK_CONTROL:
        return FILE_READ_DATA | FILE_WRITE_DATA;  // either one (NtLockFile, NtUnlockFile)
    case IRP_MJ_QUERY_QUOTA:
        return FILE_READ_DATA;
    case IRP_MJ_SET_QUOTA:
        return FILE_WRITE_DATA;
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL:
    case IRP_MJ_FILE_SYSTEM_CONTROL: {
        // The CTL_CODE's RequiredAccess: every bit it names must be granted.
        const ULONG required = (control_code >> 14) & 3;
        return (required & FILE_READ_ACCESS ? FILE_READ_DATA : 0) | (required & FILE_WRITE_ACCESS ? FILE_WRITE_DATA : 0);
    }
    default:
        return 0;
    }
}

bool all_of(ACCESS_MASK needed, ACCESS_MASK granted) noexcept { return (granted & needed) == needed; }
bool any_of(ACCESS_MASK needed, ACCESS_MASK granted) noexcept { return needed == 0 || (granted & needed) != 0; }

NTSTATUS check_class(ClassRule rule, ULONG length) noexcept {
    if (rule.min_length == 0) return STATUS_INVALID_INFO_CLASS;
    if (length < rule.min_length) return STATUS_INFO_LENGTH_MISMATCH;
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iocheckdesiredaccess
// Generic rights in *DesiredAccess are mapped through the file object type's generic mapping and
// the mapped mask is written back (IoCheckFunctionAccess wants a mask without generic rights).
// Learn is silent on MAXIMUM_ALLOWED: it is dropped from the mask, since the open already decided
// what the maximum is and GrantedAccess says it. NULL DesiredAccess: STATUS_INVALID_PARAMETER.
NTSTATUS NTAPI IoCheckDesiredAccess(PACCESS_MASK DesiredAccess, ACCESS_MASK GrantedAccess) {
    if (!DesiredAccess) return STATUS_INVALID_PARAMETER;
    ACCESS_MASK desired = *DesiredAccess & ~ACCESS_MASK{MAXIMUM_ALLOWED};
    RtlMapGenericMask(&desired, IoGetFileObjectGenericMapping());
    *DesiredAccess = desired;
    return (desired & ~GrantedAccess) ? STATUS_ACCESS_DENIED : STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iocheckfunctionaccess
// The access each function needs is the one its system service asks of the handle. Arg1 points to
// the FILE_INFORMATION_CLASS of IRP_MJ_QUERY/SET_INFORMATION, Arg2 to the FS_INFORMATION_CLASS of
// IRP_MJ_QUERY/SET_VOLUME_INFORMATION. Learn lists only SUCCESS and ACCESS_DENIED; where it is
// silent: a missing class pointer is STATUS_INVALID_PARAMETER and a class not valid in that
// direction STATUS_INVALID_INFO_CLASS (as the services answer it).
NTSTATUS NTAPI IoCheckFunctionAccess(ACCESS_MASK GrantedAccess, UCHAR MajorFunction, UCHAR MinorFunction,
                                     ULONG IoControlCode, PVOID Arg1, PVOID Arg2) {
    ClassRule rule;
    switch (MajorFunction) {
    case IRP_MJ_QUERY_INFORMATION:
    case IRP_MJ_SET_INFORMATION: {
        if (!Arg1) return STATUS_INVALID_PARAMETER;
        const auto c = *static_cast<const FILE_INFORMATION_CLASS*>(Arg1);
        rule = MajorFunction == IRP_MJ_QUERY_INFORMATION ? ntio::io::info::query_file_rule(c)
                                                         : ntio::io::info::set_file_rule(c);
        break;
    }
    case IRP_MJ_QUERY_VOLUME_INFORMATION:
    case IRP_MJ_SET_VOLUME_INFORMATION: {
        if (!Arg2) return STATUS_INVALID_PARAMETER;
        const auto c = *static_cast<const FS_INFORMATION_CLASS*>(Arg2);
        rule = MajorFunction == IRP_MJ_QUERY_VOLUME_INFORMATION ? ntio::io::info::query_volume_rule(c)
                                                                : ntio::io::info::set_volume_rule(c);
        break;
    }
    case IRP_MJ_WRITE:
    case IRP_MJ_FLUSH_BUFFERS:
    case IRP_MJ_LOCK_CONTROL:
        return any_of(function_access(MajorFunction, MinorFunction, IoControlCode), GrantedAccess) ? STATUS_SUCCESS
                                                                                                  : STATUS_ACCESS_DENIED;
    default:
        return all_of(function_access(MajorFunction, MinorFunction, IoControlCode), GrantedAccess) ? STATUS_SUCCESS
                                                                                                  : STATUS_ACCESS_DENIED;
    }
    if (rule.min_length == 0) return STATUS_INVALID_INFO_CLASS;
    return all_of(rule.access, GrantedAccess) ? STATUS_SUCCESS : STATUS_ACCESS_DENIED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iocheckquerysetfileinformation
NTSTATUS NTAPI IoCheckQuerySetFileInformation(FILE_INFORMATION_CLASS FileInformationClass, ULONG Length,
                                              BOOLEAN SetOperation) {
    return check_class(SetOperation ? ntio::io::info::set_file_rule(FileInformationClass)
                                    : ntio::io::info::query_file_rule(FileInformationClass),
                       Length);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iocheckquerysetvolumeinformation
NTSTATUS NTAPI IoCheckQuerySetVolumeInformation(FS_INFORMATION_CLASS FsInformationClass, ULONG Length,
                                                BOOLEAN SetOperation) {
    return check_class(SetOperation ? ntio::io::info::set_volume_rule(FsInformationClass)
                                    : ntio::io::info::query_volume_rule(FsInformationClass),
                       Length);
}

}  // extern "C"
