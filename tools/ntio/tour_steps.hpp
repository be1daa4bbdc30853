// What the parts of the guided tour share (tour.cpp, tour_fat.cpp): step titles, checked lines that
// count failures, opening a device through CreateFileW, the stack above a device and the trace
// filter's records.
#pragma once

#include <string>

#include <windows.h>
#include <wdm.h>

namespace ntio::tool::tour {

void step(const std::string& title);
// Prints "ok" or "FAIL" and the line; a failure makes the tour exit non-zero.
void check(bool ok, const std::string& what);
int failures();

HANDLE open_device(const wchar_t* path, DWORD flags);
// The stack above `device` (any device of it), top first, by driver name.
std::string stack_of(PDEVICE_OBJECT device);
// Prints what trace.sys recorded since the last call, oldest first: at most `shown` records, then a
// count of the rest by major function.
void show_trace(const std::string& title, unsigned shown);

}  // namespace ntio::tool::tour
