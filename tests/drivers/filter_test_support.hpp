// What the driver tests ask of the in-box filters through their control devices: trace.sys's records
// (IOCTL_NTIO_TRACE_CLEAR / IOCTL_NTIO_TRACE_READ on \Device\NtioTrace) and fault_inject.sys's
// controls and counters (\Device\NtioFaultInject).
#pragma once

#include <vector>

#include "driver_test_support.hpp"

#include "ntio_fault_inject.h"
#include "ntio_trace.h"

namespace ntio::test::drivers {

// The RAM disk the filters attach to: its size, and the AttachTo parameter that puts a filter on it.
inline constexpr ULONG kFilteredDiskSize = 1024 * 1024;
inline const Value kAttachToDisk{"AttachTo", std::string("\\Device\\Ramdisk0")};

// Forgets what the trace saw so far.
inline void clear_trace() {
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\NtioTrace", &h), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(ioctl(h, IOCTL_NTIO_TRACE_CLEAR, nullptr, 0, nullptr, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// Every record the trace ring holds (the read consumes them), and its header when asked.
inline std::vector<NTIO_TRACE_RECORD> read_trace(NTIO_TRACE_BUFFER* header = nullptr) {
    HANDLE h = nullptr;
    EXPECT_EQ(open_device(u"\\Device\\NtioTrace", &h), STATUS_SUCCESS);
    std::vector<unsigned char> buffer(NTIO_TRACE_BUFFER_HEADER_SIZE + 256 * sizeof(NTIO_TRACE_RECORD));
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(ioctl(h, IOCTL_NTIO_TRACE_READ, nullptr, 0, buffer.data(), static_cast<ULONG>(buffer.size()), &iosb),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    auto* out = reinterpret_cast<NTIO_TRACE_BUFFER*>(buffer.data());
    EXPECT_EQ(iosb.Information, NTIO_TRACE_BUFFER_HEADER_SIZE + out->Count * sizeof(NTIO_TRACE_RECORD));
    if (header) *header = *out;
    return std::vector<NTIO_TRACE_RECORD>(out->Records, out->Records + out->Count);
}

// The read and write records since the last read (creates, closes and the rest left out).
inline std::vector<NTIO_TRACE_RECORD> trace_transfers() {
    std::vector<NTIO_TRACE_RECORD> records;
    for (const NTIO_TRACE_RECORD& r : read_trace())
        if (r.MajorFunction == IRP_MJ_READ || r.MajorFunction == IRP_MJ_WRITE) records.push_back(r);
    return records;
}

// An IOCTL to fault_inject.sys's control device.
inline NTSTATUS fault_ioctl(ULONG code, const void* in, ULONG in_length, void* out, ULONG out_length) {
    HANDLE h = nullptr;
    NTSTATUS status = open_device(u"\\Device\\NtioFaultInject", &h);
    if (!NT_SUCCESS(status)) return status;
    IO_STATUS_BLOCK iosb{};
    status = ioctl(h, code, in, in_length, out, out_length, &iosb);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    return status;
}

inline NTIO_FAULT_INJECT_STATS fault_stats() {
    NTIO_FAULT_INJECT_STATS stats{};
    EXPECT_EQ(fault_ioctl(IOCTL_NTIO_FAULT_INJECT_GET_STATS, nullptr, 0, &stats, sizeof(stats)), STATUS_SUCCESS);
    return stats;
}

}  // namespace ntio::test::drivers
