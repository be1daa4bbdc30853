// The guided tour. It acts as an administrator would on Windows: the service keys are written (from
// .reg text, through the configuration manager), the drivers loaded with ZwLoadDriver, then a Win32
// application part opens the devices and does a synchronous read, an asynchronous read completed
// through a port and one through an APC, cancels a pending request, and prints the device stacks
// and the IRPs the trace filter recorded. The FAT volume part is tour_fat.cpp.
#include "tour.hpp"
#include "tour_fat.hpp"
#include "tour_steps.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/core.h>
#include <map>
#include <string>
#include <vector>

#include "config/reg_file.hpp"
#include <windows.h>
#include <wdm.h>
#include <winioctl.h>

#include "ntio_fault_inject.h"
#include "unicode_string.hpp"
#include "ntio_trace.h"

namespace ntio::tool {
namespace tour {

namespace {
int g_failures = 0;
}  // namespace

void step(const std::string& title) { fmt::print("\n== {}\n", title); }

void check(bool ok, const std::string& what) {
    fmt::print("   {} {}\n", ok ? "ok  " : "FAIL", what);
    if (!ok) ++g_failures;
}

int failures() { return g_failures; }

HANDLE open_device(const wchar_t* path, DWORD flags) {
    return CreateFileW(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING,
                       flags, nullptr);
}

std::string stack_of(PDEVICE_OBJECT device) {
    PDEVICE_OBJECT base = IoGetDeviceAttachmentBaseRef(device);
    std::string line;
    for (PDEVICE_OBJECT d = IoGetAttachedDeviceReference(base); d;) {
        const UNICODE_STRING& driver = d->DriverObject->DriverName;
        line += narrow(std::u16string_view(reinterpret_cast<const char16_t*>(driver.Buffer), driver.Length / 2));
        PDEVICE_OBJECT lower = IoGetLowerDeviceObject(d);
        ObDereferenceObject(d);
        if (lower) line += " -> ";
        d = lower;
    }
    ObDereferenceObject(base);
    return line;
}

namespace {

const char* major_name(UCHAR major) {
    static const char* const names[] = {"CREATE", "CREATE_NAMED_PIPE", "CLOSE", "READ", "WRITE", "QUERY_INFORMATION",
                                        "SET_INFORMATION", "QUERY_EA", "SET_EA", "FLUSH_BUFFERS",
                                        "QUERY_VOLUME_INFORMATION", "SET_VOLUME_INFORMATION", "DIRECTORY_CONTROL",
                                        "FILE_SYSTEM_CONTROL", "DEVICE_CONTROL", "INTERNAL_DEVICE_CONTROL", "SHUTDOWN",
                                        "LOCK_CONTROL", "CLEANUP"};
    return major < sizeof(names) / sizeof(names[0]) ? names[major] : "?";
}

}  // namespace

void show_trace(const std::string& title, unsigned shown) {
    step(title);
    HANDLE trace = open_device(L"\\\\.\\NtioTrace", 0);
    if (trace == INVALID_HANDLE_VALUE) return check(false, "CreateFile(\\\\.\\NtioTrace)");
    std::vector<char> buffer(NTIO_TRACE_BUFFER_HEADER_SIZE + 1024 * sizeof(NTIO_TRACE_RECORD));
    DWORD bytes = 0;
    if (!DeviceIoControl(trace, IOCTL_NTIO_TRACE_READ, nullptr, 0, buffer.data(), static_cast<DWORD>(buffer.size()),
                         &bytes, nullptr)) {
        CloseHandle(trace);
        return check(false, "IOCTL_NTIO_TRACE_READ");
    }
    auto* records = reinterpret_cast<NTIO_TRACE_BUFFER*>(buffer.data());
    std::map<std::string, unsigned> rest;
    for (ULONG i = 0; i < records->Count; ++i) {
        const NTIO_TRACE_RECORD& r = records->Records[i];
        const char* what = r.FastIo ? (r.MajorFunction == IRP_MJ_READ ? "FAST_READ" : "FAST_WRITE")
                                    : major_name(r.MajorFunction);
        if (i >= shown) {
            ++rest[what];
            continue;
        }
        fmt::print("   #{:<3} {:<16} status 0x{:08X} info {:<6} offset {:<8} {}\n", r.Sequence, what,
                   static_cast<std::uint32_t>(r.Status), r.Information, r.ByteOffset, r.PendingReturned ? "pended" : "");
    }
    if (!rest.empty()) {
        std::string counts;
        for (const auto& [what, count] : rest) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", count, what);
        fmt::print("   ... and {}\n", counts);
    }
    check(records->Count > 0, fmt::format("{} IRPs and fast I/O calls recorded", records->Count));
    CloseHandle(trace);
}

}  // namespace tour

namespace {

using tour::check;
using tour::open_device;
using tour::step;

// Where the in-box .sys images are: NTIO_DRIVERS, else <build>/drivers next to tools/ntio/ntio.
std::filesystem::path drivers_directory() {
    if (const char* dir = std::getenv("NTIO_DRIVERS")) return dir;
    std::error_code error;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
    return exe.parent_path().parent_path().parent_path() / "drivers";
}

// hex(7) data of a REG_MULTI_SZ in .reg text.
std::string multi_sz(const std::vector<std::string>& items) {
    std::string hex = "hex(7):";
    auto put = [&hex](char16_t c) { hex += fmt::format("{:02x},{:02x},", c & 0xff, c >> 8); };
    for (const std::string& item : items) {
        for (char16_t c : widen(item)) put(c);
        put(0);
    }
    put(0);
    hex.pop_back();
    return hex;
}

std::string service_reg(const std::string& name, const std::filesystem::path& image, const std::string& parameters) {
    std::string text = fmt::format("[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\{}]\n"
                                   "\"Type\"=dword:00000001\n\"Start\"=dword:00000003\n\"ErrorControl\"=dword:00000001\n"
                                   "\"ImagePath\"=\"{}\"\n\n",
                                   name, image.string());
    if (!parameters.empty())
        text += fmt::format("[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\{}\\Parameters]\n{}\n", name, parameters);
    return text;
}

NTSTATUS load(const std::string& service) {
    const std::u16string key = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + widen(service);
    UNICODE_STRING name = counted(key);
    return ZwLoadDriver(&name);
}

// The stack above a device, top first, by driver name.
void print_stack(const wchar_t* device_name) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, device_name);
    PFILE_OBJECT file = nullptr;
    PDEVICE_OBJECT device = nullptr;
    if (!NT_SUCCESS(IoGetDeviceObjectPointer(&name, FILE_READ_ATTRIBUTES, &file, &device))) return;
    const std::string line = tour::stack_of(device);
    ObDereferenceObject(file);
    fmt::print("   {}: {}\n", narrow(std::u16string_view(reinterpret_cast<const char16_t*>(device_name))), line);
}

