/* <ntio/ntio_uring.h>: ntio's own API (not Windows API) that lets a driver put a block device over a
 * host file through Linux io_uring. Drivers cannot call Linux; libntio owns the ring and hands the
 * driver completions through a callback. Used by drivers/uring_disk. C and C++. */
#ifndef NTIO_NTIO_URING_H
#define NTIO_NTIO_URING_H
#include <wdm.h>

NTIO_BEGIN_DECLS

typedef struct _NTIO_URING NTIO_URING, *PNTIO_URING;

/* Called once per finished request, on the thread that reaped it, with no ring lock held (the
 * routine may queue new requests): normally the issuing thread (each thread has its own ring; it
 * reaps when it submits a batch, and in its waits, just before it would block), else the thread
 * in NtioUringReap (rings whose thread does not wait, or has exited) or in NtioUringShutdown.
 * IRQL: that of the reaping thread (PASSIVE_LEVEL or APC_LEVEL; DISPATCH_LEVEL when it polls with
 * a zero timeout at DISPATCH_LEVEL); a driver that wants DPC semantics raises to DISPATCH_LEVEL.
 * Status is STATUS_SUCCESS with Information = bytes moved, STATUS_CANCELLED for a cancelled
 * request, or the NT status of the host error. */
typedef VOID NTIO_URING_COMPLETION(PVOID RequestContext, NTSTATUS Status, ULONG_PTR Information,
                                    PVOID RingContext);
typedef NTIO_URING_COMPLETION *PNTIO_URING_COMPLETION;

/* NtioUringOpen Flags. */
#define NTIO_URING_DIRECT 0x1u  /* O_DIRECT: buffers, offsets and lengths aligned to the sector size */
#define NTIO_URING_CREATE 0x2u  /* create the file when missing (size from Size) */

typedef struct _NTIO_URING_PARAMETERS {
    PCUNICODE_STRING HostPath; /* Linux path of the backing file (UTF-16, converted to UTF-8) */
    ULONGLONG Size;            /* 0: the file's size; else the file is extended to at least this */
    ULONG Flags;               /* NTIO_URING_* */
    ULONG QueueDepth;          /* requests in flight at most per issuing thread, 1..256 */
    ULONG SubmitBatch;         /* requests a thread queues before they are submitted without waiting
                                * for it to block or poll; 0 = 32 */
    PNTIO_URING_COMPLETION CompletionRoutine;
    PVOID RingContext;         /* passed to CompletionRoutine */
} NTIO_URING_PARAMETERS, *PNTIO_URING_PARAMETERS;

/* Opens (or creates) the backing file and sets up the ring. STATUS_NOT_SUPPORTED when the kernel or a
 * seccomp filter refuses io_uring (DiagnosticMessage, if not NULL, gets a static one-line reason for
 * the log), the file's status when it cannot be opened, STATUS_INVALID_PARAMETER for a bad depth or
 * for a size that is not a multiple of the sector size. PASSIVE_LEVEL. */
NTIO_API NTSTATUS NtioUringOpen(const NTIO_URING_PARAMETERS *Parameters, PNTIO_URING *Ring,
                                PCSTR *DiagnosticMessage);
/* Waits for every request to finish (their completion routines run), then makes NtioUringReap return
 * STATUS_CANCELLED, at once for callers blocked in it and for later calls. Queue nothing after it.
 * PASSIVE_LEVEL. */
NTIO_API VOID NtioUringShutdown(PNTIO_URING Ring);
/* Closes the ring and the file. Call after NtioUringShutdown, once every thread that calls
 * NtioUringReap has stopped (the driver waits for its reaper thread). */
NTIO_API VOID NtioUringClose(PNTIO_URING Ring);

/* The device's size in bytes and its logical sector size (512, or the file system's O_DIRECT
 * alignment when larger). */
NTIO_API ULONGLONG NtioUringSize(PNTIO_URING Ring);
NTIO_API ULONG NtioUringSectorSize(PNTIO_URING Ring);

/* Queues a read, write or flush (fdatasync) of the backing file on the calling thread's ring (made
 * on the thread's first request). The request is submitted with the thread's batch: when
 * SubmitBatch are queued, or when the thread next waits (KeWaitFor*, KeDelayExecutionThread,
 * KeRemoveQueue, NtWaitFor*, NtRemoveIoCompletion(Ex), a synchronous request's wait), whichever
 * comes first; the reaper submits for a thread that does neither. STATUS_PENDING: the completion
 * routine runs exactly once for RequestContext, possibly before this returns (mark the IRP pending
 * first). STATUS_INSUFFICIENT_RESOURCES when QueueDepth requests of this thread are in flight or
 * its ring cannot be made (the routine will not run). RequestContext must be unique among the requests in flight (it names the request for
 * NtioUringCancel). The caller checks bounds and alignment; the buffer must stay valid until the
 * completion routine runs. */
