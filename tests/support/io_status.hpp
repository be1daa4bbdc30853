// The IO_STATUS_BLOCK a test fills in before a call, to see whether the call wrote it: NT leaves a
// caller's IOSB alone when a request fails before the I/O manager accepts it (nt-behaviour.md E2).
#pragma once

#include <ntifs.h>

namespace ntio::test {

inline constexpr IO_STATUS_BLOCK kUntouched{{static_cast<NTSTATUS>(0xdeadbeef)}, 0x5555};

inline bool untouched(const IO_STATUS_BLOCK& iosb) {
    return iosb.Status == kUntouched.Status && iosb.Information == kUntouched.Information;
}

}  // namespace ntio::test
