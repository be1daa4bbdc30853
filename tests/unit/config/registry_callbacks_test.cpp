// Registry filtering as a driver does it (<wdm.h>): CmRegisterCallbackEx routines that watch, block
// and take over Zw*Key operations. Pre-notifications run from the highest altitude down; a failure
// stops the operation with that status, STATUS_CALLBACK_BYPASS stops it with STATUS_SUCCESS, and
// the routines above the one that stopped it get the post-notification. Also the registration
// statuses, CmCallbackGetKeyObjectID(Ex) and unregistration that waits for a routine in flight.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-cmregistercallbackex
// https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-notifications
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/system_fixture.hpp"

#undef __try
#include <ntifs.h>
#include <ntio/ntio.h>

namespace ntio::test {
namespace registry_callbacks {

using RegistryCallbacksTest = SystemTest;

// (std::wstring is not usable with 16-bit wchar_t: libstdc++ is built for 32-bit.)
const std::u16string kBase = u"\\Registry\\Machine\\SOFTWARE\\ntio-cm";

std::u16string text(PCUNICODE_STRING s) {
    return s ? std::u16string(reinterpret_cast<const char16_t*>(s->Buffer), s->Length / sizeof(WCHAR)) : u"(null)";
}

bool same_ignoring_case(const std::u16string& a, const std::u16string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char16_t x, char16_t y) {
               return RtlUpcaseUnicodeChar(x) == RtlUpcaseUnicodeChar(y);
           });
}

UNICODE_STRING counted(const std::u16string& text) {
    UNICODE_STRING s;
    s.Buffer = const_cast<PWCH>(reinterpret_cast<const WCHAR*>(text.data()));
    s.Length = s.MaximumLength = static_cast<USHORT>(text.size() * sizeof(WCHAR));
    return s;
}

struct Event {
    std::string filter;
    REG_NOTIFY_CLASS notify_class;
    NTSTATUS post_status = 0;
    PVOID object = nullptr;
    PVOID call_context = nullptr;
    PVOID pre_information = nullptr;
    std::u16string detail;  // value or key name of the pre-notification
};

std::mutex g_lock;
std::vector<Event> g_events;

// One filter driver: its cookie, what it answers to which pre-notification, what it records.
struct Filter {
    std::string name;
    LARGE_INTEGER cookie{};
    REG_NOTIFY_CLASS answer_class = MaxRegNtNotifyClass;  // the pre class it answers...
    NTSTATUS answer = STATUS_SUCCESS;                     // ...with this
    NTSTATUS post_answer = STATUS_SUCCESS;                // every post-notification's answer
    NTSTATUS post_return_status = STATUS_SUCCESS;         // ReturnStatus with a bypassing post answer
    bool record = true;
};

bool is_post(REG_NOTIFY_CLASS c) {
    return (c >= RegNtPostDeleteKey && c <= RegNtPostKeyHandleClose) || c == RegNtPostCreateKeyEx ||
           c == RegNtPostOpenKeyEx || c == RegNtPostFlushKey;
}

NTSTATUS take_over(REG_NOTIFY_CLASS c, PVOID argument);

NTSTATUS NTAPI registry_callback(PVOID context, PVOID argument1, PVOID argument2) {
    auto* filter = static_cast<Filter*>(context);
    const auto notify_class = static_cast<REG_NOTIFY_CLASS>(reinterpret_cast<ULONG_PTR>(argument1));
    Event event{filter->name, notify_class};
    if (is_post(notify_class)) {
        auto* post = static_cast<PREG_POST_OPERATION_INFORMATION>(argument2);
        event.post_status = post->Status;
        event.object = post->Object;
        event.call_context = post->CallContext;
        event.pre_information = post->PreInformation;
        post->ReturnStatus = filter->post_return_status;
    } else {
        switch (notify_class) {
        case RegNtPreSetValueKey: {
            auto* info = static_cast<PREG_SET_VALUE_KEY_INFORMATION>(argument2);
            event.object = info->Object;
            event.detail = text(info->ValueName);
            info->CallContext = filter;
            break;
        }
        case RegNtPreRenameKey: {
            auto* info = static_cast<PREG_RENAME_KEY_INFORMATION>(argument2);
            event.object = info->Object;
            event.detail = text(info->NewName);
            break;
        }
        case RegNtPreCreateKeyEx:
        case RegNtPreOpenKeyEx: {
            auto* info = static_cast<PREG_CREATE_KEY_INFORMATION_V1>(argument2);
            event.object = info->RootObject;
            event.detail = text(info->CompleteName);
            EXPECT_EQ(info->Version, 1u);
            info->CallContext = filter;
            break;
        }
        default:
            event.object = *static_cast<PVOID*>(argument2);  // every other class starts with Object
            break;
        }
        event.pre_information = argument2;
    }
    if (filter->record) {
        std::lock_guard guard(g_lock);
        g_events.push_back(event);
    }
    if (is_post(notify_class)) return filter->post_answer;
    if (notify_class != filter->answer_class) return STATUS_SUCCESS;
    if (filter->answer == STATUS_CALLBACK_BYPASS) return take_over(notify_class, argument2);
    return filter->answer;
}

