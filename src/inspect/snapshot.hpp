// The inspector's model of one System: plain copies of objects, drivers, device stacks, IRPs in flight,
// threads, processes, handles and pool usage by tag, with every routine address already symbolised.
// Commands format a Snapshot, whether it was just captured from a live System or loaded from a dump,
// so every command runs the same way live, attached and post-mortem.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ntio { class System; }

namespace ntio::inspect {

using Addr = std::uint64_t;

// One IO_STACK_LOCATION as it sits in memory.
struct StackLocationSnap {
    std::uint8_t major = 0;
    std::uint8_t minor = 0;
    std::uint8_t flags = 0;
    std::uint8_t control = 0;
    Addr device = 0;
    Addr file = 0;
    Addr completion = 0;
    Addr context = 0;
    std::array<Addr, 4> args{};  // Parameters.Others.Argument1..4
};

struct IrpSnap {
    Addr address = 0;
    std::uint64_t seq = 0;          // inspector sequence number, stable while the IRP is in flight
    std::string found_on;           // "thread", "device-queue"
    std::int16_t type = 0;
    std::uint16_t size = 0;
    std::int16_t stack_count = 0;
    std::int16_t current_location = 0;
    Addr current_stack = 0;         // Tail.Overlay.CurrentStackLocation
    Addr first_stack = 0;           // address of location 1
    std::uint32_t flags = 0;
    std::int32_t status = 0;
    std::uint64_t information = 0;
    std::uint8_t requestor_mode = 0;
    std::uint8_t apc_environment = 0;
    std::uint8_t cancel_irql = 0;
    bool pending_returned = false;
    bool cancel = false;
    Addr mdl = 0;
    Addr mdl_process = 0;
    Addr system_buffer = 0;
    Addr user_buffer = 0;
    Addr user_iosb = 0;
    Addr user_event = 0;
    Addr user_apc_routine = 0;
    Addr user_apc_context = 0;
    Addr cancel_routine = 0;
    Addr thread = 0;                // Tail.Overlay.Thread
    Addr process = 0;               // that thread's process
    Addr original_file = 0;
    std::vector<StackLocationSnap> stack;  // [0] is location 1 (the lowest device)
};

struct DriverSnap {
    Addr address = 0;
    std::string name;               // "\Driver\Null"
    std::string service;
    std::string registry_path;
    std::uint32_t flags = 0;
    bool unload_requested = false;
    bool unloaded = false;
    Addr driver_init = 0;
    Addr start_io = 0;
    Addr unload = 0;
    Addr add_device = 0;
    Addr fast_io = 0;
    std::vector<Addr> major;        // 28 dispatch routines
    std::vector<Addr> devices;      // DeviceObject list order
};

struct DeviceSnap {
    Addr address = 0;
    std::string name;               // "\Device\Null" or empty
    Addr driver = 0;
    std::int32_t reference_count = 0;
    std::uint32_t device_type = 0;
    std::uint32_t flags = 0;
    std::uint32_t characteristics = 0;
    std::int32_t stack_size = 0;
    Addr vpb = 0;
    Addr security = 0;
    Addr extension = 0;
    Addr object_extension = 0;
    Addr dope = 0;
    Addr devnode = 0;
    std::uint32_t extension_flags = 0;
    Addr attached_device = 0;       // upper
    Addr attached_to = 0;           // lower
    Addr current_irp = 0;
    bool queue_busy = false;
    bool queue_listed = false;      // the queued IRPs could be read (false: not listed)
    std::vector<Addr> queued_irps;
    std::string instance_path;      // PnP PDOs: "ROOT\PNPTEST\0000"
    std::string service;            // PnP PDOs: the function driver's service
};

// One FILE_OBJECT reached through a handle or an IRP in flight (what !fileobj shows).
struct FileSnap {
    Addr address = 0;
    std::string name;               // FileName as the object holds it
    Addr device = 0;
    Addr vpb = 0;
    Addr fs_context = 0;
    Addr fs_context2 = 0;
    Addr section_object_pointer = 0;
    Addr shared_cache_map = 0;      // SectionObjectPointer->SharedCacheMap
    Addr private_cache_map = 0;
    Addr related_file = 0;
    std::uint32_t flags = 0;
    std::int32_t final_status = 0;
    std::int64_t current_byte_offset = 0;
    bool event_signalled = false;
    bool lock_operation = false;
    bool delete_pending = false;
    bool read_access = false;
    bool write_access = false;
    bool delete_access = false;
    bool shared_read = false;
    bool shared_write = false;
    bool shared_delete = false;
};

// One volume parameter block, read from the device that owns it (what !vpb shows).
struct VpbSnap {
    Addr address = 0;
    std::uint16_t flags = 0;
    Addr device_object = 0;         // the mounted file system's volume device
    Addr real_device = 0;
    std::uint32_t serial_number = 0;
    std::uint32_t reference_count = 0;
    std::string volume_label;
};

struct ObjectSnap {
    Addr address = 0;               // 0 when the object could not be reached without side effects
    std::string type;
    std::string name;               // full path, "" when unnamed
    std::string link_target;        // symbolic links
    std::int64_t pointer_count = 0;
    std::int64_t handle_count = 0;
    std::string detail;             // the type's dump text
};

struct HandleSnap {
    std::uint64_t handle = 0;
    Addr object = 0;
    std::uint32_t granted = 0;
    std::uint32_t attributes = 0;
    std::string type;
    std::string name;
};

struct ThreadSnap {
    Addr address = 0;
    std::uint64_t cid = 0;
    Addr process = 0;
    std::uint8_t irql = 0;
    bool system_thread = false;
    bool terminated = false;
    bool terminating = false;
    std::vector<Addr> irps;         // its IRP list, head first
};

struct ProcessSnap {
    Addr address = 0;
    std::uint64_t pid = 0;
    std::uint64_t parent_pid = 0;
    std::string image;
    bool system = false;
    bool terminating = false;
    std::uint32_t handle_count = 0;
    std::vector<Addr> threads;
    std::vector<HandleSnap> handles;
};

struct PoolSnap {
    std::uint32_t tag = 0;
    bool paged = false;
    std::uint64_t allocations = 0;
    std::uint64_t frees = 0;
    std::int64_t bytes = 0;
};

// A loaded image module (lm): the kernel (the ntio runtime) first, then the driver images.
struct ModuleSnap {
    Addr start = 0;
    Addr end = 0;         // one past the last mapped byte
    std::string path;     // NT path: "\SystemRoot\system32\ntoskrnl.exe" for the kernel
};

struct BugcheckSnap {
    std::uint32_t code = 0;
    std::array<std::uint64_t, 4> params{};
    std::string report;  // the verifier's report of the violation ("" for another bugcheck)
    std::string driver;  // "\Driver\X" the report blames, "" when none
};

struct Snapshot {
    static constexpr int kVersion = 1;
    int version = kVersion;
    std::int64_t pid = 0;
    std::int64_t time = 0;          // seconds since the epoch
    std::string origin;             // "live", or the dump's path
    std::optional<BugcheckSnap> bugcheck;
    std::vector<ObjectSnap> objects;
    std::map<std::string, Addr> type_objects;  // "Device" -> its Type object
    std::vector<DriverSnap> drivers;
    std::vector<DeviceSnap> devices;
    std::vector<IrpSnap> irps;
    std::vector<FileSnap> files;
    std::vector<VpbSnap> vpbs;
    std::vector<ThreadSnap> threads;
    std::vector<ProcessSnap> processes;
    std::vector<PoolSnap> pool;
    std::vector<ModuleSnap> modules;
    std::map<Addr, std::string> symbols;  // routine address -> "module!symbol+0x10"
    Addr current_process = 0;       // what !handle and !process show without an argument
    Addr current_thread = 0;        // the capturing thread when it is one of the System's
    std::string verifier;           // the verifier's IRP log (JSON text), "" when absent

