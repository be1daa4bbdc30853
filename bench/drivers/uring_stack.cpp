// See uring_stack.hpp. The reads use the ring flags, buffer alignment and xorshift64 offsets of the
// raw_uring baseline, so the two loops differ only by ntio.
#include "drivers/uring_stack.hpp"

#include <cstdlib>
#include <string>

#include "baselines/raw_uring.hpp"
#include "drivers/file_stack.hpp"
#include "drivers/images.hpp"
#include "harness/gate_runner.hpp"

#include <ntio/ntapi.h>

namespace ntio::bench {

namespace {
constexpr ULONG kLength = 4096;
std::u16string number_text(ULONG n) {
    const std::string s = std::to_string(n);
    return std::u16string(s.begin(), s.end());
}
}  // namespace

std::string uring_unusable() {
    std::string why = missing_images({"uring_disk.sys", "passthrough.sys"});
    if (!why.empty()) return why;
    if (!io_uring_available(&why)) return why;
    make_random_file(bench_file_path().c_str(), kBenchFileBytes);
    return {};
}

UringStack::UringStack(ULONG disk_number, bool direct, int queue_depth) : m_depth(queue_depth) {
    require(queue_depth >= 1 && static_cast<ULONG>(queue_depth) <= kMaxDepth, "uring stack queue depth", queue_depth);
    const std::u16string n = number_text(disk_number);
    const std::u16string service = u"BenchUringDisk" + n;
    const std::string path = bench_file_path();
    set_service_string(service, u"FileName", std::u16string(path.begin(), path.end()));
    set_service_dword(service, u"DiskNumber", disk_number);
    set_service_dword(service, u"Direct", direct ? 1 : 0);
    set_service_dword(service, u"QueueDepth", kMaxDepth);
    m_disk = load_driver_image("uring_disk.sys", service);
    const std::u16string device = u"\\Device\\UringDisk" + n;
    for (int i = 0; i < kFilters; ++i) {
        const std::u16string filter = u"BenchUringFilter" + n + u"_" + number_text(static_cast<ULONG>(i));
        set_service_string(filter, u"AttachTo", device);
        m_filters[i] = load_driver_image("passthrough.sys", filter);
    }
    // Opening the disk's name reaches the top of its stack: the last filter attached.
    UNICODE_STRING name = unicode(device);
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = NtCreateFile(&m_file, GENERIC_READ, &attributes, &iosb, nullptr, 0,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, nullptr, 0);
    require(status == STATUS_SUCCESS, "opening the uring disk", status);
    status = NtCreateIoCompletion(&m_port, IO_COMPLETION_ALL_ACCESS, nullptr, 1);
    require(status == STATUS_SUCCESS, "NtCreateIoCompletion", status);
    FILE_COMPLETION_INFORMATION info{m_port, nullptr};
    status = NtSetInformationFile(m_file, &iosb, &info, sizeof(info), FileCompletionInformation);
    require(status == STATUS_SUCCESS, "binding the port", status);
    m_buffers = static_cast<char*>(std::aligned_alloc(4096, kMaxDepth * kLength));
}

UringStack::~UringStack() {
    (void)NtClose(m_file);
    (void)NtClose(m_port);
    for (int i = kFilters - 1; i >= 0; --i) unload_driver(m_filters[i]);
    unload_driver(m_disk);
    std::free(m_buffers);
}

void UringStack::issue(ULONG_PTR slot) {
    m_rng ^= m_rng << 13; m_rng ^= m_rng >> 7; m_rng ^= m_rng << 17;
    LARGE_INTEGER offset;
    offset.QuadPart = static_cast<LONGLONG>((m_rng % (kBenchFileBytes / kLength)) * kLength);
    // The packet's ApcContext is slot + 1: NT posts no packet for a NULL ApcContext.
    NTSTATUS status = NtReadFile(m_file, nullptr, nullptr, reinterpret_cast<PVOID>(slot + 1), &m_iosb[slot],
                                 m_buffers + slot * kLength, kLength, &offset, nullptr);
    if (status != STATUS_PENDING && status != STATUS_SUCCESS) require(false, "NtReadFile on the uring disk", status);
}

ULONG UringStack::take() {
    ULONG n = 0;
    NTSTATUS status = NtRemoveIoCompletionEx(m_port, m_entries, kMaxDepth, &n, nullptr, FALSE);
    if (status != STATUS_SUCCESS) require(false, "NtRemoveIoCompletionEx", status);
    return n;
}

double UringStack::phase(double min_ns) {
    for (int i = 0; i < m_depth; ++i) issue(static_cast<ULONG_PTR>(i));
    long done = 0, dequeues = 0;
    const double cpu_start = process_cpu_ns();
    const double start = now_ns();
    double elapsed = 0;
    do {
        const ULONG n = take();
        ++dequeues;
        for (ULONG i = 0; i < n; ++i) {
            if (m_entries[i].IoStatusBlock.Information != kLength)
                require(false, "uring_disk read failed", m_entries[i].IoStatusBlock.Status);
            issue(reinterpret_cast<ULONG_PTR>(m_entries[i].ApcContext) - 1);
        }
        done += n;
        elapsed = now_ns() - start;
    } while (elapsed < min_ns);
    m_cpu_per_io = (process_cpu_ns() - cpu_start) / static_cast<double>(done);
    m_dequeues_per_io = static_cast<double>(dequeues) / static_cast<double>(done);
    m_completed = done;
    for (int left = m_depth; left > 0;) left -= static_cast<int>(take());
    return elapsed / static_cast<double>(done);
}

}  // namespace ntio::bench