// A bypassing routine does the operation itself: a query gets a made-up REG_DWORD 0x5A5A.
NTSTATUS take_over(REG_NOTIFY_CLASS c, PVOID argument) {
    if (c == RegNtPreQueryValueKey) {
        auto* info = static_cast<PREG_QUERY_VALUE_KEY_INFORMATION>(argument);
        const ULONG needed = FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data) + sizeof(ULONG);
        *info->ResultLength = needed;
        if (info->Length < needed) return STATUS_BUFFER_TOO_SMALL;
        auto* out = static_cast<PKEY_VALUE_PARTIAL_INFORMATION>(info->KeyValueInformation);
        out->TitleIndex = 0;
        out->Type = REG_DWORD;
        out->DataLength = sizeof(ULONG);
        const ULONG data = 0x5A5A;
        std::memcpy(out->Data, &data, sizeof data);
    }
    return STATUS_CALLBACK_BYPASS;
}

std::vector<std::string> order() {
    std::lock_guard guard(g_lock);
    std::vector<std::string> out;
    for (const Event& e : g_events) out.push_back(e.filter + ":" + std::to_string(e.notify_class));
    return out;
}

std::string at(const Filter& f, REG_NOTIFY_CLASS c) { return f.name + ":" + std::to_string(c); }

NTSTATUS register_filter(Filter& filter, const wchar_t* altitude) {
    UNICODE_STRING text_altitude;
    RtlInitUnicodeString(&text_altitude, altitude);
    return CmRegisterCallbackEx(registry_callback, &text_altitude, reinterpret_cast<PVOID>(1), &filter,
                                &filter.cookie, nullptr);
}

NTSTATUS open_key(const std::u16string& path, HANDLE* key, bool create = true, HANDLE root = nullptr) {
    UNICODE_STRING name = counted(path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, root, nullptr);
    return create ? ZwCreateKey(key, KEY_ALL_ACCESS, &oa, 0, nullptr, REG_OPTION_VOLATILE, nullptr)
                  : ZwOpenKey(key, KEY_ALL_ACCESS, &oa);
}

NTSTATUS set_dword(HANDLE key, const wchar_t* value, ULONG data) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, value);
    return ZwSetValueKey(key, &name, 0, REG_DWORD, &data, sizeof data);
}

// The value's REG_DWORD data, or the query's failure.
NTSTATUS query_dword(HANDLE key, const wchar_t* value, ULONG* data) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, value);
    alignas(8) unsigned char buffer[64];
    ULONG length = 0;
    NTSTATUS status = ZwQueryValueKey(key, &name, KeyValuePartialInformation, buffer, sizeof buffer, &length);
    if (NT_SUCCESS(status)) std::memcpy(data, reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buffer)->Data, sizeof *data);
    return status;
}

PVOID object_of(HANDLE key) {
    PVOID object = nullptr;
    EXPECT_EQ(ObReferenceObjectByHandle(key, 0, *CmKeyObjectType, KernelMode, &object, nullptr), STATUS_SUCCESS);
    if (object) ObDereferenceObject(object);
    return object;
}

