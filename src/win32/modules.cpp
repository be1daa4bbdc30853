// GetModuleHandle, GetModuleFileName, GetProcAddress, LoadLibrary(Ex) and FreeLibrary over the host's
// dynamic loader. A module handle is the address its object is loaded at (as an HMODULE is its
// image's base on Windows); kernel32, kernelbase, ntdll and advapi32 are this library. C:\ is the
// host's root for images (the \??\C: link the boot makes), so host paths and DOS paths map one to one.
// https://learn.microsoft.com/windows/win32/api/libloaderapi/nf-libloaderapi-loadlibraryw
// https://learn.microsoft.com/windows/win32/api/libloaderapi/nf-libloaderapi-getmodulefilenamew
// https://learn.microsoft.com/windows/win32/api/libloaderapi/nf-libloaderapi-loadlibraryexw
#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <map>
#include <vector>

#include "win32/dos_paths.hpp"
#include "host/library.hpp"
#include "host/process.hpp"

using namespace ntio;

namespace {

struct LoadedObject {
    ULONG_PTR base;    // the lowest address of its first loadable segment
    std::string path;  // the host path (empty for the main program, see host::program_path)
};

ULONG_PTR object_base(const dl_phdr_info* info) {
    ULONG_PTR lowest = ~ULONG_PTR{0};
    for (int i = 0; i < info->dlpi_phnum; ++i)
        if (info->dlpi_phdr[i].p_type == PT_LOAD) lowest = std::min<ULONG_PTR>(lowest, info->dlpi_phdr[i].p_vaddr);
    if (lowest == ~ULONG_PTR{0}) return 0;
    return (info->dlpi_addr + lowest) & ~ULONG_PTR{PAGE_SIZE - 1};
}

// The loaded objects, the main program first.
std::vector<LoadedObject> loaded_objects() {
    std::vector<LoadedObject> out;
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* data) -> int {
            if (const ULONG_PTR base = object_base(info))
                static_cast<std::vector<LoadedObject>*>(data)->push_back({base, info->dlpi_name ? info->dlpi_name : ""});
            return 0;
        },
        &out);
    return out;
}

ULONG_PTR base_of(const void* address) {
    Dl_info info{};
    return dladdr(address, &info) ? reinterpret_cast<ULONG_PTR>(info.dli_fbase) : 0;
}
ULONG_PTR ntio_base() { return base_of(reinterpret_cast<const void*>(&GetModuleHandleW)); }
ULONG_PTR main_base() {
    const std::vector<LoadedObject> objects = loaded_objects();
    return objects.empty() ? 0 : objects.front().base;
}

// The loaded object at this base: its host path, or false.
bool find_object(ULONG_PTR base, std::string& path, bool& is_main) {
    const std::vector<LoadedObject> objects = loaded_objects();
    for (std::size_t i = 0; i < objects.size(); ++i) {
        if (objects[i].base != base) continue;
        is_main = i == 0;
        path = is_main ? host::program_path() : objects[i].path;
        return true;
    }
    return false;
}

std::u16string lower(std::u16string_view text) {
    std::u16string out(text);
    for (char16_t& c : out)
        if (c >= u'A' && c <= u'Z') c = static_cast<char16_t>(c - u'A' + u'a');
    return out;
}

// The last path component of a DOS or host name.
std::u16string_view base_name(std::u16string_view name) {
    const std::size_t slash = name.find_last_of(u"\\/");
    return slash == std::u16string_view::npos ? name : name.substr(slash + 1);
}

// "If the string specifies a module name without a path and the file name extension is omitted, the
// function appends the default library extension .dll to the module name. To prevent the function
// from appending .dll to the module name, include a trailing point character (.)".
std::u16string with_extension(std::u16string_view name) {
    const std::u16string_view last = base_name(name);
    if (!last.empty() && last.back() == u'.') return std::u16string(name.substr(0, name.size() - 1));
    if (last.find(u'.') == std::u16string_view::npos) return std::u16string(name) + u".dll";
    return std::u16string(name);
}

bool is_system_module(std::u16string_view name) {
    const std::u16string last = lower(with_extension(base_name(name)));
    return last == u"kernel32.dll" || last == u"kernelbase.dll" || last == u"ntdll.dll" || last == u"advapi32.dll";
}

std::u16string to_dos(const std::string& host) {
    std::u16string out = u"C:";
    for (char16_t c : win32::ansi_to_utf16(host)) out.push_back(c == u'/' ? u'\\' : c);
    return out;
}

