// kernel32 file mappings over the section services: CreateFileMapping, OpenFileMapping,
// MapViewOfFile(Ex), UnmapViewOfFile and FlushViewOfFile, with the last errors Windows gives for the
// statuses (ERROR_FILE_INVALID for a zero-length file, ERROR_INVALID_ADDRESS for an address that is
// not a view, ERROR_ALREADY_EXISTS with the handle of an existing named mapping).
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-createfilemappingw
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-openfilemappingw
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-mapviewoffileex
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-unmapviewoffile
// https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-flushviewoffile
#include "win32/win32.hpp"

using namespace ntio;

namespace {

constexpr DWORD kSectionAttributes = 0xFFF00000u;  // the SEC_* bits of flProtect

// The section rights the mapping handle gets: query and read always, write and execute as its
// protection allows, so that a view the protection forbids fails with ERROR_ACCESS_DENIED.
ACCESS_MASK mapping_access(ULONG protection) {
    ACCESS_MASK access = STANDARD_RIGHTS_REQUIRED | SECTION_QUERY | SECTION_MAP_READ;
    const ULONG page = protection & 0xFF;
    if (page == PAGE_READWRITE || page == PAGE_EXECUTE_READWRITE) access |= SECTION_MAP_WRITE;
    if (page >= PAGE_EXECUTE) access |= SECTION_MAP_EXECUTE;
    return access;
}

// FILE_MAP_* -> the view's page protection.
ULONG view_protection(DWORD access) {
    const bool execute = (access & FILE_MAP_EXECUTE) != 0;
    access &= ~static_cast<DWORD>(FILE_MAP_EXECUTE);
    if (access == FILE_MAP_COPY) return execute ? PAGE_EXECUTE_WRITECOPY : PAGE_WRITECOPY;
    if (access & FILE_MAP_WRITE) return execute ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
    if (access & FILE_MAP_READ) return execute ? PAGE_EXECUTE_READ : PAGE_READONLY;
    return execute ? PAGE_EXECUTE : PAGE_NOACCESS;
}

template <class Char>
HANDLE create_mapping(HANDLE file, LPSECURITY_ATTRIBUTES sa, DWORD protect, DWORD high, DWORD low, const Char* name) {
    win32::ensure_system();
    // INVALID_HANDLE_VALUE is the paging file; NULL is no handle at all.
    if (!file) {
        SetLastError(ERROR_INVALID_HANDLE);
        return nullptr;
    }
    ULONG attributes = protect & kSectionAttributes;
    const ULONG protection = protect & ~kSectionAttributes;
    if (!attributes) attributes = SEC_COMMIT;
    win32::NamedObjectAttributes object(name, sa, FALSE, OBJ_OPENIF);
    if (!NT_SUCCESS(object.status())) {
        win32::set_last_nt_error(object.status());
        return nullptr;
    }
    LARGE_INTEGER size;
    size.QuadPart = static_cast<LONGLONG>((static_cast<ULONGLONG>(high) << 32) | low);
    HANDLE handle = nullptr;
    NTSTATUS status = NtCreateSection(&handle, mapping_access(protection), object.get(), size.QuadPart ? &size : nullptr,
                                      protection, attributes, file == INVALID_HANDLE_VALUE ? nullptr : file);
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return nullptr;
    }
    SetLastError(status == STATUS_OBJECT_NAME_EXISTS ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return handle;
}

template <class Char>
HANDLE open_mapping(DWORD access, BOOL inherit, const Char* name) {
    win32::ensure_system();
    if (!name) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return nullptr;
    }
    // FILE_MAP_COPY asks to read: the copy is the view's.
    if (access == FILE_MAP_COPY) access = SECTION_MAP_READ;
    win32::NamedObjectAttributes object(name, nullptr, inherit, 0);
    if (!NT_SUCCESS(object.status())) {
        win32::set_last_nt_error(object.status());
        return nullptr;
    }
    HANDLE handle = nullptr;
    NTSTATUS status = NtOpenSection(&handle, access, object.get());
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return nullptr;
    }
    return handle;
}

}  // namespace

extern "C" {

HANDLE WINAPI CreateFileMappingA(HANDLE hFile, LPSECURITY_ATTRIBUTES sa, DWORD flProtect, DWORD high, DWORD low,
                                 LPCSTR lpName) {
    return create_mapping(hFile, sa, flProtect, high, low, lpName);
}
HANDLE WINAPI CreateFileMappingW(HANDLE hFile, LPSECURITY_ATTRIBUTES sa, DWORD flProtect, DWORD high, DWORD low,
                                 LPCWSTR lpName) {
    return create_mapping(hFile, sa, flProtect, high, low, lpName);
}
HANDLE WINAPI OpenFileMappingA(DWORD access, BOOL inherit, LPCSTR lpName) { return open_mapping(access, inherit, lpName); }
HANDLE WINAPI OpenFileMappingW(DWORD access, BOOL inherit, LPCWSTR lpName) { return open_mapping(access, inherit, lpName); }

LPVOID WINAPI MapViewOfFileEx(HANDLE hFileMappingObject, DWORD dwDesiredAccess, DWORD dwFileOffsetHigh,
                              DWORD dwFileOffsetLow, SIZE_T dwNumberOfBytesToMap, LPVOID lpBaseAddress) {
    win32::ensure_system();
    LARGE_INTEGER offset;
    offset.QuadPart = static_cast<LONGLONG>((static_cast<ULONGLONG>(dwFileOffsetHigh) << 32) | dwFileOffsetLow);
    PVOID base = lpBaseAddress;
    SIZE_T size = dwNumberOfBytesToMap;
    NTSTATUS status = NtMapViewOfSection(hFileMappingObject, NtCurrentProcess(), &base, 0, 0, &offset, &size, ViewShare,
                                         0, view_protection(dwDesiredAccess));
    if (!NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return nullptr;
    }
    return base;
}

LPVOID WINAPI MapViewOfFile(HANDLE hFileMappingObject, DWORD dwDesiredAccess, DWORD dwFileOffsetHigh,
                            DWORD dwFileOffsetLow, SIZE_T dwNumberOfBytesToMap) {
    return MapViewOfFileEx(hFileMappingObject, dwDesiredAccess, dwFileOffsetHigh, dwFileOffsetLow,
                           dwNumberOfBytesToMap, nullptr);
}

BOOL WINAPI UnmapViewOfFile(LPCVOID lpBaseAddress) {
    win32::ensure_system();
    return win32::succeeded(NtUnmapViewOfSection(NtCurrentProcess(), const_cast<PVOID>(lpBaseAddress)));
}

BOOL WINAPI FlushViewOfFile(LPCVOID lpBaseAddress, SIZE_T dwNumberOfBytesToFlush) {
    win32::ensure_system();
    PVOID base = const_cast<PVOID>(lpBaseAddress);
    SIZE_T size = dwNumberOfBytesToFlush;
    IO_STATUS_BLOCK iosb{};
    return win32::succeeded(NtFlushVirtualMemory(NtCurrentProcess(), &base, &size, &iosb));
}

}  // extern "C"
