// catch_bugcheck: a process-wide bugcheck hook that jumps back to the innermost armed catcher of the
// thread that bugchecked; other threads fall through to the previous hook or the stop screen.
#include "support/bugcheck_catcher.hpp"

#include <setjmp.h>

#include <ntio/ntio.h>

namespace ntio::test {
namespace {

struct Catcher {
    sigjmp_buf jump;
    BugCheck record;
    Catcher* outer;
    NTIO_BUGCHECK_HOOK previous_hook;
    PVOID previous_context;
};

thread_local Catcher* t_innermost = nullptr;

void hook(ULONG code, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3, ULONG_PTR p4, PVOID context) {
    Catcher* catcher = t_innermost;
    if (catcher == nullptr) {
        // Not armed on this thread: hand the bugcheck to whoever hooked before us. Returning from a
        // hook makes KeBugCheckEx print the stop screen and abort.
        auto* installer = static_cast<Catcher*>(context);
        if (installer && installer->previous_hook) {
            installer->previous_hook(code, p1, p2, p3, p4, installer->previous_context);
        }
        return;
    }
    catcher->record = BugCheck{code, p1, p2, p3, p4};
    siglongjmp(catcher->jump, 1);
}

}  // namespace

std::optional<BugCheck> catch_bugcheck(const std::function<void()>& body) {
    Catcher catcher{};
    catcher.outer = t_innermost;
    catcher.previous_hook = NtioGetBugCheckHook(&catcher.previous_context);
    // The context lets an unarmed thread reach the hook that was installed before ours.
    NtioSetBugCheckHook(hook, &catcher);
    // The jump back skips the cleanup of any __try frames the body entered; forget them.
    PVOID const seh_frame = NtioSehCurrentFrame();
    t_innermost = &catcher;
    std::optional<BugCheck> result;
    if (sigsetjmp(catcher.jump, 1) == 0) {
        body();
    } else {
        result = catcher.record;
        NtioSehRestoreFrame(seh_frame);
    }
    t_innermost = catcher.outer;
    NtioSetBugCheckHook(catcher.previous_hook, catcher.previous_context);
    return result;
}

}  // namespace ntio::test
