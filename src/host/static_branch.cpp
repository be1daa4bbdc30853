// Rewriting static branch sites (static_branch.hpp): the cross-modifying-code protocol, the SIGTRAP
// handler that steers a thread off a site while it holds int3, and the cases that leave sites as
// compiled.
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "host/memory_barrier.hpp"
#include "host/static_branch.hpp"

namespace ntio::host {
namespace {

// What a key's sites hold (StaticBranchKey::state): the compiled jump to the flag's test, the no-op,
// the jump to the taken path. Set before a rewrite starts, so that the SIGTRAP handler sends a
// thread where the site is about to lead.
constexpr int kCompiled = 0, kOff = 1, kOn = 2;
constexpr std::size_t kSiteBytes = 5;
constexpr unsigned char kNop5[kSiteBytes] = {0x0f, 0x1f, 0x44, 0x00, 0x00};  // nopl 0x0(%rax,%rax,1)
constexpr unsigned char kJmpRel32 = 0xe9;
constexpr unsigned char kInt3 = 0xcc;

std::mutex g_lock;  // one rewrite at a time

// Keys whose sites were ever rewritten, for the SIGTRAP handler (never removed).
constexpr int kMaxKeys = 16;
std::atomic<StaticBranchKey*> g_keys[kMaxKeys];
std::atomic<int> g_key_count{0};
struct sigaction g_previous_trap_action;

template <typename Field>
std::uintptr_t target_of(const Field& field) noexcept {
    return reinterpret_cast<std::uintptr_t>(&field) + static_cast<std::intptr_t>(field);
}

// Where a thread that reached the site's int3 goes, for the state the site is being given.
std::uintptr_t destination(const StaticBranchSite& s, int state) noexcept {
    if (state == kOn) return target_of(s.taken);
    if (state == kOff) return target_of(s.site) + kSiteBytes;
    return target_of(s.check);
}

void on_sigtrap(int signo, siginfo_t* info, void* context) {
    auto* uc = static_cast<ucontext_t*>(context);
    const std::uintptr_t at = static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]) - 1;  // past the int3
    const int keys = g_key_count.load(std::memory_order_acquire);
    for (int k = 0; k < keys; ++k) {
        const StaticBranchKey* key = g_keys[k].load(std::memory_order_acquire);
        const int state = key->state.load(std::memory_order_acquire);
        for (const StaticBranchSite* s = key->begin; s != key->end; ++s) {
            if (target_of(s->site) != at) continue;
            uc->uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(destination(*s, state));
            return;
        }
    }
    // Not a site: what the process did before this handler.
    const struct sigaction& previous = g_previous_trap_action;
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) return previous.sa_sigaction(signo, info, context);
    } else if (previous.sa_handler == SIG_IGN) {
        return;
    } else if (previous.sa_handler != SIG_DFL) {
        return previous.sa_handler(signo);
    }
    signal(SIGTRAP, SIG_DFL);
    raise(SIGTRAP);
}

bool install_trap_handler() noexcept {
    static const bool installed = [] {
        struct sigaction action{};
        action.sa_sigaction = on_sigtrap;
        action.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&action.sa_mask);
        return sigaction(SIGTRAP, &action, &g_previous_trap_action) == 0;
    }();
    return installed;
}

// Valgrind runs translations of file-backed code and does not see it rewritten (unless told to
// check all code, --smc-check=all): there the sites keep testing the flag.
bool patching_allowed() noexcept {
    static const bool allowed = [] {
        const char* setting = std::getenv("NTIO_STATIC_BRANCHES");
        if (setting && std::strcmp(setting, "0") == 0) return false;
        const char* preload = std::getenv("LD_PRELOAD");
        return !(preload && std::strstr(preload, "vgpreload"));
    }();
    return allowed && core_barrier_available() && install_trap_handler();
}

