// The trace filter's records as the driver tests read them: clear the log, take the read and write
// records since the last read (IOCTL_NTIO_TRACE_CLEAR / IOCTL_NTIO_TRACE_READ on \Device\NtioTrace).
#pragma once

#include <vector>

#include "driver_test_support.hpp"

#include "ntio_trace.h"

namespace ntio::test::drivers {

inline void clear_trace() {
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\NtioTrace", &h), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(ioctl(h, IOCTL_NTIO_TRACE_CLEAR, nullptr, 0, nullptr, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// The read and write records since the last call (the read consumes them; creates and closes are
// left out).
inline std::vector<NTIO_TRACE_RECORD> trace_transfers() {
    HANDLE h = nullptr;
    EXPECT_EQ(open_device(u"\\Device\\NtioTrace", &h), STATUS_SUCCESS);
    std::vector<unsigned char> buffer(NTIO_TRACE_BUFFER_HEADER_SIZE + 256 * sizeof(NTIO_TRACE_RECORD));
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(ioctl(h, IOCTL_NTIO_TRACE_READ, nullptr, 0, buffer.data(), static_cast<ULONG>(buffer.size()), &iosb),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    const auto* out = reinterpret_cast<const NTIO_TRACE_BUFFER*>(buffer.data());
    std::vector<NTIO_TRACE_RECORD> records;
    for (ULONG i = 0; i < out->Count; ++i) {
        const NTIO_TRACE_RECORD& r = out->Records[i];
        if (r.MajorFunction == IRP_MJ_READ || r.MajorFunction == IRP_MJ_WRITE) records.push_back(r);
    }
    return records;
}

}  // namespace ntio::test::drivers
