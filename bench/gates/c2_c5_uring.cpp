// C2-C5: the io_uring file disk (uring_disk.sys) read through NtReadFile on an asynchronous handle
// bound to a completion port, 4 KiB random reads at QD32 / QD1, buffered and O_DIRECT, against the
// raw_uring baseline over the same file in the same process; C5 counts io_uring_enter calls per I/O.
// The driver stands alone here (no filters yet): the figures are the driver's cost, not the
// 3-filter stack of the gate's definition.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "baselines/raw_uring.hpp"
#include "drivers/file_stack.hpp"
#include "gates/gates.hpp"

#undef __try
#include <ntio/ntapi.h>
#include <ntio/ntio.h>
#include <ntio/ntio_uring.h>

#ifndef NTIO_DRIVERS_DIR
#error "NTIO_DRIVERS_DIR names the directory of the built .sys images"
#endif

namespace ntio::bench {
namespace {

constexpr unsigned long long kFileBytes = 1ull << 30;
constexpr ULONG kLength = 4096;
constexpr ULONG kBatch = 64;

std::string file_path() {
    const char* dir = std::getenv("NTIO_BENCH_DIR");
    return std::string(dir ? dir : "/tmp") + "/ntio_gates_uring.dat";
}

UNICODE_STRING ustr(const std::u16string& s) {
    UNICODE_STRING u;
    u.Buffer = const_cast<PWCH>(reinterpret_cast<const WCHAR*>(s.c_str()));
    u.Length = static_cast<USHORT>(s.size() * 2);
    u.MaximumLength = u.Length;
    return u;
}

HANDLE create_key(const std::u16string& path) {
    UNICODE_STRING name = ustr(path);
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE key = nullptr;
    NTSTATUS status = ZwCreateKey(&key, KEY_ALL_ACCESS, &attributes, 0, nullptr, REG_OPTION_NON_VOLATILE, nullptr);
    require(status == STATUS_SUCCESS, "ZwCreateKey", status);
    return key;
}

void set_dword(HANDLE key, const std::u16string& name, ULONG value) {
    UNICODE_STRING n = ustr(name);
    require(ZwSetValueKey(key, &n, 0, REG_DWORD, &value, sizeof(value)) == STATUS_SUCCESS, "ZwSetValueKey");
}

// Loads uring_disk.sys over the bench file as \Device\UringDisk<number>.
PDRIVER_OBJECT load_disk(const std::u16string& service, ULONG number, bool direct) {
    const std::u16string key_path = u"\\Registry\\Machine\\System\\ControlSet001\\Services\\" + service;
    HANDLE key = create_key(key_path);
    HANDLE params = create_key(key_path + u"\\Parameters");
    const std::string path = file_path();
    std::u16string wide(path.begin(), path.end());
    const std::u16string value_name = u"FileName";
    UNICODE_STRING n = ustr(value_name);
    require(ZwSetValueKey(params, &n, 0, REG_SZ, wide.data(), static_cast<ULONG>((wide.size() + 1) * 2)) ==
                STATUS_SUCCESS,
            "ZwSetValueKey FileName");
    set_dword(params, u"DiskNumber", number);
    set_dword(params, u"Direct", direct ? 1 : 0);
    set_dword(params, u"QueueDepth", 64);
    (void)ZwClose(params);
    (void)ZwClose(key);
    void* module = dlopen(NTIO_DRIVERS_DIR "/uring_disk.sys", RTLD_NOW | RTLD_LOCAL);
    require(module != nullptr, "dlopen uring_disk.sys");
    auto entry = reinterpret_cast<PDRIVER_INITIALIZE>(dlsym(module, "DriverEntry"));
    UNICODE_STRING name = ustr(service);
    PDRIVER_OBJECT driver = nullptr;
    NTSTATUS status = NtioCreateDriver(&name, entry, &driver);
    require(status == STATUS_SUCCESS, "loading uring_disk.sys", status);
    return driver;
}

struct DiskReads {
    HANDLE file = nullptr;
    HANDLE port = nullptr;
    int qd = 1;
    char* buffers = nullptr;
    IO_STATUS_BLOCK iosb[kBatch];
    FILE_IO_COMPLETION_INFORMATION entries[kBatch];
    std::uint64_t x = 88172645463325252ull;

