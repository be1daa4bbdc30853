// The process's console: GetStdHandle and SetStdHandle over handles to \Device\ConDrv objects opened
// on first use, AllocConsole, FreeConsole, AttachConsole, GetConsoleWindow, the title and the console
// code pages (ntio's are UTF-8 only). https://learn.microsoft.com/windows/console/console-functions
#include <map>
#include <utility>

#include "io/console_driver.hpp"
#include "ntio/system.hpp"
#include "nt/user_memory.hpp"
#include "win32/console.hpp"

using namespace ntio;

namespace ntio::win32::console {
namespace {

// NT deviation: kept in a host-wide table keyed by (System, process), not in the PEB.
struct Table {
    std::mutex lock;
    std::map<std::pair<const void*, const void*>, ProcessConsole> by_process;
    std::map<const void*, bool> hooked;
};
Table& table() {
    static Table* t = new Table();
    return *t;
}

void forget_system(void* system) {
    Table& t = table();
    std::lock_guard guard(t.lock);
    t.hooked.erase(system);
    for (auto it = t.by_process.begin(); it != t.by_process.end();)
        it = it->first.first == system ? t.by_process.erase(it) : std::next(it);
}

// STD_INPUT_HANDLE .. STD_ERROR_HANDLE as 0..2, else -1.
int slot_of(DWORD which) {
    if (which == STD_INPUT_HANDLE) return 0;
    if (which == STD_OUTPUT_HANDLE) return 1;
    if (which == STD_ERROR_HANDLE) return 2;
    return -1;
}

// Opens the console object a standard handle names: synchronous, readable and writable as the
// handles Windows gives a console process are.
HANDLE open_object(int slot) {
    static const char16_t* const kNames[] = {io::console::kInputName, io::console::kOutputName,
                                             io::console::kErrorName};
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, reinterpret_cast<PCWSTR>(kNames[slot]));
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    HANDLE handle = nullptr;
    const NTSTATUS status =
        NtCreateFile(&handle, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, &attributes, &iosb, nullptr, 0,
                     FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
    return NT_SUCCESS(status) ? handle : nullptr;
}

// A console code page: ntio's consoles speak UTF-8 only.
BOOL set_code_page(UINT page) {
    win32::ensure_system();
    if (page == CP_UTF8) return TRUE;
    // NT deviation: every other code page, installed on Windows or not, is refused as an invalid one.
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
}

}  // namespace

std::mutex& table_lock() { return table().lock; }

ProcessConsole& process_console_locked() {
    System& system = ensure_system();
    Table& t = table();
    if (t.hooked.emplace(&system, true).second) system.at_shutdown(forget_system, &system);
    return t.by_process[{&system, PsGetCurrentProcess()}];
}

NTSTATUS control(HANDLE handle, ULONG code, const void* in, ULONG in_length, void* out, ULONG out_length,
                 ULONG_PTR* information) {
    ensure_system();
    FILE_FS_DEVICE_INFORMATION device{};
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = NtQueryVolumeInformationFile(handle, &iosb, &device, sizeof(device), FileFsDeviceInformation);
    if (!NT_SUCCESS(status) || device.DeviceType != FILE_DEVICE_CONSOLE) return STATUS_INVALID_HANDLE;
    iosb = {};
    status = NtDeviceIoControlFile(handle, nullptr, nullptr, nullptr, &iosb, code, const_cast<void*>(in), in_length,
                                   out, out_length);
    if (information) *information = NT_SUCCESS(status) ? iosb.Information : 0;
    return status;
}

}  // namespace ntio::win32::console

using ntio::win32::console::ProcessConsole;
using ntio::win32::console::with_process_console;

