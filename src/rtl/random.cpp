// RtlRandom and RtlRandomEx: the caller keeps the generator's state in *Seed; each call returns a
// number in [0, MAXLONG - 1] and leaves the next state there. Both are linear congruential
// generators modulo MAXLONG (2^31 - 1, a prime), so every result is below MAXLONG.
#include <cstdint>

#include <wdm.h>

namespace ntio::rtl {
namespace {

constexpr std::uint64_t kModulus = MAXLONG;

ULONG next(PULONG seed, std::uint64_t multiplier, std::uint64_t increment) noexcept {
    const std::uint64_t value = (multiplier * (*seed % kModulus) + increment) % kModulus;
    *seed = static_cast<ULONG>(value);
    return static_cast<ULONG>(value);
}

}  // namespace
}  // namespace ntio::rtl

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrandom
NTSYSAPI ULONG NTAPI RtlRandom(PULONG Seed) { return ntio::rtl::next(Seed, 48271, 12345); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrandomex
// Another multiplier with better spectral properties; two steps per call, the second's low bits
// mixed with the first's high ones.
NTSYSAPI ULONG NTAPI RtlRandomEx(PULONG Seed) {
    const ULONG first = ntio::rtl::next(Seed, 69621, 1);
    const ULONG second = ntio::rtl::next(Seed, 69621, 1);
    return static_cast<ULONG>(((std::uint64_t{first} << 16) ^ second) % ntio::rtl::kModulus);
}

}  // extern "C"
