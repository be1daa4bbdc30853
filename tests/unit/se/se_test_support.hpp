// What several security tests share: a SID constant as the PSID the DDIs take, and a file-like
// generic mapping (specific rights 0x1FF).
#pragma once

#include <ntifs.h>

namespace ntio::se::test {

inline PSID sid_of(const SID* sid) { return const_cast<SID*>(sid); }

inline constexpr GENERIC_MAPPING kMapping{0x00120089, 0x00120116, 0x001200A0, 0x001F01FF};

}  // namespace ntio::se::test
