// Fiber local storage without fibers: per-thread values, the callback for a thread's non-NULL value
// when the thread ends and for every thread's when the index is freed, and the errors for bad
// indexes.
#include <atomic>
#include <vector>

#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

std::atomic<int> g_fls_calls{0};
std::atomic<LONG_PTR> g_fls_sum{0};

VOID NTAPI count_fls_value(PVOID value) {
    g_fls_calls.fetch_add(1);
    g_fls_sum.fetch_add(reinterpret_cast<LONG_PTR>(value));
}

struct FlsThreadData {
    DWORD index = 0;
    LONG_PTR value = 0;
    HANDLE set = nullptr;   // signalled once the value is set
    HANDLE go = nullptr;    // waited for before ending (null: end at once)
    bool use_exit_thread = false;
};

DWORD WINAPI set_fls_then_end(LPVOID parameter) {
    auto* data = static_cast<FlsThreadData*>(parameter);
    if (FlsGetValue(data->index) != nullptr) return 1;
    if (!FlsSetValue(data->index, reinterpret_cast<PVOID>(data->value))) return 2;
    if (data->set) SetEvent(data->set);
    if (data->go) WaitForSingleObject(data->go, INFINITE);
    if (data->use_exit_thread) ExitThread(0);
    return 0;
}

class FlsTest : public Win32Test {
protected:
    void SetUp() override {
        Win32Test::SetUp();
        g_fls_calls = 0;
        g_fls_sum = 0;
    }
};

TEST_F(FlsTest, values_are_per_thread_and_start_null) {
    const DWORD index = FlsAlloc(nullptr);
    ASSERT_NE(index, FLS_OUT_OF_INDEXES);
    SetLastError(ERROR_GEN_FAILURE);
    EXPECT_EQ(FlsGetValue(index), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_SUCCESS));
    int mine = 0;
    ASSERT_TRUE(FlsSetValue(index, &mine));
    EXPECT_EQ(FlsGetValue(index), &mine);
    FlsThreadData data{index, 5};
    Win32Handle thread(CreateThread(nullptr, 0, set_fls_then_end, &data, 0, nullptr));
    ASSERT_NE(thread.get(), nullptr);
    ASSERT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    DWORD code = 99;
    ASSERT_TRUE(GetExitCodeThread(thread, &code));
    EXPECT_EQ(code, 0u);
    EXPECT_EQ(FlsGetValue(index), &mine);
    ASSERT_TRUE(FlsFree(index));
}

TEST_F(FlsTest, the_callback_runs_when_a_thread_ends) {
    const DWORD index = FlsAlloc(count_fls_value);
    ASSERT_NE(index, FLS_OUT_OF_INDEXES);
    for (bool use_exit_thread : {false, true}) {
        g_fls_calls = 0;
        g_fls_sum = 0;
        FlsThreadData data{index, 40, nullptr, nullptr, use_exit_thread};
        Win32Handle thread(CreateThread(nullptr, 0, set_fls_then_end, &data, 0, nullptr));
        ASSERT_NE(thread.get(), nullptr);
        ASSERT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
        EXPECT_EQ(g_fls_calls.load(), 1) << use_exit_thread;
        EXPECT_EQ(g_fls_sum.load(), 40) << use_exit_thread;
    }
    // A NULL value gets no callback.
    g_fls_calls = 0;
    FlsThreadData zero{index, 0};
    Win32Handle thread(CreateThread(nullptr, 0, set_fls_then_end, &zero, 0, nullptr));
    ASSERT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    EXPECT_EQ(g_fls_calls.load(), 0);
    ASSERT_TRUE(FlsFree(index));
}

TEST_F(FlsTest, fls_free_calls_the_callback_for_every_threads_value) {
    const DWORD index = FlsAlloc(count_fls_value);
    ASSERT_NE(index, FLS_OUT_OF_INDEXES);
    Win32Handle go(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    constexpr int kThreads = 3;
    std::vector<FlsThreadData> data(kThreads);
    std::vector<HANDLE> set_events, threads;
    for (int i = 0; i < kThreads; ++i) {
        set_events.push_back(CreateEventW(nullptr, TRUE, FALSE, nullptr));
        data[i] = FlsThreadData{index, LONG_PTR{1} << i, set_events.back(), go.get()};
        threads.push_back(CreateThread(nullptr, 0, set_fls_then_end, &data[i], 0, nullptr));
        ASSERT_NE(threads.back(), nullptr);
    }
    ASSERT_EQ(WaitForMultipleObjects(kThreads, set_events.data(), TRUE, INFINITE), WAIT_OBJECT_0);
    ASSERT_TRUE(FlsSetValue(index, reinterpret_cast<PVOID>(LONG_PTR{1} << kThreads)));
    ASSERT_TRUE(FlsFree(index));
    EXPECT_EQ(g_fls_calls.load(), kThreads + 1);
    EXPECT_EQ(g_fls_sum.load(), (LONG_PTR{1} << (kThreads + 1)) - 1);
    // The values are gone: the threads' ends run no callback for them.
    ASSERT_TRUE(SetEvent(go));
    ASSERT_EQ(WaitForMultipleObjects(kThreads, threads.data(), TRUE, INFINITE), WAIT_OBJECT_0);
    EXPECT_EQ(g_fls_calls.load(), kThreads + 1);
    for (HANDLE h : set_events) CloseHandle(h);
    for (HANDLE h : threads) CloseHandle(h);
}

TEST_F(FlsTest, bad_indexes_are_invalid_parameters) {
    EXPECT_FALSE(FlsSetValue(FLS_OUT_OF_INDEXES, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(FlsSetValue(100000, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(FlsGetValue(100000), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(FlsFree(100000));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    const DWORD index = FlsAlloc(nullptr);
    ASSERT_NE(index, FLS_OUT_OF_INDEXES);
    ASSERT_TRUE(FlsFree(index));
    EXPECT_FALSE(FlsFree(index));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(FlsSetValue(index, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

TEST_F(FlsTest, allocation_runs_out_then_recovers) {
    std::vector<DWORD> taken;
    for (;;) {
        const DWORD index = FlsAlloc(nullptr);
        if (index == FLS_OUT_OF_INDEXES) break;
        taken.push_back(index);
        ASSERT_LT(taken.size(), 100000u);
    }
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NO_MORE_ITEMS));
    EXPECT_GE(taken.size(), 128u);
    ASSERT_TRUE(FlsFree(taken.back()));
    const DWORD again = FlsAlloc(nullptr);
    EXPECT_EQ(again, taken.back());
    taken.back() = again;
    for (DWORD index : taken) EXPECT_TRUE(FlsFree(index));
}

}  // namespace
}  // namespace ntio::test
