// Dump files: a Snapshot as a versioned JSON document ("format": "ntio-dump", "version": 1), written
// on demand or at a bugcheck and loaded back so that every inspector command runs post-mortem.
#pragma once

#include <cstdint>
#include <string>

#include "inspect/snapshot.hpp"

namespace ntio::inspect {

// Captures `system` and writes the dump to `path` (through a temporary file renamed into place).
// False with a one-line reason in *error when the file cannot be written.
bool write_dump(System& system, const std::string& path, std::string* error = nullptr);
bool write_dump(const Snapshot& snapshot, const std::string& path, std::string* error = nullptr);

// Loads a dump. False with a one-line reason in error for a missing file, a file that is not an
// ntio dump, or a version this build does not read.
bool load_dump(const std::string& path, Snapshot& out, std::string& error);

// The document itself (tests, `--json` output).
std::string to_json_text(const Snapshot& snapshot, int indent = -1);
bool from_json_text(const std::string& text, Snapshot& out, std::string& error);

// NTIO_DUMP_DIR (else the current directory) + "/ntio-<pid>-<time>.dmp".
std::string default_dump_path();

// What the verifier said of the violation a bugcheck stops for: its report and the driver it blames
// (both "" when it reported none for this code and these parameters). The verifier installs its
// provider once (process-wide); the bugcheck dump writer records the answer in the dump.
struct BugcheckReport {
    std::string text;
    std::string driver;
};
using BugcheckReportProvider = BugcheckReport (*)(std::uint32_t code, const unsigned long long* params);
void set_bugcheck_report_provider(BugcheckReportProvider provider) noexcept;

// Installs the bugcheck dump writer (idempotent): on an unhooked bugcheck it writes a dump of the
// bugchecking thread's System to default_dump_path() and prints "Dump file: <path>" on the stop screen.
void install_bugcheck_dump_writer();

}  // namespace ntio::inspect
