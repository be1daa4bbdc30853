// Rewriting static branch sites (static_branch.hpp): the cross-modifying-code protocol, and the
// cases that leave sites as compiled.
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "host/memory_barrier.hpp"
#include "host/static_branch.hpp"

namespace ntio::host {

#if NTIO_STATIC_BRANCHES
namespace {

// What a key's sites hold (StaticBranchKey::state).
constexpr int kCompiled = 0, kOff = 1, kOn = 2;
constexpr std::size_t kSiteBytes = 5;
using SiteBytes = unsigned char[kSiteBytes];
constexpr SiteBytes kNop5 = {0x0f, 0x1f, 0x44, 0x00, 0x00};  // nopl 0x0(%rax,%rax,1)
constexpr unsigned char kJmpRel32 = 0xe9;
constexpr std::uint16_t kJumpToSelf = 0xfeeb;  // eb fe: jmp . (little-endian)

// One rewrite at a time; held across fork() (pthread_atfork below), so that a child never starts
// with it taken by a thread it does not have.
std::mutex g_lock;
void (*g_rewrite_hook_for_test)() = nullptr;

template <typename Field>
std::uintptr_t target_of(const Field& field) noexcept {
    return reinterpret_cast<std::uintptr_t>(&field) + static_cast<std::intptr_t>(field);
}
unsigned char* site_of(const StaticBranchSite& s) noexcept { return reinterpret_cast<unsigned char*>(target_of(s.site)); }

// The site's bytes for a state: the no-op, or the jump to the taken path or to the flag's test.
void encode(const StaticBranchSite& s, int state, SiteBytes& out) noexcept {
    if (state == kOff) {
        std::memcpy(out, kNop5, kSiteBytes);
        return;
    }
    const std::uintptr_t to = state == kOn ? target_of(s.taken) : target_of(s.check);
    const auto rel = static_cast<std::int32_t>(to - (target_of(s.site) + kSiteBytes));
    out[0] = kJmpRel32;
    std::memcpy(out + 1, &rel, sizeof rel);
}

// Code bytes are read and written by moves the compiler cannot see into: a sanitizer would otherwise
// check them against the shadow memory it keeps for data, not for code (ThreadSanitizer faults).
unsigned char load_byte(const unsigned char* at) noexcept {
    unsigned char value;
    __asm__ __volatile__("movb %1, %0" : "=q"(value) : "m"(*at) : "memory");
    return value;
}
void store_byte(unsigned char* at, unsigned char value) noexcept {
    __asm__ __volatile__("movb %1, %0" : "=m"(*at) : "q"(value) : "memory");
}
// One aligned 2-byte store: no thread fetches half of it.
void store_pair(unsigned char* at, std::uint16_t value) noexcept {
    __asm__ __volatile__("movw %1, %0" : "=m"(*reinterpret_cast<std::uint16_t*>(at)) : "r"(value) : "memory");
}
bool holds(const unsigned char* at, const SiteBytes& bytes) noexcept {
    for (std::size_t i = 0; i < kSiteBytes; ++i)
        if (load_byte(at + i) != bytes[i]) return false;
    return true;
}

[[noreturn]] void fail(const char* message) noexcept {
    (void)!write(STDERR_FILENO, message, std::strlen(message));
    std::abort();
}

// Valgrind runs translations of file-backed code and does not see it rewritten (unless told to
// check all code, --smc-check=all): there the sites keep testing the flag.
bool rewrite_allowed() noexcept {
    static const bool allowed = [] {
        const char* setting = std::getenv("NTIO_STATIC_BRANCHES");
        if (setting && std::strcmp(setting, "0") == 0) return false;
        const char* preload = std::getenv("LD_PRELOAD");
        return !(preload && std::strstr(preload, "vgpreload"));
    }();
    return allowed && core_barrier_available();
}

// Makes the pages holding the edits writable (and executable still), or restores them.
bool protect(std::vector<std::uintptr_t>& pages, bool writable) noexcept {
    const int prot = PROT_READ | PROT_EXEC | (writable ? PROT_WRITE : 0);
    const std::uintptr_t page_size = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    for (std::size_t i = 0; i < pages.size(); ++i) {
        if (mprotect(reinterpret_cast<void*>(pages[i]), page_size, prot) == 0) continue;
        if (writable) {  // put back what was changed; the sites stay as they are
            pages.resize(i);
            (void)protect(pages, false);
        }
        return false;
    }
    return true;
}

struct Edit {
    unsigned char* at;
    SiteBytes bytes;
};

// False when the pages could not be made writable (nothing written).
bool rewrite(StaticBranchKey& key, int state) {
    std::vector<Edit> edits;
    std::vector<std::uintptr_t> pages;
    const std::uintptr_t page_mask = ~(static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE)) - 1);
    for (const StaticBranchSite* s = key.begin; s != key.end; ++s) {
        Edit edit{site_of(*s), {}};
        encode(*s, state, edit.bytes);
        if (holds(edit.at, edit.bytes)) continue;
        // Like Linux's jump labels: only a site holding one of its own forms is written.
        SiteBytes compiled, on;
        encode(*s, kCompiled, compiled);
        encode(*s, kOn, on);
        if (!holds(edit.at, compiled) && !holds(edit.at, on) && !holds(edit.at, kNop5))
            fail("ntio: a static branch site holds unexpected bytes; not rewriting it\n");
        if (reinterpret_cast<std::uintptr_t>(edit.at) % 2 != 0) fail("ntio: a static branch site is not 2-byte aligned\n");
        edits.push_back(edit);
        pages.push_back(reinterpret_cast<std::uintptr_t>(edit.at) & page_mask);
        pages.push_back((reinterpret_cast<std::uintptr_t>(edit.at) + kSiteBytes - 1) & page_mask);
    }
    if (edits.empty()) return true;
    std::sort(pages.begin(), pages.end());
    pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
    if (!protect(pages, true)) return false;
    // From the first store on, a barrier that fails would leave threads running stale bytes.
    const auto barrier = [] {
        if (!core_barrier()) fail("ntio: membarrier(SYNC_CORE) failed while rewriting static branch sites\n");
    };
    for (const Edit& e : edits) store_pair(e.at, kJumpToSelf);
    barrier();
    if (g_rewrite_hook_for_test) g_rewrite_hook_for_test();
    for (const Edit& e : edits)
        for (std::size_t i = 2; i < kSiteBytes; ++i) store_byte(e.at + i, e.bytes[i]);
    barrier();
    for (const Edit& e : edits) store_pair(e.at, static_cast<std::uint16_t>(e.bytes[0] | e.bytes[1] << 8));
    barrier();
    if (!protect(pages, false)) fail("ntio: cannot make rewritten code pages read-only again\n");
    return true;
}

