// PsSetCurrentThreadPrefetching / PsIsCurrentThreadPrefetching: a flag of the calling thread only,
// clear on a new thread, set and cleared by its own thread, the previous value returned.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-pssetcurrentthreadprefetching
#include <gtest/gtest.h>

#include <ntddk.h>

#include "support/system_fixture.hpp"

namespace thread_prefetching_test {
namespace {

using ThreadPrefetchingTest = ntio::test::SystemTest;

struct ThreadView {
    KEVENT set;        // the main thread has set its flag
    KEVENT done;       // the system thread has looked
    BOOLEAN initially;  // the system thread's flag before it touched it
    BOOLEAN previous;   // what its own set returned
    BOOLEAN after;      // its flag after setting it
};

VOID NTAPI look_from_another_thread(PVOID context) {
    auto* view = static_cast<ThreadView*>(context);
    KeWaitForSingleObject(&view->set, Executive, KernelMode, FALSE, nullptr);
    view->initially = PsIsCurrentThreadPrefetching();
    view->previous = PsSetCurrentThreadPrefetching(TRUE);
    view->after = PsIsCurrentThreadPrefetching();
    KeSetEvent(&view->done, IO_NO_INCREMENT, FALSE);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

TEST_F(ThreadPrefetchingTest, set_returns_the_previous_value_and_is_reads_it_back) {
    EXPECT_FALSE(PsIsCurrentThreadPrefetching());
    EXPECT_FALSE(PsSetCurrentThreadPrefetching(TRUE));
    EXPECT_TRUE(PsIsCurrentThreadPrefetching());
    EXPECT_TRUE(PsSetCurrentThreadPrefetching(TRUE));
    EXPECT_TRUE(PsSetCurrentThreadPrefetching(FALSE));
    EXPECT_FALSE(PsIsCurrentThreadPrefetching());
    EXPECT_FALSE(PsSetCurrentThreadPrefetching(FALSE));
}

// Any nonzero BOOLEAN sets the flag; the routines answer TRUE (1), not the value passed.
TEST_F(ThreadPrefetchingTest, any_nonzero_value_sets_it) {
    EXPECT_FALSE(PsSetCurrentThreadPrefetching(static_cast<BOOLEAN>(0x80)));
    EXPECT_EQ(PsIsCurrentThreadPrefetching(), TRUE);
    EXPECT_EQ(PsSetCurrentThreadPrefetching(FALSE), TRUE);
}

TEST_F(ThreadPrefetchingTest, the_flag_belongs_to_the_calling_thread) {
    ThreadView view{};
    KeInitializeEvent(&view.set, NotificationEvent, FALSE);
    KeInitializeEvent(&view.done, NotificationEvent, FALSE);
    HANDLE thread = nullptr;
    ASSERT_EQ(PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, look_from_another_thread,
                                   &view),
              STATUS_SUCCESS);
    EXPECT_FALSE(PsSetCurrentThreadPrefetching(TRUE));
    KeSetEvent(&view.set, IO_NO_INCREMENT, FALSE);
    ASSERT_EQ(KeWaitForSingleObject(&view.done, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(ZwWaitForSingleObject(thread, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(thread), STATUS_SUCCESS);
    EXPECT_FALSE(view.initially);  // the main thread's flag is not the new thread's
    EXPECT_FALSE(view.previous);
    EXPECT_TRUE(view.after);
    EXPECT_TRUE(PsIsCurrentThreadPrefetching());  // the new thread's set did not touch this one
    EXPECT_TRUE(PsSetCurrentThreadPrefetching(FALSE));
}

}  // namespace
}  // namespace thread_prefetching_test
