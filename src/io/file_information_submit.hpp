// The I/O manager's half of the information services (NtQuery/SetInformationFile, the volume, EA
// and quota services, NtFlushBuffersFile): one IRP for the top of the file's stack, sent and always
// waited for, since these services take no event or APC (NT fact E13), with the IOSB rules of
// synchronous and asynchronous file objects.
#pragma once

#include "io/ddk.hpp"

namespace ntio::io {

// How the request's data buffer reaches the driver.
enum class InformationBuffering {
    none,    // no data buffer (flush)
    system,  // always a system buffer (information and volume classes)
    device,  // as the top device asks: DO_BUFFERED_IO, DO_DIRECT_IO or the raw pointer (EA, quota)
};

struct InformationRequest {
    PFILE_OBJECT file = nullptr;       // referenced by the service, which keeps its reference
    PIO_STATUS_BLOCK iosb = nullptr;   // the caller's, probed for writing
    KPROCESSOR_MODE mode = KernelMode;
    UCHAR major = 0;
    UCHAR minor = 0;
    UCHAR stack_flags = 0;             // SL_* of the stack location
    InformationBuffering buffering = InformationBuffering::none;
    bool query = false;                // data flows to the caller (IRP_INPUT_OPERATION, copy-back)
    PVOID user_buffer = nullptr;       // the caller's, probed for the direction
    ULONG length = 0;
    // Kernel copy of the caller's input (sets) or the I/O manager's pre-filled answer parts (queries),
    // `length` bytes from ExAllocatePoolWithTag. Owned by the request from submit on, in every case.
    PVOID system_buffer = nullptr;
    // The stack location's Parameters, filled by the service for its major function.
    decltype(IO_STACK_LOCATION::Parameters) parameters{};
};

// Builds, sends and waits. Synchronous file objects: under the file lock, the IOSB is the
// caller's and the result is FileObject->FinalStatus (errors never reach the IOSB, NT fact E2).
// Asynchronous ones: a private event and IOSB; the caller's IOSB gets the result whenever the
// final stage told it (a pended error included, NT fact E13). Returns the service's status.
// PASSIVE_LEVEL.
NTSTATUS submit_information(InformationRequest& request) noexcept;

// Pool for system buffers of these requests (tagged for the inspector).
PVOID allocate_information_buffer(ULONG length) noexcept;

}  // namespace ntio::io