bool register_key(StaticBranchKey& key) noexcept {
    const int count = g_key_count.load(std::memory_order_relaxed);
    for (int k = 0; k < count; ++k)
        if (g_keys[k].load(std::memory_order_relaxed) == &key) return true;
    if (count == kMaxKeys) return false;
    g_keys[count].store(&key, std::memory_order_relaxed);
    g_key_count.store(count + 1, std::memory_order_release);
    return true;
}

struct Edit {
    unsigned char* at;
    unsigned char bytes[kSiteBytes];
};

// Code bytes are read and written by plain moves the compiler cannot see into: a sanitizer would
// otherwise check them against shadow memory it keeps for data, not for code (ThreadSanitizer faults).
void store_byte(unsigned char* at, unsigned char value) noexcept {
    __asm__ __volatile__("movb %1, %0" : "=m"(*at) : "q"(value) : "memory");
}
unsigned char load_byte(const unsigned char* at) noexcept {
    unsigned char value;
    __asm__ __volatile__("movb %1, %0" : "=q"(value) : "m"(*at) : "memory");
    return value;
}
bool holds(const unsigned char* at, const unsigned char (&bytes)[kSiteBytes]) noexcept {
    for (std::size_t i = 0; i < kSiteBytes; ++i)
        if (load_byte(at + i) != bytes[i]) return false;
    return true;
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

bool rewrite(StaticBranchKey& key, int state, void (*while_trapping)()) noexcept {
    std::vector<Edit> edits;
    std::vector<std::uintptr_t> pages;
    const std::uintptr_t page_mask = ~(static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE)) - 1);
    for (const StaticBranchSite* s = key.begin; s != key.end; ++s) {
        Edit edit{reinterpret_cast<unsigned char*>(target_of(s->site)), {}};
        if (state == kOff) {
            std::memcpy(edit.bytes, kNop5, kSiteBytes);
        } else {
            const std::uintptr_t to = state == kOn ? target_of(s->taken) : target_of(s->check);
            const auto rel = static_cast<std::int32_t>(to - (target_of(s->site) + kSiteBytes));
            edit.bytes[0] = kJmpRel32;
            std::memcpy(edit.bytes + 1, &rel, sizeof rel);
        }
        if (holds(edit.at, edit.bytes)) continue;
        edits.push_back(edit);
        pages.push_back(reinterpret_cast<std::uintptr_t>(edit.at) & page_mask);
        pages.push_back((reinterpret_cast<std::uintptr_t>(edit.at) + kSiteBytes - 1) & page_mask);
    }
    key.state.store(state, std::memory_order_release);
    if (edits.empty()) return true;
    std::sort(pages.begin(), pages.end());
    pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
    if (!protect(pages, true)) return false;
    for (const Edit& e : edits) store_byte(e.at, kInt3);
    core_barrier();
    if (while_trapping) while_trapping();
    for (const Edit& e : edits)
        for (std::size_t i = 1; i < kSiteBytes; ++i) store_byte(e.at + i, e.bytes[i]);
    core_barrier();
    for (const Edit& e : edits) store_byte(e.at, e.bytes[0]);
    core_barrier();
    (void)protect(pages, false);
    return true;
}

}  // namespace

bool sync_static_branch(StaticBranchKey& key, void (*while_trapping)()) noexcept {
    std::lock_guard guard(g_lock);
    const int previous = key.state.load(std::memory_order_relaxed);
    if (previous == kCompiled && (!patching_allowed() || !register_key(key))) return false;
    const int state = key.flag->load(std::memory_order_acquire) ? kOn : kOff;
    if (rewrite(key, state, while_trapping)) return true;
    // The pages could not be made writable: the sites keep what they hold. Once they left the
    // compiled form a site may hold the no-op while the flag is true, which would skip its hook.
    if (previous == kCompiled) {
        key.state.store(kCompiled, std::memory_order_release);
        return false;
    }
    static const char kMessage[] = "ntio: cannot rewrite the hook sites (mprotect refused)\n";
    (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    std::abort();
}

bool static_branch_patched(const StaticBranchKey& key) noexcept {
    return key.state.load(std::memory_order_acquire) != kCompiled;
}

}  // namespace ntio::host
