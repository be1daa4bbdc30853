// Static branches: hook sites that cost a 5-byte no-op while their key is off and are rewritten
// into a jump when it turns on. This is the run-time form of "compile out" that
// verifier-and-inspector.md asks of the verifier's and tracing's hooks ("compile out, or cost one
// predictable branch when disabled"): the technique of Linux's static keys, in user space.
//
// As compiled, a site is a jump to an out-of-line test of the key's flag (its "check" path), so it
// is correct before any rewrite and in a process that cannot rewrite its code. set_static_branch()
// then rewrites every site of a key: the no-op for off, a jump straight to the taken path for on.
//
// Other threads may be running a site while it changes (Intel SDM vol. 3, 8.1.3, cross-modifying
// code). The rewrite first stores a 2-byte jump to itself over the site's first two bytes (one
// aligned store: the sites are 2-byte aligned), then runs a core-serializing barrier on every
// thread of the process (membarrier SYNC_CORE), stores the other three bytes, a barrier, the new
// first two bytes, a barrier. A thread that reaches a site during the rewrite spins on it until the
// last store and runs the new instruction; no thread ever runs a mix of old and new bytes. (Linux
// parks threads with int3 instead, which in user space would take a SIGTRAP handler that a thread
// blocking the signal, a debugger or another component's handler could get in the way of.)
//
// Sites are not rewritten (they keep testing the flag) when the kernel offers no such barrier, under
// valgrind (whose translations of file-backed code do not see the rewrite) or with
// NTIO_STATIC_BRANCHES=0.
#pragma once

#include <atomic>
#include <cstdint>

namespace ntio::host {

// One site, in its key's section; each field an offset from its own address (no relocations).
struct StaticBranchSite {
    std::int32_t site;   // the site's 5 bytes
    std::int32_t taken;  // the taken path
    std::int32_t check;  // the out-of-line test of the flag: the compiled jump's target
};

// A key: the sites of one section of one module, and the flag their compiled form tests.
struct StaticBranchKey {
    const StaticBranchSite* begin;
    const StaticBranchSite* end;
    const std::atomic<bool>* flag;
    std::atomic<int> state{0};  // what the sites hold (static_branch.cpp)
};

// Rewrites the key's sites for `on` (one rewrite at a time). False when they are left as compiled
// (testing the flag): the process cannot rewrite its code. A caller that changes the flag turns
// the sites on after setting it and off before clearing it, so that a site leads to the taken path
// only while the flag is set.
bool set_static_branch(StaticBranchKey& key, bool on) noexcept;
// The same for the flag's value as it is now.
bool sync_static_branch(StaticBranchKey& key) noexcept;

// Whether the key's sites are rewritten (no-op or direct jump) rather than testing the flag.
bool static_branch_patched(const StaticBranchKey& key) noexcept;

// Tests: called with every site of the rewrite holding its jump to itself (after the barrier).
void set_static_branch_rewrite_hook_for_test(void (*hook)()) noexcept;

}  // namespace ntio::host

// NTIO_DEFINE_STATIC_BRANCH(name, section, flag): an always-inline `bool name()` that is true while
// the key is on (or, as compiled, while the std::atomic<bool> `flag` is, read relaxed as a hook's
// flag is), each inlined copy a site of the key whose sites are in `section` (an identifier: the
// linker then provides __start_<section> and __stop_<section> in the module). Each site's entry is
// in the group of the function it is compiled in ("?"), so that the linker drops it with a copy of
// an inline function or template it discards.
// NTIO_STATIC_BRANCH_KEY(key, section, flag): defines the StaticBranchKey `key` of the module's
// sites in `section`.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NTIO_STATIC_BRANCHES 1
#define NTIO_STATIC_BRANCH_KEY(KEY, SECTION, FLAG)                                                      \
    extern "C" const ::ntio::host::StaticBranchSite __start_##SECTION[] __attribute__((visibility("hidden"))); \
    extern "C" const ::ntio::host::StaticBranchSite __stop_##SECTION[] __attribute__((visibility("hidden")));  \
    constinit ::ntio::host::StaticBranchKey KEY{__start_##SECTION, __stop_##SECTION, &(FLAG)}
#define NTIO_DEFINE_STATIC_BRANCH(NAME, SECTION, FLAG)                                                  \
    [[gnu::always_inline]] inline bool NAME() noexcept {                                               \
        __asm__ goto(".balign 2\n"                                                                     \
                     "1: .byte 0xe9\n\t"                                                               \
                     ".long %l[check] - 2f\n"                                                          \
                     "2:\n\t"                                                                          \
                     ".pushsection " #SECTION ", \"a?\"\n\t"                                           \
                     ".balign 4\n\t"                                                                   \
                     ".long 1b - .\n\t"                                                                \
                     ".long %l[taken] - .\n\t"                                                         \
                     ".long %l[check] - .\n\t"                                                         \
                     ".popsection"                                                                     \
                     :                                                                                 \
                     :                                                                                 \
                     :                                                                                 \
                     : check, taken);                                                                  \
        return false;                                                                                  \
    check:                                                                                             \
        return (FLAG).load(std::memory_order_relaxed);                                                 \
    taken:                                                                                             \
        return true;                                                                                   \
    }
#else
// Elsewhere a site is the test of the flag, and a key has no sites to rewrite.
#define NTIO_STATIC_BRANCHES 0
#define NTIO_STATIC_BRANCH_KEY(KEY, SECTION, FLAG) \
    constinit ::ntio::host::StaticBranchKey KEY{nullptr, nullptr, &(FLAG)}
#define NTIO_DEFINE_STATIC_BRANCH(NAME, SECTION, FLAG) \
    inline bool NAME() noexcept { return (FLAG).load(std::memory_order_relaxed); }
#endif
