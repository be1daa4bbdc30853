// Unregistration racing with the operations it filters, for registry callbacks (CmRegisterCallbackEx
// around ZwSetValueKey / ZwQueryValueKey) and handle callbacks (ObRegisterCallbacks around process
// handle opens). Worker threads run operations while the test thread registers and unregisters
// filters over and over.
// Invariant: once CmUnRegisterCallback / ObUnRegisterCallbacks returned, none of that registration's
// routines is running or ever starts again, and every pre-notification it passed was followed by
// its post-notification (the registration stayed referenced for the whole operation).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "support/system_fixture.hpp"

#undef __try
#include <wdm.h>

namespace ntio::test {
namespace callbacks_stress {

using CallbacksStressTest = SystemTest;

constexpr int kCycles = 300;
constexpr int kWorkers = 2;

struct Tracker {
    std::atomic<int> running{0};
    std::atomic<int> pre{0};
    std::atomic<int> post{0};
    std::atomic<bool> gone{false};
    std::atomic<int> late{0};  // calls after the unregistration returned

    void enter() {
        running.fetch_add(1);
        if (gone.load()) late.fetch_add(1);
    }
    void leave() { running.fetch_sub(1); }
    // After the unregistration returned: nothing may run and every pre had its post.
    void check_after_removal() {
        EXPECT_EQ(running.load(), 0);
        EXPECT_EQ(pre.load(), post.load());
        gone.store(true);
    }
};

bool is_registry_post(ULONG_PTR c) { return c == RegNtPostSetValueKey || c == RegNtPostQueryValueKey; }

NTSTATUS NTAPI registry_routine(PVOID context, PVOID argument1, PVOID) {
    auto* tracker = static_cast<Tracker*>(context);
    tracker->enter();
    const auto notify_class = reinterpret_cast<ULONG_PTR>(argument1);
    if (notify_class == RegNtPreSetValueKey || notify_class == RegNtPreQueryValueKey) tracker->pre.fetch_add(1);
    if (is_registry_post(notify_class)) tracker->post.fetch_add(1);
    std::this_thread::yield();
    tracker->leave();
    return STATUS_SUCCESS;
}

OB_PREOP_CALLBACK_STATUS ob_pre(PVOID context, POB_PRE_OPERATION_INFORMATION info) {
    auto* tracker = static_cast<Tracker*>(context);
    tracker->enter();
    tracker->pre.fetch_add(1);
    info->Parameters->CreateHandleInformation.DesiredAccess &= ~ACCESS_MASK{PROCESS_TERMINATE};
    std::this_thread::yield();
    tracker->leave();
    return OB_PREOP_SUCCESS;
}

VOID ob_post(PVOID context, POB_POST_OPERATION_INFORMATION) {
    auto* tracker = static_cast<Tracker*>(context);
    tracker->enter();
    tracker->post.fetch_add(1);
    tracker->leave();
}

// Runs `operation` on kWorkers threads until `done`.
template <class Operation>
std::vector<std::thread> start_workers(System* system, std::atomic<bool>& done, Operation operation) {
    std::vector<std::thread> workers;
    for (int i = 0; i < kWorkers; ++i)
        workers.emplace_back([system, &done, operation] {
            system->make_current();
            while (!done.load()) operation();
        });
    return workers;
}

TEST_F(CallbacksStressTest, registry_unregistration_races_with_operations) {
    wchar_t path[] = L"\\Registry\\Machine\\SOFTWARE\\ntio-cm-stress";
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE key = nullptr;
    ASSERT_EQ(ZwCreateKey(&key, KEY_ALL_ACCESS, &oa, 0, nullptr, REG_OPTION_VOLATILE, nullptr), STATUS_SUCCESS);
    std::atomic<bool> done{false};
    auto workers = start_workers(&system(), done, [key] {
        UNICODE_STRING value;
        RtlInitUnicodeString(&value, L"V");
        ULONG data = 1;
        EXPECT_EQ(ZwSetValueKey(key, &value, 0, REG_DWORD, &data, sizeof data), STATUS_SUCCESS);
        alignas(8) unsigned char buffer[64];
        ULONG length = 0;
        EXPECT_EQ(ZwQueryValueKey(key, &value, KeyValuePartialInformation, buffer, sizeof buffer, &length),
                  STATUS_SUCCESS);
    });
    std::vector<Tracker> trackers(kCycles);
    UNICODE_STRING altitude;
    RtlInitUnicodeString(&altitude, L"320000");
    for (Tracker& tracker : trackers) {
        LARGE_INTEGER cookie{};
        ASSERT_EQ(CmRegisterCallbackEx(registry_routine, &altitude, nullptr, &tracker, &cookie, nullptr), STATUS_SUCCESS);
        std::this_thread::yield();
        ASSERT_EQ(CmUnRegisterCallback(cookie), STATUS_SUCCESS);
        tracker.check_after_removal();
    }
    done.store(true);
    for (std::thread& worker : workers) worker.join();
    for (const Tracker& tracker : trackers) EXPECT_EQ(tracker.late.load(), 0);
    EXPECT_EQ(ZwDeleteKey(key), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(key), STATUS_SUCCESS);
}

TEST_F(CallbacksStressTest, handle_callback_unregistration_races_with_opens) {
    std::atomic<bool> done{false};
    PEPROCESS process = PsGetCurrentProcess();
    auto workers = start_workers(&system(), done, [process] {
        HANDLE handle = nullptr;
        EXPECT_EQ(ObOpenObjectByPointer(process, OBJ_KERNEL_HANDLE, nullptr, PROCESS_ALL_ACCESS, *PsProcessType,
                                        KernelMode, &handle),
                  STATUS_SUCCESS);
        EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    });
    std::vector<Tracker> trackers(kCycles);
    for (Tracker& tracker : trackers) {
        OB_OPERATION_REGISTRATION operation{PsProcessType, OB_OPERATION_HANDLE_CREATE, ob_pre, ob_post};
        OB_CALLBACK_REGISTRATION registration{OB_FLT_REGISTRATION_VERSION, 1, {}, &tracker, &operation};
        RtlInitUnicodeString(&registration.Altitude, L"320000");
        PVOID cookie = nullptr;
        ASSERT_EQ(ObRegisterCallbacks(&registration, &cookie), STATUS_SUCCESS);
        std::this_thread::yield();
        ObUnRegisterCallbacks(cookie);
        tracker.check_after_removal();
    }
    done.store(true);
    for (std::thread& worker : workers) worker.join();
    for (const Tracker& tracker : trackers) EXPECT_EQ(tracker.late.load(), 0);
}

}  // namespace callbacks_stress
}  // namespace ntio::test