class RegistryFilterTest : public RegistryCallbacksTest {
protected:
    void SetUp() override {
        RegistryCallbacksTest::SetUp();
        g_events.clear();
        ASSERT_EQ(open_key(kBase, &m_base), STATUS_SUCCESS);
    }
    void TearDown() override {
        // Before the filters (the test's locals) are used again: they are gone by now, and no routine
        // may run with them.
        for (LARGE_INTEGER cookie : m_registered) EXPECT_EQ(CmUnRegisterCallback(cookie), STATUS_SUCCESS);
        if (m_base) {
            EXPECT_EQ(ZwDeleteKey(m_base), STATUS_SUCCESS);
            EXPECT_EQ(ZwClose(m_base), STATUS_SUCCESS);
        }
        RegistryCallbacksTest::TearDown();
    }
    void add(Filter& filter, const wchar_t* altitude) {
        ASSERT_EQ(register_filter(filter, altitude), STATUS_SUCCESS);
        m_registered.push_back(filter.cookie);
    }
    // Three filters at 300, 200 and 100; the middle one answers the set-value pre-notification with
    // `answer`. Checks who heard what of a write: the lower filter nothing, the higher the
    // post-notification with `expected` (what the caller gets too).
    void stop_in_the_middle(Filter& high, Filter& middle, Filter& low, NTSTATUS answer, NTSTATUS expected) {
        middle.answer_class = RegNtPreSetValueKey;
        middle.answer = answer;
        add(high, L"300");
        add(middle, L"200");
        add(low, L"100");
        EXPECT_EQ(set_dword(m_base, L"Stopped", 1), expected);
        EXPECT_EQ(order(), (std::vector<std::string>{at(high, RegNtPreSetValueKey), at(middle, RegNtPreSetValueKey),
                                                     at(high, RegNtPostSetValueKey)}))
            << "lower routines hear nothing; the ones above get the post-notification";
        std::lock_guard guard(g_lock);
        EXPECT_EQ(g_events.back().post_status, expected);
    }
    HANDLE m_base = nullptr;
    std::vector<LARGE_INTEGER> m_registered;  // cookies TearDown unregisters
};

TEST_F(RegistryFilterTest, notifications_in_altitude_order_with_post_information) {
    Filter low{"low"}, high{"high"};
    add(low, L"1000");
    add(high, L"20000.5");
    ASSERT_EQ(set_dword(m_base, L"Answer", 42), STATUS_SUCCESS);
    EXPECT_EQ(order(), (std::vector<std::string>{at(high, RegNtPreSetValueKey), at(low, RegNtPreSetValueKey),
                                                 at(low, RegNtPostSetValueKey), at(high, RegNtPostSetValueKey)}));
    std::lock_guard guard(g_lock);
    ASSERT_EQ(g_events.size(), 4u);
    EXPECT_EQ(g_events[0].detail, u"Answer");
    EXPECT_EQ(g_events[0].object, object_of(m_base));
    EXPECT_EQ(g_events[3].post_status, STATUS_SUCCESS);
    EXPECT_EQ(g_events[3].object, g_events[0].object);
    EXPECT_EQ(g_events[3].call_context, &high) << "each routine gets back its own CallContext";
    EXPECT_EQ(g_events[2].call_context, &low);
    EXPECT_EQ(g_events[3].pre_information, g_events[0].pre_information);
}

TEST_F(RegistryFilterTest, a_failing_pre_routine_blocks_the_write) {
    Filter high{"high"}, guard_filter{"guard"}, low{"low"};
    stop_in_the_middle(high, guard_filter, low, STATUS_ACCESS_DENIED, STATUS_ACCESS_DENIED);
    {
        std::lock_guard guard(g_lock);
        EXPECT_EQ(g_events.back().object, nullptr) << "no object for a failed operation";
    }
    ULONG data = 0;
    EXPECT_EQ(query_dword(m_base, L"Stopped", &data), STATUS_OBJECT_NAME_NOT_FOUND) << "the registry was not touched";
    EXPECT_EQ(set_dword(m_base, L"Other", 7), STATUS_ACCESS_DENIED);  // every write under the key
    guard_filter.answer_class = MaxRegNtNotifyClass;
    EXPECT_EQ(set_dword(m_base, L"Stopped", 3), STATUS_SUCCESS);
    EXPECT_EQ(query_dword(m_base, L"Stopped", &data), STATUS_SUCCESS);
    EXPECT_EQ(data, 3u);
}

