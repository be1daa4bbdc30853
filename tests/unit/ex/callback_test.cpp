// Executive callback objects as drivers use them: open the system's standard objects, create their
// own, register routines that ExNotifyCallback calls with its two arguments, and unregister them
// (which waits for a routine still running).
// https://learn.microsoft.com/windows-hardware/drivers/kernel/callback-objects
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-excreatecallback
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace callback_test {

class CallbackObjectTest : public ntio::test::SystemTest {};

NTSTATUS open_callback(const wchar_t* name, BOOLEAN create, BOOLEAN allow_multiple, PCALLBACK_OBJECT* object,
                       ULONG attributes = OBJ_CASE_INSENSITIVE) {
    UNICODE_STRING path;
    RtlInitUnicodeString(&path, name);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &path, attributes, nullptr, nullptr);
    return ExCreateCallback(object, &oa, create, allow_multiple);
}

struct Calls {
    std::vector<std::pair<PVOID, PVOID>> args;
    std::vector<int> order;
};

struct Context {
    Calls* calls;
    int id;
};

VOID record(PVOID context, PVOID a1, PVOID a2) {
    auto* c = static_cast<Context*>(context);
    c->calls->args.emplace_back(a1, a2);
    c->calls->order.push_back(c->id);
}

TEST_F(CallbackObjectTest, the_standard_callback_objects_exist) {
    for (const wchar_t* name : {L"\\Callback\\SetSystemTime", L"\\Callback\\PowerState", L"\\Callback\\ProcessorAdd"}) {
        PCALLBACK_OBJECT object = nullptr;
        ASSERT_EQ(open_callback(name, FALSE, FALSE, &object), STATUS_SUCCESS);
        ASSERT_NE(object, nullptr);
        Calls calls;
        Context context{&calls, 1};
        PVOID registration = ExRegisterCallback(object, &record, &context);
        ASSERT_NE(registration, nullptr);
        ExNotifyCallback(object, reinterpret_cast<PVOID>(1), reinterpret_cast<PVOID>(2));
        ExUnregisterCallback(registration);
        ObDereferenceObject(object);
        ASSERT_EQ(calls.args.size(), 1u);
    }
    PCALLBACK_OBJECT object = nullptr;
    EXPECT_EQ(open_callback(L"\\Callback\\powerstate", FALSE, FALSE, &object), STATUS_SUCCESS);
    ObDereferenceObject(object);
}

TEST_F(CallbackObjectTest, a_missing_object_is_not_found_without_create_and_a_nameless_one_fails) {
    PCALLBACK_OBJECT object = reinterpret_cast<PCALLBACK_OBJECT>(1);
    EXPECT_EQ(open_callback(L"\\Callback\\NtioNoSuchCallback", FALSE, TRUE, &object), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(object, nullptr);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, 0, nullptr, nullptr);
    EXPECT_EQ(ExCreateCallback(&object, &oa, TRUE, TRUE), STATUS_UNSUCCESSFUL);
    // Another object type under that name is not a callback object.
    EXPECT_EQ(open_callback(L"\\Callback", FALSE, TRUE, &object), STATUS_OBJECT_TYPE_MISMATCH);
}

TEST_F(CallbackObjectTest, notify_calls_every_registered_routine_with_both_arguments) {
    PCALLBACK_OBJECT object = nullptr;
    ASSERT_EQ(open_callback(L"\\Callback\\NtioTestMulti", TRUE, TRUE, &object, OBJ_CASE_INSENSITIVE | OBJ_PERMANENT), STATUS_SUCCESS);
    PCALLBACK_OBJECT again = nullptr;
    ASSERT_EQ(open_callback(L"\\Callback\\NtioTestMulti", FALSE, FALSE, &again), STATUS_SUCCESS);
    EXPECT_EQ(again, object);
    ObDereferenceObject(again);

    Calls calls;
    Context first{&calls, 1}, second{&calls, 2}, third{&calls, 3};
    PVOID r1 = ExRegisterCallback(object, &record, &first);
    PVOID r2 = ExRegisterCallback(object, &record, &second);
    PVOID r3 = ExRegisterCallback(object, &record, &third);
    ASSERT_TRUE(r1 && r2 && r3);
    ExNotifyCallback(object, reinterpret_cast<PVOID>(0x11), reinterpret_cast<PVOID>(0x22));
    EXPECT_EQ(calls.order, (std::vector<int>{1, 2, 3}));
    for (auto& a : calls.args) {
        EXPECT_EQ(a.first, reinterpret_cast<PVOID>(0x11));
        EXPECT_EQ(a.second, reinterpret_cast<PVOID>(0x22));
    }
    ExUnregisterCallback(r2);
    calls.order.clear();
    // At DISPATCH_LEVEL too: the routines run at the caller's IRQL.
    KIRQL irql;
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    ExNotifyCallback(object, nullptr, nullptr);
    KeLowerIrql(irql);
    EXPECT_EQ(calls.order, (std::vector<int>{1, 3}));
    ExUnregisterCallback(r1);
    ExUnregisterCallback(r3);
    ObMakeTemporaryObject(object);  // how a creator deletes a permanent callback object
    ObDereferenceObject(object);
    EXPECT_EQ(open_callback(L"\\Callback\\NtioTestMulti", FALSE, FALSE, &again), STATUS_OBJECT_NAME_NOT_FOUND);
}