void lock_for_fork() { g_lock.lock(); }
void unlock_after_fork() { g_lock.unlock(); }

}  // namespace

bool set_static_branch(StaticBranchKey& key, bool on) noexcept {
    static const bool fork_safe = pthread_atfork(lock_for_fork, unlock_after_fork, unlock_after_fork) == 0;
    std::lock_guard guard(g_lock);
    const int previous = key.state.load(std::memory_order_relaxed);
    // A failed probe of the barrier, before anything is written, leaves the sites as compiled.
    if (previous == kCompiled && (!fork_safe || !rewrite_allowed() || !core_barrier())) return false;
    const int state = on ? kOn : kOff;
    bool done = false;
    try {
        done = rewrite(key, state);
    } catch (const std::bad_alloc&) {
        done = false;  // nothing was written (the lists are built before the first store)
    }
    if (done) {
        key.state.store(state, std::memory_order_release);
        return true;
    }
    // Once sites left the compiled form one may hold the no-op while the flag is set, which would
    // skip its hook: that cannot be left so.
    if (previous != kCompiled) fail("ntio: cannot rewrite static branch sites (mprotect or memory refused)\n");
    return false;
}

bool sync_static_branch(StaticBranchKey& key) noexcept {
    return set_static_branch(key, key.flag->load(std::memory_order_acquire));
}

bool static_branch_patched(const StaticBranchKey& key) noexcept {
    return key.state.load(std::memory_order_acquire) != kCompiled;
}

void set_static_branch_rewrite_hook_for_test(void (*hook)()) noexcept {
    std::lock_guard guard(g_lock);
    g_rewrite_hook_for_test = hook;
}

#else  // sites test their flag: nothing to rewrite

bool set_static_branch(StaticBranchKey&, bool) noexcept { return false; }
bool sync_static_branch(StaticBranchKey&) noexcept { return false; }
bool static_branch_patched(const StaticBranchKey&) noexcept { return false; }
void set_static_branch_rewrite_hook_for_test(void (*)()) noexcept {}

#endif

}  // namespace ntio::host