TEST_F(RegistryFilterTest, bypass_answers_success_without_the_registry) {
    Filter high{"high"}, owner{"owner"}, low{"low"};
    stop_in_the_middle(high, owner, low, STATUS_CALLBACK_BYPASS, STATUS_SUCCESS);
    owner.answer_class = RegNtPreQueryValueKey;
    ULONG data = 0;
    EXPECT_EQ(query_dword(m_base, L"Stopped", &data), STATUS_SUCCESS);
    EXPECT_EQ(data, 0x5A5Au) << "the caller got what the routine wrote";
    owner.answer_class = MaxRegNtNotifyClass;
    EXPECT_EQ(query_dword(m_base, L"Stopped", &data), STATUS_OBJECT_NAME_NOT_FOUND) << "the bypassed write never happened";
}

TEST_F(RegistryFilterTest, a_post_routine_can_change_the_status) {
    Filter filter{"post"};
    filter.post_answer = STATUS_CALLBACK_BYPASS;
    filter.post_return_status = STATUS_ACCESS_DENIED;
    add(filter, L"500");
    EXPECT_EQ(set_dword(m_base, L"Value", 5), STATUS_ACCESS_DENIED);
    filter.post_answer = STATUS_SUCCESS;
    ULONG data = 0;
    EXPECT_EQ(query_dword(m_base, L"Value", &data), STATUS_SUCCESS) << "the write itself happened";
    EXPECT_EQ(data, 5u);
}

TEST_F(RegistryFilterTest, create_and_open_notifications) {
    Filter filter{"f"};
    add(filter, L"1000");
    HANDLE child = nullptr;
    ASSERT_EQ(open_key(u"Child", &child, true, m_base), STATUS_SUCCESS);
    {
        std::lock_guard guard(g_lock);
        ASSERT_EQ(g_events.size(), 2u);
        EXPECT_EQ(g_events[0].notify_class, RegNtPreCreateKeyEx);
        EXPECT_EQ(g_events[0].detail, u"Child") << "a relative name, below the root object";
        EXPECT_EQ(g_events[0].object, object_of(m_base));
        EXPECT_EQ(g_events[1].notify_class, RegNtPostCreateKeyEx);
        EXPECT_EQ(g_events[1].post_status, STATUS_SUCCESS);
        EXPECT_EQ(g_events[1].object, object_of(child)) << "the post-notification names the new key object";
        EXPECT_EQ(g_events[1].call_context, &filter);
    }
    g_events.clear();
    HANDLE missing = nullptr;
    EXPECT_EQ(open_key(kBase + u"\\Missing", &missing, false), STATUS_OBJECT_NAME_NOT_FOUND);
    {
        std::lock_guard guard(g_lock);
        ASSERT_EQ(g_events.size(), 2u);
        EXPECT_EQ(g_events[0].notify_class, RegNtPreOpenKeyEx);
        EXPECT_EQ(g_events[0].detail, kBase + u"\\Missing") << "an absolute name whole";
        EXPECT_EQ(g_events[1].notify_class, RegNtPostOpenKeyEx);
        EXPECT_EQ(g_events[1].post_status, STATUS_OBJECT_NAME_NOT_FOUND);
        EXPECT_EQ(g_events[1].object, nullptr) << "version 1.1: no object for a failed open";
    }
    filter.answer_class = RegNtPreCreateKeyEx;
    filter.answer = STATUS_ACCESS_DENIED;
    HANDLE blocked = nullptr;
    EXPECT_EQ(open_key(u"Blocked", &blocked, true, m_base), STATUS_ACCESS_DENIED);
    EXPECT_EQ(blocked, nullptr);
    filter.answer_class = MaxRegNtNotifyClass;
    EXPECT_EQ(open_key(u"Blocked", &blocked, false, m_base), STATUS_OBJECT_NAME_NOT_FOUND) << "no key was made";
    EXPECT_EQ(ZwDeleteKey(child), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(child), STATUS_SUCCESS);
}

