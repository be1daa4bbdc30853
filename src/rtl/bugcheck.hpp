// Internal bugcheck interface: names and meanings of stop codes for the stop screen and the inspector,
// and a reporter hook through which later components (verifier) append detail to the stop screen.
#pragma once

#include <wdm.h>

namespace ntio::rtl {

// Symbolic name ("DRIVER_IRQL_NOT_LESS_OR_EQUAL") or nullptr for a code bugcodes.h does not define.
const char* bugcheck_name(ULONG code) noexcept;
// One-line meaning, or nullptr when none is recorded.
const char* bugcheck_meaning(ULONG code) noexcept;

// Called on the unhooked path after the STOP lines are written to fd and before the process aborts.
// Must be async-signal-tolerant (it may run from a fault handler). Returns the previous reporter.
using BugCheckReporter = void (*)(ULONG code, const ULONG_PTR params[4], int fd);
BugCheckReporter set_bugcheck_reporter(BugCheckReporter reporter) noexcept;

// Formats the classic stop line, "*** STOP: 0x0000000A (0x..., 0x..., 0x..., 0x...)", into buf.
void format_stop_line(char* buf, std::size_t size, ULONG code, const ULONG_PTR params[4]) noexcept;

}  // namespace ntio::rtl
