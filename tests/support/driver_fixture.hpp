// DriverTest: a SystemTest whose test writes a driver of its own (NtioCreateDriver). The driver is
// unloaded and the test's reference dropped before the system's leak checks. A fixture with more to
// check at the end overrides TearDown, calls unload_driver() where it wants, then
// DriverTest::TearDown().
#pragma once

#include "ntio/ntio.h"
#include "support/system_fixture.hpp"

namespace ntio::test {

class DriverTest : public SystemTest {
protected:
    // Creates the driver under service name `service` (the test's driver from then on).
    NTSTATUS create_driver(const wchar_t* service, PDRIVER_INITIALIZE entry);
    // Unloads the driver (which must succeed) and drops the test's reference; nothing without one.
    void unload_driver();
    void TearDown() override;

    PDRIVER_OBJECT m_driver = nullptr;
};

}  // namespace ntio::test
