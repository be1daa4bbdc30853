// The copy interface: CcCopyRead / CcCopyWrite and their fast forms, and CcZeroData. A call that may
// not wait returns FALSE when it would need paging I/O (or another thread holds the stream); a
// failure of the paging I/O, or a bad caller buffer, is raised with its status for the file
// system's __try, as the Microsoft Learn pages cited per routine say.
#include <ntifs.h>

#include <algorithm>
#include <new>

#include "cc/cache_manager.hpp"
#include "cc/paging_io.hpp"
#include "cc/shared_cache_map.hpp"

using ntio::cc::SharedCacheMap;

namespace {

// The stream's cache; a file object that is not cached is a file system bug, raised as
// STATUS_INVALID_PARAMETER. Held alive by the caller's private cache map.
SharedCacheMap* cached_map(PFILE_OBJECT file) {
    SharedCacheMap* map = ntio::cc::shared_map_of(file);
    if (!map) ExRaiseStatus(STATUS_INVALID_PARAMETER);
    return map;
}

// Write-through file objects get the range written before the call returns.
NTSTATUS write_through(SharedCacheMap* map, PFILE_OBJECT file, LONGLONG offset, LONGLONG length) {
    if (!(__atomic_load_n(&file->Flags, __ATOMIC_RELAXED) & FO_WRITE_THROUGH)) return STATUS_SUCCESS;
    return map->flush(offset, length, false, nullptr);
}

// CcZeroData on a stream that is not cached writes zeroes straight to the file, as NT does for
// non-cached streams (StartOffset and EndOffset are then sector-aligned by the caller).
NTSTATUS zero_uncached(PFILE_OBJECT file, LONGLONG start, LONGLONG end) {
    constexpr ULONG kChunk = 64 * 1024;
    void* zeroes = ::operator new(kChunk, std::align_val_t{PAGE_SIZE}, std::nothrow);
    if (!zeroes) return STATUS_INSUFFICIENT_RESOURCES;
    std::memset(zeroes, 0, kChunk);
    NTSTATUS status = STATUS_SUCCESS;
    PDEVICE_OBJECT device = IoGetRelatedDeviceObject(file);
    for (LONGLONG position = start; position < end && NT_SUCCESS(status);) {
        const auto length = static_cast<ULONG>(std::min<LONGLONG>(kChunk, end - position));
        status = ntio::cc::paging_io(device, file, true, zeroes, position, length);
        position += length;
    }
    ::operator delete(zeroes, std::align_val_t{PAGE_SIZE});
    return status;
}

}  // namespace

