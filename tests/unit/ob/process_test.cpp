// Processes and thread objects: per-process handle tables, termination (handles closed, waiters
// signalled), client ids, PsCreateSystemThread and PsTerminateSystemThread.
#include "unit/ob/ob_test_support.hpp"

#include <atomic>
#include <chrono>
#include <thread>

namespace ntio::ob::test {
namespace {

class ProcessTest : public ObTest {
protected:
    // Waits (hang guard only) until the object count settles at `expected`: thread objects are
    // released by their own threads after they signal.
    bool settle(std::size_t expected)
    {
        for (int i = 0; i < 20000; ++i) {
            if (om().object_count() == expected) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return om().object_count() == expected;
    }
};

TEST_F(ProcessTest, SystemAndInitialProcessesHaveIds)
{
    EXPECT_EQ(PsGetProcessId(om().system_process()), reinterpret_cast<HANDLE>(4));
    EXPECT_EQ(PsGetCurrentProcess(), om().initial_process());
    EXPECT_EQ(IoGetCurrentProcess(), om().initial_process());
    EXPECT_EQ(PsGetCurrentProcessId(), PsGetProcessId(om().initial_process()));
    EXPECT_EQ(reinterpret_cast<ULONG_PTR>(PsGetCurrentProcessId()) % 4, 0u);
    PETHREAD self = PsGetCurrentThread();
    ASSERT_NE(self, nullptr);
    EXPECT_EQ(PsGetThreadProcess(self), om().initial_process());
    EXPECT_EQ(PsGetThreadId(self), PsGetCurrentThreadId());
    EXPECT_EQ(PsGetThreadProcessId(self), PsGetCurrentProcessId());
    EXPECT_FALSE(PsIsSystemThread(self));
    EXPECT_FALSE(PsIsThreadTerminating(self));
    EXPECT_EQ(ObGetObjectType(self), *PsThreadType);
    EXPECT_EQ(ObGetObjectType(PsGetCurrentProcess()), *PsProcessType);
}

TEST_F(ProcessTest, TerminationClosesHandlesAndSignals)
{
    std::size_t objects = om().object_count();
    std::size_t handles = om().handle_count();
    PEPROCESS p = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"victim", &p), STATUS_SUCCESS);
    {
        ProcessAttach attach(p);
        for (int i = 0; i < 3; ++i) {
            HANDLE h = nullptr;
            ASSERT_EQ(create_event(om(), u"", 0, &h), STATUS_SUCCESS);
        }
        HANDLE named = nullptr;
        ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObVictim", 0, &named), STATUS_SUCCESS);
    }
    EXPECT_EQ(om().handle_count(), handles + 4);
    EXPECT_EQ(om().object_count(), objects + 5);
    LARGE_INTEGER zero{};
    EXPECT_EQ(KeWaitForSingleObject(p, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    om().terminate_process(p, STATUS_CANCELLED);
    EXPECT_EQ(KeWaitForSingleObject(p, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    EXPECT_EQ(p->m_exit_status, STATUS_CANCELLED);
    EXPECT_EQ(om().handle_count(), handles);
    EXPECT_EQ(om().object_count(), objects + 1);
    HANDLE h = nullptr;
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObVictim", 0, *ExEventObjectType, &h),
              STATUS_OBJECT_NAME_NOT_FOUND);
    {
        ProcessAttach attach(p);
        EXPECT_EQ(create_event(om(), u"", 0, &h), STATUS_PROCESS_IS_TERMINATING);
    }
    om().terminate_process(p, STATUS_SUCCESS);  // idempotent: the first status stays
    EXPECT_EQ(p->m_exit_status, STATUS_CANCELLED);
    ObDereferenceObject(p);
    EXPECT_EQ(om().object_count(), objects);
}

TEST_F(ProcessTest, TerminationWakesAWaiter)
{
    std::size_t objects = om().object_count();
    PEPROCESS p = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"awaited", &p), STATUS_SUCCESS);
    HANDLE ph = nullptr;
    ASSERT_EQ(om().open_object_by_pointer(p, OBJ_KERNEL_HANDLE, SYNCHRONIZE, *PsProcessType, KernelMode, &ph),
              STATUS_SUCCESS);
    std::atomic<NTSTATUS> waited{STATUS_PENDING};
    std::thread waiter([&] {
        system().make_current();
        LARGE_INTEGER guard;
        guard.QuadPart = -600LL * 10'000'000;  // hang guard only
        waited = KeWaitForSingleObject(p, Executive, KernelMode, FALSE, &guard);
    });
    om().terminate_process(p, STATUS_SUCCESS);
    waiter.join();
    EXPECT_EQ(waited.load(), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(ph, KernelMode), STATUS_SUCCESS);
    ObDereferenceObject(p);
    EXPECT_TRUE(settle(objects));
}

TEST_F(ProcessTest, ProcessDeletedWithoutTerminationClosesItsHandles)
{
    std::size_t objects = om().object_count();
    PEPROCESS p = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"dropped", &p), STATUS_SUCCESS);
    {
        ProcessAttach attach(p);
        HANDLE h = nullptr;
        ASSERT_EQ(create_event(om(), u"", 0, &h), STATUS_SUCCESS);
    }
    ObDereferenceObject(p);
    EXPECT_EQ(om().object_count(), objects);
}

