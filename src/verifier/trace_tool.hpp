// `ntio trace`: the exporters of the native IRP event records (verifier-and-inspector.md 7.2), which
// a System records when NTIO_TRACE=file is set, to Perfetto / Chrome trace-event JSON (7.4) and
// Process Monitor CSV (7.3).
#pragma once

#include <string>

#include "verifier/verifier.hpp"

namespace ntio::verifier {

// Trace events of the I/O manager's final stage (irp_final_stage.cpp calls them behind its one
// branch on active(); they record only while tracing): the user APC carrying a completion runs in
// the requesting thread (apc_deliver, before the IRP is freed), a completion packet goes to the
// file's port (iocp_post).
void trace_apc_deliver(PIRP irp) noexcept;
void trace_iocp_post(PIRP irp, PFILE_OBJECT file) noexcept;

// `ntio trace export --chrome-json|--procmon-csv IN OUT`; argv[0] is "trace". Returns the exit code.
int trace_main(int argc, char** argv);

// The converters over the JSON-lines text of a recorded trace; false (and why, in error) on bad input.
bool export_chrome_json(const std::string& records, std::string& out, std::string& error);
bool export_procmon_csv(const std::string& records, std::string& out, std::string& error);

// The records this process recorded so far (every thread's ring, oldest first), as JSON lines.
std::string recorded_trace();
// Turns recording of every driver's IRPs on or off (what NTIO_TRACE does at start-up).
void set_trace_recording(bool on) noexcept;

}  // namespace ntio::verifier
