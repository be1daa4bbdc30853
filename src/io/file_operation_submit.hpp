// The I/O manager's half of the file-operation services (locks, directory queries, change
// notification, scatter/gather, attribute queries): the service checks and captures, a builder fills
// the IRP's stack location and buffers, and this sends it as NT sends a request to a file object
// (file lock and wait on synchronous files, event / APC / port rules through the final stage).
#pragma once

#include "io/ddk.hpp"
#include "io/request_submit.hpp"

namespace ntio::io {

// `blocking`: the service has no event or APC of its own (NtUnlockFile, the attribute queries), so
// it waits for the result on asynchronous files too, with a kernel IOSB that is copied to `iosb`
// (which may be null) only when the requester is told (NT fact E13 gives the same for queries).
struct OperationRequest : RequestCommon {
    bool blocking = false;
};

// Fills the IRP the request sends: the first stack location (FileObject is set already), flags and
// buffers. Whatever it attached to the IRP (system buffer with IRP_DEALLOCATE_BUFFER, MDLs) is undone
// if it fails. `context` is the builder's.
using OperationBuilder = NTSTATUS (*)(PIRP irp, PIO_STACK_LOCATION sp, PDEVICE_OBJECT top, void* context);

// Submits the request and returns the service's status (NT facts E1, E2, E5: what the caller is told
// follows the read/write rules). Takes over the file and event references of `request` whatever it
// returns. PASSIVE_LEVEL.
NTSTATUS submit_operation(const OperationRequest& request, OperationBuilder build, void* context) noexcept;

// A pool buffer the IRP owns (SystemBuffer + IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER, freed by the
// final stage). Used for captured parameters that must outlive the service call.
// NT deviation: NT keeps captured lock lengths and directory search names in
// Irp->Tail.Overlay.AuxiliaryBuffer, which its completion frees; ntio's final stage frees only the
// system buffer, so they live there (after the transfer area when the IRP also buffers data).
PVOID attach_owned_buffer(PIRP irp, SIZE_T size) noexcept;

}  // namespace ntio::io
