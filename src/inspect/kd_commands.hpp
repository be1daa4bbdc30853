// The kd-style inspector commands (!irp, !irpfind, !devobj, !drvobj, !devstack, !object, !handle,
// !thread, !process, !poolused, !ioctldecode, !analyze, and the debugger's lm) in the WinDbg layouts of
// verifier-and-inspector.md section 6. Each runs over a Snapshot, captured live or loaded from a dump.
#pragma once

#include <string>
#include <string_view>

#include "inspect/snapshot.hpp"

namespace ntio { class System; }

namespace ntio::inspect {

// Runs one command line over a fresh snapshot of `system`. Returns 0 with the command's output in
// `out`, or nonzero with a WinDbg-style error line in `out` (unknown command, unknown address or
// name, bad arguments). `out` is replaced. PASSIVE_LEVEL; safe while I/O runs.
int run_kd_command(System& system, std::string_view line, std::string& out);
// The same over a snapshot (post-mortem on a dump, or several commands over one capture).
int run_kd_command(const Snapshot& snapshot, std::string_view line, std::string& out);

}  // namespace ntio::inspect
