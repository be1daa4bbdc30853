// Helpers for the ob unit tests: counted names, OBJECT_ATTRIBUTES, and event objects created and
// opened through the object manager the way the Nt* services do.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ob/object_manager.hpp"
#include "support/owned_name.hpp"
#include "support/system_fixture.hpp"

namespace ntio::ob::test {

// A UNICODE_STRING over an owned copy of the text.
using Name = ntio::test::OwnedName;

class Attributes {
public:
    Attributes(std::u16string_view name, ULONG attributes, HANDLE root = nullptr, PVOID sd = nullptr)
        : m_name(name)
    {
        InitializeObjectAttributes(&m_oa, m_name.get(), attributes, root, sd);
    }
    POBJECT_ATTRIBUTES get() { return &m_oa; }
    const OBJECT_ATTRIBUTES& ref() const { return m_oa; }

private:
    Name m_name;
    OBJECT_ATTRIBUTES m_oa{};
};

// Creates (and inserts) an event the way NtCreateEvent does.
inline NTSTATUS create_event(ObjectManager& om, std::u16string_view name, ULONG attributes, HANDLE* handle,
                             KPROCESSOR_MODE mode = UserMode, HANDLE root = nullptr, PVOID sd = nullptr,
                             ACCESS_MASK access = EVENT_ALL_ACCESS)
{
    Attributes oa(name, attributes, root, sd);
    void* body = nullptr;
    NTSTATUS status = om.create_object(mode, *ExEventObjectType, oa.get(), sizeof(KEVENT), &body);
    if (!NT_SUCCESS(status)) return status;
    KeInitializeEvent(static_cast<PKEVENT>(body), NotificationEvent, FALSE);
    return om.insert_object(body, access, mode, handle, nullptr);
}

inline NTSTATUS open_by_name(ObjectManager& om, std::u16string_view name, ULONG attributes, POBJECT_TYPE type,
                             HANDLE* handle, KPROCESSOR_MODE mode = UserMode, HANDLE root = nullptr,
                             ACCESS_MASK access = GENERIC_READ)
{
    Attributes oa(name, attributes, root);
    return om.open_object_by_name(oa.ref(), type, mode, access, nullptr, handle);
}

class ObTest : public ntio::test::SystemTest {
protected:
    ObjectManager& om() { return system().objects(); }
};

}  // namespace ntio::ob::test
