// Gate C1: the RAM disk. 4 KiB reads at random 4 KiB-aligned offsets, synchronous, with NtReadFile
// on a FILE_SYNCHRONOUS_IO_NONALERT handle to ramdisk.sys under three passthrough.sys filters,
// against memcpy_rand of the same size: >= 0.75x memcpy_rand(1 GiB) for a 1 GiB disk and >= 0.55x
// memcpy_rand(16 MiB) for a 16 MiB disk, i.e. time-per-read ratios <= 1/0.75 and <= 1/0.55. The
// real in-box drivers are loaded from the build tree (drivers/images.hpp); the disk is written
// through the stack first so every page is resident.
//
// NTIO_BENCH_AB_RAMDISK=<path to another ramdisk.sys> turns both gates into an informational
// comparison of two builds of the driver in one process, pairs interleaved: that image's stack
// against the build tree's, each under its own three filters (a driver change measured against
// the same process's drift rather than across runs).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "baselines/memcpy_rand.hpp"
#include "drivers/file_stack.hpp"
#include "drivers/images.hpp"
#include "gates/gates.hpp"

#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::bench {
namespace {

constexpr ULONG kBlock = 4096;
constexpr int kFilters = 3;
alignas(64) char g_read_buffer[kBlock];

// `image` (ramdisk.sys, or a path to one) as \Device\Ramdisk<number> of `size` bytes under three
// passthrough.sys filters; number is one digit, and names the stack's services too.
class RamdiskStack {
public:
    explicit RamdiskStack(ULONGLONG size, const char* image = "ramdisk.sys", ULONG number = 9) : m_size(size) {
        const std::u16string digit(1, static_cast<char16_t>(u'0' + number));
        const std::u16string disk_service = u"C1Ramdisk" + digit;
        set_service_parameter(disk_service, u"DiskSize", REG_QWORD, &size, sizeof(size));
        set_service_parameter(disk_service, u"DiskNumber", REG_DWORD, &number, sizeof(number));
        m_disk = load_driver_image(image, disk_service);
        const std::u16string target = u"\\Device\\Ramdisk" + digit;
        for (int i = 0; i < kFilters; ++i) {
            const std::u16string service = u"C1Filter" + digit + std::u16string(1, static_cast<char16_t>(u'1' + i));
            set_service_parameter(service, u"AttachTo", REG_SZ, target.c_str(), static_cast<ULONG>((target.size() + 1) * 2));
            m_filters[i] = load_driver_image("passthrough.sys", service);
        }
        std::u16string device = target;
        UNICODE_STRING name = unicode(device);
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        NTSTATUS status = NtCreateFile(&m_handle, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, &attributes, &iosb,
                                       nullptr, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                                       FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
        require(status == STATUS_SUCCESS, "NtCreateFile on the RAM disk", status);
        // Fill the disk through the stack: every page resident and holding data, as the baseline's.
        std::vector<char> chunk(1 << 20);
        for (ULONGLONG offset = 0; offset < size; offset += chunk.size()) {
            for (std::size_t i = 0; i < chunk.size(); i += kBlock)
                std::memset(chunk.data() + i, static_cast<int>(1 + ((offset + i) / kBlock) % 251), kBlock);
            LARGE_INTEGER where;
            where.QuadPart = static_cast<LONGLONG>(offset);
            status = NtWriteFile(m_handle, nullptr, nullptr, nullptr, &iosb, chunk.data(),
                                 static_cast<ULONG>(chunk.size()), &where, nullptr);
            require(status == STATUS_SUCCESS, "filling the RAM disk", status);
        }
    }
    ~RamdiskStack() {
        NtClose(m_handle);
        for (int i = kFilters - 1; i >= 0; --i) unload_driver(m_filters[i]);
        unload_driver(m_disk);
    }
    RamdiskStack(const RamdiskStack&) = delete;
    RamdiskStack& operator=(const RamdiskStack&) = delete;

    double run(double min_ns) {
        const std::uint64_t blocks = m_size / kBlock;
        IO_STATUS_BLOCK iosb;
        return time_loop(min_ns, [&] {
            LARGE_INTEGER offset;
            offset.QuadPart = static_cast<LONGLONG>((xorshift64(m_rng) % blocks) * kBlock);
            NTSTATUS status =
                NtReadFile(m_handle, nullptr, nullptr, nullptr, &iosb, g_read_buffer, kBlock, &offset, nullptr);
            if (status != STATUS_SUCCESS) require(false, "NtReadFile on the RAM disk", status);
            keep(g_read_buffer);
        });
    }

private:
    ULONGLONG m_size;
    PDRIVER_OBJECT m_disk = nullptr;
    PDRIVER_OBJECT m_filters[kFilters] = {};
    HANDLE m_handle = nullptr;
    std::uint64_t m_rng = 0x9E3779B97F4A7C15ULL;
};

GateResult gate_c1(const char* id, const char* what, ULONGLONG size, double speed_floor, const GateOptions& options) {
    if (std::string why = missing_images({"ramdisk.sys", "passthrough.sys"}); !why.empty())
        return skipped_gate(id, what, 1.0 / speed_floor, why);
    pin_to_cpu(0);
    if (const char* other = std::getenv("NTIO_BENCH_AB_RAMDISK")) {
        RamdiskStack theirs(size, other, 8);
        RamdiskStack ours(size);
        const std::string ab_id = std::string(id) + ".ab";
        GateResult result = run_gate(ab_id, std::string("time per read, ") + other + " / the build tree's ramdisk.sys",
                                     [&](double min_ns) { return theirs.run(min_ns); },
                                     [&](double min_ns) { return ours.run(min_ns); }, 1.0, options);
        result.informational = true;
        return result;
    }
    RamdiskStack stack(size);
    MemcpyRand baseline(size);
    return run_gate(id, what, [&](double min_ns) { return stack.run(min_ns); },
                    [&](double min_ns) { return baseline.run(min_ns); }, 1.0 / speed_floor, options);
}

}  // namespace

GateResult gate_c1_ramdisk_1g(const GateOptions& options) {
    return gate_c1("C1", "RAM disk 1 GiB, 4 KiB random NtReadFile through 3 filters vs memcpy_rand(1 GiB) (>= 0.75x)",
                   1ULL << 30, 0.75, options);
}

GateResult gate_c1_ramdisk_16m(const GateOptions& options) {
    return gate_c1("C1.16M",
                   "RAM disk 16 MiB, 4 KiB random NtReadFile through 3 filters vs memcpy_rand(16 MiB) (>= 0.55x)",
                   16ULL << 20, 0.55, options);
}

}  // namespace ntio::bench
