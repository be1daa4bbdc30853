// The WMI suite's fixture: the provider driver loaded (its DriverEntry registers its device with
// WMI), its device and the extension where it counts what WMI sent; a data block opener and a
// counted-name helper.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <string_view>

#include "support/driver_fixture.hpp"
#include "support/owned_name.hpp"
#include "wmi_provider_driver.hpp"

namespace ntio::wmi_test {

class WmiTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        DriverTest::SetUp();
        ASSERT_EQ(create_driver(L"WmiProvider", WmiProviderDriverEntry), STATUS_SUCCESS);
        m_device = m_driver->DeviceObject;
        ASSERT_NE(m_device, nullptr);
        m_ext = static_cast<ProviderExtension*>(m_device->DeviceExtension);
    }
    // A data block object for `guid` (the test closes it with ObDereferenceObject).
    PVOID open(const GUID& guid, ULONG access) {
        PVOID block = nullptr;
        EXPECT_EQ(IoWMIOpenBlock(&guid, access, &block), STATUS_SUCCESS);
        return block;
    }

    PDEVICE_OBJECT m_device = nullptr;
    ProviderExtension* m_ext = nullptr;
};

using Name = ntio::test::OwnedName;

// The counted string (USHORT byte length, then the WCHARs) at `offset` of a WNODE.
inline std::u16string counted_at(const void* wnode, ULONG offset) {
    const auto* base = static_cast<const UCHAR*>(wnode) + offset;
    USHORT length;
    std::memcpy(&length, base, sizeof(length));
    std::u16string text(length / sizeof(char16_t), u'\0');
    std::memcpy(text.data(), base + sizeof(USHORT), length);
    return text;
}

inline bool same_guid(const GUID& a, const GUID& b) { return std::memcmp(&a, &b, sizeof(GUID)) == 0; }

}  // namespace ntio::wmi_test
