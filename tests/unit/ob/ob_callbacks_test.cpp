// ObRegisterCallbacks as a security driver uses it: a pre-operation routine that takes
// PROCESS_TERMINATE out of every process handle (the handle then lacks it), the KernelHandle flag,
// duplicates, altitude order, post-operation routines seeing the granted access and their call
// context, registration statuses, and unregistration that waits for a routine in flight.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-obregistercallbacks
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_ob_pre_create_handle_information
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <ntddk.h>

#include "support/system_fixture.hpp"

namespace ntio::ob::test {
namespace ob_callbacks {

using ObCallbacksTest = ntio::test::SystemTest;

// One filter driver's registration context: what its routines take out of the access, and what
// they saw.
struct Filter {
    const char* name;
    ACCESS_MASK strip = 0;
    struct Pre {
        OB_OPERATION operation;
        bool kernel_handle;
        PVOID object;
        POBJECT_TYPE type;
        ACCESS_MASK desired;
        ACCESS_MASK original;
        PVOID source;
        PVOID target;
        bool apcs_disabled;
    };
    struct Post {
        OB_OPERATION operation;
        bool kernel_handle;
        NTSTATUS status;
        ACCESS_MASK granted;
        PVOID call_context;
    };
    std::vector<Pre> pre;
    std::vector<Post> post;
};

std::mutex g_order_lock;
std::vector<std::string> g_order;

void note(const Filter& filter, const char* what) {
    std::lock_guard guard(g_order_lock);
    g_order.push_back(std::string(filter.name) + what);
}

OB_PREOP_CALLBACK_STATUS pre_routine(PVOID context, POB_PRE_OPERATION_INFORMATION info) {
    auto* filter = static_cast<Filter*>(context);
    note(*filter, ".pre");
    Filter::Pre seen{info->Operation, info->KernelHandle != 0, info->Object, info->ObjectType, 0, 0, nullptr, nullptr,
                     KeAreApcsDisabled() != FALSE};
    if (info->Operation == OB_OPERATION_HANDLE_CREATE) {
        seen.desired = info->Parameters->CreateHandleInformation.DesiredAccess;
        seen.original = info->Parameters->CreateHandleInformation.OriginalDesiredAccess;
        info->Parameters->CreateHandleInformation.DesiredAccess &= ~filter->strip;
    } else {
        OB_PRE_DUPLICATE_HANDLE_INFORMATION& dup = info->Parameters->DuplicateHandleInformation;
        seen.desired = dup.DesiredAccess;
        seen.original = dup.OriginalDesiredAccess;
        seen.source = dup.SourceProcess;
        seen.target = dup.TargetProcess;
        dup.DesiredAccess &= ~filter->strip;
    }
    filter->pre.push_back(seen);
    info->CallContext = filter;  // handed to this filter's post routine
    return OB_PREOP_SUCCESS;
}

VOID post_routine(PVOID context, POB_POST_OPERATION_INFORMATION info) {
    auto* filter = static_cast<Filter*>(context);
    note(*filter, ".post");
    const ACCESS_MASK granted = info->Operation == OB_OPERATION_HANDLE_CREATE
                                    ? info->Parameters->CreateHandleInformation.GrantedAccess
                                    : info->Parameters->DuplicateHandleInformation.GrantedAccess;
    filter->post.push_back({info->Operation, info->KernelHandle != 0, info->ReturnStatus, granted, info->CallContext});
}

// A registration of `filter` at `altitude` for the given types and operations.
struct Registration {
    OB_OPERATION_REGISTRATION operations[2]{};
    OB_CALLBACK_REGISTRATION callback{};

