// The cache test file system's interface to its tests: its entry point, its names and the IOCTLs
// that read its counters and its backing store, and make its paging I/O fail, without the cache.
#pragma once

#include <ntifs.h>

namespace ntio::cc::test {

// Service name, device and DOS link; files are \??\CcTestFs\a to \??\CcTestFs\d.
inline constexpr const wchar_t* kCcTestFsService = L"CcTestFs";
inline constexpr ULONG kCcTestFsCapacity = 2 * 1024 * 1024;  // per file: also its AllocationSize

NTSTATUS NTAPI cctestfs_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);

struct CcTestFsCounters {
    LONG paging_reads;
    LONG paging_writes;
    LONGLONG paging_read_bytes;
    LONGLONG paging_write_bytes;
    LONG lazy_acquires;
    LONG lazy_releases;
    LONG fast_checks;   // FastIoCheckIfPossible calls
    LONG irp_reads;     // cached reads that came as IRPs (fast I/O declined or not yet set up)
    LONG irp_writes;
    LONGLONG disk_size;  // bytes in the backing store
    LONGLONG file_size;  // the FCB header's FileSize
    LONGLONG valid_data_length;
    LONG valid_data_advances;   // FileEndOfFileInformation with AdvanceOnly (the lazy writer's)
    LONGLONG advanced_to;       // the last such EndOfFile
    LONG standard_queries;      // IRP_MJ_QUERY_INFORMATION FileStandardInformation
    LONG queries_main_exclusive;  // ... received while the thread held the main resource exclusively
    LONG read_ahead_acquires;     // AcquireForReadAhead calls
    ULONG_PTR paging_read_top_level;   // IoGetTopLevelIrp() at the last paging read
    ULONG_PTR paging_write_top_level;  // ... and write
};

// Input: the file's letter (a WCHAR). Output: CcTestFsCounters.
#define IOCTL_CCTESTFS_COUNTERS CTL_CODE(FILE_DEVICE_DISK_FILE_SYSTEM, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)
// Input: CcTestFsDiskRead. Output: the backing store's bytes (fewer at its end).
#define IOCTL_CCTESTFS_READ_DISK CTL_CODE(FILE_DEVICE_DISK_FILE_SYSTEM, 0x901, METHOD_BUFFERED, FILE_ANY_ACCESS)
// Input: CcTestFsFail: the file's paging reads (or writes) fail with Status until it is 0 again.
#define IOCTL_CCTESTFS_FAIL_PAGING CTL_CODE(FILE_DEVICE_DISK_FILE_SYSTEM, 0x902, METHOD_BUFFERED, FILE_ANY_ACCESS)
// Input: the file's letter and a FAST_IO_POSSIBLE value for its FCB header.
#define IOCTL_CCTESTFS_SET_FAST_IO CTL_CODE(FILE_DEVICE_DISK_FILE_SYSTEM, 0x903, METHOD_BUFFERED, FILE_ANY_ACCESS)

struct CcTestFsDiskRead {
    WCHAR file;
    LONGLONG offset;
    ULONG length;
};

struct CcTestFsFail {
    WCHAR file;
    BOOLEAN write;
    NTSTATUS status;
};

struct CcTestFsSetFastIo {
    WCHAR file;
    UCHAR possible;
};

// The backing store of file `letter` after the driver unloaded (the shutdown test reads it once
// its System is gone); null when the file never existed.
const UCHAR* cctestfs_disk(WCHAR letter, LONGLONG* size);
// Frees what cctestfs_disk kept.
void cctestfs_forget_disks();

}  // namespace ntio::cc::test