struct SystemThreadContext {
    std::atomic<int> ran{0};
    PEPROCESS process = nullptr;
    BOOLEAN is_system = FALSE;
};

void system_thread_routine(PVOID context)
{
    auto* ctx = static_cast<SystemThreadContext*>(context);
    ctx->process = PsGetCurrentProcess();
    ctx->is_system = PsIsSystemThread(PsGetCurrentThread());
    ctx->ran.store(1);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

TEST_F(ProcessTest, SystemThreadRunsInTheSystemProcess)
{
    std::size_t objects = om().object_count();
    SystemThreadContext ctx;
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE thread = nullptr;
    CLIENT_ID cid{};
    ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, &oa, nullptr, &cid, system_thread_routine, &ctx),
              STATUS_SUCCESS);
    EXPECT_EQ(reinterpret_cast<std::uint64_t>(thread) & kKernelHandleMask, kKernelHandleMask);
    EXPECT_EQ(cid.UniqueProcess, reinterpret_cast<HANDLE>(4));
    void* body = nullptr;
    OBJECT_HANDLE_INFORMATION info{};
    ASSERT_EQ(ObReferenceObjectByHandle(thread, SYNCHRONIZE, *PsThreadType, KernelMode, &body, &info),
              STATUS_SUCCESS);
    EXPECT_EQ(info.GrantedAccess, ACCESS_MASK(THREAD_ALL_ACCESS));
    EXPECT_EQ(PsGetThreadId(static_cast<PETHREAD>(body)), cid.UniqueThread);
    LARGE_INTEGER guard;
    guard.QuadPart = -600LL * 10'000'000;  // hang guard only
    EXPECT_EQ(KeWaitForSingleObject(body, Executive, KernelMode, FALSE, &guard), STATUS_SUCCESS);
    ObDereferenceObject(body);
    EXPECT_EQ(ctx.ran.load(), 1);
    EXPECT_EQ(ctx.process, om().system_process());
    EXPECT_TRUE(ctx.is_system);
    EXPECT_EQ(ObCloseHandle(thread, KernelMode), STATUS_SUCCESS);
    EXPECT_TRUE(settle(objects));
}

// PsTerminateSystemThread from deep inside the thread's frames, within a __try: the thread ends and
// its object is signalled without unwinding those frames (NT never
// unwinds a terminated thread's stack: nothing in them runs, and their code may already be gone by
// the time a waiter unloads the driver).
struct DeepExitContext {
    std::atomic<int> destructor_ran{0};
    std::atomic<int> after_terminate{0};
};
struct CountsDestruction {
    DeepExitContext* ctx;
    ~CountsDestruction() { ctx->destructor_ran.fetch_add(1); }
};
[[gnu::noinline]] void terminate_from_depth(DeepExitContext* ctx, int depth)
{
    CountsDestruction local{ctx};
    if (depth > 0) return terminate_from_depth(ctx, depth - 1);
    __try {
        PsTerminateSystemThread(STATUS_UNSUCCESSFUL);
    } __finally {
        ctx->after_terminate.fetch_add(1);
    }
    ctx->after_terminate.fetch_add(1);
}
void deep_exit_routine(PVOID context) { terminate_from_depth(static_cast<DeepExitContext*>(context), 3); }

TEST_F(ProcessTest, TerminatedSystemThreadEndsWithoutUnwindingItsFrames)
{
    DeepExitContext ctx;
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE thread = nullptr;
    ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, &oa, nullptr, nullptr, deep_exit_routine, &ctx),
              STATUS_SUCCESS);
    void* body = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(thread, SYNCHRONIZE, *PsThreadType, KernelMode, &body, nullptr), STATUS_SUCCESS);
    LARGE_INTEGER guard;
    guard.QuadPart = -600LL * 10'000'000;  // hang guard only
    EXPECT_EQ(KeWaitForSingleObject(body, Executive, KernelMode, FALSE, &guard), STATUS_SUCCESS);
    ObDereferenceObject(body);
    EXPECT_EQ(ctx.destructor_ran.load(), 0);
    EXPECT_EQ(ctx.after_terminate.load(), 0);
    EXPECT_EQ(ObCloseHandle(thread, KernelMode), STATUS_SUCCESS);
}

TEST_F(ProcessTest, TerminateSystemThreadRefusesOtherThreads)
{
    EXPECT_EQ(PsTerminateSystemThread(STATUS_SUCCESS), STATUS_INVALID_PARAMETER);
    HANDLE h = nullptr;
    EXPECT_EQ(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, nullptr, nullptr),
              STATUS_INVALID_PARAMETER);
}

}  // namespace
}  // namespace ntio::ob::test
