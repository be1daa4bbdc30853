// The exported NtioUring* functions of <ntio/ntio_uring.h>: thin C entry points over UringFile so
// that drivers, which may not include src/, can own a ring-backed file.
#include <new>

#include "host/uring_file.hpp"
#include "ke/wait_poll.hpp"

using ntio::host::UringFile;

struct _NTIO_URING {
    UringFile* file;
};

namespace {

UringFile* file_of(PNTIO_URING ring) noexcept { return ring->file; }

// NtioRegisterWaitPoller's pollers, adapted to ke's C++ signature: one slot per registration of
// the thread (ke identifies a poller by routine and context, here the slot).
struct CPoller {
    PNTIO_WAIT_POLLER routine = nullptr;
    PVOID context = nullptr;
};
thread_local CPoller t_c_pollers[ntio::ke::kMaxWaitPollers];

bool call_c_poller(void* slot, bool may_block, bool /*sleeper_follows*/) noexcept {
    auto* p = static_cast<CPoller*>(slot);
    return p->routine != nullptr && p->routine(p->context, may_block ? TRUE : FALSE) != FALSE;
}

}  // namespace

extern "C" {

NTIO_API NTSTATUS NtioUringOpen(const NTIO_URING_PARAMETERS* Parameters, PNTIO_URING* Ring,
                                PCSTR* DiagnosticMessage)
{
    if (DiagnosticMessage) *DiagnosticMessage = nullptr;
    if (Parameters == nullptr || Ring == nullptr) return STATUS_INVALID_PARAMETER;
    *Ring = nullptr;
    auto* ring = new (std::nothrow) _NTIO_URING{nullptr};
    if (ring == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
    const NTSTATUS status = UringFile::open(*Parameters, &ring->file, DiagnosticMessage);
    if (!NT_SUCCESS(status)) {
        delete ring;
        return status;
    }
    *Ring = ring;
    return STATUS_SUCCESS;
}

NTIO_API VOID NtioUringShutdown(PNTIO_URING Ring)
{
    if (Ring != nullptr) file_of(Ring)->shut_down();
}

NTIO_API VOID NtioUringClose(PNTIO_URING Ring)
{
    if (Ring == nullptr) return;
    file_of(Ring)->shut_down();  // no-op when the driver already shut it down
    delete file_of(Ring);
    delete Ring;
}

NTIO_API ULONGLONG NtioUringSize(PNTIO_URING Ring) { return file_of(Ring)->size(); }
NTIO_API ULONG NtioUringSectorSize(PNTIO_URING Ring) { return file_of(Ring)->sector_size(); }

NTIO_API NTSTATUS NtioUringRead(PNTIO_URING Ring, PVOID Buffer, ULONG Length, ULONGLONG Offset,
                                PVOID RequestContext)
{
    return file_of(Ring)->queue(UringFile::Op::read, Buffer, Length, Offset, RequestContext);
}

NTIO_API BOOLEAN NtioUringReadResident(PNTIO_URING Ring, PVOID Buffer, ULONG Length, ULONGLONG Offset)
{
    return file_of(Ring)->read_resident(Buffer, Length, Offset) ? TRUE : FALSE;
}

NTIO_API NTSTATUS NtioUringWrite(PNTIO_URING Ring, const VOID* Buffer, ULONG Length, ULONGLONG Offset,
                                 PVOID RequestContext)
{
    return file_of(Ring)->queue(UringFile::Op::write, const_cast<void*>(Buffer), Length, Offset,
                                RequestContext);
}

NTIO_API NTSTATUS NtioUringFlush(PNTIO_URING Ring, PVOID RequestContext)
{
    return file_of(Ring)->queue(UringFile::Op::flush, nullptr, 0, 0, RequestContext);
}

NTIO_API BOOLEAN NtioUringCancel(PNTIO_URING Ring, PVOID RequestContext)
{
    return file_of(Ring)->cancel(RequestContext) ? TRUE : FALSE;
}

NTIO_API NTSTATUS NtioUringReap(PNTIO_URING Ring, BOOLEAN Wait)
{
    return file_of(Ring)->reap(Wait != FALSE);
}

NTIO_API VOID NtioUringQueryStatistics(PNTIO_URING Ring, PNTIO_URING_STATISTICS Statistics)
{
    if (Ring == nullptr) UringFile::process_statistics(Statistics);
    else file_of(Ring)->statistics(Statistics);
}

NTIO_API BOOLEAN NtioRegisterWaitPoller(PNTIO_WAIT_POLLER Poller, PVOID Context)
{
    if (Poller == nullptr) return FALSE;
    CPoller* empty = nullptr;
    for (CPoller& p : t_c_pollers) {
        if (p.routine == Poller && p.context == Context) return TRUE;
        if (p.routine == nullptr && empty == nullptr) empty = &p;
    }
    if (empty == nullptr) return FALSE;
    empty->routine = Poller;
    empty->context = Context;
    if (!ntio::ke::register_wait_poller(&call_c_poller, empty)) {
        empty->routine = nullptr;
        empty->context = nullptr;
        return FALSE;
    }
    return TRUE;
}

NTIO_API VOID NtioUnregisterWaitPoller(PNTIO_WAIT_POLLER Poller, PVOID Context)
{
    for (CPoller& p : t_c_pollers) {
        if (p.routine != Poller || p.context != Context || Poller == nullptr) continue;
        ntio::ke::unregister_wait_poller(&call_c_poller, &p);
        p.routine = nullptr;
        p.context = nullptr;
    }
}

}  // extern "C"
