// The I/O manager's half of NtReadFile, NtWriteFile, NtDeviceIoControlFile and NtFsControlFile: the
// services check and capture the caller's parameters and references, then hand a request here to
// be tried through fast I/O, turned into an IRP for the top of the file's stack, sent and, on a
// synchronous file object, waited for.
#pragma once

#include "io/ddk.hpp"
#include "io/request_common.hpp"

namespace ntio::io {

// What every request carries. `file` and `event` are referenced by the service; the submit
// functions take both references over, whatever they return. `event` has been reset (NT fact E6).
struct RequestCommon {
    PFILE_OBJECT file = nullptr;
    bool file_held = false;  // the thread holds `file` (ob/object_hold.hpp) rather than a reference
    PKEVENT event = nullptr;
    PIO_APC_ROUTINE apc_routine = nullptr;
    PVOID apc_context = nullptr;
    PIO_STATUS_BLOCK iosb = nullptr;  // the caller's, probed for writing
    KPROCESSOR_MODE mode = KernelMode;
};

// NtReadFile / NtWriteFile. `buffer` is probed (UserMode) for the transfer direction. `offset` is
// the caller's ByteOffset after the service's range checks (NT fact I4, I5), or null.
struct ReadWriteRequest : RequestCommon {
    bool write = false;
    PVOID buffer = nullptr;
    ULONG length = 0;
    const LARGE_INTEGER* offset = nullptr;
    ULONG key = 0;
};

// NtDeviceIoControlFile / NtFsControlFile. Buffers are probed by the service for the method's
// needs (METHOD_NEITHER: not at all, the driver does it, NT fact S9).
struct ControlRequest : RequestCommon {
    UCHAR major = IRP_MJ_DEVICE_CONTROL;  // or IRP_MJ_FILE_SYSTEM_CONTROL
    ULONG code = 0;
    PVOID input = nullptr;
    ULONG input_length = 0;
    PVOID output = nullptr;
    ULONG output_length = 0;
    ACCESS_MASK granted = 0;  // the handle's access (UserMode requests): SL_*_ACCESS_GRANTED
};

// Submits the request and returns the service's status (NT facts E1, E5, E12). PASSIVE_LEVEL.
NTSTATUS submit_read_write(const ReadWriteRequest& request) noexcept;
NTSTATUS submit_control(const ControlRequest& request) noexcept;

}  // namespace ntio::io
