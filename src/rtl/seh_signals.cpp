// Turns synchronous faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL) inside a __try into NT exceptions
// (STATUS_ACCESS_VIOLATION and friends). Faults outside any __try go to the handler that was
// installed before ours (AddressSanitizer's, or the default action), so crashes stay crashes.
// Handlers run on a per-thread alternate stack, so a stack overflow can still be reported.
#include <signal.h>
#include <unistd.h>

#include <csetjmp>
#include <cstdlib>
#include <cstring>

#include <wdm.h>

#include "rtl/seh_thread.hpp"
#include "rtl/user_access.hpp"
#include "verifier/special_pool.hpp"

namespace ntio::rtl {
namespace verifier = ntio::verifier;
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
struct sigaction g_previous[sizeof kSignals / sizeof kSignals[0]];

struct AltStack {
    void* memory = nullptr;
    bool checked = false;
    ~AltStack() {
        if (memory) {
            stack_t disable{};
            disable.ss_flags = SS_DISABLE;
            stack_t current{};
            // Only remove the stack if it is still ours.
            if (sigaltstack(nullptr, &current) == 0 && current.ss_sp == memory) sigaltstack(&disable, nullptr);
            std::free(memory);
        }
    }
};
thread_local AltStack t_altstack;

int signal_index(int sig) {
    for (std::size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; ++i) {
        if (kSignals[i] == sig) return static_cast<int>(i);
    }
    return -1;
}

NTSTATUS status_for(int sig, const siginfo_t* info) {
    switch (sig) {
    case SIGFPE:
        if (info->si_code == FPE_INTDIV) return STATUS_INTEGER_DIVIDE_BY_ZERO;
        if (info->si_code == FPE_INTOVF) return STATUS_INTEGER_OVERFLOW;
        if (info->si_code == FPE_FLTDIV) return STATUS_FLOAT_DIVIDE_BY_ZERO;
        return STATUS_FLOAT_INVALID_OPERATION;
    case SIGILL:
        return info->si_code == ILL_PRVOPC ? STATUS_PRIVILEGED_INSTRUCTION : STATUS_ILLEGAL_INSTRUCTION;
    case SIGBUS:
        return info->si_code == BUS_ADRALN ? STATUS_DATATYPE_MISALIGNMENT : STATUS_ACCESS_VIOLATION;
    default:
        return STATUS_ACCESS_VIOLATION;
    }
}

void chain(int sig, siginfo_t* info, void* context) {
    const int index = signal_index(sig);
    const struct sigaction& previous = g_previous[index];
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) {
            previous.sa_sigaction(sig, info, context);
            return;
        }
    } else if (previous.sa_handler == SIG_IGN) {
        return;
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != nullptr) {
        previous.sa_handler(sig);
        return;
    }
    // Default action: restore it and return; the faulting instruction runs again and kills us.
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, nullptr);
}

void on_fault(int sig, siginfo_t* info, void* context) {
#if defined(__x86_64__)
    // A fault in a caller-memory routine (user_access.cpp) resumes at its fix-up, which returns
    // STATUS_ACCESS_VIOLATION; no exception frame is involved.
    if ((sig == SIGSEGV || sig == SIGBUS) && info->si_code > 0) {
        auto* uc = static_cast<ucontext_t*>(context);
        unsigned long fixup = 0;
        if (user_access_fixup(static_cast<unsigned long>(uc->uc_mcontext.gregs[REG_RIP]), &fixup)) {
            uc->uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(fixup);
            return;
        }
    }
#endif
    if ((sig == SIGSEGV || sig == SIGBUS) && info->si_code > 0) {
        // A touch of a freed special-pool IRP or past its end: the Windows bugcheck, which no __try
        // protects against (so before the exception dispatch). Returns for any other address.
        bool write = false;
        const void* pc = nullptr;
#if defined(__x86_64__)
        const auto* uc = static_cast<const ucontext_t*>(context);
        write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
        pc = reinterpret_cast<const void*>(uc->uc_mcontext.gregs[REG_RIP]);
#endif
        verifier::special_pool_fault(info->si_addr, write, pc);
    }
    if (NtioSehThread.Top == nullptr || info->si_code <= 0) {
        // No __try on this thread, or a signal sent by kill(): not ours to handle.
        chain(sig, info, context);
        return;
    }
    EXCEPTION_RECORD record{};
    record.ExceptionCode = status_for(sig, info);
    record.ExceptionAddress = info->si_addr;
    if (record.ExceptionCode == STATUS_ACCESS_VIOLATION) {
        // ExceptionInformation[0]: 0 read, 1 write (the kernel does not say on every architecture);
        // [1]: the faulting address.
        record.NumberParameters = 2;
        record.ExceptionInformation[0] = 0;
#if defined(__x86_64__)
        const auto* uc = static_cast<const ucontext_t*>(context);
        record.ExceptionInformation[0] = (uc->uc_mcontext.gregs[REG_ERR] & 2) ? 1 : 0;
#endif
        record.ExceptionInformation[1] = reinterpret_cast<ULONG_PTR>(info->si_addr);
    }
    // Jumping out of the handler leaves the alternate stack and the kernel's signal frame behind, and
    // with them the mask restore of the handler's return. Our SA_NODEFER and empty sa_mask block
    // nothing, but a sanitizer that intercepts sigaction runs the handler from its own, which blocks
    // every signal: restore the mask the thread had at the fault, as siglongjmp would, or its next
    // fault (blocked) kills the process.
    pthread_sigmask(SIG_SETMASK, &static_cast<const ucontext_t*>(context)->uc_sigmask, nullptr);
    seh_dispatch(record);
}

__attribute__((constructor)) void install_fault_handlers() {
    for (std::size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; ++i) {
        struct sigaction action{};
        action.sa_sigaction = on_fault;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        sigaction(kSignals[i], &action, &g_previous[i]);
    }
}

}  // namespace

void seh_prepare_thread() noexcept {
    // A synchronous fault while its signal is blocked kills the process without running any handler,
    // so a thread that blocked them could never have a fault dispatched to its __try. Threads started
    // by ThreadSanitizer's pthread_create begin with every signal blocked (strace shows the mask set
    // to all but SIGKILL, SIGSTOP and SIGRTMIN), which is how the fault was lost there.
    sigset_t faults;
    sigemptyset(&faults);
    for (const int sig : kSignals) sigaddset(&faults, sig);
    pthread_sigmask(SIG_UNBLOCK, &faults, nullptr);
    AltStack& alt = t_altstack;
    if (alt.checked) return;
    alt.checked = true;
    stack_t current{};
    if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;  // someone set one
    const std::size_t size = 64 * 1024;
    alt.memory = std::malloc(size);
    if (!alt.memory) return;
    stack_t stack{};
    stack.ss_sp = alt.memory;
    stack.ss_size = size;
    if (sigaltstack(&stack, nullptr) != 0) {
        std::free(alt.memory);
        alt.memory = nullptr;
    }
}

}  // namespace ntio::rtl