extern "C" {

// https://learn.microsoft.com/windows/console/getstdhandle: "If the function fails, the return value
// is INVALID_HANDLE_VALUE"; with no console and no handle set, NULL. The console's objects open on the
// first call that needs them (NT deviation: Windows opens them when the process starts).
HANDLE WINAPI GetStdHandle(DWORD nStdHandle) {
    const int slot = win32::console::slot_of(nStdHandle);
    if (slot < 0) {
        win32::ensure_system();
        SetLastError(ERROR_INVALID_HANDLE);
        return INVALID_HANDLE_VALUE;
    }
    return with_process_console([&](ProcessConsole& console) -> HANDLE {
        if (!console.set[slot] && console.attached) {
            console.standard[slot] = win32::console::open_object(slot);
            console.set[slot] = console.standard[slot] != nullptr;
        }
        return console.set[slot] ? console.standard[slot] : nullptr;
    });
}

// https://learn.microsoft.com/windows/console/setstdhandle: the handle is stored as given, not
// checked or duplicated.
BOOL WINAPI SetStdHandle(DWORD nStdHandle, HANDLE hHandle) {
    const int slot = win32::console::slot_of(nStdHandle);
    if (slot < 0) {
        win32::ensure_system();
        SetLastError(ERROR_INVALID_HANDLE);  // a guess: Learn names no error
        return FALSE;
    }
    with_process_console([&](ProcessConsole& console) {
        console.standard[slot] = hHandle;
        console.set[slot] = true;
    });
    return TRUE;
}

// https://learn.microsoft.com/windows/console/allocconsole: "A process can be associated with only
// one console, so the AllocConsole function fails if the calling process already has a console."
// The new console is the host's terminal again; its standard handles open anew on first use.
BOOL WINAPI AllocConsole(VOID) {
    const bool allocated = with_process_console([](ProcessConsole& console) {
        if (console.attached) return false;
        console.attached = true;
        for (bool& set : console.set) set = false;
        return true;
    });
    if (allocated) return TRUE;
    SetLastError(ERROR_ACCESS_DENIED);
    return FALSE;
}

// https://learn.microsoft.com/windows/console/freeconsole. NT deviation: the standard handles stay
// open and keep reaching the host's descriptors.
BOOL WINAPI FreeConsole(VOID) {
    with_process_console([](ProcessConsole& console) { console.attached = false; });
    return TRUE;
}

// https://learn.microsoft.com/windows/console/attachconsole: "If the calling process is already
// attached to a console, the error code returned is ERROR_ACCESS_DENIED"; "If the specified process
// does not exist, the error code returned is ERROR_INVALID_PARAMETER". Every process of a System
// shares the host's terminal, so the caller's own id and ATTACH_PARENT_PROCESS reach it.
BOOL WINAPI AttachConsole(DWORD dwProcessId) {
    const DWORD self = GetCurrentProcessId();
    const DWORD error = with_process_console([&](ProcessConsole& console) -> DWORD {
        if (console.attached) return ERROR_ACCESS_DENIED;
        // NT deviation (a guess): any other process id is taken as one that does not exist.
        if (dwProcessId != ATTACH_PARENT_PROCESS && dwProcessId != self) return ERROR_INVALID_PARAMETER;
        console.attached = true;
        for (bool& set : console.set) set = false;
        return ERROR_SUCCESS;
    });
    if (error == ERROR_SUCCESS) return TRUE;
    SetLastError(error);
    return FALSE;
}

// NT deviation: the console is the host's terminal, which has no window handle.
HWND WINAPI GetConsoleWindow(VOID) {
    win32::ensure_system();
    return nullptr;
}

UINT WINAPI GetConsoleCP(VOID) {
    win32::ensure_system();
    return CP_UTF8;
}
UINT WINAPI GetConsoleOutputCP(VOID) {
    win32::ensure_system();
    return CP_UTF8;
}
BOOL WINAPI SetConsoleCP(UINT wCodePageID) { return win32::console::set_code_page(wCodePageID); }
BOOL WINAPI SetConsoleOutputCP(UINT wCodePageID) { return win32::console::set_code_page(wCodePageID); }

// https://learn.microsoft.com/windows/console/getconsoletitle: the title is kept in memory (the host
// terminal's own title is not read or set); it starts as the program's path, as a console a program
// was started in is titled (a guess). "If the buffer is too small to store the title, the function
// stores as many characters of the title as will fit in the buffer, ending with a null terminator";
// the return value is "the length of the console window's title", the whole title's (a guess).
DWORD WINAPI GetConsoleTitleW(LPWSTR lpConsoleTitle, DWORD nSize) {
    std::u16string title = with_process_console([](ProcessConsole& console) {
        if (!console.title_set) {
            WCHAR path[MAX_PATH];
            const DWORD length = GetModuleFileNameW(nullptr, path, MAX_PATH);
            console.title.assign(reinterpret_cast<const char16_t*>(path), length < MAX_PATH ? length : 0);
            console.title_set = true;
        }
        return console.title;
    });
    if (nSize == 0 || !lpConsoleTitle) {
        SetLastError(ERROR_INVALID_PARAMETER);  // a guess: nowhere to put even the NUL
        return 0;
    }
    const DWORD length = static_cast<DWORD>(title.size());
    if (title.size() >= nSize) title.resize(nSize - 1);
    title.push_back(u'\0');
    if (NTSTATUS status = nt::copy_to_user(lpConsoleTitle, title.data(), title.size() * sizeof(WCHAR), 1);
        !NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    SetLastError(ERROR_SUCCESS);
    return length;
}

DWORD WINAPI GetConsoleTitleA(LPSTR lpConsoleTitle, DWORD nSize) {
    WCHAR probe[1];
    const DWORD wide_length = GetConsoleTitleW(probe, 1);
    std::u16string wide(wide_length + 1, u'\0');
    (void)GetConsoleTitleW(reinterpret_cast<LPWSTR>(wide.data()), wide_length + 1);
    wide.resize(wide_length);
    std::string title = win32::utf16_to_ansi(wide);
    if (nSize == 0 || !lpConsoleTitle) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    const DWORD length = static_cast<DWORD>(title.size());
    if (title.size() >= nSize) title.resize(nSize - 1);
    title.push_back('\0');
    if (NTSTATUS status = nt::copy_to_user(lpConsoleTitle, title.data(), title.size(), 1); !NT_SUCCESS(status)) {
        win32::set_last_nt_error(status);
        return 0;
    }
    return length;
}

BOOL WINAPI SetConsoleTitleW(LPCWSTR lpConsoleTitle) {
    win32::ensure_system();
    if (!lpConsoleTitle) {
        SetLastError(ERROR_INVALID_PARAMETER);  // a guess
        return FALSE;
    }
    std::u16string title(reinterpret_cast<const char16_t*>(lpConsoleTitle));
    with_process_console([&](ProcessConsole& console) {
        console.title = std::move(title);
        console.title_set = true;
    });
    return TRUE;
}

BOOL WINAPI SetConsoleTitleA(LPCSTR lpConsoleTitle) {
    win32::ensure_system();
    if (!lpConsoleTitle) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    const std::u16string title = win32::ansi_to_utf16(lpConsoleTitle);
    return SetConsoleTitleW(reinterpret_cast<LPCWSTR>(title.c_str()));
}

}  // extern "C"
