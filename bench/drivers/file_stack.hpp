// A named null device under three pass-through filters, opened with NtCreateFile, for the gates that
// go through the Nt* services (A3, A4, B2). The null driver's reads either complete at once, or pend
// and park until the bench completes them in a batch on its own thread, or pend and are completed
// by a simulated "hardware" thread on another cpu after a fixed device latency.
#pragma once

#include <string>

#include <wdm.h>

namespace ntio::bench {

enum class ReadMode {
    kComplete,  // complete at once with Information = Length (gate A3)
    kPark,      // IoMarkIrpPending, park, STATUS_PENDING; complete_parked() finishes them (gate A4)
    kHardware,  // IoMarkIrpPending, hand to the hardware thread, STATUS_PENDING (gate B2)
};

struct FileStack {
    ReadMode mode = ReadMode::kComplete;
    PDEVICE_OBJECT devices[4] = {};   // [0] named null device, [1..3] filters
    PDRIVER_OBJECT drivers[2] = {};   // null driver, filter driver (referenced)
    std::u16string device_name;
};

// Loads the drivers for `mode` and builds the stack (one stack per mode and `instance` may exist at
// a time). For kHardware the hardware thread starts pinned to `hardware_cpu` and completes each read
// `latency_ns` after it was dispatched.
FileStack build_file_stack(ReadMode mode, int hardware_cpu = 1, double latency_ns = 0, int instance = 0);
// Every handle must be closed and every read completed first.
void destroy_file_stack(FileStack& stack);

// NtCreateFile on the stack's device: FILE_SYNCHRONOUS_IO_NONALERT when `synchronous`, else an
// asynchronous file object (ready for a completion port).
HANDLE open_file_stack(const FileStack& stack, bool synchronous);

// kPark: completes every parked read (STATUS_SUCCESS, Information = Length) on the calling thread,
// as a driver's DPC would after the hardware finished a batch. Returns how many.
ULONG complete_parked(const FileStack& stack);

// Benchmarks are not tests, but a broken path must not produce a figure: prints and exits.
void require(bool condition, const char* what, long value = 0);

}  // namespace ntio::bench