void load_drivers(System& system, bool& have_uring, std::string& image_file) {
    step("Loading the in-box drivers through their service keys");
    const std::filesystem::path dir = drivers_directory();
    char image_template[] = "/tmp/ntio-tour-XXXXXX";
    const int fd = mkstemp(image_template);
    if (fd >= 0) close(fd);
    image_file = image_template;
    std::string reg = "Windows Registry Editor Version 5.00\n\n";
    reg += service_reg("null", dir / "null.sys", "");
    reg += service_reg("ramdisk", dir / "ramdisk.sys", "\"DiskSize\"=dword:01000000\n");
    reg += service_reg("uring_disk", dir / "uring_disk.sys",
                       fmt::format("\"FileName\"=\"{}\"\n\"DiskSize\"=dword:01000000\n", image_file));
    const std::string disks = multi_sz({"\\Device\\Ramdisk0", "\\Device\\UringDisk0"});
    reg += service_reg("passthrough", dir / "passthrough.sys", "\"AttachTo\"=" + disks + "\n");
    reg += service_reg("trace", dir / "trace.sys", "\"AttachTo\"=" + disks + "\n");
    reg += service_reg("fault_inject", dir / "fault_inject.sys", "\"AttachTo\"=\"\\\\Device\\\\Null\"\n");
    std::string message;
    check(NT_SUCCESS(config::import_reg(system.config(), reg, message)), "service keys written " + message);
    for (const char* service : {"null", "ramdisk", "uring_disk", "passthrough", "trace", "fault_inject"}) {
        NTSTATUS status = load(service);
        if (std::string(service) == "uring_disk" && !NT_SUCCESS(status)) {
            fmt::print("   --   uring_disk did not load (status 0x{:08X}): io_uring unavailable here; the tour "
                       "goes on without it\n",
                       static_cast<std::uint32_t>(status));
            continue;
        }
        if (std::string(service) == "uring_disk") have_uring = true;
        check(NT_SUCCESS(status), fmt::format("ZwLoadDriver({}) = 0x{:08X}", service, static_cast<std::uint32_t>(status)));
    }
}

