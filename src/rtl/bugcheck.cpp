// KeBugCheckEx and friends: print the stop screen to stderr and abort, unless a process-wide hook
// (NtioSetBugCheckHook) takes the bugcheck, which is how tests assert stop codes without dying.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <ntio/ntio.h>

#include "rtl/bugcheck.hpp"

namespace ntio::rtl {
namespace {

struct HookState {
    std::mutex lock;
    NTIO_BUGCHECK_HOOK hook = nullptr;
    PVOID context = nullptr;
};

HookState& hook_state() {
    static HookState state;
    return state;
}

std::atomic<BugCheckReporter> g_reporter{nullptr};
thread_local bool t_in_bugcheck = false;

void write_all(int fd, const char* text) {
    std::size_t length = std::strlen(text);
    while (length > 0) {
        ssize_t written = ::write(fd, text, length);
        if (written <= 0) return;
        text += written;
        length -= static_cast<std::size_t>(written);
    }
}

[[noreturn]] void stop_screen(ULONG code, const ULONG_PTR params[4]) {
    if (t_in_bugcheck) {
        write_all(STDERR_FILENO, "*** recursive bugcheck, aborting\n");
        std::abort();
    }
    t_in_bugcheck = true;
    char line[256];
    format_stop_line(line, sizeof line, code, params);
    write_all(STDERR_FILENO, "\n");
    write_all(STDERR_FILENO, line);
    write_all(STDERR_FILENO, "\n");
    const char* name = bugcheck_name(code);
    const char* meaning = bugcheck_meaning(code);
    write_all(STDERR_FILENO, name ? name : "(unknown bugcheck code)");
    write_all(STDERR_FILENO, "\n");
    if (meaning) {
        write_all(STDERR_FILENO, meaning);
        write_all(STDERR_FILENO, "\n");
    }
    if (BugCheckReporter reporter = g_reporter.load(std::memory_order_acquire)) {
        reporter(code, params, STDERR_FILENO);
    }
    std::abort();
}

}  // namespace

void format_stop_line(char* buf, std::size_t size, ULONG code, const ULONG_PTR params[4]) noexcept {
    std::snprintf(buf, size, "*** STOP: 0x%08X (0x%016llX, 0x%016llX, 0x%016llX, 0x%016llX)", code,
                  static_cast<unsigned long long>(params[0]), static_cast<unsigned long long>(params[1]),
                  static_cast<unsigned long long>(params[2]), static_cast<unsigned long long>(params[3]));
}

BugCheckReporter set_bugcheck_reporter(BugCheckReporter reporter) noexcept {
    return g_reporter.exchange(reporter, std::memory_order_acq_rel);
}

}  // namespace ntio::rtl

using namespace ntio::rtl;

extern "C" NTIO_BUGCHECK_HOOK NtioSetBugCheckHook(NTIO_BUGCHECK_HOOK Hook, PVOID Context) {
    HookState& state = hook_state();
    std::lock_guard<std::mutex> guard(state.lock);
    NTIO_BUGCHECK_HOOK previous = state.hook;
    state.hook = Hook;
    state.context = Context;
    return previous;
}

extern "C" NTIO_BUGCHECK_HOOK NtioGetBugCheckHook(PVOID* Context) {
    HookState& state = hook_state();
    std::lock_guard<std::mutex> guard(state.lock);
    if (Context) *Context = state.context;
    return state.hook;
}

extern "C" VOID NTAPI KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1, ULONG_PTR BugCheckParameter2,
                                   ULONG_PTR BugCheckParameter3, ULONG_PTR BugCheckParameter4) {
    const ULONG_PTR params[4] = {BugCheckParameter1, BugCheckParameter2, BugCheckParameter3,
                                 BugCheckParameter4};
    NTIO_BUGCHECK_HOOK hook;
    PVOID context;
    {
        HookState& state = hook_state();
        std::lock_guard<std::mutex> guard(state.lock);
        hook = state.hook;
        context = state.context;
    }
    if (hook) {
        hook(BugCheckCode, params[0], params[1], params[2], params[3], context);
        write_all(STDERR_FILENO, "*** bugcheck hook returned; a hook must not return\n");
    }
    stop_screen(BugCheckCode, params);
}

extern "C" VOID NTAPI KeBugCheck(ULONG BugCheckCode) { KeBugCheckEx(BugCheckCode, 0, 0, 0, 0); }

extern "C" VOID NTAPI RtlFailFast(ULONG Code) { KeBugCheckEx(KERNEL_SECURITY_CHECK_FAILURE, Code, 0, 0, 0); }
