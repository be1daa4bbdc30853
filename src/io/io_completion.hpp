// Completion ports as the I/O manager sees them: the IoCompletion object type (a KQUEUE and its
// packets) and the completion settings of a file object. NtSetInformationFile and
// NtQueryInformationFile (nt/file_information_services.cpp) hand the completion classes here after
// probing and capturing the caller's buffer; buffers passed in are kernel copies.
#pragma once

#include "io/ddk.hpp"

namespace ntio::io {

// FileCompletionInformation (FILE_COMPLETION_INFORMATION: associate a port and key),
// FileReplaceCompletionInformation and FileIoCompletionNotificationInformation (FILE_SKIP_* flags)
// on `file`, with NT's rules (NT facts F3, F11). `mode` is the requestor's mode (port handle
// lookup). Returns STATUS_INVALID_INFO_CLASS for any other class.
NTSTATUS set_completion_information(PFILE_OBJECT file, FILE_INFORMATION_CLASS info_class, const void* buffer,
                                    ULONG length, KPROCESSOR_MODE mode) noexcept;

// FileIoCompletionNotificationInformation (and any other completion class NT answers): fills
// `buffer` (a kernel buffer of `length` bytes) and `*written`. STATUS_INVALID_INFO_CLASS otherwise.
NTSTATUS query_completion_information(PFILE_OBJECT file, FILE_INFORMATION_CLASS info_class, void* buffer,
                                      ULONG length, ULONG* written) noexcept;

// ---- The IoCompletion object type (io_completion.cpp) ----

// The IoCompletion type descriptor ("IoCompletion" in \ObjectTypes). Its body is an IoCompletion
// (below), whose first member is the KQUEUE.
extern _OBJECT_TYPE g_io_completion_type;

// Registers the IoCompletion type and installs the completion-port sink of the final stage. The
// IoManager calls it at boot (idempotent). PASSIVE_LEVEL.
void register_completion_ports() noexcept;

// One queued completion: what NtRemoveIoCompletion hands back. No default member initializers:
// the services keep arrays of 64 on the stack that remove_completions fills, and initializing
// them cost more than the dequeue itself.
struct CompletionEntry {
    PVOID key;
    PVOID apc_context;
    IO_STATUS_BLOCK iosb;
};

// Size of an IoCompletion body (ObCreateObject).
ULONG completion_port_body_size() noexcept;

// Prepares a freshly created IoCompletion body; `concurrency` 0 means the number of processors.
void initialize_port(void* port, ULONG concurrency) noexcept;

// Queues a packet on `port` (a referenced IoCompletion body). STATUS_INSUFFICIENT_RESOURCES when no
// packet could be allocated; a port whose last handle is gone silently drops it. Any IRQL <= DISPATCH.
NTSTATUS post_completion(void* port, PVOID key, PVOID apc_context, NTSTATUS status, ULONG_PTR information) noexcept;

// NT fact D9: as post_completion, for a request whose caller's IOSB is written only when the packet
// is removed: the packet carries `iosb` and remove_completions writes {status, information} there
// in the remover's context. False when nothing was queued (no port, its last handle gone, no packet);
// the caller then writes the IOSB itself. Any IRQL <= DISPATCH.
bool post_completion_deferring_iosb(void* port, PVOID key, PVOID apc_context, NTSTATUS status, ULONG_PTR information,
                                    PIO_STATUS_BLOCK iosb) noexcept;

// Dequeues up to `max_entries` packets into `entries` (kernel memory), waiting like KeRemoveQueue
// for the first; a packet that carries a deferred IOSB (post_completion_deferring_iosb) has it
// written before this returns. STATUS_SUCCESS with *removed >= 1, else STATUS_TIMEOUT, STATUS_USER_APC,
// STATUS_ALERTED or STATUS_ABANDONED_WAIT_0 (the port's last handle was closed) with *removed == 0.
// PASSIVE_LEVEL.
NTSTATUS remove_completions(void* port, KPROCESSOR_MODE mode, bool alertable, PLARGE_INTEGER timeout,
                            CompletionEntry* entries, ULONG max_entries, ULONG* removed) noexcept;

// Packets queued on the port (NtQueryIoCompletion's Depth).
LONG completion_depth(void* port) noexcept;

// ---- Files bound to a port ----

// True when `file` is associated with a port now (NT fact F7: no APC routine on its requests).
bool file_has_completion_port(PFILE_OBJECT file) noexcept;

// The file object's delete path: drops the port references the association took. Any IRQL <= DISPATCH.
void release_file_completion(PFILE_OBJECT file) noexcept;

}  // namespace ntio::io
