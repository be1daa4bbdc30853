// FsFilter callbacks: FsRtlRegisterFileSystemFilterCallbacks and the acquisitions that run them
// for the memory manager (section synchronization, the modified page writer) and for cache
// flushes on its behalf.
//
// What Microsoft Learn documents
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlregisterfilesystemfiltercallbacks):
// a notification routine runs before the operation is passed to lower filters and the file system;
// STATUS_SUCCESS passes it on; any other status from an acquire routine fails the operation; a
// release routine cannot fail it (its status is ignored); completion routines run after the
// operation with its status and the context their notification routine returned (NULL without
// one). File systems register PreAcquireForSectionSynchronization "instead of using the obsolete
// AcquireFileForNtCreateSection" and answer STATUS_FSFILTER_OP_COMPLETED_SUCCESSFULLY (or, for a
// section being created, STATUS_FILE_LOCKED_WITH_ONLY_READERS / _WITH_WRITERS) once they acquired
// the file themselves, so a success status other than STATUS_SUCCESS ends the walk as done.
//
// NT deviation (Learn is silent): where no driver did the operation, the base file system's fast
// I/O routine runs (AcquireFileForNtCreateSection, AcquireForModWrite, AcquireForCcFlush and their
// releases), else the FCB header's resources are taken: the main resource exclusively for section
// synchronization; for the modified page writer the main resource as FSRTL_FLAG_ACQUIRE_MAIN_RSRC_EX
// / _SH ask, else the paging I/O resource shared; for a cache flush the main resource (shared when
// there is a paging I/O resource, which is then taken shared too, exclusively otherwise). The
// acquisitions wait: ntio's modified page writer is the thread that unmaps or flushes a view.
#include <ntifs.h>

#include "io/objects.hpp"

namespace ntio::fsrtl {
namespace {

enum class Op { section, mod_write, cc_flush };

// The callbacks a driver registered, or null.
const FS_FILTER_CALLBACKS* callbacks_of(PDEVICE_OBJECT device) noexcept {
    PDRIVER_OBJECT driver = device->DriverObject;
    return driver ? io::driver_private(driver).fs_filter_callbacks.load(std::memory_order_acquire) : nullptr;
}

// A routine of a structure that carries its own size (FS_FILTER_CALLBACKS, FAST_IO_DISPATCH) is
// there only when the size the driver gave reaches it.
template <class Struct, class Routine>
Routine sized_member(const Struct* s, ULONG size, Routine Struct::*field) noexcept {
    if (!s) return nullptr;
    static const Struct probe{};
    const auto offset = static_cast<std::size_t>(reinterpret_cast<const char*>(&(probe.*field)) -
                                                 reinterpret_cast<const char*>(&probe));
    if (size < offset + sizeof(Routine)) return nullptr;
    return s->*field;
}

template <class Routine>
Routine member(const FS_FILTER_CALLBACKS* c, Routine FS_FILTER_CALLBACKS::*field) noexcept {
    return sized_member(c, c ? c->SizeOfFsFilterCallbacks : 0, field);
}

PFS_FILTER_CALLBACK pre_routine(const FS_FILTER_CALLBACKS* c, Op op, bool acquire) noexcept {
    switch (op) {
    case Op::section:
        return member(c, acquire ? &FS_FILTER_CALLBACKS::PreAcquireForSectionSynchronization
                                 : &FS_FILTER_CALLBACKS::PreReleaseForSectionSynchronization);
    case Op::mod_write:
        return member(c, acquire ? &FS_FILTER_CALLBACKS::PreAcquireForModifiedPageWriter
                                 : &FS_FILTER_CALLBACKS::PreReleaseForModifiedPageWriter);
    case Op::cc_flush:
        return member(c, acquire ? &FS_FILTER_CALLBACKS::PreAcquireForCcFlush : &FS_FILTER_CALLBACKS::PreReleaseForCcFlush);
    }
    return nullptr;
}

PFS_FILTER_COMPLETION_CALLBACK post_routine(const FS_FILTER_CALLBACKS* c, Op op, bool acquire) noexcept {
    switch (op) {
    case Op::section:
        return member(c, acquire ? &FS_FILTER_CALLBACKS::PostAcquireForSectionSynchronization
                                 : &FS_FILTER_CALLBACKS::PostReleaseForSectionSynchronization);
    case Op::mod_write:
        return member(c, acquire ? &FS_FILTER_CALLBACKS::PostAcquireForModifiedPageWriter
                                 : &FS_FILTER_CALLBACKS::PostReleaseForModifiedPageWriter);
    case Op::cc_flush:
        return member(c, acquire ? &FS_FILTER_CALLBACKS::PostAcquireForCcFlush : &FS_FILTER_CALLBACKS::PostReleaseForCcFlush);
    }
    return nullptr;
}

UCHAR operation_code(Op op, bool acquire) noexcept {
    switch (op) {
    case Op::section:
        return acquire ? FS_FILTER_ACQUIRE_FOR_SECTION_SYNCHRONIZATION : FS_FILTER_RELEASE_FOR_SECTION_SYNCHRONIZATION;
    case Op::mod_write: return acquire ? FS_FILTER_ACQUIRE_FOR_MOD_WRITE : FS_FILTER_RELEASE_FOR_MOD_WRITE;
    case Op::cc_flush: return acquire ? FS_FILTER_ACQUIRE_FOR_CC_FLUSH : FS_FILTER_RELEASE_FOR_CC_FLUSH;
    }
    return 0;
}

// The file's stack from the device its requests go to down to the file system's device, each
// device referenced while the walk uses it.
class StackWalk {
public:
    static constexpr std::size_t kMaxDevices = 32;

