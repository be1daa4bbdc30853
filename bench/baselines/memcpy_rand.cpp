// memcpy_rand(S): see memcpy_rand.hpp. The source is filled with non-zero bytes so that every page
// is resident and private (an untouched or zero-filled mapping would read the shared zero page).
#include "baselines/memcpy_rand.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

#include "harness/gate_runner.hpp"

namespace ntio::bench {

namespace {
constexpr std::size_t kBlock = 4096;
alignas(64) unsigned char g_destination[kBlock];
// The library's memcpy, called as the RAM disk calls it (RtlCopyMemory of a run-time length):
// through a pointer the compiler cannot see through, so it is not replaced by an inline copy.
void* (*volatile g_memcpy)(void*, const void*, std::size_t) = std::memcpy;
}  // namespace

MemcpyRand::MemcpyRand(std::size_t size) : m_size(size) {
    m_source = static_cast<unsigned char*>(std::aligned_alloc(kBlock, size));
    if (!m_source) throw std::bad_alloc();
    for (std::size_t i = 0; i < size; i += kBlock)
        std::memset(m_source + i, static_cast<int>(1 + (i / kBlock) % 251), kBlock);
}

MemcpyRand::~MemcpyRand() { std::free(m_source); }

double MemcpyRand::run(double min_ns) {
    const std::uint64_t blocks = m_size / kBlock;
    return time_loop(min_ns, [&] {
        const std::uint64_t offset = (xorshift64(m_rng) % blocks) * kBlock;
        g_memcpy(g_destination, m_source + offset, kBlock);
        keep(g_destination);
    });
}

}  // namespace ntio::bench
