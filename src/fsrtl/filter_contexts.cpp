// Filter contexts: the lists legacy file system filters keep their own state in, one per stream (the
// FilterContexts list of the file system's FSRTL_ADVANCED_FCB_HEADER), one per file (a list FsRtl
// allocates behind the file system's FileContextSupportPointer) and one per file object (in the file
// object's extension). The file system tears the first two down when it frees the stream's or the
// file's structure; the I/O manager unlinks what is left of the third when the file object goes.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/tracking-per-stream-context-in-a-legacy-file-system-filter-driver
#include "fsrtl/ecp_list.hpp"

#include "io/objects.hpp"

#include <new>

// A named namespace: the component builds as one unity source.
namespace ntio::fsrtl::filter_contexts {

using ntio::io::FileExtension;

// Contexts match on OwnerId when one is given, and on InstanceId when one is given; with neither,
// the first context matches (FsRtlLookupPerStreamContext on Microsoft Learn).
template <typename Context>
bool matches(const Context* context, PVOID owner, PVOID instance) noexcept
{
    return (!owner || context->OwnerId == owner) && (!instance || context->InstanceId == instance);
}

template <typename Context>
Context* find(PLIST_ENTRY head, PVOID owner, PVOID instance) noexcept
{
    for (PLIST_ENTRY entry = head->Flink; entry != head; entry = entry->Flink) {
        auto* context = CONTAINING_RECORD(entry, Context, Links);
        if (matches(context, owner, instance)) return context;
    }
    return nullptr;
}

// Calls the FreeCallback of every context on a list nobody else can reach any more. A callback
// frees its context, so the next link is read first.
template <typename Context>
void free_all(PLIST_ENTRY head) noexcept
{
    while (!IsListEmpty(head)) {
        PLIST_ENTRY entry = RemoveHeadList(head);
        auto* context = CONTAINING_RECORD(entry, Context, Links);
        if (context->FreeCallback) context->FreeCallback(context);
    }
}

// Moves every entry of `from` onto the empty list `to`; `from` is left empty.
void take_all(PLIST_ENTRY from, PLIST_ENTRY to) noexcept
{
    InitializeListHead(to);
    if (IsListEmpty(from)) return;
    to->Flink = from->Flink;
    to->Blink = from->Blink;
    to->Flink->Blink = to;
    to->Blink->Flink = to;
    InitializeListHead(from);
}

// ---- The stream's list lock ----
// FSRTL_ADVANCED_FCB_HEADER on Microsoft Learn: the PushLock guards FilterContexts when the header
// has one (Version >= FSRTL_FCB_HEADER_V1), the FastMutex otherwise.
class StreamLock {
public:
    StreamLock(PFSRTL_ADVANCED_FCB_HEADER header, bool exclusive) noexcept
        : m_header(header), m_exclusive(exclusive), m_push(header->Version >= FSRTL_FCB_HEADER_V1)
    {
        if (m_push) {
            KeEnterCriticalRegion();
            if (m_exclusive) ExAcquirePushLockExclusive(&m_header->PushLock);
            else ExAcquirePushLockShared(&m_header->PushLock);
        } else if (m_header->FastMutex) {
            ExAcquireFastMutex(m_header->FastMutex);
        }
    }
    ~StreamLock() { release(); }
    void release() noexcept
    {
        if (m_released) return;
        m_released = true;
        if (m_push) {
            if (m_exclusive) ExReleasePushLockExclusive(&m_header->PushLock);
            else ExReleasePushLockShared(&m_header->PushLock);
            KeLeaveCriticalRegion();
        } else if (m_header->FastMutex) {
            ExReleaseFastMutex(m_header->FastMutex);
        }
    }
    StreamLock(const StreamLock&) = delete;
    StreamLock& operator=(const StreamLock&) = delete;

private:
    PFSRTL_ADVANCED_FCB_HEADER m_header;
    bool m_exclusive;
    bool m_push;
    bool m_released = false;
};

bool takes_contexts(PFSRTL_ADVANCED_FCB_HEADER header) noexcept
{
    return header && (header->Flags2 & FSRTL_FLAG2_SUPPORTS_FILTER_CONTEXTS);
}

// ---- The file's list ----
// What *PerFileContextPointer points at once a filter inserted a context: FsRtl's own, allocated
// on the first insert and freed by FsRtlTeardownPerFileContexts.
constexpr ULONG kFileContextsTag = 'CFsF';
struct PerFileContexts {
    EX_PUSH_LOCK lock = 0;
    LIST_ENTRY list{};
};

PerFileContexts* file_contexts(PVOID* pointer) noexcept
{
    return static_cast<PerFileContexts*>(__atomic_load_n(pointer, __ATOMIC_ACQUIRE));
}

class FileLock {
public:
    FileLock(PerFileContexts* contexts, bool exclusive) noexcept : m_contexts(contexts), m_exclusive(exclusive)
    {
        KeEnterCriticalRegion();
        if (m_exclusive) ExAcquirePushLockExclusive(&m_contexts->lock);
        else ExAcquirePushLockShared(&m_contexts->lock);
    }
    ~FileLock()
    {
        if (m_exclusive) ExReleasePushLockExclusive(&m_contexts->lock);
        else ExReleasePushLockShared(&m_contexts->lock);
        KeLeaveCriticalRegion();
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    PerFileContexts* m_contexts;
    bool m_exclusive;
};

// ---- The file object's list ----
FileExtension* file_extension(PFILE_OBJECT file) noexcept
{
    return static_cast<FileExtension*>(__atomic_load_n(&file->FileObjectExtension, __ATOMIC_ACQUIRE));
}

class FileObjectLock {
public:
    explicit FileObjectLock(FileExtension* extension) noexcept : m_extension(extension)
    {
        KeAcquireSpinLock(&m_extension->context_lock, &m_irql);
    }
    ~FileObjectLock() { KeReleaseSpinLock(&m_extension->context_lock, m_irql); }
    FileObjectLock(const FileObjectLock&) = delete;
    FileObjectLock& operator=(const FileObjectLock&) = delete;

private:
    FileExtension* m_extension;
    KIRQL m_irql = PASSIVE_LEVEL;
};

// The file object's context of (owner, instance), with `then` applied to it under the list's lock;
// nullptr when the file object has no such context.
template <typename Then>
PFSRTL_PER_FILEOBJECT_CONTEXT with_file_object_context(PFILE_OBJECT file, PVOID owner, PVOID instance, Then&& then)
{
    if (!file) return nullptr;
    FileExtension* extension = file_extension(file);
    if (!extension) return nullptr;
    FileObjectLock lock(extension);
    if (!extension->contexts.Flink) return nullptr;
    auto* context = find<FSRTL_PER_FILEOBJECT_CONTEXT>(&extension->contexts, owner, instance);
    if (context) then(context);
    return context;
}

}  // namespace ntio::fsrtl::filter_contexts

namespace fsctx = ntio::fsrtl::filter_contexts;

extern "C" {

// ---- Per-stream contexts ----

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinsertperstreamcontext
// NT deviation: a NULL Ptr is STATUS_INVALID_PARAMETER (Learn does not say); a new context goes at
// the head of the list, so a lookup without an owner finds the newest.
NTKERNELAPI NTSTATUS NTAPI FsRtlInsertPerStreamContext(PFSRTL_ADVANCED_FCB_HEADER PerStreamContext,
                                                       PFSRTL_PER_STREAM_CONTEXT Ptr)
{
    if (!fsctx::takes_contexts(PerStreamContext)) return STATUS_INVALID_DEVICE_REQUEST;
    if (!Ptr) return STATUS_INVALID_PARAMETER;
    fsctx::StreamLock lock(PerStreamContext, true);
    InsertHeadList(&PerStreamContext->FilterContexts, &Ptr->Links);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtllookupperstreamcontextinternal
// (the FsRtlLookupPerStreamContext macro's worker; its matching rule is that page's).
NTKERNELAPI PFSRTL_PER_STREAM_CONTEXT NTAPI FsRtlLookupPerStreamContextInternal(PFSRTL_ADVANCED_FCB_HEADER StreamContext,
                                                                               PVOID OwnerId, PVOID InstanceId)
{
    if (!fsctx::takes_contexts(StreamContext)) return nullptr;
    fsctx::StreamLock lock(StreamContext, false);
    return fsctx::find<FSRTL_PER_STREAM_CONTEXT>(&StreamContext->FilterContexts, OwnerId, InstanceId);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlremoveperstreamcontext
// Only the first match goes, and its FreeCallback is not called: the caller owns it again.
NTKERNELAPI PFSRTL_PER_STREAM_CONTEXT NTAPI FsRtlRemovePerStreamContext(PFSRTL_ADVANCED_FCB_HEADER StreamContext,
                                                                        PVOID OwnerId, PVOID InstanceId)
{
    if (!fsctx::takes_contexts(StreamContext)) return nullptr;
    fsctx::StreamLock lock(StreamContext, true);
    auto* context = fsctx::find<FSRTL_PER_STREAM_CONTEXT>(&StreamContext->FilterContexts, OwnerId, InstanceId);
    if (context) RemoveEntryList(&context->Links);
    return context;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlteardownperstreamcontexts
// The lock is released before the callbacks run, so a filter's own list operations do not block.
// NT deviation: only the stream's contexts go; the file's go with FsRtlTeardownPerFileContexts,
// which the file system calls when it frees its per-file structure (Learn's FsRtlSetupAdvancedHeaderEx
// page says both go here, its FsRtlTeardownPerFileContexts page that the file system calls that).
NTKERNELAPI VOID NTAPI FsRtlTeardownPerStreamContexts(PFSRTL_ADVANCED_FCB_HEADER AdvancedHeader)
{
    if (!fsctx::takes_contexts(AdvancedHeader)) return;
    LIST_ENTRY taken;
    {
        fsctx::StreamLock lock(AdvancedHeader, true);
        fsctx::take_all(&AdvancedHeader->FilterContexts, &taken);
    }
    fsctx::free_all<FSRTL_PER_STREAM_CONTEXT>(&taken);
}

// ---- Per-file contexts ----

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinsertperfilecontext
NTKERNELAPI NTSTATUS NTAPI FsRtlInsertPerFileContext(PVOID* PerFileContextPointer, PFSRTL_PER_FILE_CONTEXT Ptr)
{
    if (!PerFileContextPointer) return STATUS_INVALID_DEVICE_REQUEST;
    if (!Ptr) return STATUS_INVALID_PARAMETER;
    fsctx::PerFileContexts* contexts = fsctx::file_contexts(PerFileContextPointer);
    if (!contexts) {
        void* memory = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(fsctx::PerFileContexts), fsctx::kFileContextsTag);
        if (!memory) return STATUS_INSUFFICIENT_RESOURCES;
        auto* fresh = new (memory) fsctx::PerFileContexts;
        InitializeListHead(&fresh->list);
        PVOID expected = nullptr;
        if (__atomic_compare_exchange_n(PerFileContextPointer, &expected, fresh, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            contexts = fresh;
        } else {
            // Another insert installed the file's list first.
            fresh->~PerFileContexts();
            ExFreePoolWithTag(memory, fsctx::kFileContextsTag);
            contexts = static_cast<fsctx::PerFileContexts*>(expected);
        }
    }
    fsctx::FileLock lock(contexts, true);
    InsertHeadList(&contexts->list, &Ptr->Links);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtllookupperfilecontext
NTKERNELAPI PFSRTL_PER_FILE_CONTEXT NTAPI FsRtlLookupPerFileContext(PVOID* PerFileContextPointer, PVOID OwnerId,
                                                                    PVOID InstanceId)
{
    if (!PerFileContextPointer) return nullptr;
    fsctx::PerFileContexts* contexts = fsctx::file_contexts(PerFileContextPointer);
    if (!contexts) return nullptr;
    fsctx::FileLock lock(contexts, false);
    return fsctx::find<FSRTL_PER_FILE_CONTEXT>(&contexts->list, OwnerId, InstanceId);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlremoveperfilecontext
NTKERNELAPI PFSRTL_PER_FILE_CONTEXT NTAPI FsRtlRemovePerFileContext(PVOID* PerFileContextPointer, PVOID OwnerId,
                                                                    PVOID InstanceId)
{
    if (!PerFileContextPointer) return nullptr;
    fsctx::PerFileContexts* contexts = fsctx::file_contexts(PerFileContextPointer);
    if (!contexts) return nullptr;
    fsctx::FileLock lock(contexts, true);
    auto* context = fsctx::find<FSRTL_PER_FILE_CONTEXT>(&contexts->list, OwnerId, InstanceId);
    if (context) RemoveEntryList(&context->Links);
    return context;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlteardownperfilecontexts
NTKERNELAPI VOID NTAPI FsRtlTeardownPerFileContexts(PVOID* PerFileContextPointer)
{
    if (!PerFileContextPointer) return;
    auto* contexts = static_cast<fsctx::PerFileContexts*>(__atomic_exchange_n(PerFileContextPointer, nullptr, __ATOMIC_ACQ_REL));
    if (!contexts) return;
    LIST_ENTRY taken;
    {
        fsctx::FileLock lock(contexts, true);
        fsctx::take_all(&contexts->list, &taken);
    }
    contexts->~PerFileContexts();
    ExFreePoolWithTag(contexts, fsctx::kFileContextsTag);
    fsctx::free_all<FSRTL_PER_FILE_CONTEXT>(&taken);
}

// ---- Per-file-object contexts ----

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinsertperfileobjectcontext
// The file object's extension is ntio's (part of the file object's body), so it is never missing.
// NT deviation: a NULL Ptr, or a FileObject that is not a file object, is STATUS_INVALID_PARAMETER
// too (Learn names only a NULL FileObject).
NTKERNELAPI NTSTATUS NTAPI FsRtlInsertPerFileObjectContext(PFILE_OBJECT FileObject, PFSRTL_PER_FILEOBJECT_CONTEXT Ptr)
{
    if (!FileObject || !Ptr || !ntio::fsrtl::is_ntio_file(FileObject)) return STATUS_INVALID_PARAMETER;
    fsctx::FileExtension* extension = &ntio::io::file_private(FileObject).extension;
    {
        fsctx::FileObjectLock lock(extension);
        if (!extension->contexts.Flink) InitializeListHead(&extension->contexts);
        InsertHeadList(&extension->contexts, &Ptr->Links);
    }
    if (!fsctx::file_extension(FileObject))
        __atomic_store_n(&FileObject->FileObjectExtension, static_cast<PVOID>(extension), __ATOMIC_RELEASE);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtllookupperfileobjectcontext
NTKERNELAPI PFSRTL_PER_FILEOBJECT_CONTEXT NTAPI FsRtlLookupPerFileObjectContext(PFILE_OBJECT FileObject, PVOID OwnerId,
                                                                                PVOID InstanceId)
{
    return fsctx::with_file_object_context(FileObject, OwnerId, InstanceId, [](PFSRTL_PER_FILEOBJECT_CONTEXT) {});
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlremoveperfileobjectcontext
NTKERNELAPI PFSRTL_PER_FILEOBJECT_CONTEXT NTAPI FsRtlRemovePerFileObjectContext(PFILE_OBJECT FileObject, PVOID OwnerId,
                                                                                PVOID InstanceId)
{
    return fsctx::with_file_object_context(FileObject, OwnerId, InstanceId, [](PFSRTL_PER_FILEOBJECT_CONTEXT context) {
        RemoveEntryList(&context->Links);
    });
}

}  // extern "C"