    explicit StackWalk(PFILE_OBJECT file) noexcept {
        PDEVICE_OBJECT device = IoGetRelatedDeviceObject(file);
        if (!device) return;
        ObReferenceObject(device);
        while (device && m_count < kMaxDevices) {
            m_devices[m_count++] = device;
            device = IoGetLowerDeviceObject(device);  // referenced
        }
        if (device) ObDereferenceObject(device);  // deeper than any real stack: the rest is not walked
    }
    ~StackWalk() {
        for (std::size_t i = 0; i < m_count; ++i) ObDereferenceObject(m_devices[i]);
    }
    StackWalk(const StackWalk&) = delete;
    StackWalk& operator=(const StackWalk&) = delete;

    std::size_t count() const noexcept { return m_count; }
    PDEVICE_OBJECT at(std::size_t i) const noexcept { return m_devices[i]; }
    PDEVICE_OBJECT base() const noexcept { return m_count ? m_devices[m_count - 1] : nullptr; }

private:
    PDEVICE_OBJECT m_devices[kMaxDevices] = {};
    std::size_t m_count = 0;
};

PFAST_IO_DISPATCH fast_io_of(PDEVICE_OBJECT device) noexcept {
    return device && device->DriverObject ? device->DriverObject->FastIoDispatch : nullptr;
}

template <class Routine>
Routine fast_io_member(PFAST_IO_DISPATCH fast, Routine FAST_IO_DISPATCH::*field) noexcept {
    return sized_member(fast, fast ? fast->SizeOfFastIoDispatch : 0, field);
}

PFSRTL_COMMON_FCB_HEADER header_of(PFILE_OBJECT file) noexcept {
    return static_cast<PFSRTL_COMMON_FCB_HEADER>(file->FsContext);
}

// What happens below the notification routines when no driver did the operation.
NTSTATUS default_acquire(Op op, PFILE_OBJECT file, PDEVICE_OBJECT base, FS_FILTER_PARAMETERS& params) noexcept {
    PFAST_IO_DISPATCH fast = fast_io_of(base);
    PFSRTL_COMMON_FCB_HEADER header = header_of(file);
    switch (op) {
    case Op::section:
        if (auto acquire = fast_io_member(fast, &FAST_IO_DISPATCH::AcquireFileForNtCreateSection)) {
            acquire(file);
        } else if (header && header->Resource) {
            (void)ExAcquireResourceExclusiveLite(header->Resource, TRUE);
        }
        return STATUS_SUCCESS;
    case Op::mod_write: {
        PERESOURCE* release = params.AcquireForModifiedPageWriter.ResourceToRelease;
        *release = nullptr;
        if (auto acquire = fast_io_member(fast, &FAST_IO_DISPATCH::AcquireForModWrite))
            return acquire(file, params.AcquireForModifiedPageWriter.EndingOffset, release, base);
        if (!header) return STATUS_SUCCESS;
        if (header->Resource && (header->Flags & FSRTL_FLAG_ACQUIRE_MAIN_RSRC_EX)) {
            (void)ExAcquireResourceExclusiveLite(header->Resource, TRUE);
            *release = header->Resource;
        } else if (header->Resource && ((header->Flags & FSRTL_FLAG_ACQUIRE_MAIN_RSRC_SH) || !header->PagingIoResource)) {
            (void)ExAcquireResourceSharedLite(header->Resource, TRUE);
            *release = header->Resource;
        } else if (header->PagingIoResource) {
            (void)ExAcquireResourceSharedLite(header->PagingIoResource, TRUE);
            *release = header->PagingIoResource;
        }
        return STATUS_SUCCESS;
    }
    case Op::cc_flush:
        if (auto acquire = fast_io_member(fast, &FAST_IO_DISPATCH::AcquireForCcFlush)) return acquire(file, base);
        if (!header) return STATUS_SUCCESS;
        if (header->Resource) {
            if (header->PagingIoResource) (void)ExAcquireResourceSharedLite(header->Resource, TRUE);
            else (void)ExAcquireResourceExclusiveLite(header->Resource, TRUE);
        }
        if (header->PagingIoResource) (void)ExAcquireResourceSharedLite(header->PagingIoResource, TRUE);
        return STATUS_SUCCESS;
    }
    return STATUS_SUCCESS;
}

void default_release(Op op, PFILE_OBJECT file, PDEVICE_OBJECT base, FS_FILTER_PARAMETERS& params) noexcept {
    PFAST_IO_DISPATCH fast = fast_io_of(base);
    PFSRTL_COMMON_FCB_HEADER header = header_of(file);
    switch (op) {
    case Op::section:
        if (auto release = fast_io_member(fast, &FAST_IO_DISPATCH::ReleaseFileForNtCreateSection)) {
            release(file);
        } else if (header && header->Resource) {
            ExReleaseResourceLite(header->Resource);
        }
        return;
    case Op::mod_write: {
        PERESOURCE resource = params.ReleaseForModifiedPageWriter.ResourceToRelease;
        if (auto release = fast_io_member(fast, &FAST_IO_DISPATCH::ReleaseForModWrite)) {
            (void)release(file, resource, base);
        } else if (resource) {
            ExReleaseResourceLite(resource);
        }
        return;
    }
    case Op::cc_flush:
        if (auto release = fast_io_member(fast, &FAST_IO_DISPATCH::ReleaseForCcFlush)) {
            (void)release(file, base);
            return;
        }
        if (!header) return;
        if (header->PagingIoResource) ExReleaseResourceLite(header->PagingIoResource);
        if (header->Resource) ExReleaseResourceLite(header->Resource);
        return;
    }
}

// One acquisition or release: the notification routines top down until one fails or does the
// operation, then (if none did) the default, then the completion routines bottom up for the
// drivers above that point (every driver of the stack when none ended the walk).
NTSTATUS run(Op op, bool acquire, PFILE_OBJECT file, const FS_FILTER_PARAMETERS& parameters) noexcept {
    StackWalk walk(file);
    FS_FILTER_CALLBACK_DATA data{};
    data.SizeOfFsFilterCallbackData = sizeof(data);
    data.Operation = operation_code(op, acquire);
    data.FileObject = file;
    data.Parameters = parameters;
    PVOID contexts[StackWalk::kMaxDevices] = {};
    std::size_t reached = 0;
    NTSTATUS status = STATUS_SUCCESS;
    bool done = false;
    for (std::size_t i = 0; i < walk.count(); ++i) {
        reached = i + 1;
        PFS_FILTER_CALLBACK pre = pre_routine(callbacks_of(walk.at(i)), op, acquire);
        if (!pre) continue;
        data.DeviceObject = walk.at(i);
        const NTSTATUS result = pre(&data, &contexts[i]);
        if (result == STATUS_SUCCESS) continue;
        if (!NT_SUCCESS(result) && !acquire) continue;  // a release cannot fail
        // This driver failed the operation or did it: nothing below it runs, and (as a minifilter
        // that completes an operation in its pre-operation routine) it gets no completion call.
        status = result;
        done = true;
        reached = i;
        break;
    }
    if (!done) {
        if (acquire) status = default_acquire(op, file, walk.base(), data.Parameters);
        else default_release(op, file, walk.base(), data.Parameters);
    }
    for (std::size_t i = reached; i-- > 0;) {
        PFS_FILTER_COMPLETION_CALLBACK post = post_routine(callbacks_of(walk.at(i)), op, acquire);
        if (!post) continue;
        data.DeviceObject = walk.at(i);
        post(&data, status, contexts[i]);
    }
    return status;
}

NTSTATUS acquire_for_section(PFILE_OBJECT file, FS_FILTER_SECTION_SYNC_TYPE type, ULONG protection) noexcept {
    FS_FILTER_PARAMETERS params{};
    params.AcquireForSectionSynchronization.SyncType = type;
    params.AcquireForSectionSynchronization.PageProtection = type == SyncTypeCreateSection ? protection : 0;
    // The file system's resources want normal kernel APCs off while held; the region ends at the release.
    KeEnterCriticalRegion();
    const NTSTATUS status = run(Op::section, true, file, params);
    if (!NT_SUCCESS(status)) KeLeaveCriticalRegion();
    return status;
}

}  // namespace
}  // namespace ntio::fsrtl