void synchronous_read() {
    step("Synchronous write and read on \\\\.\\Ramdisk0 (through trace and passthrough)");
    HANDLE disk = open_device(L"\\\\.\\Ramdisk0", 0);
    check(disk != INVALID_HANDLE_VALUE, "CreateFile(\\\\.\\Ramdisk0)");
    if (disk == INVALID_HANDLE_VALUE) return;
    std::vector<char> sector(512, 'N'), back(512);
    DWORD done = 0;
    check(WriteFile(disk, sector.data(), 512, &done, nullptr) && done == 512, "WriteFile 512 bytes at offset 0");
    check(SetFilePointer(disk, 0, nullptr, FILE_BEGIN) == 0, "SetFilePointer back to 0");
    check(ReadFile(disk, back.data(), 512, &done, nullptr) && done == 512 && back == sector,
          "ReadFile returns what was written");
    CloseHandle(disk);
}

// Two reads issued before the thread waits: on the uring disk the first may complete at once from
// the page cache (its cached fast path) and the second pends in the thread's ring; both come back
// through the port.
void port_read(const wchar_t* path, const char* label) {
    step(fmt::format("Asynchronous reads on {} completed through an I/O completion port", label).c_str());
    HANDLE disk = open_device(path, FILE_FLAG_OVERLAPPED);
    check(disk != INVALID_HANDLE_VALUE, "CreateFile(FILE_FLAG_OVERLAPPED)");
    if (disk == INVALID_HANDLE_VALUE) return;
    HANDLE port = CreateIoCompletionPort(disk, nullptr, 42, 1);
    check(port != nullptr, "CreateIoCompletionPort(key 42)");
    std::vector<char> buffer(2 * 4096);
    OVERLAPPED ov[2]{};
    for (int i = 0; i < 2; ++i) {
        ov[i].Offset = static_cast<DWORD>(i * 4096);
        BOOL started = ReadFile(disk, buffer.data() + i * 4096, 4096, nullptr, &ov[i]);
        check(started || GetLastError() == ERROR_IO_PENDING,
              fmt::format("ReadFile #{} at offset {}: {}", i + 1, i * 4096, started ? "completed at once" : "pending"));
    }
    bool seen[2] = {false, false};
    for (int i = 0; i < 2; ++i) {
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        LPOVERLAPPED done = nullptr;
        const bool dequeued = GetQueuedCompletionStatus(port, &bytes, &key, &done, 5000);
        const int which = done == &ov[0] ? 0 : done == &ov[1] ? 1 : -1;
        const bool fresh = which >= 0 && !seen[which];
        if (fresh) seen[which] = true;
        check(dequeued && key == 42 && fresh && bytes == 4096,
              fmt::format("GetQueuedCompletionStatus: key {}, {} bytes, {}", key, bytes,
                          fresh ? fmt::format("read #{}'s OVERLAPPED", which + 1) : std::string("an unexpected OVERLAPPED")));
    }
    CloseHandle(disk);
    CloseHandle(port);
}

int g_apc_calls = 0;
DWORD g_apc_bytes = 0;
VOID CALLBACK read_done(DWORD error, DWORD bytes, LPOVERLAPPED) {
    ++g_apc_calls;
    g_apc_bytes = error == 0 ? bytes : 0;
}

