// Fault signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL) through sigaction, on sigaltstack stacks.
#include "host/faults.hpp"

#include <signal.h>
#include <ucontext.h>

#include <cstdlib>

namespace ntio::host {
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
struct sigaction g_previous[sizeof kSignals / sizeof kSignals[0]];
FaultDecider g_decide = nullptr;
FaultDispatcher g_dispatch = nullptr;

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

FaultKind kind_of(int sig, const siginfo_t* info) {
    switch (sig) {
    case SIGFPE:
        if (info->si_code == FPE_INTDIV) return FaultKind::kIntegerDivide;
        if (info->si_code == FPE_INTOVF) return FaultKind::kIntegerOverflow;
        if (info->si_code == FPE_FLTDIV) return FaultKind::kFloatDivide;
        return FaultKind::kFloat;
    case SIGILL:
        return info->si_code == ILL_PRVOPC ? FaultKind::kPrivileged : FaultKind::kIllegal;
    case SIGBUS:
        return info->si_code == BUS_ADRALN ? FaultKind::kMisaligned : FaultKind::kAccess;
    default:
        return FaultKind::kAccess;
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
    auto* uc = static_cast<ucontext_t*>(context);
    Fault fault;
    fault.kind = kind_of(sig, info);
    fault.address = info->si_addr;
    fault.sent = info->si_code <= 0;
    fault.from_memory = (sig == SIGSEGV || sig == SIGBUS) && !fault.sent;
#if defined(__x86_64__)
    fault.pc = reinterpret_cast<const void*>(uc->uc_mcontext.gregs[REG_RIP]);
    fault.write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
#endif
    const FaultDecision decision = g_decide ? g_decide(fault) : FaultDecision{};
    switch (decision.action) {
    case FaultDecision::kResume:
#if defined(__x86_64__)
        uc->uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(decision.resume_at);
        return;
#else
        break;
#endif
    case FaultDecision::kDispatch:
        // Jumping out of the handler leaves the alternate stack and the kernel's signal frame
        // behind, and with them the mask restore of the handler's return. Our SA_NODEFER and empty
        // sa_mask block nothing, but a sanitizer that intercepts sigaction runs the handler from its
        // own, which blocks every signal: restore the mask the thread had at the fault, as
        // siglongjmp would, or its next fault (blocked) kills the process.
        pthread_sigmask(SIG_SETMASK, &uc->uc_sigmask, nullptr);
        g_dispatch(fault);
        return;  // not reached: the dispatcher jumps
    case FaultDecision::kNotMine:
        break;
    }
    chain(sig, info, context);
}

}  // namespace

void install_fault_handlers(FaultDecider decide, FaultDispatcher dispatch) noexcept {
    g_decide = decide;
    g_dispatch = dispatch;
    for (std::size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; ++i) {
        struct sigaction action{};
        action.sa_sigaction = on_fault;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        sigaction(kSignals[i], &action, &g_previous[i]);
    }
}

void prepare_thread_for_faults() noexcept {
    // Threads started by ThreadSanitizer's pthread_create begin with every signal blocked (strace
    // shows the mask set to all but SIGKILL, SIGSTOP and SIGRTMIN), which is how faults were lost
    // there.
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

}  // namespace ntio::host