// Learn asks creators for OBJ_PERMANENT: without it the name goes with the handle ExCreateCallback
// closes, and the object lives on only through the caller's reference.
TEST_F(CallbackObjectTest, a_temporary_callback_object_has_no_name_after_creation) {
    PCALLBACK_OBJECT object = nullptr;
    ASSERT_EQ(open_callback(L"\\Callback\\NtioTestTemporary", TRUE, TRUE, &object), STATUS_SUCCESS);
    PCALLBACK_OBJECT again = nullptr;
    EXPECT_EQ(open_callback(L"\\Callback\\NtioTestTemporary", FALSE, TRUE, &again), STATUS_OBJECT_NAME_NOT_FOUND);
    Calls calls;
    Context first{&calls, 1};
    PVOID r1 = ExRegisterCallback(object, &record, &first);
    ASSERT_NE(r1, nullptr);
    ExNotifyCallback(object, nullptr, nullptr);
    EXPECT_EQ(calls.order, (std::vector<int>{1}));
    ExUnregisterCallback(r1);
    ObDereferenceObject(object);
}

TEST_F(CallbackObjectTest, a_single_callback_object_refuses_a_second_registration) {
    PCALLBACK_OBJECT object = nullptr;
    ASSERT_EQ(open_callback(L"\\Callback\\NtioTestSingle", TRUE, FALSE, &object), STATUS_SUCCESS);
    Calls calls;
    Context first{&calls, 1}, second{&calls, 2};
    PVOID r1 = ExRegisterCallback(object, &record, &first);
    ASSERT_NE(r1, nullptr);
    EXPECT_EQ(ExRegisterCallback(object, &record, &second), nullptr);
    ExUnregisterCallback(r1);
    PVOID r2 = ExRegisterCallback(object, &record, &second);
    ASSERT_NE(r2, nullptr);
    ExNotifyCallback(object, nullptr, nullptr);
    EXPECT_EQ(calls.order, (std::vector<int>{2}));
    ExUnregisterCallback(r2);
    ObDereferenceObject(object);
}

struct Blocking {
    KEVENT entered;
    KEVENT release;
    std::atomic<int> running{0};
};

VOID block(PVOID context, PVOID, PVOID) {
    auto* b = static_cast<Blocking*>(context);
    b->running.fetch_add(1);
    KeSetEvent(&b->entered, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&b->release, Executive, KernelMode, FALSE, nullptr);
    b->running.fetch_sub(1);
}

TEST_F(CallbackObjectTest, unregistering_waits_until_the_routine_has_returned) {
    PCALLBACK_OBJECT object = nullptr;
    ASSERT_EQ(open_callback(L"\\Callback\\NtioTestWait", TRUE, TRUE, &object), STATUS_SUCCESS);
    Blocking b;
    KeInitializeEvent(&b.entered, NotificationEvent, FALSE);
    KeInitializeEvent(&b.release, NotificationEvent, FALSE);
    PVOID registration = ExRegisterCallback(object, &block, &b);
    ASSERT_NE(registration, nullptr);
    std::thread notifier([&] { ExNotifyCallback(object, nullptr, nullptr); });
    ASSERT_EQ(KeWaitForSingleObject(&b.entered, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
    std::atomic<bool> unregistered{false};
    int running_at_return = -1;
    std::thread unregisterer([&] {
        ExUnregisterCallback(registration);
        running_at_return = b.running.load();
        unregistered = true;
    });
    LARGE_INTEGER delay;
    delay.QuadPart = -50 * 10000;
    KeDelayExecutionThread(KernelMode, FALSE, &delay);
    EXPECT_FALSE(unregistered.load());  // the routine is still running
    KeSetEvent(&b.release, IO_NO_INCREMENT, FALSE);
    unregisterer.join();
    notifier.join();
    EXPECT_EQ(running_at_return, 0);
    ExNotifyCallback(object, nullptr, nullptr);  // not called any more
    EXPECT_EQ(b.running.load(), 0);
    ObDereferenceObject(object);
}

}  // namespace callback_test
