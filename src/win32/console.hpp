// What kernel32 keeps for the calling process's console: the standard handles (the PEB's
// StandardInput/Output/Error), whether a console is attached, the title, the control handlers and the
// input ReadConsoleW has read but not returned yet. Shared by console_handles.cpp,
// console_io.cpp and console_control.cpp.
#pragma once

#include <string>
#include <vector>

#include "win32/win32.hpp"

namespace ntio::win32::console {

struct ProcessConsole {
    HANDLE standard[3] = {};  // input, output, error; valid when `set`
    bool set[3] = {};
    bool attached = true;
    bool title_set = false;
    std::u16string title;
    std::vector<PHANDLER_ROUTINE> handlers;  // in registration order; called newest first
    bool ignore_ctrl_c = false;
    std::string pending_bytes;     // the start of a UTF-8 sequence a ReadConsoleW read cut off
    std::u16string pending_units;  // what a ReadConsoleW read that its buffer could not take
};

// Runs `body(ProcessConsole&)` under the table's lock for the calling process of the current System.
template <class Body>
auto with_process_console(Body&& body);

std::mutex& table_lock();
ProcessConsole& process_console_locked();

template <class Body>
auto with_process_console(Body&& body) {
    std::lock_guard guard(table_lock());
    return body(process_console_locked());
}

// The status of an I/O control to the console object behind `handle`, with METHOD_BUFFERED buffers.
// A handle that is no \Device\ConDrv object gives STATUS_INVALID_HANDLE, as the driver does for an
// object whose host side is not a terminal.
NTSTATUS control(HANDLE handle, ULONG code, const void* in, ULONG in_length, void* out, ULONG out_length,
                 ULONG_PTR* information);

}  // namespace ntio::win32::console
