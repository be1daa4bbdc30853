// Console control handlers: SetConsoleCtrlHandler keeps the process's list and GenerateConsoleCtrlEvent
// calls it on a new thread, newest handler first, until one returns TRUE; when none does, the default
// handler ends the process. The host's SIGINT is CTRL+C. https://learn.microsoft.com/windows/console/handlerroutine
#include <new>

#include "host/console.hpp"
#include "host/process.hpp"
#include "win32/console.hpp"

using namespace ntio;
namespace console = ntio::win32::console;

namespace {

// Exit status of a process that a CTRL+C or CTRL+BREAK ended (ntstatus.h).
constexpr NTSTATUS kControlCExit = static_cast<NTSTATUS>(0xC000013Au);

struct Signal {
    DWORD type;
};

// Calls the handlers newest first until one returns TRUE, else the default handler.
void run_handlers(DWORD type) {
    std::vector<PHANDLER_ROUTINE> handlers;
    bool ignored = false;
    bool attached = true;
    console::with_process_console([&](console::ProcessConsole& state) {
        handlers = state.handlers;
        ignored = type == CTRL_C_EVENT && state.ignore_ctrl_c;
        attached = state.attached;
    });
    if (ignored || !attached) return;
    for (auto it = handlers.rbegin(); it != handlers.rend(); ++it)
        if ((*it)(type)) return;
    // The default handler "calls the ExitProcess function" (the host keeps the status's low byte, 0x3A,
    // as the process's exit status).
    ExitProcess(static_cast<UINT>(kControlCExit));
}

// "the system creates a new thread in the process to execute the function"
// (https://learn.microsoft.com/windows/console/handlerroutine).
DWORD WINAPI dispatch_signal(LPVOID parameter) {
    const DWORD type = static_cast<Signal*>(parameter)->type;
    delete static_cast<Signal*>(parameter);
    run_handlers(type);
    return 0;
}

// A SIGINT of the host process is the terminal's CTRL+C, on the new thread the host started.
void on_host_interrupt() {
    win32::ensure_system();
    run_handlers(CTRL_C_EVENT);
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows/console/setconsolectrlhandler: a null routine with Add TRUE makes
// the process ignore CTRL+C, with FALSE restores it. Removing a routine that is not in the list fails
// (ERROR_INVALID_PARAMETER, a guess).
// From the first call on, the host's SIGINT raises CTRL_C_EVENT (before it, SIGINT keeps the host's
// default action, which ends the process as the default handler would).
BOOL WINAPI SetConsoleCtrlHandler(PHANDLER_ROUTINE HandlerRoutine, BOOL Add) {
    (void)host::console::watch_interrupts(on_host_interrupt);
    const bool done = console::with_process_console([&](console::ProcessConsole& state) {
        if (!HandlerRoutine) {
            state.ignore_ctrl_c = Add != FALSE;
            return true;
        }
        if (Add) {
            state.handlers.push_back(HandlerRoutine);
            return true;
        }
        for (auto it = state.handlers.rbegin(); it != state.handlers.rend(); ++it) {
            if (*it == HandlerRoutine) {
                state.handlers.erase(std::next(it).base());
                return true;
            }
        }
        return false;
    });
    if (done) return TRUE;
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
}

// https://learn.microsoft.com/windows/console/generateconsolectrlevent: CTRL_C_EVENT or
// CTRL_BREAK_EVENT; group 0 is every process on the console. "CTRL_C_EVENT ... This signal cannot be
// limited to a specific process group": with a group, the call succeeds and nobody receives it.
// NT deviation: the console's processes are the caller's alone (the other processes of the System
// share the terminal but are not signalled), and a group is the caller's own id or unknown
// (ERROR_INVALID_PARAMETER, a guess).
BOOL WINAPI GenerateConsoleCtrlEvent(DWORD dwCtrlEvent, DWORD dwProcessGroupId) {
    if (dwCtrlEvent != CTRL_C_EVENT && dwCtrlEvent != CTRL_BREAK_EVENT) {
        win32::ensure_system();
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    const bool attached = console::with_process_console([](console::ProcessConsole& state) { return state.attached; });
    if (!attached) {
        SetLastError(ERROR_INVALID_HANDLE);  // a guess: no console to signal
        return FALSE;
    }
    if (dwProcessGroupId != 0) {
        if (dwProcessGroupId != GetCurrentProcessId()) {
            SetLastError(ERROR_INVALID_PARAMETER);
            return FALSE;
        }
        if (dwCtrlEvent == CTRL_C_EVENT) return TRUE;
    }
    auto* signal = new (std::nothrow) Signal{dwCtrlEvent};
    if (!signal) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    HANDLE thread = CreateThread(nullptr, 0, dispatch_signal, signal, 0, nullptr);
    if (!thread) {
        delete signal;
        return FALSE;
    }
    CloseHandle(thread);
    return TRUE;
}

}  // extern "C"
