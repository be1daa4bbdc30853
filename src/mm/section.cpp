// The Section object type and the control areas behind sections: creating a section over a file
// (its checks, the file's size, an image's headers) or over the paging file, and the paging I/O
// that moves a control area's pages between its memory file and the file.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatesection
// https://learn.microsoft.com/windows-hardware/drivers/kernel/section-objects-and-views
#include "mm/section.hpp"


#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include "cc/paging_io.hpp"
#include "host/pages.hpp"
#include "ob/object_type.hpp"

namespace ntio::mm {
namespace {

constexpr GENERIC_MAPPING kSectionMapping{STANDARD_RIGHTS_READ | SECTION_QUERY | SECTION_MAP_READ,
                                          STANDARD_RIGHTS_WRITE | SECTION_MAP_WRITE,
                                          STANDARD_RIGHTS_EXECUTE | SECTION_MAP_EXECUTE, SECTION_ALL_ACCESS};

void section_delete(void* object) {
    auto* section = static_cast<SectionBody*>(object);
    if (ControlArea* control = section->control) {
        ControlArea* dead = nullptr;
        {
            std::lock_guard guard(lock());
            --control->sections;
            if (section->writable) --control->writable;
            auto it = control->sizes.find(section->size);
            if (it != control->sizes.end()) control->sizes.erase(it);
            dead = drop_locked(control);
        }
        if (dead) destroy_control(dead);
    }
    if (section->file) ObDereferenceObject(section->file);
}

void section_dump(void* object, std::string& out) {
    auto* section = static_cast<SectionBody*>(object);
    char line[96];
    std::snprintf(line, sizeof line, " size=%llu protection=%#lx attributes=%#lx%s",
                  static_cast<unsigned long long>(section->size), static_cast<unsigned long>(section->protection),
                  static_cast<unsigned long>(section->attributes), section->file ? " file" : "");
    out += line;
}

template <class T>
T read_le(const unsigned char* at) {
    T value{};
    std::memcpy(&value, at, sizeof value);
    return value;
}

// NT deviation: recognises a PE image from its headers, no more (ntio does not load images): the
// MZ header, e_lfanew, the "PE\0\0" signature, the file header and the optional header's magic,
// ImageBase and SizeOfImage.
// https://learn.microsoft.com/windows/win32/debug/pe-format
NTSTATUS read_image_headers(PDEVICE_OBJECT device, PFILE_OBJECT file, std::uint64_t file_size,
                            std::uint64_t* size_of_image, std::uint64_t* image_base) {
    constexpr ULONG kHeaders = 2 * PAGE_SIZE;
    auto* page = static_cast<unsigned char*>(ExAllocatePoolWithTag(NonPagedPool, kHeaders, 'lSmM'));
    if (!page) return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = cc::paging_io(device, file, false, page, 0, kHeaders);
    if (NT_SUCCESS(status)) {
        status = STATUS_INVALID_IMAGE_FORMAT;
        const std::uint64_t valid = file_size < kHeaders ? file_size : kHeaders;
        if (valid < 0x40 || page[0] != 'M' || page[1] != 'Z') {
            status = STATUS_INVALID_IMAGE_NOT_MZ;
        } else {
            const std::uint64_t pe = read_le<std::uint32_t>(page + 0x3C);
            // The signature, the 20-byte file header and the optional header up to SizeOfImage.
            if (pe + 24 + 60 <= valid && std::memcmp(page + pe, "PE\0\0", 4) == 0) {
                const unsigned char* optional = page + pe + 24;
                const auto magic = read_le<std::uint16_t>(optional);
                const auto optional_size = read_le<std::uint16_t>(page + pe + 4 + 16);
                const std::uint32_t image_size = read_le<std::uint32_t>(optional + 56);
                if ((magic == 0x10B || magic == 0x20B) && optional_size >= 60 && image_size != 0) {
                    *size_of_image = image_size;
                    *image_base = magic == 0x10B ? read_le<std::uint32_t>(optional + 28)
                                                 : read_le<std::uint64_t>(optional + 24);
                    status = STATUS_SUCCESS;
                }
            }
        }
    }
    ExFreePoolWithTag(page, 'lSmM');
    return status;
}

// A new control area whose memory file holds `size` bytes (zeroes).
ControlArea* new_control(std::uint64_t size) {
    auto* control = new (std::nothrow) ControlArea();
    if (!control) return nullptr;
    control->capacity = round_up(size ? size : 1, kPage);
    control->fd = host::memory_file_create(control->capacity);
    if (control->fd < 0) {
        delete control;
        return nullptr;
    }
    NTSTATUS status = STATUS_SUCCESS;
    void* view = host::map_memory_file(control->fd, 0, control->capacity, host::kPageRead | host::kPageWrite, false,
                                       nullptr, false, status);
    if (!view) {
        host::memory_file_close(control->fd);
        delete control;
        return nullptr;
    }
    control->system_view = static_cast<char*>(view);
    return control;
}

// Grows a control area's memory file for a larger section over the same file (its io lock held).
NTSTATUS grow(ControlArea& control, std::uint64_t size) {
    const std::uint64_t capacity = round_up(size, kPage);
    if (capacity <= control.capacity) return STATUS_SUCCESS;
    if (!host::memory_file_resize(control.fd, capacity)) return STATUS_INSUFFICIENT_RESOURCES;
    void* view = host::remap_pages(control.system_view, control.capacity, capacity);
    if (!view) return STATUS_INSUFFICIENT_RESOURCES;
    control.system_view = static_cast<char*>(view);
    control.capacity = capacity;
    if (control.pointers) {
        control.clean.resize(capacity);
        control.loaded.resize(capacity / kPage, false);
    }
    return STATUS_SUCCESS;
}

}  // namespace

_OBJECT_TYPE g_section_type{
    .name = u"Section",
    .generic_mapping = kSectionMapping,
    .valid_access_mask = SECTION_ALL_ACCESS | SECTION_MAP_EXECUTE_EXPLICIT,
    .pool_type = PagedPool,
    .del = section_delete,
    .dump = section_dump,
};

void register_section_type() { ob::register_object_type(g_section_type); }

std::mutex& lock() {
    static auto* m = new std::mutex();  // never destroyed: sections may go during static destruction
    return *m;
}

bool valid_section_protection(ULONG protection) noexcept {
    switch (protection & ~static_cast<ULONG>(PAGE_NOCACHE)) {
    case PAGE_READONLY: case PAGE_READWRITE: case PAGE_WRITECOPY: case PAGE_EXECUTE: case PAGE_EXECUTE_READ:
    case PAGE_EXECUTE_READWRITE: case PAGE_EXECUTE_WRITECOPY:
        return true;
    default:
        return false;
    }
}

bool valid_view_protection(ULONG protection) noexcept {
    return (protection & ~static_cast<ULONG>(PAGE_NOCACHE)) == PAGE_NOACCESS || valid_section_protection(protection);
}

bool writes(ULONG protection) noexcept {
    protection &= 0xFF;
    return protection == PAGE_READWRITE || protection == PAGE_EXECUTE_READWRITE;
}

bool copies_on_write(ULONG protection) noexcept {
    protection &= 0xFF;
    return protection == PAGE_WRITECOPY || protection == PAGE_EXECUTE_WRITECOPY;
}

// What the file handle must have been opened for: read data for any view, write data for a writable
// section, execute for an executable one (copy-on-write sections never write the file).
ACCESS_MASK file_access_for(ULONG protection) noexcept {
    protection &= 0xFF;
    const bool execute = protection >= PAGE_EXECUTE;
    const bool read = protection != PAGE_EXECUTE;
    return (read ? FILE_READ_DATA : 0) | (execute ? FILE_EXECUTE : 0) | (writes(protection) ? FILE_WRITE_DATA : 0);
}

ACCESS_MASK section_access_for(ULONG protection) noexcept {
    protection &= 0xFF;
    const bool execute = protection >= PAGE_EXECUTE;
    const bool read = protection != PAGE_EXECUTE && protection != PAGE_NOACCESS;
    return (read ? SECTION_MAP_READ : 0) | (execute ? SECTION_MAP_EXECUTE : 0) |
           (writes(protection) ? SECTION_MAP_WRITE : 0) | (protection == PAGE_NOACCESS ? SECTION_MAP_READ : 0);
}

NTSTATUS create_section(SectionBody* section, PFILE_OBJECT file, std::uint64_t maximum, ULONG protection,
                        ULONG attributes) {
    const bool image = (attributes & SEC_IMAGE) != 0;
    section->protection = protection;
    if (!file) {
        // Backed by the paging file: zero-filled pages of the size asked for, no file behind them.
        ControlArea* control = new_control(maximum);
        if (!control) return STATUS_INSUFFICIENT_RESOURCES;
        control->sections = 1;
        control->sizes.insert(maximum);
        section->control = control;
        section->size = maximum;
        section->attributes = attributes & (SEC_COMMIT | SEC_RESERVE | SEC_NOCACHE | SEC_LARGE_PAGES);
        return STATUS_SUCCESS;
    }
    if (!file->SectionObjectPointer) return STATUS_INVALID_FILE_FOR_SECTION;
    // The memory manager holds the file while it creates the section (its size cannot change
    // meanwhile): FsRtl runs the stack's PreAcquireForSectionSynchronization routines and the file
    // system's acquisition; a driver's error fails the creation with that status.
    // https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlregisterfilesystemfiltercallbacks
    NTSTATUS status = FsRtlAcquireToCreateMappedSection(file, protection);
    if (!NT_SUCCESS(status)) return status;
    struct Release {
        PFILE_OBJECT file;
        ~Release() { FsRtlReleaseFile(file); }
    } release{file};
    PDEVICE_OBJECT device = IoGetRelatedDeviceObject(file);
    FILE_STANDARD_INFORMATION standard{};
    status = cc::file_information(device, file, false, FileStandardInformation, &standard, sizeof standard);
    if (!NT_SUCCESS(status)) return status;
    if (standard.Directory) return STATUS_INVALID_FILE_FOR_SECTION;
    const auto file_size = static_cast<std::uint64_t>(standard.EndOfFile.QuadPart);
    std::uint64_t size = 0;
    if (image) {
        status = read_image_headers(device, file, file_size, &size, &section->image_base);
        if (!NT_SUCCESS(status)) return status;
        section->attributes = SEC_FILE | SEC_IMAGE;
    } else {
        if (maximum == 0) {
            // "If the file is zero-length and MaximumSize is zero": STATUS_MAPPED_FILE_SIZE_ZERO.
            if (file_size == 0) return STATUS_MAPPED_FILE_SIZE_ZERO;
            size = file_size;
        } else if (maximum > file_size) {
            // A section larger than its file grows the file, which only a writable section may do.
            if (!writes(protection)) return STATUS_SECTION_TOO_BIG;
            FILE_END_OF_FILE_INFORMATION end{};
            end.EndOfFile.QuadPart = static_cast<LONGLONG>(maximum);
            status = cc::file_information(device, file, true, FileEndOfFileInformation, &end, sizeof end);
            if (!NT_SUCCESS(status)) return status;
            size = maximum;
        } else {
            size = maximum;
        }
        section->attributes = SEC_FILE | (attributes & (SEC_COMMIT | SEC_RESERVE | SEC_NOCACHE));
    }
    section->size = size;
    section->writable = !image && writes(protection);

    ControlArea* control = nullptr;
    {
        std::lock_guard guard(lock());
        PVOID& slot = image ? file->SectionObjectPointer->ImageSectionObject
                            : file->SectionObjectPointer->DataSectionObject;
        control = static_cast<ControlArea*>(slot);
        if (!control) {
            control = new_control(size);
            if (!control) return STATUS_INSUFFICIENT_RESOURCES;
            control->pointers = file->SectionObjectPointer;
            control->file = file;
            control->device = device;
            control->image = image;
            control->clean.resize(control->capacity);
            control->loaded.resize(control->capacity / kPage, false);
            ObReferenceObject(file);
            slot = control;
        }
        ++control->sections;
        if (section->writable) ++control->writable;
        control->sizes.insert(size);
        section->control = control;
    }
    {
        std::lock_guard io(control->io);
        status = grow(*control, size);
    }
    if (!NT_SUCCESS(status)) return status;  // the delete procedure gives the control area back
    ObReferenceObject(file);
    section->file = file;
    return STATUS_SUCCESS;
}

ControlArea* drop_locked(ControlArea* control) {
    if (control->sections || control->views) return nullptr;
    if (control->pointers) {
        PVOID& slot = control->image ? control->pointers->ImageSectionObject : control->pointers->DataSectionObject;
        if (slot == control) slot = nullptr;
    }
    return control;
}

void destroy_control(ControlArea* control) {
    if (control->pointers && !control->image) {
        // The last chance to write the pages: written even when a driver refuses the acquisition.
        FileAcquisition acquisition(*control, FileAcquisition::mod_write, control->capacity);
        std::lock_guard io(control->io);
        (void)write_pages(*control, 0, control->capacity);
    }
    host::free_pages(control->system_view, control->capacity);
    host::memory_file_close(control->fd);
    if (control->file) ObDereferenceObject(control->file);
    delete control;
}

NTSTATUS load_pages(ControlArea& control, std::uint64_t offset, std::uint64_t length) {
    if (!control.pointers) return STATUS_SUCCESS;
    const std::uint64_t first = offset / kPage;
    const std::uint64_t last = std::min<std::uint64_t>(round_up(offset + length, kPage), control.capacity) / kPage;
    for (std::uint64_t page = first; page < last;) {
        if (control.loaded[page]) {
            ++page;
            continue;
        }
        std::uint64_t end = page;
        while (end < last && !control.loaded[end] && end - page < 64) ++end;
        const std::uint64_t at = page * kPage;
        const auto bytes = static_cast<ULONG>((end - page) * kPage);
        // NT deviation: data the file's cache holds and has not written yet is the file's current
        // data: it is written first, so the view sees it (NT shares the pages with the cache).
        if (!control.image && control.pointers->SharedCacheMap) {
            LARGE_INTEGER from;
            from.QuadPart = static_cast<LONGLONG>(at);
            IO_STATUS_BLOCK iosb;
            CcFlushCache(control.pointers, &from, bytes, &iosb);
        }
        NTSTATUS status = cc::paging_io(control.device, control.file, false, control.system_view + at,
                                        static_cast<LONGLONG>(at), bytes);
        if (!NT_SUCCESS(status)) return status;
        std::memcpy(control.clean.data() + at, control.system_view + at, bytes);
        for (std::uint64_t p = page; p < end; ++p) control.loaded[p] = true;
        page = end;
    }
    return STATUS_SUCCESS;
}

NTSTATUS write_pages(ControlArea& control, std::uint64_t offset, std::uint64_t length) {
    if (!control.pointers || control.image) return STATUS_SUCCESS;
    const std::uint64_t first = offset / kPage;
    const std::uint64_t last = std::min<std::uint64_t>(round_up(offset + length, kPage), control.capacity) / kPage;
    auto changed = [&](std::uint64_t page) {
        return control.loaded[page] &&
               std::memcmp(control.system_view + page * kPage, control.clean.data() + page * kPage, kPage) != 0;
    };
    NTSTATUS result = STATUS_SUCCESS;
    for (std::uint64_t page = first; page < last;) {
        if (!changed(page)) {
            ++page;
            continue;
        }
        std::uint64_t end = page + 1;
        while (end < last && end - page < 64 && changed(end)) ++end;
        const std::uint64_t at = page * kPage;
        const auto bytes = static_cast<ULONG>((end - page) * kPage);
        // What is written is what was compared: a copy, since views may change the pages meanwhile.
        std::vector<unsigned char> data(control.system_view + at, control.system_view + at + bytes);
        NTSTATUS status = cc::paging_io(control.device, control.file, true, data.data(), static_cast<LONGLONG>(at), bytes);
        if (NT_SUCCESS(status)) {
            std::memcpy(control.clean.data() + at, data.data(), bytes);
            // NT deviation: the cache's copy of these pages is stale now and is purged, so it reads
            // them again (NT's cache maps the same pages and needs no purge).
            if (control.pointers->SharedCacheMap) {
                LARGE_INTEGER from;
                from.QuadPart = static_cast<LONGLONG>(at);
                (void)CcPurgeCacheSection(control.pointers, &from, bytes, FALSE);
            }
        } else if (NT_SUCCESS(result)) {
            result = status;
        }
        page = end;
    }
    return result;
}

}  // namespace ntio::mm

extern "C" {
static POBJECT_TYPE g_section_type_pointer = &ntio::mm::g_section_type;
NTIO_API POBJECT_TYPE* MmSectionObjectType = &g_section_type_pointer;
}
