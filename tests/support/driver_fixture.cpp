// DriverTest's driver: created by the test, unloaded before SystemTest's leak checks.
#include "support/driver_fixture.hpp"

namespace ntio::test {

NTSTATUS DriverTest::create_driver(const wchar_t* service, PDRIVER_INITIALIZE entry) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, service);
    return NtioCreateDriver(&name, entry, &m_driver);
}

void DriverTest::unload_driver() {
    if (!m_driver) return;
    EXPECT_EQ(NtioUnloadDriver(m_driver), STATUS_SUCCESS);
    ObDereferenceObject(m_driver);
    m_driver = nullptr;
}

void DriverTest::TearDown() {
    unload_driver();
    SystemTest::TearDown();
}

}  // namespace ntio::test
