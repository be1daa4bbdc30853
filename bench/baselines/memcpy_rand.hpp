// Baseline memcpy_rand(S) of performance-gates.md (the RAM-disk gate C1's reference): 4 KiB copies
// from random 4 KiB-aligned offsets of a filled, resident S-byte buffer into one fixed 4 KiB
// destination, offsets from xorshift64. Time per copy.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ntio::bench {

// The xorshift64 both C1 phases draw their offsets from.
inline std::uint64_t xorshift64(std::uint64_t& state) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

class MemcpyRand {
public:
    explicit MemcpyRand(std::size_t size);
    ~MemcpyRand();
    MemcpyRand(const MemcpyRand&) = delete;
    MemcpyRand& operator=(const MemcpyRand&) = delete;
    double run(double min_ns);  // ns per 4 KiB copy

private:
    unsigned char* m_source = nullptr;
    std::size_t m_size = 0;
    std::uint64_t m_rng = 0x9E3779B97F4A7C15ULL;
};

}  // namespace ntio::bench