using namespace ntio::fsrtl;

extern "C" {

NTKERNELAPI NTSTATUS NTAPI FsRtlRegisterFileSystemFilterCallbacks(PDRIVER_OBJECT FilterDriverObject,
                                                                   PFS_FILTER_CALLBACKS Callbacks) {
    if (!ntio::io::is_driver(FilterDriverObject) || !Callbacks || Callbacks->SizeOfFsFilterCallbacks == 0)
        return STATUS_INVALID_PARAMETER;
    // A copy of what the caller's structure holds, at most this structure's size (a smaller one from
    // an older WDK leaves the routines it lacks absent).
    const ULONG size = std::min<ULONG>(Callbacks->SizeOfFsFilterCallbacks, sizeof(FS_FILTER_CALLBACKS));
    auto copy = std::unique_ptr<unsigned char[]>(new (std::nothrow) unsigned char[sizeof(FS_FILTER_CALLBACKS)]());
    if (!copy) return STATUS_INSUFFICIENT_RESOURCES;
    std::memcpy(copy.get(), Callbacks, size);
    auto* registered = reinterpret_cast<FS_FILTER_CALLBACKS*>(copy.get());
    registered->SizeOfFsFilterCallbacks = size;
    ntio::io::DriverPrivate& priv = ntio::io::driver_private(FilterDriverObject);
    std::lock_guard guard(priv.lock);
    priv.fs_filter_copies.push_back(std::move(copy));
    priv.fs_filter_callbacks.store(registered, std::memory_order_release);
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS NTAPI FsRtlAcquireToCreateMappedSection(PFILE_OBJECT FileObject, ULONG SectionPageProtection) {
    return acquire_for_section(FileObject, SyncTypeCreateSection, SectionPageProtection);
}

NTKERNELAPI VOID NTAPI FsRtlAcquireFileExclusive(PFILE_OBJECT FileObject) {
    (void)acquire_for_section(FileObject, SyncTypeOther, 0);
}

NTKERNELAPI VOID NTAPI FsRtlReleaseFile(PFILE_OBJECT FileObject) {
    (void)run(Op::section, false, FileObject, FS_FILTER_PARAMETERS{});
    KeLeaveCriticalRegion();
}

NTKERNELAPI NTSTATUS NTAPI FsRtlAcquireFileForModWriteEx(PFILE_OBJECT FileObject, PLARGE_INTEGER EndingOffset,
                                                         PERESOURCE* ResourceToRelease) {
    FS_FILTER_PARAMETERS params{};
    params.AcquireForModifiedPageWriter.EndingOffset = EndingOffset;
    params.AcquireForModifiedPageWriter.ResourceToRelease = ResourceToRelease;
    *ResourceToRelease = nullptr;
    KeEnterCriticalRegion();
    const NTSTATUS status = run(Op::mod_write, true, FileObject, params);
    if (!NT_SUCCESS(status)) KeLeaveCriticalRegion();
    return status;
}

NTKERNELAPI VOID NTAPI FsRtlReleaseFileForModWrite(PFILE_OBJECT FileObject, PERESOURCE ResourceToRelease) {
    FS_FILTER_PARAMETERS params{};
    params.ReleaseForModifiedPageWriter.ResourceToRelease = ResourceToRelease;
    (void)run(Op::mod_write, false, FileObject, params);
    KeLeaveCriticalRegion();
}

NTKERNELAPI NTSTATUS NTAPI FsRtlAcquireFileForCcFlushEx(PFILE_OBJECT FileObject) {
    KeEnterCriticalRegion();
    const NTSTATUS status = run(Op::cc_flush, true, FileObject, FS_FILTER_PARAMETERS{});
    if (!NT_SUCCESS(status)) KeLeaveCriticalRegion();
    return status;
}

NTKERNELAPI VOID NTAPI FsRtlAcquireFileForCcFlush(PFILE_OBJECT FileObject) { (void)FsRtlAcquireFileForCcFlushEx(FileObject); }

NTKERNELAPI VOID NTAPI FsRtlReleaseFileForCcFlush(PFILE_OBJECT FileObject) {
    (void)run(Op::cc_flush, false, FileObject, FS_FILTER_PARAMETERS{});
    KeLeaveCriticalRegion();
}

}  // extern "C"
