// Shared pieces of the command implementations (internal to src/inspect): argument parsing, the
// WinDbg number and name conventions, NT code names, and one entry point per command family.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inspect/snapshot.hpp"

namespace ntio::inspect::kd {

using Args = std::vector<std::string>;

// "%016llx", the pointer width WinDbg uses on x64. NT deviation: without WinDbg's backtick between
// the halves, so that addresses paste back into commands and scripts unchanged (both are accepted).
std::string ptr(Addr a);
std::string hex(std::uint64_t v, int width);
// WinDbg reads numbers in radix 16; "0n" prefixes decimal, "0x" hex. nullopt when not a number.
std::optional<std::uint64_t> parse_number(std::string_view text);
// Decimal, for flags and sequence numbers given as plain numbers.
std::optional<std::uint64_t> parse_decimal(std::string_view text);

// IRP_MJ_* and IRP_MN_* names (minor names for PnP, power, WMI and FSCTL majors; "N/A" else).
const char* major_name(unsigned major);
std::string minor_name(unsigned major, unsigned minor);

// Each returns 0 or an error (out then holds the error line).
int cmd_irp(const Snapshot& s, const Args& a, std::string& out);
int cmd_irpfind(const Snapshot& s, const Args& a, std::string& out);
int cmd_devobj(const Snapshot& s, const Args& a, std::string& out);
int cmd_drvobj(const Snapshot& s, const Args& a, std::string& out);
int cmd_devstack(const Snapshot& s, const Args& a, std::string& out);
int cmd_object(const Snapshot& s, const Args& a, std::string& out);
int cmd_handle(const Snapshot& s, const Args& a, std::string& out);
int cmd_thread(const Snapshot& s, const Args& a, std::string& out);
int cmd_process(const Snapshot& s, const Args& a, std::string& out);
int cmd_poolused(const Snapshot& s, const Args& a, std::string& out);
int cmd_ioctldecode(const Snapshot& s, const Args& a, std::string& out);
int cmd_fileobj(const Snapshot& s, const Args& a, std::string& out);
int cmd_vpb(const Snapshot& s, const Args& a, std::string& out);
int cmd_analyze(const Snapshot& s, const Args& a, std::string& out);
// The debugger's lm (not an extension: no '!').
int cmd_lm(const Snapshot& s, const Args& a, std::string& out);

// The !irp block of one IRP (used by !irp and !irpfind -v).
void format_irp(const Snapshot& s, const IrpSnap& irp, bool detail, std::string& out);
// The !devobj block of one device (used by !devobj and !drvobj with flag 4).
void format_devobj(const Snapshot& s, const DeviceSnap& d, std::string& out);
// !thread's block for one thread.
void format_thread(const Snapshot& s, const ThreadSnap& t, std::string& out);

int fail(std::string& out, const std::string& line);

// What a command showed, for --json output: each command records the snapshot entries it prints.
// Recording happens only while run_kd_command runs a --json command on this thread.
struct Selection {
    std::vector<const IrpSnap*> irps;
    std::vector<const DeviceSnap*> devices;
    std::vector<const DriverSnap*> drivers;
    std::vector<const ObjectSnap*> objects;
    std::vector<const HandleSnap*> handles;
    std::vector<const ThreadSnap*> threads;
    std::vector<const ProcessSnap*> processes;
    std::vector<const PoolSnap*> pool;
};
void record(const IrpSnap& v);
void record(const DeviceSnap& v);
void record(const DriverSnap& v);
void record(const ObjectSnap& v);
void record(const HandleSnap& v);
void record(const ThreadSnap& v);
void record(const ProcessSnap& v);
void record(const PoolSnap& v);

}  // namespace ntio::inspect::kd