TEST_F(RegistryFilterTest, every_key_operation_is_notified) {
    Filter filter{"f"};
    ASSERT_EQ(set_dword(m_base, L"V", 1), STATUS_SUCCESS);
    HANDLE child = nullptr;
    ASSERT_EQ(open_key(u"Sub", &child, true, m_base), STATUS_SUCCESS);
    add(filter, L"1000");
    alignas(8) unsigned char buffer[256];
    ULONG length = 0;
    EXPECT_EQ(ZwQueryKey(m_base, KeyFullInformation, buffer, sizeof buffer, &length), STATUS_SUCCESS);
    EXPECT_EQ(ZwEnumerateKey(m_base, 0, KeyBasicInformation, buffer, sizeof buffer, &length), STATUS_SUCCESS);
    EXPECT_EQ(ZwEnumerateValueKey(m_base, 0, KeyValueBasicInformation, buffer, sizeof buffer, &length), STATUS_SUCCESS);
    ULONG data = 0;
    EXPECT_EQ(query_dword(m_base, L"V", &data), STATUS_SUCCESS);
    UNICODE_STRING value;
    RtlInitUnicodeString(&value, L"V");
    EXPECT_EQ(ZwDeleteValueKey(m_base, &value), STATUS_SUCCESS);
    EXPECT_EQ(ZwFlushKey(m_base), STATUS_SUCCESS);
    EXPECT_EQ(ZwDeleteKey(child), STATUS_SUCCESS);
    PVOID child_object = object_of(child);
    EXPECT_EQ(ZwClose(child), STATUS_SUCCESS);
    const std::vector<REG_NOTIFY_CLASS> expected = {
        RegNtPreQueryKey,          RegNtPostQueryKey,          RegNtPreEnumerateKey,   RegNtPostEnumerateKey,
        RegNtPreEnumerateValueKey, RegNtPostEnumerateValueKey, RegNtPreQueryValueKey,  RegNtPostQueryValueKey,
        RegNtPreDeleteValueKey,    RegNtPostDeleteValueKey,    RegNtPreFlushKey,       RegNtPostFlushKey,
        RegNtPreDeleteKey,         RegNtPostDeleteKey,         RegNtPreKeyHandleClose, RegNtPostKeyHandleClose};
    std::lock_guard guard(g_lock);
    ASSERT_EQ(g_events.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(g_events[i].notify_class, expected[i]) << i;
        const bool on_child = expected[i] == RegNtPreDeleteKey || expected[i] == RegNtPostDeleteKey ||
                              expected[i] == RegNtPreKeyHandleClose || expected[i] == RegNtPostKeyHandleClose;
        EXPECT_EQ(g_events[i].object, on_child ? child_object : object_of(m_base)) << i;
        if (is_post(expected[i])) {
            EXPECT_EQ(g_events[i].post_status, STATUS_SUCCESS) << i;
        }
    }
}

TEST_F(RegistryFilterTest, rename_and_set_information_are_notified) {
    Filter filter{"f"};
    ASSERT_EQ(set_dword(m_base, L"V", 1), STATUS_SUCCESS);
    HANDLE child = nullptr;
    ASSERT_EQ(open_key(u"Renamed", &child, true, m_base), STATUS_SUCCESS);
    add(filter, L"1000");
    UNICODE_STRING new_name;
    RtlInitUnicodeString(&new_name, L"Renamed2");
    EXPECT_EQ(ZwRenameKey(child, &new_name), STATUS_SUCCESS);
    KEY_WRITE_TIME_INFORMATION time{};
    time.LastWriteTime.QuadPart = 99;
    EXPECT_EQ(ZwSetInformationKey(m_base, KeyWriteTimeInformation, &time, sizeof(time)), STATUS_SUCCESS);
    EXPECT_EQ(ZwDeleteKey(child), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(child), STATUS_SUCCESS);
    std::lock_guard guard(g_lock);
    ASSERT_GE(g_events.size(), 4u);
    EXPECT_EQ(g_events[0].notify_class, RegNtPreRenameKey);
    EXPECT_EQ(g_events[0].detail, u"Renamed2");
    EXPECT_EQ(g_events[1].notify_class, RegNtPostRenameKey);
    EXPECT_EQ(g_events[2].notify_class, RegNtPreSetInformationKey);
    EXPECT_EQ(g_events[2].object, object_of(m_base));
    EXPECT_EQ(g_events[3].notify_class, RegNtPostSetInformationKey);
    EXPECT_EQ(g_events[3].post_status, STATUS_SUCCESS);
}

// A device whose opens succeed: the file handle ZwSaveKey / ZwRestoreKey are given.
NTSTATUS NTAPI complete_success(PDEVICE_OBJECT, PIRP irp) {
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
PDEVICE_OBJECT g_file_device = nullptr;
VOID NTAPI file_device_unload(PDRIVER_OBJECT) {
    if (g_file_device) IoDeleteDevice(g_file_device);
    g_file_device = nullptr;
}
NTSTATUS NTAPI file_device_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->MajorFunction[IRP_MJ_CREATE] = complete_success;
    driver->MajorFunction[IRP_MJ_CLEANUP] = complete_success;
    driver->MajorFunction[IRP_MJ_CLOSE] = complete_success;
    driver->DriverUnload = file_device_unload;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\RegistryCallbackFile");
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_file_device);
    if (NT_SUCCESS(status)) g_file_device->Flags &= ~DO_DEVICE_INITIALIZING;
    return status;
}