    Registration(Filter& filter, const wchar_t* altitude_text, OB_OPERATION operations_mask,
                 POBJECT_TYPE* first = PsProcessType, POBJECT_TYPE* second = nullptr) {
        USHORT count = 0;
        for (POBJECT_TYPE* type : {first, second}) {
            if (!type) continue;
            operations[count].ObjectType = type;
            operations[count].Operations = operations_mask;
            operations[count].PreOperation = pre_routine;
            operations[count].PostOperation = post_routine;
            ++count;
        }
        callback.Version = OB_FLT_REGISTRATION_VERSION;
        callback.OperationRegistrationCount = count;
        RtlInitUnicodeString(&callback.Altitude, altitude_text);  // a literal: it outlives the registration
        callback.RegistrationContext = &filter;
        callback.OperationRegistration = operations;
    }
};

// A handle to the calling thread's process with the rights asked for; its granted access in *granted.
NTSTATUS open_process(ULONG attributes, ACCESS_MASK desired, HANDLE* handle, ACCESS_MASK* granted) {
    NTSTATUS status = ObOpenObjectByPointer(PsGetCurrentProcess(), attributes, nullptr, desired, *PsProcessType,
                                            KernelMode, handle);
    if (!NT_SUCCESS(status)) return status;
    PVOID object = nullptr;
    OBJECT_HANDLE_INFORMATION info{};
    status = ObReferenceObjectByHandle(*handle, 0, *PsProcessType, KernelMode, &object, &info);
    if (NT_SUCCESS(status)) {
        ObDereferenceObject(object);
        *granted = info.GrantedAccess;
    }
    return status;
}

TEST_F(ObCallbacksTest, pre_routine_takes_terminate_out_of_process_handles) {
    Filter filter{"guard"};
    filter.strip = PROCESS_TERMINATE;
    Registration registration(filter, L"321000", OB_OPERATION_HANDLE_CREATE);
    PVOID cookie = nullptr;
    ASSERT_EQ(ObRegisterCallbacks(&registration.callback, &cookie), STATUS_SUCCESS);
    ASSERT_NE(cookie, nullptr);

    HANDLE user_handle = nullptr;
    ACCESS_MASK granted = 0;
    ASSERT_EQ(open_process(0, PROCESS_ALL_ACCESS, &user_handle, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted & PROCESS_TERMINATE, 0u) << "the routine's cut is in the handle";
    EXPECT_NE(granted & PROCESS_QUERY_INFORMATION, 0u);
    PVOID object = nullptr;
    EXPECT_EQ(ObReferenceObjectByHandle(user_handle, PROCESS_TERMINATE, *PsProcessType, UserMode, &object, nullptr),
              STATUS_ACCESS_DENIED);
    ASSERT_EQ(filter.pre.size(), 1u);
    EXPECT_EQ(filter.pre[0].operation, static_cast<OB_OPERATION>(OB_OPERATION_HANDLE_CREATE));
    EXPECT_FALSE(filter.pre[0].kernel_handle);
    EXPECT_EQ(filter.pre[0].object, PsGetCurrentProcess());
    EXPECT_EQ(filter.pre[0].type, *PsProcessType);
    EXPECT_NE(filter.pre[0].desired & PROCESS_TERMINATE, 0u);
    EXPECT_EQ(filter.pre[0].desired, filter.pre[0].original);
    EXPECT_TRUE(filter.pre[0].apcs_disabled) << "Learn: normal kernel APCs are disabled in the routine";
    EXPECT_FALSE(KeAreApcsDisabled());
    ASSERT_EQ(filter.post.size(), 1u);
    EXPECT_EQ(filter.post[0].status, STATUS_SUCCESS);
    EXPECT_EQ(filter.post[0].granted, granted) << "the post routine sees what the handle got";
    EXPECT_EQ(filter.post[0].call_context, &filter);

    HANDLE kernel_handle = nullptr;
    ASSERT_EQ(open_process(OBJ_KERNEL_HANDLE, PROCESS_ALL_ACCESS, &kernel_handle, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted & PROCESS_TERMINATE, 0u);
    ASSERT_EQ(filter.pre.size(), 2u);
    EXPECT_TRUE(filter.pre[1].kernel_handle);
    EXPECT_TRUE(filter.post[1].kernel_handle);

    // Other object types go by unseen.
    HANDLE event = nullptr;
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    ASSERT_EQ(ZwCreateEvent(&event, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(filter.pre.size(), 2u);
    EXPECT_EQ(ZwClose(event), STATUS_SUCCESS);

    ObUnRegisterCallbacks(cookie);
    HANDLE later = nullptr;
    ASSERT_EQ(open_process(OBJ_KERNEL_HANDLE, PROCESS_ALL_ACCESS, &later, &granted), STATUS_SUCCESS);
    EXPECT_NE(granted & PROCESS_TERMINATE, 0u) << "an unregistered routine cuts nothing";
    EXPECT_EQ(filter.pre.size(), 2u);
    for (HANDLE h : {user_handle, kernel_handle, later}) EXPECT_EQ(ZwClose(h), STATUS_SUCCESS);
}

TEST_F(ObCallbacksTest, only_the_listed_rights_can_be_taken_and_none_added) {
    Filter filter{"greedy"};
    // PROCESS_QUERY_INFORMATION and SYNCHRONIZE are not in Learn's list of rights a routine may remove.
    filter.strip = PROCESS_QUERY_INFORMATION | SYNCHRONIZE | PROCESS_VM_WRITE;
    Registration registration(filter, L"1000", OB_OPERATION_HANDLE_CREATE);
    PVOID cookie = nullptr;
    ASSERT_EQ(ObRegisterCallbacks(&registration.callback, &cookie), STATUS_SUCCESS);
    HANDLE handle = nullptr;
    ACCESS_MASK granted = 0;
    ASSERT_EQ(open_process(OBJ_KERNEL_HANDLE, PROCESS_QUERY_INFORMATION | SYNCHRONIZE | PROCESS_VM_WRITE, &handle,
                           &granted),
              STATUS_SUCCESS);
    EXPECT_EQ(granted, static_cast<ACCESS_MASK>(PROCESS_QUERY_INFORMATION | SYNCHRONIZE));
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    ObUnRegisterCallbacks(cookie);
}

// Registers one pre-operation routine for process handle creates; the registration handle.
PVOID register_pre(POB_PRE_OPERATION_CALLBACK routine, const wchar_t* altitude) {
    OB_OPERATION_REGISTRATION operation{PsProcessType, OB_OPERATION_HANDLE_CREATE, routine, nullptr};
    OB_CALLBACK_REGISTRATION callback{OB_FLT_REGISTRATION_VERSION, 1, {}, nullptr, &operation};
    RtlInitUnicodeString(&callback.Altitude, altitude);
    PVOID cookie = nullptr;
    EXPECT_EQ(ObRegisterCallbacks(&callback, &cookie), STATUS_SUCCESS);
    return cookie;
}

OB_PREOP_CALLBACK_STATUS adds_rights(PVOID, POB_PRE_OPERATION_INFORMATION info) {
    info->Parameters->CreateHandleInformation.DesiredAccess |= PROCESS_TERMINATE | PROCESS_VM_WRITE;
    return OB_PREOP_SUCCESS;
}

TEST_F(ObCallbacksTest, a_pre_routine_cannot_add_rights) {
    PVOID cookie = register_pre(adds_rights, L"5000");
    ASSERT_NE(cookie, nullptr);
    HANDLE handle = nullptr;
    ACCESS_MASK granted = 0;
    ASSERT_EQ(open_process(OBJ_KERNEL_HANDLE, PROCESS_QUERY_INFORMATION, &handle, &granted), STATUS_SUCCESS);
    EXPECT_EQ(granted, static_cast<ACCESS_MASK>(PROCESS_QUERY_INFORMATION));
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    ObUnRegisterCallbacks(cookie);
}

TEST_F(ObCallbacksTest, routines_run_in_altitude_order) {
    g_order.clear();
    Filter low{"low"}, high{"high"};
    high.strip = PROCESS_TERMINATE;
    low.strip = PROCESS_VM_WRITE;
    // Registered low first: the order comes from the altitudes, compared as numbers ("900" < "10000").
    Registration low_registration(low, L"900", OB_OPERATION_HANDLE_CREATE);
    Registration high_registration(high, L"10000", OB_OPERATION_HANDLE_CREATE);
    PVOID low_cookie = nullptr, high_cookie = nullptr;
    ASSERT_EQ(ObRegisterCallbacks(&low_registration.callback, &low_cookie), STATUS_SUCCESS);
    ASSERT_EQ(ObRegisterCallbacks(&high_registration.callback, &high_cookie), STATUS_SUCCESS);
    HANDLE handle = nullptr;
    ACCESS_MASK granted = 0;
    ASSERT_EQ(open_process(OBJ_KERNEL_HANDLE, PROCESS_ALL_ACCESS, &handle, &granted), STATUS_SUCCESS);
    EXPECT_EQ(g_order, (std::vector<std::string>{"high.pre", "low.pre", "low.post", "high.post"}));
    ASSERT_EQ(low.pre.size(), 1u);
    EXPECT_EQ(low.pre[0].desired & PROCESS_TERMINATE, 0u) << "the lower routine sees the higher one's cut";
    EXPECT_NE(low.pre[0].original & PROCESS_TERMINATE, 0u);
    EXPECT_EQ(granted & (PROCESS_TERMINATE | PROCESS_VM_WRITE), 0u);
    EXPECT_EQ(high.post[0].call_context, &high);
    EXPECT_EQ(low.post[0].call_context, &low);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    ObUnRegisterCallbacks(high_cookie);
    ObUnRegisterCallbacks(low_cookie);
}

TEST_F(ObCallbacksTest, duplicates_of_process_and_thread_handles) {
    Filter filter{"dup"};
    // One mask for both types: 0x1 is PROCESS_TERMINATE and THREAD_TERMINATE, 0x2 PROCESS_CREATE_THREAD
    // and THREAD_SUSPEND_RESUME.
    filter.strip = PROCESS_TERMINATE | THREAD_SUSPEND_RESUME;
    Registration registration(filter, L"4242", OB_OPERATION_HANDLE_DUPLICATE, PsProcessType, PsThreadType);
    PVOID cookie = nullptr;
    ASSERT_EQ(ObRegisterCallbacks(&registration.callback, &cookie), STATUS_SUCCESS);

    HANDLE process = nullptr;
    ACCESS_MASK granted = 0;
    ASSERT_EQ(open_process(0, PROCESS_ALL_ACCESS, &process, &granted), STATUS_SUCCESS);
    EXPECT_NE(granted & PROCESS_TERMINATE, 0u) << "a duplicate-only registration leaves creates alone";
    EXPECT_TRUE(filter.pre.empty());

    HANDLE copy = nullptr;
    ASSERT_EQ(ZwDuplicateObject(NtCurrentProcess(), process, NtCurrentProcess(), &copy, 0, 0, DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    ASSERT_EQ(filter.pre.size(), 1u);
    EXPECT_EQ(filter.pre[0].operation, static_cast<OB_OPERATION>(OB_OPERATION_HANDLE_DUPLICATE));
    EXPECT_EQ(filter.pre[0].source, PsGetCurrentProcess());
    EXPECT_EQ(filter.pre[0].target, PsGetCurrentProcess());
    PVOID object = nullptr;
    OBJECT_HANDLE_INFORMATION info{};
    ASSERT_EQ(ObReferenceObjectByHandle(copy, 0, *PsProcessType, KernelMode, &object, &info), STATUS_SUCCESS);
    ObDereferenceObject(object);
    EXPECT_EQ(info.GrantedAccess, granted & ~filter.strip);
    ASSERT_EQ(filter.post.size(), 1u);
    EXPECT_EQ(filter.post[0].operation, static_cast<OB_OPERATION>(OB_OPERATION_HANDLE_DUPLICATE));
    EXPECT_EQ(filter.post[0].granted, info.GrantedAccess);

    HANDLE thread = nullptr;
    ASSERT_EQ(ObOpenObjectByPointer(PsGetCurrentThread(), 0, nullptr, THREAD_ALL_ACCESS, *PsThreadType, KernelMode,
                                    &thread),
              STATUS_SUCCESS);
    HANDLE thread_copy = nullptr;
    ASSERT_EQ(ZwDuplicateObject(NtCurrentProcess(), thread, NtCurrentProcess(), &thread_copy, THREAD_ALL_ACCESS, 0, 0),
              STATUS_SUCCESS);
    ASSERT_EQ(filter.pre.size(), 2u);
    EXPECT_EQ(filter.pre[1].type, *PsThreadType);
    ASSERT_EQ(ObReferenceObjectByHandle(thread_copy, 0, *PsThreadType, KernelMode, &object, &info), STATUS_SUCCESS);
    ObDereferenceObject(object);
    EXPECT_EQ(info.GrantedAccess & (THREAD_SUSPEND_RESUME | THREAD_TERMINATE), 0u);
    EXPECT_NE(info.GrantedAccess & THREAD_SET_CONTEXT, 0u);
    for (HANDLE h : {process, copy, thread, thread_copy}) EXPECT_EQ(ZwClose(h), STATUS_SUCCESS);
    ObUnRegisterCallbacks(cookie);
}

TEST_F(ObCallbacksTest, registration_statuses) {
    EXPECT_EQ(ObGetFilterVersion(), OB_FLT_REGISTRATION_VERSION);
    Filter filter{"bad"};
    PVOID cookie = nullptr;
    {
        Registration r(filter, L"100", OB_OPERATION_HANDLE_CREATE);
        r.callback.Version = 0x0200;
        EXPECT_EQ(ObRegisterCallbacks(&r.callback, &cookie), STATUS_INVALID_PARAMETER);
    }
    {
        Registration r(filter, L"100", OB_OPERATION_HANDLE_CREATE);
        r.callback.OperationRegistrationCount = 0;
        EXPECT_EQ(ObRegisterCallbacks(&r.callback, &cookie), STATUS_INVALID_PARAMETER);
    }
    {
        Registration r(filter, L"100", OB_OPERATION_HANDLE_CREATE, ExEventObjectType);
        EXPECT_EQ(ObRegisterCallbacks(&r.callback, &cookie), STATUS_INVALID_PARAMETER) << "no callbacks for events";
    }
    {
        Registration r(filter, L"100", OB_OPERATION_HANDLE_CREATE);
        r.operations[0].PreOperation = nullptr;
        r.operations[0].PostOperation = nullptr;
        EXPECT_EQ(ObRegisterCallbacks(&r.callback, &cookie), STATUS_INVALID_PARAMETER);
    }
    {
        Registration r(filter, L"100", 0);
        EXPECT_EQ(ObRegisterCallbacks(&r.callback, &cookie), STATUS_INVALID_PARAMETER);
    }
    {
        Registration r(filter, L"", OB_OPERATION_HANDLE_CREATE);
        EXPECT_EQ(ObRegisterCallbacks(&r.callback, &cookie), STATUS_INVALID_PARAMETER);
    }
    EXPECT_EQ(ObRegisterCallbacks(nullptr, &cookie), STATUS_INVALID_PARAMETER);
    Registration first(filter, L"370030", OB_OPERATION_HANDLE_CREATE);
    EXPECT_EQ(ObRegisterCallbacks(&first.callback, nullptr), STATUS_INVALID_PARAMETER);
    ASSERT_EQ(ObRegisterCallbacks(&first.callback, &cookie), STATUS_SUCCESS);
    PVOID other = nullptr;
    Registration same(filter, L"370030.0", OB_OPERATION_HANDLE_DUPLICATE, PsThreadType);
    EXPECT_EQ(ObRegisterCallbacks(&same.callback, &other), STATUS_FLT_INSTANCE_ALTITUDE_COLLISION);
    EXPECT_EQ(other, nullptr);
    ObUnRegisterCallbacks(cookie);
    ASSERT_EQ(ObRegisterCallbacks(&same.callback, &other), STATUS_SUCCESS) << "the altitude is free again";
    ObUnRegisterCallbacks(other);
    HANDLE handle = nullptr;
    ACCESS_MASK granted = 0;
    ASSERT_EQ(open_process(OBJ_KERNEL_HANDLE, PROCESS_ALL_ACCESS, &handle, &granted), STATUS_SUCCESS);
    EXPECT_TRUE(filter.pre.empty()) << "no routine of a refused or removed registration runs";
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
}

std::atomic<bool> g_entered{false};
std::atomic<bool> g_release{false};
std::atomic<int> g_blocking_calls{0};

OB_PREOP_CALLBACK_STATUS blocking(PVOID, POB_PRE_OPERATION_INFORMATION) {
    g_blocking_calls.fetch_add(1);
    g_entered.store(true);
    while (!g_release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return OB_PREOP_SUCCESS;
}

TEST_F(ObCallbacksTest, unregistration_waits_for_the_routine_in_flight) {
    PVOID cookie = register_pre(blocking, L"7777");
    ASSERT_NE(cookie, nullptr);
    System* system = &this->system();
    std::thread opener([system] {
        system->make_current();
        HANDLE handle = nullptr;
        ACCESS_MASK granted = 0;
        EXPECT_EQ(open_process(OBJ_KERNEL_HANDLE, PROCESS_ALL_ACCESS, &handle, &granted), STATUS_SUCCESS);
        EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    });
    while (!g_entered.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::atomic<bool> removed{false};
    std::thread remover([system, cookie, &removed] {
        system->make_current();
        ObUnRegisterCallbacks(cookie);
        removed.store(true);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(removed.load()) << "unregistration returned with the routine still running";
    g_release.store(true);
    remover.join();
    opener.join();
    EXPECT_TRUE(removed.load());
    const int calls = g_blocking_calls.load();
    HANDLE handle = nullptr;
    ACCESS_MASK granted = 0;
    ASSERT_EQ(open_process(OBJ_KERNEL_HANDLE, PROCESS_ALL_ACCESS, &handle, &granted), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    EXPECT_EQ(g_blocking_calls.load(), calls) << "called after its unregistration returned";
}

}  // namespace ob_callbacks
}  // namespace ntio::ob::test
