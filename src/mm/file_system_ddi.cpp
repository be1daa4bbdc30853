// The memory manager's answers to file systems about a file's sections (ntifs.h).
#include "mm/section.hpp"

using namespace ntio::mm;

namespace {

ControlArea* data_of(PSECTION_OBJECT_POINTERS pointers) {
    return pointers ? static_cast<ControlArea*>(pointers->DataSectionObject) : nullptr;
}
ControlArea* image_of(PSECTION_OBJECT_POINTERS pointers) {
    return pointers ? static_cast<ControlArea*>(pointers->ImageSectionObject) : nullptr;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmflushimagesection:
// TRUE when no image section exists; an image section without views is destroyed. NT deviation:
// here one exists only while a section or a view of it does, so it is in use. For MmFlushForDelete a data section
// still in use keeps the file too, as NT refuses to delete a mapped file.
NTKERNELAPI BOOLEAN NTAPI MmFlushImageSection(PSECTION_OBJECT_POINTERS SectionObjectPointer, MMFLUSH_TYPE FlushType) {
    std::lock_guard guard(lock());
    if (ControlArea* image = image_of(SectionObjectPointer); image && (image->sections || image->views)) return FALSE;
    if (FlushType == MmFlushForDelete) {
        if (ControlArea* data = data_of(SectionObjectPointer); data && (data->sections || data->views)) return FALSE;
    }
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmcanfilebetruncated:
// FALSE while a user-mapped view or a section of the file reaches past the new size, or an image
// section is in use.
NTKERNELAPI BOOLEAN NTAPI MmCanFileBeTruncated(PSECTION_OBJECT_POINTERS SectionPointer, PLARGE_INTEGER NewFileSize) {
    std::lock_guard guard(lock());
    if (ControlArea* image = image_of(SectionPointer); image && (image->sections || image->views)) return FALSE;
    ControlArea* data = data_of(SectionPointer);
    if (!data) return TRUE;
    if (!NewFileSize) return data->sections == 0 && data->views == 0;
    const auto size = static_cast<std::uint64_t>(NewFileSize->QuadPart < 0 ? 0 : NewFileSize->QuadPart);
    if (!data->sizes.empty() && *data->sizes.rbegin() > size) return FALSE;
    return mapped_end_locked(data) <= round_up(size, kPage);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmdoesfilehaveuserwritablereferences
NTKERNELAPI ULONG NTAPI MmDoesFileHaveUserWritableReferences(PSECTION_OBJECT_POINTERS SectionPointer) {
    std::lock_guard guard(lock());
    ControlArea* data = data_of(SectionPointer);
    return data ? data->writable : 0;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmforcesectionclosed:
// TRUE when no section was found or the sections were deleted. Here a control area lives exactly as
// long as a section or a view of it, so one that exists is in use and cannot be deleted now: FALSE.
// DelayClose asks for what always happens here, the control area going with its last section or view.
// NT deviation: NT's cache manager maps the data section, so a cached stream keeps it; ntio's cache
// has its own memory and does not count.
NTKERNELAPI BOOLEAN NTAPI MmForceSectionClosed(PSECTION_OBJECT_POINTERS SectionObjectPointer, BOOLEAN DelayClose) {
    (void)DelayClose;
    std::lock_guard guard(lock());
    return data_of(SectionObjectPointer) || image_of(SectionObjectPointer) ? FALSE : TRUE;
}

}  // extern "C"

extern "C" {
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmisrecursiveiofault: a
// file system asks whether the thread is doing the I/O of its own page fault. ntio reads a view's
// pages when it maps them (load_pages), never in a fault, so no thread ever is.
NTKERNELAPI BOOLEAN NTAPI MmIsRecursiveIoFault(VOID) { return FALSE; }
}
