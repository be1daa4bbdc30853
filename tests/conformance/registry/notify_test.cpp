// Registry change notification through NtNotifyChangeKey / NtNotifyChangeMultipleKeys /
// ZwNotifyChangeKey: filters, WatchTree, one change per request, completion by event, APC, kernel
// work item and synchronous wait, deleted keys, closed handles, exiting threads, bad input.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwnotifychangekey
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regnotifychangekeyvalue
#include "conformance/registry/registry_test_support.hpp"

#include <ntifs.h>

namespace ntio::test {
namespace {

using NotifyTest = RegistryTest;

constexpr ULONG kAllChanges =
    REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_ATTRIBUTES | REG_NOTIFY_CHANGE_LAST_SET | REG_NOTIFY_CHANGE_SECURITY;

// Arms an asynchronous request with an event; the IOSB starts at a value no completion writes.
// arm() watches through a handle of its own, closed first at destruction, so that a request still
// armed ends (STATUS_NOTIFY_CLEANUP) while its IOSB still exists; arm_handle() uses the caller's.
struct Watch {
    Handle event{make_event(NotificationEvent, FALSE)};
    IO_STATUS_BLOCK iosb{};
    Handle own;
    ~Watch() { own.reset(); }
    NTSTATUS arm_handle(HANDLE key, ULONG filter, BOOLEAN tree = FALSE) {
        iosb.Status = STATUS_UNSUCCESSFUL;
        iosb.Information = 77;
        return NtNotifyChangeKey(key, event, nullptr, nullptr, &iosb, filter, tree, nullptr, 0, TRUE);
    }
    NTSTATUS arm(HANDLE key, ULONG filter, BOOLEAN tree = FALSE) {
        if (!own.get()) {
            EXPECT_EQ(open_key(own.out(), L"", KEY_NOTIFY, key), STATUS_SUCCESS);
        }
        return arm_handle(own, filter, tree);
    }
    bool fired() { return event_state(event) != 0; }
};

TEST_F(NotifyTest, AsynchronousRequestPendsUntilAValueChanges) {
    Watch watch;
    ASSERT_EQ(watch.arm(scratch(), REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    EXPECT_FALSE(watch.fired());
    EXPECT_EQ(watch.iosb.Status, STATUS_UNSUCCESSFUL);  // untouched while pending
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_TRUE(watch.fired());
    EXPECT_EQ(watch.iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(watch.iosb.Information, 0u);
}

// REG_NOTIFY_CHANGE_LAST_SET covers adding, changing and deleting values.
TEST_F(NotifyTest, LastSetSeesValueChangesAndDeletions) {
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    Watch watch;
    ASSERT_EQ(watch.arm(scratch(), REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    ASSERT_EQ(set_dword(scratch(), L"V", 2), STATUS_SUCCESS);
    EXPECT_TRUE(watch.fired());
    ASSERT_EQ(NtResetEvent(watch.event, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(watch.arm(scratch(), REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"V");
    ASSERT_EQ(NtDeleteValueKey(scratch(), &name), STATUS_SUCCESS);
    EXPECT_TRUE(watch.fired());
}

// "The caller receives no notification if the new value written to the key matches the previous value."
TEST_F(NotifyTest, WritingTheSameValueAgainIsNoChange) {
    ASSERT_EQ(set_dword(scratch(), L"V", 5), STATUS_SUCCESS);
    Watch watch;
    ASSERT_EQ(watch.arm(scratch(), REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    ASSERT_EQ(set_dword(scratch(), L"V", 5), STATUS_SUCCESS);
    EXPECT_FALSE(watch.fired());
    ASSERT_EQ(set_value(scratch(), L"V", REG_BINARY, "\x05\0\0\0", 4), STATUS_SUCCESS);  // same bytes, new type
    EXPECT_TRUE(watch.fired());
}

// REG_NOTIFY_CHANGE_NAME: "a subkey is added or deleted"; value changes are not name changes.
TEST_F(NotifyTest, NameSeesSubkeysAddedAndDeletedButNotValues) {
    Watch watch;
    ASSERT_EQ(watch.arm(scratch(), REG_NOTIFY_CHANGE_NAME), STATUS_PENDING);
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_FALSE(watch.fired());
    Handle child;
    ASSERT_EQ(create_key(child.out(), L"Child", scratch()), STATUS_SUCCESS);
    EXPECT_TRUE(watch.fired());
    ASSERT_EQ(NtResetEvent(watch.event, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(watch.arm(scratch(), REG_NOTIFY_CHANGE_NAME), STATUS_PENDING);
    ASSERT_EQ(NtDeleteKey(child), STATUS_SUCCESS);
    EXPECT_TRUE(watch.fired());
    EXPECT_EQ(watch.iosb.Status, STATUS_SUCCESS);
}

TEST_F(NotifyTest, LastSetDoesNotSeeSubkeysAdded) {
    Watch watch;
    ASSERT_EQ(watch.arm(scratch(), REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    Handle child;
    ASSERT_EQ(create_key(child.out(), L"Child", scratch()), STATUS_SUCCESS);
    EXPECT_FALSE(watch.fired());
}

// WatchTree TRUE: changes anywhere below the key; FALSE: "only ... changes to the specified key".
TEST_F(NotifyTest, WatchTreeReachesGrandchildrenAndItsAbsenceDoesNot) {
    Handle child, grandchild;
    ASSERT_EQ(create_key(child.out(), L"A", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(create_key(grandchild.out(), L"B", child), STATUS_SUCCESS);
    Handle tree_key, flat_key;
    ASSERT_EQ(open_key(tree_key.out(), L"", KEY_NOTIFY, scratch()), STATUS_SUCCESS);
    ASSERT_EQ(open_key(flat_key.out(), L"", KEY_NOTIFY, scratch()), STATUS_SUCCESS);
    Watch tree, flat;
    ASSERT_EQ(tree.arm(tree_key, REG_NOTIFY_CHANGE_LAST_SET, TRUE), STATUS_PENDING);
    ASSERT_EQ(flat.arm(flat_key, REG_NOTIFY_CHANGE_LAST_SET, FALSE), STATUS_PENDING);
    ASSERT_EQ(set_dword(grandchild, L"Deep", 1), STATUS_SUCCESS);
    EXPECT_TRUE(tree.fired());
    EXPECT_FALSE(flat.fired());
}

// One change per request: a change with nothing armed is not kept for the next request (Learn's
// RegNotifyChangeKeyValue note confines that to Windows NT, 2000 and XP).
TEST_F(NotifyTest, ARequestReportsOneChangeAndMustBeArmedAgain) {
    Watch watch;
    ASSERT_EQ(watch.arm(scratch(), REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    ASSERT_TRUE(watch.fired());
    ASSERT_EQ(NtResetEvent(watch.event, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(scratch(), L"V", 2), STATUS_SUCCESS);  // nothing armed
    EXPECT_FALSE(watch.fired());
    ASSERT_EQ(watch.arm(scratch(), REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    EXPECT_FALSE(watch.fired());
    ASSERT_EQ(set_dword(scratch(), L"V", 3), STATUS_SUCCESS);
    EXPECT_TRUE(watch.fired());
}

// Several requests armed on one handle all complete on the change.
TEST_F(NotifyTest, EveryArmedRequestCompletes) {
    Watch first, second;
    ASSERT_EQ(first.arm_handle(scratch(), REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    ASSERT_EQ(second.arm_handle(scratch(), REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_TRUE(first.fired());
    EXPECT_TRUE(second.fired());
}

// RegNotifyChangeKeyValue: a second call on the same handle with another filter "will succeed but the
// changes will be ignored": the key object keeps its first filter.
TEST_F(NotifyTest, AHandleKeepsTheFilterOfItsFirstRequest) {
    Watch first, second;
    ASSERT_EQ(first.arm_handle(scratch(), REG_NOTIFY_CHANGE_NAME), STATUS_PENDING);
    ASSERT_EQ(second.arm_handle(scratch(), REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_FALSE(second.fired());
    Handle child;
    ASSERT_EQ(create_key(child.out(), L"Child", scratch()), STATUS_SUCCESS);
    EXPECT_TRUE(first.fired());
    EXPECT_TRUE(second.fired());
}

TEST_F(NotifyTest, DeletingTheWatchedKeyCompletesWithKeyDeleted) {
    Handle child;
    ASSERT_EQ(create_key(child.out(), L"Doomed", scratch()), STATUS_SUCCESS);
    Watch watch;
    ASSERT_EQ(watch.arm(child, REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    ASSERT_EQ(NtDeleteKey(child), STATUS_SUCCESS);
    EXPECT_TRUE(watch.fired());
    EXPECT_EQ(watch.iosb.Status, STATUS_KEY_DELETED);
    // A request on a deleted key fails at once.
    EXPECT_EQ(watch.arm(child, REG_NOTIFY_CHANGE_LAST_SET), STATUS_KEY_DELETED);
}

// "If the specified key is closed, the event is signaled": the request ends with STATUS_NOTIFY_CLEANUP.
TEST_F(NotifyTest, ClosingTheHandleCompletesWithNotifyCleanup) {
    Handle key;
    ASSERT_EQ(open_key(key.out(), L"", KEY_NOTIFY, scratch()), STATUS_SUCCESS);
    Watch watch;
    ASSERT_EQ(watch.arm_handle(key, REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    key.reset();
    EXPECT_TRUE(watch.fired());
    EXPECT_EQ(watch.iosb.Status, STATUS_NOTIFY_CLEANUP);
    // Nothing more comes after the close.
    ASSERT_EQ(NtResetEvent(watch.event, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_FALSE(watch.fired());
}

TEST_F(NotifyTest, ClosingOneOfTwoHandlesLeavesTheRequestArmed) {
    Handle key, duplicate;
    ASSERT_EQ(open_key(key.out(), L"", KEY_NOTIFY, scratch()), STATUS_SUCCESS);
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), key, NtCurrentProcess(), duplicate.out(), 0, 0,
                                DUPLICATE_SAME_ACCESS),
              STATUS_SUCCESS);
    Watch watch;
    ASSERT_EQ(watch.arm_handle(key, REG_NOTIFY_CHANGE_LAST_SET), STATUS_PENDING);
    key.reset();
    EXPECT_FALSE(watch.fired());
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_TRUE(watch.fired());
    EXPECT_EQ(watch.iosb.Status, STATUS_SUCCESS);
}

std::atomic<int> g_apc_calls{0};
PIO_STATUS_BLOCK g_apc_iosb = nullptr;
PVOID g_apc_context = nullptr;
VOID NTAPI record_apc(PVOID context, PIO_STATUS_BLOCK iosb, ULONG) {
    g_apc_context = context;
    g_apc_iosb = iosb;
    g_apc_calls.fetch_add(1);
}

// ApcRoutine "is run after the operation is completed", with ApcContext and the IOSB, in an
// alertable wait of the requesting thread.
TEST_F(NotifyTest, ApcRoutineRunsInTheRequestersAlertableWait) {
    g_apc_calls = 0;
    IO_STATUS_BLOCK iosb{};
    int context = 0;
    ASSERT_EQ(NtNotifyChangeKey(scratch(), nullptr, record_apc, &context, &iosb, REG_NOTIFY_CHANGE_LAST_SET, FALSE,
                                nullptr, 0, TRUE),
              STATUS_PENDING);
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_EQ(g_apc_calls.load(), 0);  // not before an alertable wait
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtDelayExecution(TRUE, &zero), STATUS_USER_APC);
    EXPECT_EQ(g_apc_calls.load(), 1);
    EXPECT_EQ(g_apc_context, &context);
    EXPECT_EQ(g_apc_iosb, &iosb);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
}

// Asynchronous FALSE: "the routine does not return until the specified event occurs".
TEST_F(NotifyTest, SynchronousRequestReturnsWhenTheChangeHappens) {
    std::atomic<bool> returned{false};
    std::thread writer([&] {
        ULONG n = 0;
        while (!returned.load()) (void)set_dword(scratch(), L"Tick", ++n);  // until the watcher is woken
    });
    IO_STATUS_BLOCK iosb{};
    Handle event{make_event(NotificationEvent, FALSE)};
    const NTSTATUS status = NtNotifyChangeKey(scratch(), event, nullptr, nullptr, &iosb, REG_NOTIFY_CHANGE_LAST_SET,
                                              FALSE, nullptr, 0, FALSE);
    returned = true;
    writer.join();
    EXPECT_EQ(status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_NE(event_state(event), 0);
}

// The Buffer is reserved: nothing is written to it, and the change is reported as "enumerate again".
TEST_F(NotifyTest, ARequestWithABufferCompletesWithNotifyEnumDir) {
    unsigned char buffer[64];
    std::memset(buffer, 0xAB, sizeof(buffer));
    Handle event{make_event(NotificationEvent, FALSE)};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtNotifyChangeKey(scratch(), event, nullptr, nullptr, &iosb, REG_NOTIFY_CHANGE_LAST_SET, FALSE, buffer,
                                sizeof(buffer), TRUE),
              STATUS_PENDING);
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_NOTIFY_ENUM_DIR);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_EQ(std::count(buffer, buffer + sizeof(buffer), 0xAB), 64);
}

// "The caller must have specified KEY_NOTIFY access."
TEST_F(NotifyTest, TheHandleNeedsKeyNotify) {
    Handle key;
    ASSERT_EQ(open_key(key.out(), L"", KEY_QUERY_VALUE | KEY_SET_VALUE, scratch()), STATUS_SUCCESS);
    Watch watch;
    EXPECT_EQ(watch.arm_handle(key, REG_NOTIFY_CHANGE_LAST_SET), STATUS_ACCESS_DENIED);
    EXPECT_EQ(watch.iosb.Status, STATUS_UNSUCCESSFUL);
}

TEST_F(NotifyTest, BadInputGetsWindowsStatuses) {
    Watch watch;
    EXPECT_EQ(watch.arm_handle(nullptr, REG_NOTIFY_CHANGE_NAME), STATUS_INVALID_HANDLE);
    EXPECT_EQ(watch.arm_handle(reinterpret_cast<HANDLE>(0x7770), REG_NOTIFY_CHANGE_NAME), STATUS_INVALID_HANDLE);
    EXPECT_EQ(watch.arm_handle(watch.event, REG_NOTIFY_CHANGE_NAME), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(watch.arm_handle(scratch(), 0x20), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(watch.arm_handle(scratch(), kAllChanges | 0x80000000u), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtNotifyChangeKey(scratch(), nullptr, nullptr, nullptr, nullptr, REG_NOTIFY_CHANGE_NAME, FALSE, nullptr,
                                0, TRUE),
              STATUS_ACCESS_VIOLATION);
    BadMemory bad;
    EXPECT_EQ(NtNotifyChangeKey(scratch(), nullptr, nullptr, nullptr, bad.no_access<IO_STATUS_BLOCK>(),
                                REG_NOTIFY_CHANGE_NAME, FALSE, nullptr, 0, TRUE),
              STATUS_ACCESS_VIOLATION);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtNotifyChangeKey(scratch(), reinterpret_cast<HANDLE>(0x7770), nullptr, nullptr, &iosb,
                                REG_NOTIFY_CHANGE_NAME, FALSE, nullptr, 0, TRUE),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtNotifyChangeKey(scratch(), scratch(), nullptr, nullptr, &iosb, REG_NOTIFY_CHANGE_NAME, FALSE, nullptr,
                                0, TRUE),
              STATUS_OBJECT_TYPE_MISMATCH);
    // None of the refused requests was armed: a change completes nothing.
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_FALSE(watch.fired());
}

// NtNotifyChangeMultipleKeys with Count 0 is NtNotifyChangeKey; Learn allows at most one subordinate.
TEST_F(NotifyTest, MultipleKeysWithoutSubordinatesWatchesTheMasterKey) {
    Handle event{make_event(NotificationEvent, FALSE)};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtNotifyChangeMultipleKeys(scratch(), 0, nullptr, event, nullptr, nullptr, &iosb,
                                         REG_NOTIFY_CHANGE_LAST_SET, FALSE, nullptr, 0, TRUE),
              STATUS_PENDING);
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_NE(event_state(event), 0);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    OBJECT_ATTRIBUTES two[2]{};
    EXPECT_EQ(NtNotifyChangeMultipleKeys(scratch(), 2, two, event, nullptr, nullptr, &iosb, REG_NOTIFY_CHANGE_LAST_SET,
                                         FALSE, nullptr, 0, TRUE),
              STATUS_INVALID_PARAMETER);
}

// NtNotifyChangeMultipleKeys with one subordinate key (Learn: in another hive than the master's):
// one request that a change to either key completes, once.
// https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntnotifychangemultiplekeys
struct SubordinateKey {
    HANDLE key = nullptr;
    SubordinateKey() { EXPECT_EQ(zw_create_key(&key, L"\\REGISTRY\\MACHINE\\SOFTWARE\\NtioNotifySub"), STATUS_SUCCESS); }
    ~SubordinateKey() {
        EXPECT_EQ(ZwDeleteKey(key), STATUS_SUCCESS);
        EXPECT_EQ(ZwClose(key), STATUS_SUCCESS);
    }
    NTSTATUS set(ULONG value) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"V");
        return ZwSetValueKey(key, &name, 0, REG_DWORD, &value, sizeof(value));
    }
};

NTSTATUS arm_multiple(HANDLE master, const wchar_t* subordinate, HANDLE event, IO_STATUS_BLOCK& iosb) {
    ObjectName oa(subordinate, OBJ_CASE_INSENSITIVE);
    iosb.Status = STATUS_UNSUCCESSFUL;
    return NtNotifyChangeMultipleKeys(master, 1, oa.get(), event, nullptr, nullptr, &iosb, REG_NOTIFY_CHANGE_LAST_SET,
                                      FALSE, nullptr, 0, TRUE);
}

// The master key (a handle of its own on the scratch key) and the subordinate key of one request.
struct MultipleWatch {
    SubordinateKey sub;
    Handle master;
    Handle event{make_event(NotificationEvent, FALSE)};
    IO_STATUS_BLOCK iosb{};
    explicit MultipleWatch(HANDLE scratch) {
        EXPECT_EQ(open_key(master.out(), L"", KEY_NOTIFY, scratch), STATUS_SUCCESS);
    }
    NTSTATUS arm() { return arm_multiple(master, L"\\REGISTRY\\MACHINE\\SOFTWARE\\NtioNotifySub", event, iosb); }
};

TEST_F(NotifyTest, MultipleKeysCompletesForAChangeToEitherKeyOnce) {
    MultipleWatch watch(scratch());
    auto& [sub, master, event, iosb] = watch;
    ASSERT_EQ(watch.arm(), STATUS_PENDING);
    EXPECT_EQ(event_state(event), 0);
    ASSERT_EQ(sub.set(1), STATUS_SUCCESS);  // the subordinate key
    EXPECT_NE(event_state(event), 0);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    // Completed once: a change to the master key afterwards writes nothing more.
    iosb.Status = STATUS_UNSUCCESSFUL;
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_UNSUCCESSFUL);

    ASSERT_EQ(NtResetEvent(event, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(watch.arm(), STATUS_PENDING);
    ASSERT_EQ(set_dword(scratch(), L"V", 2), STATUS_SUCCESS);  // the master key
    EXPECT_NE(event_state(event), 0);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    iosb.Status = STATUS_UNSUCCESSFUL;
    ASSERT_EQ(sub.set(2), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_UNSUCCESSFUL);
}

// Closing the master key's handle ends a pending request (STATUS_NOTIFY_CLEANUP); the subordinate key
// the request opened goes with it (the fixture's leak check counts handles and objects).
TEST_F(NotifyTest, MultipleKeysEndsWhenTheMasterHandleCloses) {
    MultipleWatch watch(scratch());
    auto& [sub, master, event, iosb] = watch;
    ASSERT_EQ(watch.arm(), STATUS_PENDING);
    master.reset();
    EXPECT_NE(event_state(event), 0);
    EXPECT_EQ(iosb.Status, STATUS_NOTIFY_CLEANUP);
    iosb.Status = STATUS_UNSUCCESSFUL;
    ASSERT_EQ(sub.set(3), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_UNSUCCESSFUL);
}

// A subordinate key in the master's own hive, a missing one and a NULL array are refused, and
// nothing is armed.
TEST_F(NotifyTest, MultipleKeysRefusesASubordinateInTheSameHiveOrMissing) {
    Handle child;
    ASSERT_EQ(create_key(child.out(), L"Child", scratch()), STATUS_SUCCESS);
    const std::u16string same_hive = user_key_path() + u"\\NtioTest\\Child";
    Handle event{make_event(NotificationEvent, FALSE)};
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(arm_multiple(scratch(), wide(same_hive), event, iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(arm_multiple(scratch(), L"\\REGISTRY\\MACHINE\\SOFTWARE\\NtioNoSuchKey", event, iosb),
              STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(NtNotifyChangeMultipleKeys(scratch(), 1, nullptr, event, nullptr, nullptr, &iosb,
                                         REG_NOTIFY_CHANGE_LAST_SET, FALSE, nullptr, 0, TRUE),
              STATUS_ACCESS_VIOLATION);
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_EQ(event_state(event), 0);
    EXPECT_EQ(iosb.Status, STATUS_UNSUCCESSFUL);
}

// A request ends when the thread that made it exits, unless REG_NOTIFY_THREAD_AGNOSTIC.
TEST_F(NotifyTest, ThreadExitEndsItsRequestsUnlessThreadAgnostic) {
    Handle bound_event{make_event(NotificationEvent, FALSE)};
    Handle agnostic_event{make_event(NotificationEvent, FALSE)};
    IO_STATUS_BLOCK bound_iosb{}, agnostic_iosb{};
    Handle bound_key, agnostic_key;
    ASSERT_EQ(open_key(bound_key.out(), L"", KEY_NOTIFY, scratch()), STATUS_SUCCESS);
    ASSERT_EQ(open_key(agnostic_key.out(), L"", KEY_NOTIFY, scratch()), STATUS_SUCCESS);
    std::thread armer([&] {
        EXPECT_EQ(NtNotifyChangeKey(bound_key, bound_event, nullptr, nullptr, &bound_iosb, REG_NOTIFY_CHANGE_LAST_SET,
                                    FALSE, nullptr, 0, TRUE),
                  STATUS_PENDING);
        EXPECT_EQ(NtNotifyChangeKey(agnostic_key, agnostic_event, nullptr, nullptr, &agnostic_iosb,
                                    REG_NOTIFY_CHANGE_LAST_SET | REG_NOTIFY_THREAD_AGNOSTIC, FALSE, nullptr, 0, TRUE),
                  STATUS_PENDING);
    });
    armer.join();
    ASSERT_EQ(NtWaitForSingleObject(bound_event, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(bound_iosb.Status, STATUS_NOTIFY_CLEANUP);
    EXPECT_EQ(event_state(agnostic_event), 0);
    ASSERT_EQ(set_dword(scratch(), L"V", 1), STATUS_SUCCESS);
    EXPECT_NE(event_state(agnostic_event), 0);
    EXPECT_EQ(agnostic_iosb.Status, STATUS_SUCCESS);
}

// A driver's request: ApcRoutine is its WORK_QUEUE_ITEM, ApcContext the queue; the item runs on the change.
struct DriverWatch {
    WORK_QUEUE_ITEM item;
    KEVENT ran;
    IO_STATUS_BLOCK iosb;
};
VOID NTAPI driver_watch_routine(PVOID context) {
    auto* watch = static_cast<DriverWatch*>(context);
    KeSetEvent(&watch->ran, IO_NO_INCREMENT, FALSE);
}

TEST_F(NotifyTest, ZwNotifyChangeKeyQueuesTheDriversWorkItem) {
    UNICODE_STRING name;
    const std::u16string path = key_path(scratch());
    name.Buffer = const_cast<PWCH>(wide(path));
    name.Length = name.MaximumLength = static_cast<USHORT>(path.size() * sizeof(WCHAR));
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE key = nullptr;
    ASSERT_EQ(ZwOpenKey(&key, KEY_NOTIFY, &oa), STATUS_SUCCESS);
    DriverWatch watch{};
    KeInitializeEvent(&watch.ran, NotificationEvent, FALSE);
    ExInitializeWorkItem(&watch.item, driver_watch_routine, &watch);
    ASSERT_EQ(ZwNotifyChangeKey(key, nullptr, reinterpret_cast<PIO_APC_ROUTINE>(&watch.item),
                                reinterpret_cast<PVOID>(static_cast<ULONG_PTR>(DelayedWorkQueue)), &watch.iosb,
                                REG_NOTIFY_CHANGE_NAME, TRUE, nullptr, 0, TRUE),
              STATUS_PENDING);
    Handle child;
    ASSERT_EQ(create_key(child.out(), L"FromApp", scratch()), STATUS_SUCCESS);
    ASSERT_EQ(KeWaitForSingleObject(&watch.ran, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(watch.iosb.Status, STATUS_SUCCESS);
    // A queue type Learn does not list is refused.
    EXPECT_EQ(ZwNotifyChangeKey(key, nullptr, reinterpret_cast<PIO_APC_ROUTINE>(&watch.item),
                                reinterpret_cast<PVOID>(ULONG_PTR{7}), &watch.iosb, REG_NOTIFY_CHANGE_NAME, TRUE,
                                nullptr, 0, TRUE),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(ZwClose(key), STATUS_SUCCESS);
}

// ZwNotifyChangeMultipleKeys: the service as a kernel-mode caller runs it; one request, completed
// by a change to the subordinate key.
TEST_F(NotifyTest, ZwNotifyChangeMultipleKeysCompletesOnTheSubordinatesChange) {
    MultipleWatch watch(scratch());
    ObjectName oa(L"\\REGISTRY\\MACHINE\\SOFTWARE\\NtioNotifySub", OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE);
    ASSERT_EQ(ZwNotifyChangeMultipleKeys(watch.master, 1, oa.get(), watch.event, nullptr, nullptr, &watch.iosb,
                                         REG_NOTIFY_CHANGE_LAST_SET, FALSE, nullptr, 0, TRUE),
              STATUS_PENDING);
    EXPECT_EQ(event_state(watch.event), 0);
    ASSERT_EQ(watch.sub.set(7), STATUS_SUCCESS);
    EXPECT_NE(event_state(watch.event), 0);
    EXPECT_EQ(watch.iosb.Status, STATUS_SUCCESS);
    OBJECT_ATTRIBUTES two[2]{};
    EXPECT_EQ(ZwNotifyChangeMultipleKeys(watch.master, 2, two, watch.event, nullptr, nullptr, &watch.iosb,
                                         REG_NOTIFY_CHANGE_LAST_SET, FALSE, nullptr, 0, TRUE),
              STATUS_INVALID_PARAMETER);
}

}  // namespace
}  // namespace ntio::test
