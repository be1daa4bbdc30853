// Views of sections in the calling process. ntio is one Linux process, so a view is a mapping of the
// control area's memory file in this process: shared for read-only and writable views, private
// (copy-on-write) for PAGE_WRITECOPY views and every view of an image section.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwmapviewofsection
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwunmapviewofsection

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>

#include "host/address_space.hpp"
#include "host/pages.hpp"
#include "mm/section.hpp"
#include "mm/virtual_memory.hpp"

namespace ntio::mm {
namespace {

struct View {
    ControlArea* control;
    std::uint64_t offset;  // in the section
    std::uint64_t size;    // page multiple
    bool writable;         // shared and writable: counted in control->writable, written back
    bool copy;             // mapped private: every write is copied
    ViewSpace space;
    ULONG protection;              // as mapped (MEMORY_BASIC_INFORMATION's AllocationProtect)
    std::vector<ULONG> pages;      // each page's protection now (NtProtectVirtualMemory changes it)
};

// The views of the process by base address (mm lock).
std::map<ULONG_PTR, View>& views() {
    static auto* v = new std::map<ULONG_PTR, View>();
    return *v;
}

std::map<ULONG_PTR, View>::iterator find_locked(const void* address) {
    auto& all = views();
    const auto at = reinterpret_cast<ULONG_PTR>(address);
    auto it = all.upper_bound(at);
    if (it == all.begin()) return all.end();
    --it;
    return at < it->first + it->second.size ? it : all.end();
}

// Whether a view of this protection may be mapped from a section of that one: writing needs a
// writable section, copy-on-write any section that may be written or copied, executing an
// executable section. Image sections are copied on write whatever the view asks.
bool compatible(ULONG section, ULONG view, bool image) {
    section &= 0xFF;
    view &= 0xFF;
    const bool section_execute = section >= PAGE_EXECUTE;
    const bool view_execute = view >= PAGE_EXECUTE;
    if (view_execute && !section_execute && !image) return false;
    if (writes(view)) return image || writes(section);
    if (copies_on_write(view)) return image || writes(section) || copies_on_write(section);
    if (view != PAGE_NOACCESS && view != PAGE_EXECUTE && section == PAGE_EXECUTE) return false;
    return true;
}

// A view (or a flush standing in for one) lets go of its control area (io and mm locks held). The
// decrement and the check for the last user are one step, so that exactly one caller destroys it.
ControlArea* release_view_locked(ControlArea* control) {
    // With no view left every page is in the file: the next view reads the file again, so it sees
    // what was written to the file meanwhile.
    if (--control->views == 0 && control->pointers) {
        std::fill(control->loaded.begin(), control->loaded.end(), false);
    }
    return drop_locked(control);
}

}  // namespace

std::uint64_t mapped_end_locked(const ControlArea* control) {
    std::uint64_t end = 0;
    for (const auto& [base, view] : views()) {
        if (view.control == control) end = std::max(end, view.offset + view.size);
    }
    return end;
}

NTSTATUS map_view(SectionBody* section, void** base, std::uint64_t* offset, SIZE_T* size, ULONG protection,
                  ViewSpace space) {
    ControlArea* control = section->control;
    if (!compatible(section->protection, protection, control->image)) return STATUS_SECTION_PROTECTION;
    std::uint64_t start = 0;
    std::uint64_t length = 0;
    const std::uint64_t limit = round_up(section->size, kPage);
    if (control->image) {
        // An image is mapped whole. NT deviation: its bytes are the file's, not laid out by section.
        length = limit;
    } else {
        start = *offset / kGranularity * kGranularity;
        if (start >= section->size) return STATUS_INVALID_VIEW_SIZE;
        length = *size ? round_up(*size + (*offset - start), kPage) : limit - start;
        if (length > limit - start || length < *size) return STATUS_INVALID_VIEW_SIZE;
    }
    void* wanted = *base;
    if (wanted && reinterpret_cast<ULONG_PTR>(wanted) % kGranularity) return STATUS_MAPPED_ALIGNMENT;

    const bool copy = control->image || copies_on_write(protection);
    const bool writable = !control->image && writes(protection);
    unsigned access = host::kPageRead;
    if ((protection & 0xFF) == PAGE_NOACCESS) access = host::kPageNone;
    if (writable || copy) access |= host::kPageWrite;
    // NT deviation: executable views map readable memory; ntio runs no code from a view.

    // The pages are read after a flush of the file's cache (load_pages), when the file is cached:
    // the file is acquired for that flush.
    std::optional<FileAcquisition> acquisition;
    if (control->pointers && !control->image &&
        __atomic_load_n(&control->pointers->SharedCacheMap, __ATOMIC_ACQUIRE)) {
        acquisition.emplace(*control, FileAcquisition::cc_flush, start + length);
        if (!acquisition->ok()) return acquisition->status();
    }
    std::lock_guard io(control->io);
    NTSTATUS status = load_pages(*control, start, length);
    if (!NT_SUCCESS(status)) return status;
    void* hint = wanted;
    if (!hint && control->image && section->image_base) hint = reinterpret_cast<void*>(section->image_base);
    void* mapped = host::map_memory_file(control->fd, start, length, access, copy, hint, wanted != nullptr, status);
    if (!mapped) return status;
    {
        std::lock_guard guard(lock());
        views().emplace(reinterpret_cast<ULONG_PTR>(mapped),
                        View{control, start, length, writable, copy, space, protection,
                             std::vector<ULONG>(length / kPage, protection)});
        ++control->views;
        if (writable) ++control->writable;
    }
    *base = mapped;
    *size = static_cast<SIZE_T>(length);
    *offset = start;
    // An image mapped anywhere but its preferred base is relocated on NT; the status says so.
    if (control->image && mapped != reinterpret_cast<void*>(section->image_base)) return STATUS_IMAGE_NOT_AT_BASE;
    return STATUS_SUCCESS;
}

NTSTATUS unmap_view(void* address, ViewSpace space) {
    View view{};
    ULONG_PTR base = 0;
    {
        std::lock_guard guard(lock());
        auto it = find_locked(address);
        if (it == views().end() || it->second.space != space) return STATUS_NOT_MAPPED_VIEW;
        base = it->first;
        view = std::move(it->second);
        views().erase(it);
        forget_locks_locked(base, view.size);
    }
    host::free_pages(reinterpret_cast<void*>(base), view.size);
    ControlArea* control = view.control;
    ControlArea* dead = nullptr;
    {
        // The unmapping thread writes the view's changes as NT's modified page writer would later:
        // under its acquisition of the file. A driver that refuses it leaves the pages changed, to
        // be written with the next flush or when the control area goes.
        std::optional<FileAcquisition> acquisition;
        if (view.writable) acquisition.emplace(*control, FileAcquisition::mod_write, view.offset + view.size);
        std::lock_guard io(control->io);
        if (view.writable && acquisition->ok()) (void)write_pages(*control, view.offset, view.size);
        std::lock_guard guard(lock());
        if (view.writable) --control->writable;
        dead = release_view_locked(control);
    }
    if (dead) destroy_control(dead);
    return STATUS_SUCCESS;
}

NTSTATUS flush_view(void** base, SIZE_T* size) {
    ControlArea* control = nullptr;
    std::uint64_t from = 0;
    std::uint64_t to = 0;
    ULONG_PTR start = 0;
    bool writable = false;
    {
        std::lock_guard guard(lock());
        auto it = find_locked(*base);
        if (it == views().end()) return STATUS_NOT_MAPPED_VIEW;
        const ULONG_PTR at = reinterpret_cast<ULONG_PTR>(*base) / kPage * kPage;
        const ULONG_PTR view_end = it->first + it->second.size;
        ULONG_PTR end = *size ? round_up(reinterpret_cast<ULONG_PTR>(*base) + *size, kPage) : view_end;
        if (end > view_end) end = view_end;
        control = it->second.control;
        writable = it->second.writable;
        from = it->second.offset + (at - it->first);
        to = it->second.offset + (end - it->first);
        start = at;
        // The view stays while it is flushed: its control area is held by it, and an unmap waits
        // for the io lock taken below.
        ++control->views;
    }
    NTSTATUS status = STATUS_SUCCESS;
    ControlArea* dead = nullptr;
    {
        // NtFlushVirtualMemory acquires the file as a cache flush does.
        std::optional<FileAcquisition> acquisition;
        if (writable) {
            acquisition.emplace(*control, FileAcquisition::cc_flush, to);
            status = acquisition->status();
        }
        std::lock_guard io(control->io);
        if (writable && NT_SUCCESS(status)) status = write_pages(*control, from, to - from);
        std::lock_guard guard(lock());
        dead = release_view_locked(control);
    }
    if (dead) destroy_control(dead);
    *base = reinterpret_cast<void*>(start);
    *size = static_cast<SIZE_T>(to - from);
    return status;
}

bool view_region_locked(ULONG_PTR address, RegionInfo& region) {
    auto it = find_locked(reinterpret_cast<const void*>(address));
    if (it == views().end()) return false;
    const View& view = it->second;
    std::size_t page = (address - it->first) / kPage;
    const ULONG protection = view.pages[page];
    std::size_t end = page + 1;
    while (end < view.pages.size() && view.pages[end] == protection) ++end;
    region.allocation_base = it->first;
    region.allocation_protect = view.protection;
    region.base = it->first + page * kPage;
    region.size = (end - page) * kPage;
    region.state = MEM_COMMIT;
    region.protect = protection;
    region.type = view.control->image ? MEM_IMAGE : MEM_MAPPED;
    return true;
}

bool view_holds_locked(ULONG_PTR start, ULONG_PTR end, ULONG_PTR* view_end) {
    auto it = find_locked(reinterpret_cast<const void*>(start));
    if (it == views().end()) return false;
    *view_end = it->first + it->second.size;
    return end <= *view_end;
}

NTSTATUS protect_view_locked(ULONG_PTR start, ULONG_PTR end, ULONG protection, ULONG* old) {
    auto it = find_locked(reinterpret_cast<const void*>(start));
    if (it == views().end()) return STATUS_NOT_MAPPED_VIEW;
    View& view = it->second;
    if (end > it->first + view.size) return STATUS_CONFLICTING_ADDRESSES;
    // Learn: a view's pages take no protection their view was not mapped to allow. A shared view
    // cannot turn into a private copy in place: copy-on-write is refused there too (NT deviation).
    if (!compatible(view.protection, protection, view.control->image) ||
        (copies_on_write(protection) && !view.copy)) {
        return STATUS_SECTION_PROTECTION;
    }
    unsigned access = host::kPageRead;
    const ULONG base = protection & 0xFF;
    if (base == PAGE_NOACCESS || (protection & PAGE_GUARD)) access = host::kPageNone;
    else if (writes(base) || copies_on_write(base)) access |= host::kPageWrite;
    if (!host::protect_pages(reinterpret_cast<void*>(start), end - start, access)) return STATUS_NO_MEMORY;
    const std::size_t first = (start - it->first) / kPage;
    *old = view.pages[first];
    for (std::size_t page = first; page < (end - it->first) / kPage; ++page) view.pages[page] = protection;
    return STATUS_SUCCESS;
}

ULONG_PTR next_view_locked(ULONG_PTR address) {
    auto it = views().upper_bound(address);
    return it == views().end() ? 0 : it->first;
}

NTSTATUS flush_data_section(PSECTION_OBJECT_POINTERS pointers, std::uint64_t offset, std::uint64_t length,
                            bool* mapped) {
    *mapped = false;
    ControlArea* control = nullptr;
    std::uint64_t end = 0;
    {
        std::lock_guard guard(lock());
        control = pointers ? static_cast<ControlArea*>(pointers->DataSectionObject) : nullptr;
        if (!control) return STATUS_SUCCESS;
        end = length ? offset + length : control->capacity;
        for (const auto& [base, view] : views()) {
            if (view.control == control && view.offset < end && offset < view.offset + view.size) *mapped = true;
        }
        // Held as a view holds it while the pages are written (flush_view does the same).
        ++control->views;
    }
    NTSTATUS status = STATUS_SUCCESS;
    ControlArea* dead = nullptr;
    {
        std::lock_guard io(control->io);
        if (offset < control->capacity) status = write_pages(*control, offset, std::min(end, control->capacity) - offset);
        std::lock_guard guard(lock());
        dead = release_view_locked(control);
    }
    if (dead) destroy_control(dead);
    return status;
}

}  // namespace ntio::mm