// ZwSaveKey and ZwRestoreKey are notified (REG_SAVE_KEY_INFORMATION / REG_RESTORE_KEY_INFORMATION);
// a filter that answers the pre-notification with a failure stops the operation with that status.
TEST_F(RegistryFilterTest, save_and_restore_are_notified_and_a_filter_can_stop_them) {
    Filter filter{"f"};
    filter.answer = STATUS_ACCESS_DENIED;
    add(filter, L"1000");
    UNICODE_STRING driver_name = RTL_CONSTANT_STRING(L"RegistryCallbackFile");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&driver_name, file_device_entry, &driver), STATUS_SUCCESS);
    UNICODE_STRING device_name = RTL_CONSTANT_STRING(L"\\Device\\RegistryCallbackFile");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &device_name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE file = nullptr;
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(ZwCreateFile(&file, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                           FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0),
              STATUS_SUCCESS);
    filter.answer_class = RegNtPreSaveKey;
    EXPECT_EQ(ZwSaveKeyEx(m_base, file, REG_LATEST_FORMAT), STATUS_ACCESS_DENIED);
    filter.answer_class = RegNtPreRestoreKey;
    EXPECT_EQ(ZwRestoreKey(m_base, file, REG_FORCE_RESTORE), STATUS_ACCESS_DENIED);
    EXPECT_EQ(ZwClose(file), STATUS_SUCCESS);
    NtioUnloadDriver(driver);
    ObDereferenceObject(driver);
    // The driver's own registry work (its service key) is heard too: only the save and restore
    // classes matter here.
    std::lock_guard guard(g_lock);
    std::vector<Event> heard;
    for (const Event& e : g_events)
        if (e.notify_class >= RegNtPreRestoreKey && e.notify_class <= RegNtPostSaveKey) heard.push_back(e);
    ASSERT_EQ(heard.size(), 2u);
    EXPECT_EQ(heard[0].notify_class, RegNtPreSaveKey);
    EXPECT_EQ(heard[0].object, object_of(m_base));
    EXPECT_EQ(heard[1].notify_class, RegNtPreRestoreKey);
    EXPECT_EQ(heard[1].object, object_of(m_base));
}

