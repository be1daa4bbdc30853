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

// Called first thing on every bugcheck, hooked (tests) or not, on the bugchecking thread, before the
// hook or the stop screen: the verifier resets per-thread state a test hook's longjmp would leave
// stale, and prepares its report. Must be async-signal-tolerant. Returns the previous observer.
using BugCheckObserver = void (*)(ULONG code, const ULONG_PTR params[4]);
BugCheckObserver set_bugcheck_observer(BugCheckObserver observer) noexcept;

// Dump writers run on the unhooked path after the stop screen and the reporter, in registration
// order, just before the process aborts (never when a test hook takes the bugcheck). A writer writes
// its dump and may print a line (e.g. the dump's path) to fd. Must be async-signal-tolerant: it may run
// from a fault handler. Up to kMaxBugCheckDumpWriters at once; add returns 0 when all slots are taken,
// else a token for remove. Registration is lock-free and may race with a bugcheck on another thread.
using BugCheckDumpWriter = void (*)(ULONG code, const ULONG_PTR params[4], int fd, void* context);
inline constexpr unsigned kMaxBugCheckDumpWriters = 32;
unsigned add_bugcheck_dump_writer(BugCheckDumpWriter writer, void* context = nullptr) noexcept;
void remove_bugcheck_dump_writer(unsigned token) noexcept;

// Runs the drivers' bug-check callbacks (KeRegisterBugCheckCallback, and the reason callbacks for
// KbCallbackSecondaryDumpData, whose data goes to a file next to the dumps: NTIO_DUMP_DIR or the
// current directory, named ntio-<pid>-<guid>.secondary; its path is printed to fd). The unhooked
// bugcheck path calls it after the dump writers; tests call it directly.
void run_bugcheck_callbacks(ULONG code, const ULONG_PTR params[4], int fd) noexcept;

// Formats the classic stop line, "*** STOP: 0x0000000A (0x..., 0x..., 0x..., 0x...)", into buf.
void format_stop_line(char* buf, std::size_t size, ULONG code, const ULONG_PTR params[4]) noexcept;

}  // namespace ntio::rtl
