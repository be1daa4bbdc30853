// The power suite's WDM driver: its power dispatch routine records each IRP_MJ_POWER it is sent
// (which device, minor, type, state), records a device state with PoSetPowerState and completes the
// IRP; DriverEntry creates one device and DriverUnload deletes every device the driver made.
#pragma once

#include <wdm.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "ntio/ntio.h"
#include "support/driver_fixture.hpp"

namespace ntio::power_test {

struct PowerIrp {
    PDEVICE_OBJECT device;
    UCHAR minor;
    POWER_STATE_TYPE type;
    POWER_STATE state;
};

// What the driver saw; the tests read it.
struct Recorded {
    std::mutex lock;
    std::condition_variable arrived;
    std::vector<PowerIrp> irps;
    // Waits (without a time limit: what sends them is a timer, not this test) for `count` IRPs.
    void wait_for(std::size_t count) {
        std::unique_lock guard(lock);
        arrived.wait(guard, [&] { return irps.size() >= count; });
    }
    std::vector<PowerIrp> take() {
        std::lock_guard guard(lock);
        std::vector<PowerIrp> out;
        out.swap(irps);
        return out;
    }
};

Recorded& recorded();

// Boots a System, takes its idle clock over (NtioAdvancePowerIdleClock(0)) and loads the driver.
class PowerTest : public ntio::test::DriverTest {
protected:
    void SetUp() override;
    // False: leave the System's own one-second idle clock running.
    bool m_take_clock = true;
    // The device DriverEntry created.
    PDEVICE_OBJECT device() const;
    // One more device of the driver (deleted at unload), of the given type.
    PDEVICE_OBJECT create_device(DEVICE_TYPE type);
};

}  // namespace ntio::power_test
