// Static branches: hook sites that cost a 5-byte no-op while their key's flag is false and are
// rewritten into a jump when it turns true. This is the run-time form of "compile out" that
// verifier-and-inspector.md asks of the verifier's and tracing's hooks ("compile out, or cost one
// predictable branch when disabled"): the technique of Linux's static keys, in user space.
//
// As compiled, a site is a jump to an out-of-line test of the flag (its "check" path), so it is
// correct before any patching and in a process that cannot patch its code. sync_static_branch()
// then rewrites every site of a key to follow the flag: the no-op while it is false, a jump straight
// to the taken path while it is true.
//
// Other threads may be running a site while it changes, so the rewrite follows the protocol Linux
// uses for its own text (text_poke_bp; Intel SDM vol. 3, 8.1.3, cross-modifying code): int3 over the
// first byte, a core-serializing barrier on every thread of the process (membarrier SYNC_CORE), the
// other four bytes, a barrier, the new first byte, a barrier. A thread that reaches a site while it
// holds the int3 takes SIGTRAP, and the handler sends it where the site now leads. Sites are not
// patched (they keep testing the flag) when the kernel offers no such barrier, under valgrind (whose
// translations of file-backed code do not see the rewrite) or with NTIO_STATIC_BRANCHES=0.
//
// The handler is the process's SIGTRAP handler from the first rewrite on (an int3 that is no site
// goes to the handler that was there before, or ends the process as the default action does). A
// thread that blocks SIGTRAP, or a handler another component installs later, would be in the way
// only when a thread reaches a site during the microseconds of a rewrite, which happen when the
// verifier or tracing is turned on or off.
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

// A key: the sites of one section of one module, and the flag they follow.
struct StaticBranchKey {
    const StaticBranchSite* begin;
    const StaticBranchSite* end;
    const std::atomic<bool>* flag;
    std::atomic<int> state{0};  // what the sites hold or are being rewritten to (static_branch.cpp)
};

// Rewrites the key's sites to follow *flag as it is now (under a lock: the last caller's reading
// wins, so call it after each change of the flag). False when the sites are left as compiled.
// while_trapping (tests): called when every site being rewritten holds int3, after the barrier.
bool sync_static_branch(StaticBranchKey& key, void (*while_trapping)() = nullptr) noexcept;

// Whether the key's sites are patched (no-op or direct jump) rather than testing the flag.
bool static_branch_patched(const StaticBranchKey& key) noexcept;

}  // namespace ntio::host

// NTIO_DEFINE_STATIC_BRANCH(name, section, flag): an always-inline `bool name()` that is true while
// the std::atomic<bool> `flag` is (read relaxed, as a hook's flag is), each inlined copy a site of
// the key whose sites are in `section` (an identifier: the linker then provides __start_<section>
// and __stop_<section> in the module).
// NTIO_STATIC_BRANCH_KEY(key, section, flag): defines the StaticBranchKey `key` of the module's
// sites in `section`, to be passed to sync_static_branch.
#define NTIO_STATIC_BRANCH_KEY(KEY, SECTION, FLAG)                                                      \
    extern "C" const ::ntio::host::StaticBranchSite __start_##SECTION[] __attribute__((visibility("hidden"))); \
    extern "C" const ::ntio::host::StaticBranchSite __stop_##SECTION[] __attribute__((visibility("hidden")));  \
    constinit ::ntio::host::StaticBranchKey KEY{__start_##SECTION, __stop_##SECTION, &(FLAG)}
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NTIO_STATIC_BRANCHES 1
#define NTIO_DEFINE_STATIC_BRANCH(NAME, SECTION, FLAG)                                                  \
    [[gnu::always_inline]] inline bool NAME() noexcept {                                               \
        __asm__ goto("1: .byte 0xe9\n\t"                                                               \
                     ".long %l[check] - 2f\n"                                                          \
                     "2:\n\t"                                                                          \
                     ".pushsection " #SECTION ", \"a\"\n\t"                                            \
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
#define NTIO_STATIC_BRANCHES 0
#define NTIO_DEFINE_STATIC_BRANCH(NAME, SECTION, FLAG) \
    inline bool NAME() noexcept { return (FLAG).load(std::memory_order_relaxed); }
#endif