NTIO_API NTSTATUS NtioUringRead(PNTIO_URING Ring, PVOID Buffer, ULONG Length, ULONGLONG Offset,
                                PVOID RequestContext);
NTIO_API NTSTATUS NtioUringWrite(PNTIO_URING Ring, const VOID *Buffer, ULONG Length, ULONGLONG Offset,
                                 PVOID RequestContext);
NTIO_API NTSTATUS NtioUringFlush(PNTIO_URING Ring, PVOID RequestContext);

/* A read done at once, on the calling thread, when the host's page cache holds all of it: TRUE when
 * Length bytes at Offset are in Buffer. Tried for the first request the thread issues after it
 * waited (any KeWaitFor*, KeRemoveQueue, NtWaitFor*, NtRemoveIoCompletion(Ex), ...), when it has no
 * request of this ring queued or in flight: a thread that issues one request and waits for it gets
 * it done at once; one that issues several before it waits has them batched in its ring (one host
 * entry for many), and a thread's requests keep their order. FALSE (Buffer's contents undefined)
 * otherwise, when a page is missing, on an O_DIRECT ring, or when the host cannot read without
 * waiting; the caller then queues the read with NtioUringRead. The caller checks bounds. One host
 * system call that never waits for the device; up to DISPATCH_LEVEL. The cached fast path of a
 * file-backed disk: the driver completes the IRP in its dispatch routine, as for any request it can
 * satisfy at once. */
NTIO_API BOOLEAN NtioUringReadResident(PNTIO_URING Ring, PVOID Buffer, ULONG Length, ULONGLONG Offset);

/* Asks for the request queued with RequestContext to end early: one not yet given to the kernel
 * completes with STATUS_CANCELLED, one in the kernel gets IORING_OP_ASYNC_CANCEL (it completes
 * cancelled, or normally when it was already running). Its completion routine still runs exactly
 * once. FALSE when no such request is in flight. Up to DISPATCH_LEVEL: takes a host lock and may
 * make one io_uring_enter call, never sleeps. */
NTIO_API BOOLEAN NtioUringCancel(PNTIO_URING Ring, PVOID RequestContext);

/* The fallback reaper: for the rings whose thread neither queued nor polled since the last pass
 * (or has exited), submits what is queued and runs the completion routines of finished requests
 * on the calling thread; it never takes completions a polling thread would reap. Wait = TRUE
 * sleeps between passes (a 1 ms tick while any ring has work, until a request is queued after a
 * long idle); returns STATUS_CANCELLED once NtioUringShutdown has finished every request (the
 * reaper thread's signal to exit), else STATUS_SUCCESS. PASSIVE_LEVEL. */
NTIO_API NTSTATUS NtioUringReap(PNTIO_URING Ring, BOOLEAN Wait);

/* Counters for tests and benchmarks: io_uring_enter calls made, requests completed; of one ring, or
 * of every ring of the process when Ring is NULL. */
typedef struct _NTIO_URING_STATISTICS {
    ULONGLONG EnterCalls;
    ULONGLONG Completions;
    ULONGLONG InlineCompletions; /* reaped by a submitting thread, not by NtioUringReap(Wait) */
    ULONGLONG ResidentReads;     /* NtioUringReadResident calls that read (not in Completions) */
    ULONGLONG ResidentReadCalls; /* host reads NtioUringReadResident made (read or not) */
} NTIO_URING_STATISTICS, *PNTIO_URING_STATISTICS;
NTIO_API VOID NtioUringQueryStatistics(PNTIO_URING Ring, PNTIO_URING_STATISTICS Statistics);

/* Before-block pollers: a routine the calling thread runs just before it blocks in a wait
 * (KeWaitFor*, KeDelayExecutionThread, KeRemoveQueue and everything built on them), so that a
 * source of completions owned by the thread is served by the thread that waits for them. MayBlock
 * is TRUE for an infinite wait: the poller may then sleep in its own source for about a
 * millisecond at most. It returns TRUE while it made progress or still has work under way (the
 * wait re-checks its objects and calls again), FALSE when it has nothing to do (the wait blocks).
 * Runs at the waiter's IRQL, never re-entrantly. The io_uring rings register theirs
 * automatically. At most 4 per thread: FALSE when the thread's table is full. */
typedef BOOLEAN NTIO_WAIT_POLLER(PVOID Context, BOOLEAN MayBlock);
typedef NTIO_WAIT_POLLER *PNTIO_WAIT_POLLER;
NTIO_API BOOLEAN NtioRegisterWaitPoller(PNTIO_WAIT_POLLER Poller, PVOID Context);
NTIO_API VOID NtioUnregisterWaitPoller(PNTIO_WAIT_POLLER Poller, PVOID Context);

NTIO_END_DECLS
#endif
