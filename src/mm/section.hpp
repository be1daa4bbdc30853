// ntio::mm: file-backed sections, the part of NT's memory manager the I/O path needs. A Section
// object's body points at a control area, shared by every section of one file (data and image
// sections have one each, recorded in the file's SECTION_OBJECT_POINTERS as DataSectionObject and
// ImageSectionObject, as NT records them) or owned by one section backed by the paging file. The
// control area keeps the section's pages in one memory file: views map it (shared or copy-on-write),
// paging reads fill it from the file the first time a view needs a page and paging writes send back
// the pages that changed, on a flush and when a view is unmapped.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <vector>

#include <ntifs.h>

struct _OBJECT_TYPE;

namespace ntio::mm {

struct ControlArea {
    PSECTION_OBJECT_POINTERS pointers = nullptr;  // null: backed by the paging file
    PFILE_OBJECT file = nullptr;                  // referenced while the control area lives
    PDEVICE_OBJECT device = nullptr;              // IoGetRelatedDeviceObject(file)
    bool image = false;
    int fd = -1;                    // the memory file holding the pages
    char* system_view = nullptr;    // the whole memory file, mapped shared: paging I/O goes through it
    std::uint64_t capacity = 0;     // bytes of the memory file, a multiple of the page size
    std::vector<unsigned char> clean;  // files: each loaded page as the file has it (what changed is written)
    std::vector<bool> loaded;          // files: the page was read from the file
    // Under the mm lock:
    ULONG sections = 0;
    ULONG views = 0;
    ULONG writable = 0;                    // writable sections and shared writable views
    std::multiset<std::uint64_t> sizes;    // the size of each section
    std::uint64_t mapped_end = 0;          // recomputed from the views when asked
    // Serialises the loading and writing of pages and growing the memory file. Taken before the mm lock.
    std::mutex io;
};

// The Section object's body (zeroed by ob before create_section fills it).
struct SectionBody {
    ControlArea* control;
    PFILE_OBJECT file;        // referenced: the section keeps its file object alive, as NT's does
    std::uint64_t size;
    ULONG protection;         // the section's page protection
    ULONG attributes;         // reported by SectionBasicInformation
    bool writable;            // counted in control->writable
    std::uint64_t image_base; // image sections: the preferred base of the image
};

extern _OBJECT_TYPE g_section_type;
void register_section_type();

// The protection is one of the PAGE_* values a section or view may have.
bool valid_section_protection(ULONG protection) noexcept;
bool valid_view_protection(ULONG protection) noexcept;
// The file access a section of this page protection needs from its file handle.
ACCESS_MASK file_access_for(ULONG protection) noexcept;
// The section access a view of this page protection needs from its section handle.
ACCESS_MASK section_access_for(ULONG protection) noexcept;
bool writes(ULONG protection) noexcept;          // PAGE_READWRITE, PAGE_EXECUTE_READWRITE
bool copies_on_write(ULONG protection) noexcept; // PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY

// Fills a new section's body. `file` (null: paging file) is referenced by the section on success.
// `maximum` 0 is no MaximumSize. Parameters were validated by the caller. PASSIVE_LEVEL.
NTSTATUS create_section(SectionBody* section, PFILE_OBJECT file, std::uint64_t maximum, ULONG protection,
                        ULONG attributes);

// Maps a view of the section in the calling process (ntio: this Linux process). `*base` null picks
// the address; `*offset` is rounded down to the allocation granularity and `*size` (0: to the end of
// the section) grows by that and is rounded up to pages.
// Which address space a view lies in: the process's (NtMapViewOfSection), system space
// (MmMapViewInSystemSpace) or session space (MmMapViewInSessionSpace). ntio has one address space;
// the tag keeps each unmap routine to its own views, as NT's separate spaces do.
enum class ViewSpace : unsigned char { process, system, session };

NTSTATUS map_view(SectionBody* section, void** base, std::uint64_t* offset, SIZE_T* size, ULONG protection,
                  ViewSpace space = ViewSpace::process);
// Unmaps the view holding `address`, writing its modified pages to the file first.
NTSTATUS unmap_view(void* address, ViewSpace space = ViewSpace::process);
// Writes the modified pages of the view holding `*base` in [*base, *base + *size) (size 0: to the end
// of the view); returns the page-rounded range.
NTSTATUS flush_view(void** base, SIZE_T* size);

// CcCoherencyFlushAndPurgeCache's part for views of the file's data section: writes the pages of
// [offset, offset + length) (length 0: to the end of the section) that views changed, and tells
// whether a view maps any of that range (`mapped`). The caller holds the file exclusively.
NTSTATUS flush_data_section(PSECTION_OBJECT_POINTERS pointers, std::uint64_t offset, std::uint64_t length,
                            bool* mapped);

// The mm lock: control areas' counts, the views, the SECTION_OBJECT_POINTERS fields.
std::mutex& lock();

// Paging I/O of a control area's pages (its io lock held): reads the pages of [offset, offset + length)
// that are not loaded yet; writes those that changed.
NTSTATUS load_pages(ControlArea& control, std::uint64_t offset, std::uint64_t length);
NTSTATUS write_pages(ControlArea& control, std::uint64_t offset, std::uint64_t length);
// The control area lost a section or a view (mm lock held): when nothing uses it any more it leaves
// the file's SECTION_OBJECT_POINTERS and is returned for destroy_control (called without the lock).
ControlArea* drop_locked(ControlArea* control);
void destroy_control(ControlArea* control);
// The largest end (in the section) of a view of the control area (mm lock held).
std::uint64_t mapped_end_locked(const ControlArea* control);

// The control area's file acquired through FsRtl for a write of its pages, for a scope: as the
// modified page writer (FsRtlAcquireFileForModWriteEx, up to `end`) or for a cache flush
// (FsRtlAcquireFileForCcFlushEx), which runs the FsFilter callbacks of the file's stack and the file
// system's acquire routines. Nothing to acquire for paging-file and image control areas (ok() true).
// The modified page writer's scope has FSRTL_MOD_WRITE_TOP_LEVEL_IRP as the thread's top-level IRP.
class FileAcquisition {
public:
    enum Kind { mod_write, cc_flush };
    FileAcquisition(const ControlArea& control, Kind kind, std::uint64_t end) noexcept
        : m_file(control.pointers && !control.image ? control.file : nullptr), m_kind(kind),
          m_top_level(IoGetTopLevelIrp()) {
        if (!m_file) return;
        if (kind == mod_write) {
            // The file system sees these writes come from the modified page writer.
            IoSetTopLevelIrp(reinterpret_cast<PIRP>(FSRTL_MOD_WRITE_TOP_LEVEL_IRP));
            LARGE_INTEGER ending;
            ending.QuadPart = static_cast<LONGLONG>(end);
            m_status = FsRtlAcquireFileForModWriteEx(m_file, &ending, &m_resource);
        } else {
            m_status = FsRtlAcquireFileForCcFlushEx(m_file);
        }
        if (!NT_SUCCESS(m_status)) m_file = nullptr;
    }
    ~FileAcquisition() {
        if (m_file) {
            if (m_kind == mod_write) FsRtlReleaseFileForModWrite(m_file, m_resource);
            else FsRtlReleaseFileForCcFlush(m_file);
        }
        IoSetTopLevelIrp(m_top_level);
    }
    FileAcquisition(const FileAcquisition&) = delete;
    FileAcquisition& operator=(const FileAcquisition&) = delete;
    NTSTATUS status() const noexcept { return m_status; }
    bool ok() const noexcept { return NT_SUCCESS(m_status); }

private:
    PFILE_OBJECT m_file;
    Kind m_kind;
    PIRP m_top_level;
    PERESOURCE m_resource = nullptr;
    NTSTATUS m_status = STATUS_SUCCESS;
};

inline constexpr std::uint64_t kPage = PAGE_SIZE;
inline constexpr std::uint64_t kGranularity = 0x10000;  // the allocation granularity of views
inline std::uint64_t round_up(std::uint64_t value, std::uint64_t unit) { return (value + unit - 1) / unit * unit; }

}  // namespace ntio::mm
