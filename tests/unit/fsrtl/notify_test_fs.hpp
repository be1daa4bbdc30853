// A WDK-style test file system for the change-directory notify tests: an in-memory tree of files and
// directories on \Device\FsRtlNotifyTest whose creates, deletes, renames, writes and attribute
// changes are reported through FsRtlNotifyFullReportChange, and whose IRP_MN_NOTIFY_CHANGE_DIRECTORY
// goes to FsRtlNotifyFilterChangeDirectory. An IOCTL reports an arbitrary change, so a test can drive
// every parameter of the report routines through the NT services.
#pragma once

#include <ntifs.h>

namespace ntio::fsrtl::test {

// NtCreateFile name of the file system's root: "\??\FsRtlNotifyTest\" (its remaining name is "\").
inline constexpr const wchar_t* kNotifyFsRoot = L"\\??\\FsRtlNotifyTest\\";

// Input of IOCTL_NOTIFYFS_REPORT: a change to report on the list, then the target's full name and
// the stream name as UTF-16 (ANSI bytes with kReportAnsi), back to back.
struct NotifyFsReport {
    ULONG flags;
    ULONG filter_match;
    ULONG action;
    USHORT target_offset;  // byte offset of the last component in the target name
    USHORT target_length;  // bytes
    USHORT stream_length;  // bytes
    USHORT reserved;
};
inline constexpr ULONG kReportAnsi = 1;           // names are ANSI strings
inline constexpr ULONG kReportDenyTraverse = 2;  // the traverse check fails for this change
inline constexpr ULONG kReportOwnHandle = 4;     // FilterContext is the reporting handle: its own watch skips it
inline constexpr ULONG kReportOldForm = 8;       // FsRtlNotifyReportChange (no action, no stream)

inline constexpr ULONG IOCTL_NOTIFYFS_REPORT = CTL_CODE(FILE_DEVICE_DISK_FILE_SYSTEM, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS);

NTSTATUS NTAPI notify_fs_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

}  // namespace ntio::fsrtl::test