namespace ntio::cc {

// Read-ahead after a read of [offset, offset + length) through `file`: a file object read
// sequentially (this read starts where its last one ended, or it was opened FO_SEQUENTIAL_ONLY) gets
// the next two read-ahead granularities read in the background, unless they are already asked
// for or the stream has read-ahead disabled. As NT's CcCopyRead, which schedules read-ahead once
// it sees a sequential pattern (Windows Internals, "Intelligent read-ahead"; the granularity is
// CcSetReadAheadGranularity's).
void note_cached_read(PFILE_OBJECT file, SharedCacheMap* map, LONGLONG offset, ULONG length) {
    auto* private_map = static_cast<PrivateCacheMap*>(file->PrivateCacheMap);
    if (!private_map || length == 0) return;
    const LONGLONG end = offset + length;
    // Plain load and store, no read-modify-write on every cached read: two requests of one
    // asynchronous file object racing here only blur the heuristic.
    const LONGLONG last = private_map->LastReadEnd.load(std::memory_order_relaxed);
    private_map->LastReadEnd.store(end, std::memory_order_relaxed);
    if (map->m_read_ahead_disabled.load(std::memory_order_relaxed)) return;
    const bool sequential = offset == last || (__atomic_load_n(&file->Flags, __ATOMIC_RELAXED) & FO_SEQUENTIAL_ONLY);
    if (!sequential) return;
    const LONGLONG granularity = std::max<LONGLONG>(private_map->ReadAheadGranularity, PAGE_SIZE);
    const LONGLONG wanted = (end + granularity - 1) / granularity * granularity + granularity;
    LONGLONG asked = private_map->ReadAheadTo.load(std::memory_order_relaxed);
    // Still a granularity or more asked for ahead of this read: nothing new to ask.
    if (asked >= end + granularity || asked >= map->file_size()) return;
    const LONGLONG from = std::max(asked, end);
    if (!private_map->ReadAheadTo.compare_exchange_strong(asked, wanted, std::memory_order_relaxed)) return;
    map->m_manager.schedule_read_ahead(map, from, wanted - from);
}

}  // namespace ntio::cc

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-cccopyread
NTKERNELAPI BOOLEAN NTAPI CcCopyRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                                     PVOID Buffer, PIO_STATUS_BLOCK IoStatus) {
    SharedCacheMap* map = cached_map(FileObject);
    const NTSTATUS status = map->copy_read(FileOffset->QuadPart, Length, Wait != FALSE, Buffer);
    if (status == STATUS_PENDING) return FALSE;
    if (!NT_SUCCESS(status)) ExRaiseStatus(status);
    ntio::cc::note_cached_read(FileObject, map, FileOffset->QuadPart, Length);
    IoStatus->Status = STATUS_SUCCESS;
    IoStatus->Information = Length;
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccschedulereadahead
// What CcReadAhead calls after a read the file system did through the cache: the same sequential
// read-ahead CcCopyRead does by itself.
NTKERNELAPI VOID NTAPI CcScheduleReadAhead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length) {
    SharedCacheMap* map = ntio::cc::shared_map_of(FileObject);
    if (!map || !FileOffset) return;
    ntio::cc::note_cached_read(FileObject, map, FileOffset->QuadPart, Length);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccfastcopyread
NTKERNELAPI VOID NTAPI CcFastCopyRead(PFILE_OBJECT FileObject, ULONG FileOffset, ULONG Length, ULONG PageCount,
                                      PVOID Buffer, PIO_STATUS_BLOCK IoStatus) {
    (void)PageCount;
    LARGE_INTEGER offset;
    offset.QuadPart = FileOffset;
    (void)CcCopyRead(FileObject, &offset, Length, TRUE, Buffer, IoStatus);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-cccopywrite
NTKERNELAPI BOOLEAN NTAPI CcCopyWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                                      PVOID Buffer) {
    SharedCacheMap* map = cached_map(FileObject);
    NTSTATUS status = map->copy_write(FileOffset->QuadPart, Length, Wait != FALSE, Buffer);
    if (status == STATUS_PENDING) return FALSE;
    if (NT_SUCCESS(status)) status = write_through(map, FileObject, FileOffset->QuadPart, Length);
    if (!NT_SUCCESS(status)) ExRaiseStatus(status);
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccfastcopywrite
NTKERNELAPI VOID NTAPI CcFastCopyWrite(PFILE_OBJECT FileObject, ULONG FileOffset, ULONG Length, PVOID Buffer) {
    LARGE_INTEGER offset;
    offset.QuadPart = FileOffset;
    (void)CcCopyWrite(FileObject, &offset, Length, TRUE, Buffer);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-cczerodata
NTKERNELAPI BOOLEAN NTAPI CcZeroData(PFILE_OBJECT FileObject, PLARGE_INTEGER StartOffset, PLARGE_INTEGER EndOffset,
                                     BOOLEAN Wait) {
    const LONGLONG start = StartOffset->QuadPart, end = EndOffset->QuadPart;
    if (end <= start) return TRUE;
    SharedCacheMap* map = ntio::cc::shared_map_of(FileObject);
    NTSTATUS status;
    if (!map) {
        if (!Wait) return FALSE;
        status = zero_uncached(FileObject, start, end);
    } else {
        status = map->zero(start, end, Wait != FALSE);
        if (status == STATUS_PENDING) return FALSE;
        if (NT_SUCCESS(status)) status = write_through(map, FileObject, start, end - start);
    }
    if (!NT_SUCCESS(status)) ExRaiseStatus(status);
    return TRUE;
}

}  // extern "C"