TEST_F(RegistryFilterTest, registration_statuses_and_key_identity) {
    ULONG major = 0, minor = 0;
    CmGetCallbackVersion(&major, &minor);
    EXPECT_EQ(major, 1u);
    EXPECT_EQ(minor, 1u);
    CmGetCallbackVersion(nullptr, nullptr);

    Filter first{"first"}, second{"second"}, legacy{"legacy"};
    add(first, L"385100");
    EXPECT_EQ(register_filter(second, L"385100"), STATUS_FLT_INSTANCE_ALTITUDE_COLLISION);
    EXPECT_EQ(register_filter(second, L"0385100.00"), STATUS_FLT_INSTANCE_ALTITUDE_COLLISION) << "compared as numbers";
    add(second, L"385100.1");
    EXPECT_NE(first.cookie.QuadPart, second.cookie.QuadPart);
    ASSERT_EQ(CmRegisterCallback(registry_callback, &legacy, &legacy.cookie), STATUS_SUCCESS);
    m_registered.push_back(legacy.cookie);
    EXPECT_EQ(CmRegisterCallbackEx(nullptr, nullptr, nullptr, nullptr, &legacy.cookie, nullptr),
              STATUS_INVALID_PARAMETER);
    LARGE_INTEGER unknown;
    unknown.QuadPart = 0x7654321;
    EXPECT_EQ(CmUnRegisterCallback(unknown), STATUS_INVALID_PARAMETER);

    ASSERT_EQ(set_dword(m_base, L"V", 1), STATUS_SUCCESS);
    EXPECT_EQ(order(), (std::vector<std::string>{at(legacy, RegNtPreSetValueKey), at(second, RegNtPreSetValueKey),
                                                 at(first, RegNtPreSetValueKey), at(first, RegNtPostSetValueKey),
                                                 at(second, RegNtPostSetValueKey), at(legacy, RegNtPostSetValueKey)}))
        << "a registration without an altitude sits above every altitude";

    HANDLE again = nullptr;
    ASSERT_EQ(open_key(kBase, &again, false), STATUS_SUCCESS);
    ULONG_PTR id = 0, id_again = 0;
    PCUNICODE_STRING name = nullptr;
    ASSERT_EQ(CmCallbackGetKeyObjectID(&first.cookie, object_of(m_base), &id, &name), STATUS_SUCCESS);
    ASSERT_NE(name, nullptr);
    EXPECT_TRUE(same_ignoring_case(text(name), kBase)) << std::string(name->Buffer, name->Buffer + name->Length / 2);
    ASSERT_EQ(CmCallbackGetKeyObjectID(&first.cookie, object_of(again), &id_again, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(id, id_again) << "two objects of one key share its identifier";
    EXPECT_NE(object_of(m_base), object_of(again));
    EXPECT_EQ(CmCallbackGetKeyObjectID(&unknown, object_of(m_base), &id, &name), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(CmCallbackGetKeyObjectID(&first.cookie, nullptr, &id, &name), STATUS_INVALID_PARAMETER);
    PCUNICODE_STRING copy = nullptr;
    EXPECT_EQ(CmCallbackGetKeyObjectIDEx(&first.cookie, object_of(again), &id_again, &copy, 1), STATUS_INVALID_PARAMETER);
    ASSERT_EQ(CmCallbackGetKeyObjectIDEx(&first.cookie, object_of(again), &id_again, &copy, 0), STATUS_SUCCESS);
    EXPECT_EQ(id_again, id);
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(text(copy), text(name));
    CmCallbackReleaseKeyObjectIDEx(copy);
    EXPECT_EQ(ZwClose(again), STATUS_SUCCESS);

    // After its unregistration a routine hears nothing more; its cookie is unknown.
    g_events.clear();
    EXPECT_EQ(CmUnRegisterCallback(second.cookie), STATUS_SUCCESS);
    EXPECT_EQ(CmUnRegisterCallback(second.cookie), STATUS_INVALID_PARAMETER);
    std::erase_if(m_registered, [&](LARGE_INTEGER c) { return c.QuadPart == second.cookie.QuadPart; });
    ASSERT_EQ(set_dword(m_base, L"V", 2), STATUS_SUCCESS);
    for (const std::string& e : order()) EXPECT_EQ(e.rfind("second", 0), std::string::npos) << e;
}

std::atomic<bool> g_entered{false};
std::atomic<bool> g_release{false};
std::atomic<int> g_blocking_calls{0};

NTSTATUS NTAPI blocking(PVOID, PVOID argument1, PVOID) {
    if (static_cast<REG_NOTIFY_CLASS>(reinterpret_cast<ULONG_PTR>(argument1)) != RegNtPreSetValueKey)
        return STATUS_SUCCESS;
    g_blocking_calls.fetch_add(1);
    g_entered.store(true);
    while (!g_release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return STATUS_SUCCESS;
}

TEST_F(RegistryFilterTest, unregistration_waits_for_the_routine_in_flight) {
    UNICODE_STRING altitude;
    RtlInitUnicodeString(&altitude, L"4321");
    LARGE_INTEGER cookie{};
    ASSERT_EQ(CmRegisterCallbackEx(blocking, &altitude, nullptr, nullptr, &cookie, nullptr), STATUS_SUCCESS);
    System* system = &this->system();
    HANDLE base = m_base;
    std::thread writer([system, base] {
        system->make_current();
        EXPECT_EQ(set_dword(base, L"W", 1), STATUS_SUCCESS);
    });
    while (!g_entered.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::atomic<bool> removed{false};
    std::thread remover([system, cookie, &removed] {
        system->make_current();
        EXPECT_EQ(CmUnRegisterCallback(cookie), STATUS_SUCCESS);
        removed.store(true);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(removed.load()) << "unregistration returned with the routine still running";
    g_release.store(true);
    remover.join();
    writer.join();
    EXPECT_TRUE(removed.load());
    const int calls = g_blocking_calls.load();
    EXPECT_EQ(set_dword(m_base, L"W", 2), STATUS_SUCCESS);
    EXPECT_EQ(g_blocking_calls.load(), calls) << "called after its unregistration returned";
}

}  // namespace registry_callbacks
}  // namespace ntio::test