// A C:\ path (after GetFullPathName) as the host path, or empty for another drive.
std::string to_host(std::u16string_view dos) {
    std::u16string full;
    if (!NT_SUCCESS(win32::full_dos_path(dos, full)) || full.size() < 3 || full[1] != u':' ||
        (full[0] != u'C' && full[0] != u'c') || full[2] != u'\\')
        return {};
    std::string out = win32::utf16_to_ansi(std::u16string_view(full).substr(2));
    std::replace(out.begin(), out.end(), '\\', '/');
    return out;
}

// LoadLibrary's handles, by base: one per successful call, for FreeLibrary's dlclose; and the files
// LoadLibraryEx mapped as data, by the address of their mapping, with their sizes.
struct Libraries {
    std::mutex lock;
    std::multimap<ULONG_PTR, void*> handles;
    std::map<ULONG_PTR, std::size_t> data_files;
};
Libraries& libraries() {
    static Libraries* instance = new Libraries();
    return *instance;
}

HMODULE fail_module(DWORD error) {
    SetLastError(error);
    return nullptr;
}

// LoadLibraryEx's flags (libloaderapi.h).
constexpr DWORD kDataFileFlags =
    LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_DATAFILE_EXCLUSIVE | LOAD_LIBRARY_AS_IMAGE_RESOURCE;
constexpr DWORD kSearchFlags = LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_APPLICATION_DIR |
                               LOAD_LIBRARY_SEARCH_USER_DIRS | LOAD_LIBRARY_SEARCH_SYSTEM32 |
                               LOAD_LIBRARY_SEARCH_DEFAULT_DIRS | LOAD_LIBRARY_SEARCH_SYSTEM32_NO_FORWARDER;
constexpr DWORD kKnownFlags = DONT_RESOLVE_DLL_REFERENCES | kDataFileFlags | LOAD_WITH_ALTERED_SEARCH_PATH |
                              LOAD_IGNORE_CODE_AUTHZ_LEVEL | LOAD_LIBRARY_REQUIRE_SIGNED_TARGET | kSearchFlags |
                              LOAD_LIBRARY_SAFE_CURRENT_DIRS | LOAD_LIBRARY_OS_INTEGRITY_CONTINUITY;

// Maps the file as data and returns its handle: the mapping's address with the low bit Windows sets
// (LDR_IS_DATAFILE, or LDR_IS_IMAGEMAPPING for LOAD_LIBRARY_AS_IMAGE_RESOURCE).
HMODULE map_data_file(const std::string& path, DWORD flags) {
    std::size_t bytes = 0;
    void* address = host::map_file_as_data(path.c_str(), bytes);
    if (!address) return fail_module(ERROR_BAD_EXE_FORMAT);
    Libraries& libs = libraries();
    {
        std::lock_guard guard(libs.lock);
        libs.data_files.emplace(reinterpret_cast<ULONG_PTR>(address), bytes);
    }
    const ULONG_PTR tag = (flags & LOAD_LIBRARY_AS_IMAGE_RESOURCE) ? 2 : 1;
    return reinterpret_cast<HMODULE>(reinterpret_cast<ULONG_PTR>(address) | tag);
}

// C:\dir\x.dll, or a UNC or device path (\\server\share, \\?\...): a name that depends on no
// current drive or directory.
bool is_fully_qualified(std::u16string_view name) {
    auto separator = [](char16_t c) { return c == u'\\' || c == u'/'; };
    if (name.size() >= 3 && name[1] == u':' && separator(name[2])) return true;
    return name.size() >= 2 && separator(name[0]) && separator(name[1]);
}

// Where a name is looked for. A name with a path is opened as given. A bare name: without a
// LOAD_LIBRARY_SEARCH flag, the program's directory then the current directory (the standard
// order's first and last places that exist here); with them, only the program's directory, when
// LOAD_LIBRARY_SEARCH_APPLICATION_DIR or _DEFAULT_DIRS asks for it (system32 holds only the
// modules that are this library, and AddDllDirectory does not exist, so the other places are empty).
std::vector<std::string> candidates_for(const std::u16string& name, DWORD flags) {
    std::vector<std::string> candidates;
    if (name.find_first_of(u"\\/:") != std::u16string::npos) {
        candidates.push_back(to_host(name));
        return candidates;
    }
    const bool searched = (flags & kSearchFlags) != 0;
    if (!searched || (flags & (LOAD_LIBRARY_SEARCH_APPLICATION_DIR | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS))) {
        const std::string program = host::program_path();
        candidates.push_back(program.substr(0, program.rfind('/') + 1) + win32::utf16_to_ansi(name));
    }
    if (!searched) candidates.push_back(to_host(name));
    return candidates;
}

