// Shared objects loaded on purpose: driver images and the export drivers they link against, each
// opened with its own symbols kept local (RTLD_NOW | RTLD_LOCAL), so two drivers may both define
// DriverEntry. Image files can also be mapped as plain data, running nothing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <wdm.h>

namespace ntio::host {

// Why an open failed, as the dynamic linker said it.
enum class LibraryFailure {
    kUndefinedSymbol,    // the image imports a symbol nothing loaded defines
    kMissingDependency,  // a library the image needs cannot be found
    kNotLoadable,        // anything else: not an ELF shared object, wrong architecture, ...
};

// Whether `path` names a readable regular file: STATUS_SUCCESS, or STATUS_OBJECT_NAME_NOT_FOUND
// (missing), STATUS_INVALID_IMAGE_FORMAT (not a regular file), STATUS_ACCESS_DENIED (unreadable) or
// the status of another errno, with what is wrong in `problem` ("not found", "is not a file", ...).
NTSTATUS library_check_file(const char* path, const char*& problem) noexcept;

// Opens the shared object at `path`, resolving every symbol now. Null on failure, with the
// linker's message and its kind.
void* library_open(const char* path, std::string& message, LibraryFailure& failure) noexcept;

// One more reference to the already-loaded shared object the linker knows by `name` (as a
// DT_NEEDED entry names it), or null when it is not loaded.
void* library_reference_loaded(const char* name) noexcept;

// Drops one reference library_open or library_reference_loaded took.
void library_close(void* handle) noexcept;

// The address of `name` when the object itself defines it (not one of its dependencies), or null.
void* library_own_symbol(void* handle, const char* name) noexcept;

// The object's DT_NEEDED entries, in order.
std::vector<std::string> library_needed(void* handle);
// An address inside the loaded image (its dynamic section), or null when the handle has none.
const void* library_inside_address(void* handle) noexcept;

// The whole file at `path` mapped read-only as plain data (no code runs, nothing is relocated), for
// reading an image's contents; null when it cannot be opened or mapped (an empty file included).
void* map_file_as_data(const char* path, std::size_t& bytes) noexcept;
void unmap_file_data(void* address, std::size_t bytes) noexcept;

}  // namespace ntio::host