    const DriverSnap* driver(Addr a) const;
    const DriverSnap* driver_named(const std::string& full_name) const;
    const DeviceSnap* device(Addr a) const;
    const DeviceSnap* device_named(const std::string& full_name) const;
    const IrpSnap* irp(Addr a) const;
    const IrpSnap* irp_by_seq(std::uint64_t seq) const;
    const FileSnap* file(Addr a) const;
    const VpbSnap* vpb(Addr a) const;
    const ThreadSnap* thread(Addr a) const;
    const ProcessSnap* process(Addr a) const;
    const ProcessSnap* process_by_pid(std::uint64_t pid) const;
    const ObjectSnap* object(Addr a) const;
    const ObjectSnap* object_named(const std::string& full_name) const;
    // "\Driver\Null" of the device's driver, "" when unknown.
    std::string driver_name_of_device(Addr device) const;
    // The symbol text for an address, or "" when none.
    std::string symbol(Addr a) const;
};

// Takes a snapshot of a live System. Read-only: it takes the locks the owners take and writes
// nothing but transient references. Callable from any host thread, including one that is not a
// thread of the System (the attach server): it then never becomes one. PASSIVE_LEVEL, no lock held.
Snapshot capture(System& system);

// At a bugcheck the stopping thread may hold any lock: every lock is then only tried (a bounded
// number of times), and what sits behind a lock that stays taken is left out of the snapshot.
struct CaptureOptions {
    bool at_bugcheck = false;
};
Snapshot capture(System& system, const CaptureOptions& options);

// The verifier's IRP log for snapshots and dumps: a JSON document, either an array of the native
// event records of verifier-and-inspector.md 7.2 (irp_addr, seq, event, ...) or an object with such
// an array under "events"; "" when there is nothing to report. The verifier installs its provider
// once (process-wide; null removes it); capture() calls it on the capturing thread, with
// at_bugcheck set when the System is stopping (then it must not wait for locks).
using VerifierLogProvider = std::string (*)(System& system, bool at_bugcheck);
void set_verifier_log_provider(VerifierLogProvider provider) noexcept;

}  // namespace ntio::inspect