HMODULE load(std::u16string_view requested, DWORD flags) {
    if (requested.empty()) return fail_module(ERROR_INVALID_PARAMETER);
    if (is_system_module(requested)) return reinterpret_cast<HMODULE>(ntio_base());
    const std::u16string name = with_extension(requested);
    for (const std::string& path : candidates_for(name, flags)) {
        if (path.empty() || access(path.c_str(), F_OK) != 0) continue;
        if (flags & kDataFileFlags) return map_data_file(path, flags);
        // DONT_RESOLVE_DLL_REFERENCES: symbols are bound when first used rather than now (there is
        // no DllMain to skip). NT deviation: the object's dependencies are still loaded and its ELF
        // constructors still run.
        const int mode = (flags & DONT_RESOLVE_DLL_REFERENCES) ? RTLD_LAZY : RTLD_NOW;
        void* handle = dlopen(path.c_str(), mode | RTLD_LOCAL);
        if (!handle) return fail_module(ERROR_BAD_EXE_FORMAT);
        link_map* map = nullptr;
        const ULONG_PTR base = dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map ? base_of(map->l_ld) : 0;
        if (!base) {
            dlclose(handle);
            return fail_module(ERROR_BAD_EXE_FORMAT);
        }
        Libraries& libs = libraries();
        std::lock_guard guard(libs.lock);
        libs.handles.emplace(base, handle);
        return reinterpret_cast<HMODULE>(base);
    }
    return fail_module(ERROR_MOD_NOT_FOUND);
}

// A loaded module by name: its file name, compared without case, with ".dll" added as LoadLibrary
// adds it.
HMODULE by_name(std::u16string_view requested) {
    if (is_system_module(requested)) return reinterpret_cast<HMODULE>(ntio_base());
    const std::u16string wanted = lower(base_name(with_extension(requested)));
    const std::vector<LoadedObject> objects = loaded_objects();
    for (std::size_t i = 0; i < objects.size(); ++i) {
        const std::string path = i == 0 ? host::program_path() : objects[i].path;
        if (lower(base_name(win32::ansi_to_utf16(path))) == wanted) return reinterpret_cast<HMODULE>(objects[i].base);
    }
    return fail_module(ERROR_MOD_NOT_FOUND);
}

template <class Char>
DWORD file_name(HMODULE module, Char* buffer, DWORD size) {
    std::string path;
    bool is_main = false;
    const ULONG_PTR base = module ? reinterpret_cast<ULONG_PTR>(module) : main_base();
    if (!find_object(base, path, is_main) || path.empty()) {
        SetLastError(ERROR_MOD_NOT_FOUND);
        return 0;
    }
    // The text in the caller's characters (never a std::basic_string<WCHAR>: wchar_t is 2 bytes here
    // and the C++ library's wide strings are built for 4).
    const std::u16string dos = to_dos(path);
    std::string narrow;
    if constexpr (sizeof(Char) == 1) narrow = win32::utf16_to_ansi(dos);
    const auto& text = [&]() -> const auto& {
        if constexpr (sizeof(Char) == 1) return narrow;
        else return dos;
    }();
    // "If the buffer is too small to hold the module name, the string is truncated to nSize
    // characters including the terminating null character, the function returns nSize, and the
    // function sets the last error to ERROR_INSUFFICIENT_BUFFER."
    if (!buffer || size == 0) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    if (text.size() + 1 > size) {
        std::copy_n(text.data(), size - 1, buffer);
        buffer[size - 1] = 0;
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return size;
    }
    std::copy(text.begin(), text.end(), buffer);
    buffer[text.size()] = 0;
    return static_cast<DWORD>(text.size());
}

}  // namespace