    void issue(ULONG_PTR slot) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        LARGE_INTEGER offset;
        offset.QuadPart = static_cast<LONGLONG>((x % (kFileBytes / kLength)) * kLength);
        // The packet's ApcContext is slot + 1: NT posts no packet for a NULL ApcContext.
        NTSTATUS status = NtReadFile(file, nullptr, nullptr, reinterpret_cast<PVOID>(slot + 1), &iosb[slot],
                                     buffers + slot * kLength, kLength, &offset, nullptr);
        if (status != STATUS_PENDING && status != STATUS_SUCCESS) require(false, "NtReadFile", status);
    }
    ULONG take() {
        ULONG n = 0;
        NTSTATUS status = NtRemoveIoCompletionEx(port, entries, kBatch, &n, nullptr, FALSE);
        if (status != STATUS_SUCCESS) require(false, "NtRemoveIoCompletionEx", status);
        return n;
    }
    double phase(double min_ns) {
        for (int i = 0; i < qd; ++i) issue(static_cast<ULONG_PTR>(i));
        long done = 0;
        const double start = now_ns();
        double elapsed = 0;
        do {
            const ULONG n = take();
            for (ULONG i = 0; i < n; ++i) {
                if (entries[i].IoStatusBlock.Information != kLength)
                    require(false, "uring_disk read failed", entries[i].IoStatusBlock.Status);
                issue(reinterpret_cast<ULONG_PTR>(entries[i].ApcContext) - 1);
            }
            done += n;
            elapsed = now_ns() - start;
        } while (elapsed < min_ns);
        for (int left = qd; left > 0;) left -= static_cast<int>(take());
        return elapsed / static_cast<double>(done);
    }
};

struct Disk {
    PDRIVER_OBJECT driver = nullptr;
    DiskReads reads;
    Disk(ULONG number, bool direct, int qd) {
        make_random_file(file_path().c_str(), kFileBytes);
        std::u16string service = u"uring_gate" + std::u16string(1, static_cast<char16_t>(u'0' + number));
        driver = load_disk(service, number, direct);
        std::u16string device = u"\\Device\\UringDisk" + std::u16string(1, static_cast<char16_t>(u'0' + number));
        UNICODE_STRING name = ustr(device);
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        NTSTATUS status = NtCreateFile(&reads.file, GENERIC_READ, &attributes, &iosb, nullptr, 0,
                                       FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, nullptr, 0);
        require(status == STATUS_SUCCESS, "opening the uring disk", status);
        status = NtCreateIoCompletion(&reads.port, IO_COMPLETION_ALL_ACCESS, nullptr, 1);
        require(status == STATUS_SUCCESS, "NtCreateIoCompletion", status);
        FILE_COMPLETION_INFORMATION info{reads.port, nullptr};
        status = NtSetInformationFile(reads.file, &iosb, &info, sizeof(info), FileCompletionInformation);
        require(status == STATUS_SUCCESS, "binding the port", status);
        reads.qd = qd;
        reads.buffers = static_cast<char*>(std::aligned_alloc(4096, kBatch * kLength));
    }
    ~Disk() {
        (void)NtClose(reads.file);
        (void)NtClose(reads.port);
        (void)NtioUnloadDriver(driver);
        ObDereferenceObject(driver);
        std::free(reads.buffers);
    }
};

bool uring_usable() {
    make_random_file(file_path().c_str(), kFileBytes);
    const std::string path = file_path();
    std::u16string wide(path.begin(), path.end());
    UNICODE_STRING name = ustr(wide);
    NTIO_URING_PARAMETERS p{};
    p.HostPath = &name;
    p.QueueDepth = 1;
    p.CompletionRoutine = [](PVOID, NTSTATUS, ULONG_PTR, PVOID) {};
    PNTIO_URING ring = nullptr;
    PCSTR message = nullptr;
    if (!NT_SUCCESS(NtioUringOpen(&p, &ring, &message))) {
        std::fprintf(stderr, "C2-C5 skipped: %s\n", message ? message : "cannot open the bench file");
        return false;
    }
    NtioUringClose(ring);
    return true;
}

// IOPS >= share x raw is ns/IO <= raw / share.
GateResult uring_gate(const char* id, const char* what, int qd, bool direct, double share, const GateOptions& options) {
    if (!uring_usable()) return GateResult{id, "skipped: io_uring unavailable", 0, 0, 0, 0, 0, "ns", "ns", 1 / share};
    Disk disk(direct ? 2 : 1, direct, qd);
    const std::string path = file_path();
    auto ntio_phase = [&disk](double min_ns) { return disk.reads.phase(min_ns); };
    auto raw_phase = [&path, qd, direct](double min_ns) { return raw_uring(path.c_str(), kFileBytes, qd, direct, min_ns); };
    return run_gate(id, what, ntio_phase, raw_phase, 1 / share, options);
}

}  // namespace

GateResult gate_c2_uring_qd32(const GateOptions& options) {
    return uring_gate("C2", "uring_disk QD32 buffered 4K randread via port, ns/IO vs raw_uring(32) (>= 0.90x IOPS)", 32,
                      false, 0.90, options);
}

GateResult gate_c3_uring_qd1(const GateOptions& options) {
    return uring_gate("C3", "uring_disk QD1 buffered 4K randread via port, ns/IO vs raw_uring(1) (>= 0.90x IOPS)", 1,
                      false, 0.90, options);
}

GateResult gate_c4_uring_direct(const GateOptions& options) {
    return uring_gate("C4", "uring_disk QD32 O_DIRECT 4K randread via port, ns/IO vs raw_uring(32, direct) (>= 0.95x)",
                      32, true, 0.95, options);
}

// io_uring_enter calls per I/O at QD32, buffered and O_DIRECT (the worse of the two gates).
GateResult gate_c5_submit_batching(const GateOptions& options) {
    GateResult result{"C5", "io_uring_enter per I/O at QD32 (buffered / O_DIRECT, the worse gates)", 0, 0, 0, 0, 0,
                      "enter/IO", "enter/IO", 0.25};
    if (!uring_usable()) return result;
    double per_io[2] = {0, 0};
    for (int direct = 0; direct < 2; ++direct) {
        Disk disk(direct ? 2 : 1, direct != 0, 32);
        NTIO_URING_STATISTICS before{}, after{};
        NtioUringQueryStatistics(nullptr, &before);
        disk.reads.phase(options.min_seconds * 1e9);
        NtioUringQueryStatistics(nullptr, &after);
        per_io[direct] = static_cast<double>(after.EnterCalls - before.EnterCalls) /
                         static_cast<double>(after.Completions - before.Completions);
    }
    result.ntio_ns = per_io[0];
    result.baseline_ns = per_io[1];
    result.ratio_median = per_io[0] > per_io[1] ? per_io[0] : per_io[1];
    result.ratio_min = per_io[0] < per_io[1] ? per_io[0] : per_io[1];
    result.ratio_max = result.ratio_median;
    return result;
}

}  // namespace ntio::bench