void apc_read() {
    step("Asynchronous read on \\\\.\\Ramdisk0 completed through an APC (ReadFileEx + SleepEx)");
    HANDLE disk = open_device(L"\\\\.\\Ramdisk0", FILE_FLAG_OVERLAPPED);
    if (disk == INVALID_HANDLE_VALUE) return check(false, "CreateFile");
    std::vector<char> buffer(4096);
    OVERLAPPED ov{};
    ov.Offset = 4096;
    check(ReadFileEx(disk, buffer.data(), 4096, &ov, read_done), "ReadFileEx queued");
    check(g_apc_calls == 0, "the completion routine waits for an alertable wait");
    check(SleepEx(5000, TRUE) == WAIT_IO_COMPLETION && g_apc_calls == 1 && g_apc_bytes == 4096,
          "SleepEx(alertable) ran it: 4096 bytes");
    CloseHandle(disk);
}

void cancel_pending() {
    step("Cancelling a pending request (fault_inject parks every read on \\\\.\\NUL)");
    HANDLE control = open_device(L"\\\\.\\NtioFaultInject", 0);
    if (control == INVALID_HANDLE_VALUE) return check(false, "CreateFile(\\\\.\\NtioFaultInject)");
    NTIO_FAULT_INJECT_CONFIG config{};
    config.MajorMask = 1u << IRP_MJ_READ;
    config.DropRate = 1000000;
    config.FailStatus = STATUS_IO_DEVICE_ERROR;
    DWORD bytes = 0;
    check(DeviceIoControl(control, IOCTL_NTIO_FAULT_INJECT_SET_CONFIG, &config, sizeof(config), nullptr, 0, &bytes,
                          nullptr),
          "IOCTL_NTIO_FAULT_INJECT_SET_CONFIG: drop every read");
    HANDLE nul = open_device(L"\\\\.\\NUL", FILE_FLAG_OVERLAPPED);
    if (nul != INVALID_HANDLE_VALUE) {
        char buffer[16];
        OVERLAPPED ov{};
        ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
        check(!ReadFile(nul, buffer, sizeof(buffer), nullptr, &ov) && GetLastError() == ERROR_IO_PENDING,
              "ReadFile is pending");
        check(CancelIoEx(nul, &ov), "CancelIoEx");
        check(!GetOverlappedResult(nul, &ov, &bytes, TRUE) && GetLastError() == ERROR_OPERATION_ABORTED,
              "GetOverlappedResult: ERROR_OPERATION_ABORTED");
        CloseHandle(ov.hEvent);
        CloseHandle(nul);
    } else {
        check(false, "CreateFile(\\\\.\\NUL)");
    }
    config.DropRate = 0;
    (void)DeviceIoControl(control, IOCTL_NTIO_FAULT_INJECT_SET_CONFIG, &config, sizeof(config), nullptr, 0, &bytes,
                          nullptr);
    CloseHandle(control);
}

}  // namespace

int run_tour(const GlobalOptions& options) {
    std::unique_ptr<System> system = boot(options);
    if (!system) return 1;
    fmt::print("ntio: the NT I/O architecture in user space; a guided tour of the default system\n");
    bool have_uring = false;
    std::string image_file;
    load_drivers(*system, have_uring, image_file);
    step("Device stacks (top -> bottom)");
    print_stack(L"\\Device\\Ramdisk0");
    if (have_uring) print_stack(L"\\Device\\UringDisk0");
    print_stack(L"\\Device\\Null");
    synchronous_read();
    port_read(L"\\\\.\\Ramdisk0", "\\\\.\\Ramdisk0");
    if (have_uring) port_read(L"\\\\.\\UringDisk0", "\\\\.\\UringDisk0 (io_uring)");
    apc_read();
    cancel_pending();
    tour::show_trace("IRPs the trace filter saw (oldest first)", 64);
    tour::fat_volume(*system);
    system.reset();
    if (!image_file.empty()) std::remove(image_file.c_str());
    fmt::print("\n{}\n", tour::failures() ? fmt::format("ntio: {} step(s) failed", tour::failures()) : "ntio: tour complete");
    return tour::failures() ? 1 : 0;
}

}  // namespace ntio::tool