extern "C" {

HMODULE WINAPI GetModuleHandleW(LPCWSTR lpModuleName) {
    return lpModuleName ? by_name(win32::wide(lpModuleName)) : reinterpret_cast<HMODULE>(main_base());
}

HMODULE WINAPI GetModuleHandleA(LPCSTR lpModuleName) {
    return lpModuleName ? by_name(win32::ansi_to_utf16(lpModuleName)) : reinterpret_cast<HMODULE>(main_base());
}

DWORD WINAPI GetModuleFileNameW(HMODULE hModule, LPWSTR lpFilename, DWORD nSize) {
    return file_name(hModule, lpFilename, nSize);
}

DWORD WINAPI GetModuleFileNameA(HMODULE hModule, LPSTR lpFilename, DWORD nSize) {
    return file_name(hModule, lpFilename, nSize);
}

// The module's own export of that name (not one of a library it depends on). Ordinals: ELF objects
// have none (ERROR_PROC_NOT_FOUND).
FARPROC WINAPI GetProcAddress(HMODULE hModule, LPCSTR lpProcName) {
    const ULONG_PTR base = hModule ? reinterpret_cast<ULONG_PTR>(hModule) : main_base();
    std::string path;
    bool is_main = false;
    if (!find_object(base, path, is_main)) {
        SetLastError(ERROR_MOD_NOT_FOUND);
        return nullptr;
    }
    if (!lpProcName || IS_INTRESOURCE(lpProcName)) {
        SetLastError(ERROR_PROC_NOT_FOUND);
        return nullptr;
    }
    void* handle = is_main ? dlopen(nullptr, RTLD_LAZY) : dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    void* symbol = handle ? dlsym(handle, lpProcName) : nullptr;
    if (handle) dlclose(handle);
    if (!symbol || base_of(symbol) != base) {
        SetLastError(ERROR_PROC_NOT_FOUND);
        return nullptr;
    }
    return reinterpret_cast<FARPROC>(symbol);
}

HMODULE WINAPI LoadLibraryW(LPCWSTR lpLibFileName) {
    if (!lpLibFileName) return fail_module(ERROR_INVALID_PARAMETER);
    win32::ensure_system();
    return load(win32::wide(lpLibFileName), 0);
}

HMODULE WINAPI LoadLibraryA(LPCSTR lpLibFileName) {
    if (!lpLibFileName) return fail_module(ERROR_INVALID_PARAMETER);
    win32::ensure_system();
    return load(win32::ansi_to_utf16(lpLibFileName), 0);
}

// The checks LoadLibraryEx makes before it looks for the file, all ERROR_INVALID_PARAMETER: hFile
// "must be NULL"; LOAD_WITH_ALTERED_SEARCH_PATH "cannot be combined with any LOAD_LIBRARY_SEARCH
// flag"; with LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR "lpFileName must specify a fully qualified path".
// A guess: a flag libloaderapi.h does not define is ERROR_INVALID_PARAMETER too.
HMODULE WINAPI LoadLibraryExW(LPCWSTR lpLibFileName, HANDLE hFile, DWORD dwFlags) {
    if (!lpLibFileName || hFile || (dwFlags & ~kKnownFlags) ||
        ((dwFlags & LOAD_WITH_ALTERED_SEARCH_PATH) && (dwFlags & kSearchFlags)))
        return fail_module(ERROR_INVALID_PARAMETER);
    win32::ensure_system();
    const std::u16string_view name = win32::wide(lpLibFileName);
    if ((dwFlags & LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR) && !is_fully_qualified(name))
        return fail_module(ERROR_INVALID_PARAMETER);
    return load(name, dwFlags);
}

HMODULE WINAPI LoadLibraryExA(LPCSTR lpLibFileName, HANDLE hFile, DWORD dwFlags) {
    if (!lpLibFileName) return fail_module(ERROR_INVALID_PARAMETER);
    const std::u16string name = win32::ansi_to_utf16(lpLibFileName);
    return LoadLibraryExW(reinterpret_cast<LPCWSTR>(name.c_str()), hFile, dwFlags);
}

// One LoadLibrary's reference dropped; the program and this library stay whatever is asked.
BOOL WINAPI FreeLibrary(HMODULE hLibModule) {
    const auto base = reinterpret_cast<ULONG_PTR>(hLibModule);
    if (base && (base == ntio_base() || base == main_base())) return TRUE;
    void* handle = nullptr;
    {
        Libraries& libs = libraries();
        std::lock_guard guard(libs.lock);
        // A file LoadLibraryEx mapped as data: its handle is the mapping's address with a low bit set.
        if (base & 3) {
            const auto data = libs.data_files.find(base & ~ULONG_PTR{3});
            if (data == libs.data_files.end()) {
                SetLastError(ERROR_MOD_NOT_FOUND);
                return FALSE;
            }
            host::unmap_file_data(reinterpret_cast<void*>(data->first), data->second);
            libs.data_files.erase(data);
            return TRUE;
        }
        const auto it = libs.handles.find(base);
        if (it != libs.handles.end()) {
            handle = it->second;
            libs.handles.erase(it);
        }
    }
    if (!handle) {
        SetLastError(ERROR_MOD_NOT_FOUND);
        return FALSE;
    }
    dlclose(handle);
    return TRUE;
}

}  // extern "C"
