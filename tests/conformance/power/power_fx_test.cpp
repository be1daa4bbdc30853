// The runtime power management framework (PoFx) through the public surface: registration and its
// bad input, the callbacks in the documented order with one activation count per component, the
// device power required / not required handshakes, PO_FX_FLAG_BLOCKING and PO_FX_FLAG_ASYNC_ONLY,
// the latency, residency and wake constraints on the Fx state chosen, and PoFxPowerControl with no PEP.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/component-level-power-management
// https://learn.microsoft.com/windows-hardware/drivers/kernel/device-power-management
#include <condition_variable>
#include <string>
#include <thread>

#include "power_test_driver.hpp"

namespace ntio::power_test {
namespace {

// The driver's side of PoFx: each callback is logged ("active 0", "idle 1", "state 0 2",
// "required", "not-required"); the driver completes each handshake from the callback unless the test
// holds it back.
struct FxDriver {
    POHANDLE handle = nullptr;
    std::mutex lock;
    std::condition_variable changed;
    std::vector<std::string> log;
    std::vector<std::thread::id> threads;
    bool complete_idle = true;
    bool complete_state = true;
    bool complete_not_required = true;
    bool report_powered_on = true;

    void note(std::string entry) {
        std::lock_guard guard(lock);
        log.push_back(std::move(entry));
        threads.push_back(std::this_thread::get_id());
        changed.notify_all();
    }
    std::vector<std::string> take() {
        std::lock_guard guard(lock);
        std::vector<std::string> out;
        out.swap(log);
        threads.clear();
        return out;
    }
    // Waits (no time limit: the work is queued, not timed) until `count` callbacks were logged.
    std::vector<std::thread::id> wait_for(std::size_t count) {
        std::unique_lock guard(lock);
        changed.wait(guard, [&] { return log.size() >= count; });
        return threads;
    }
};

VOID NTAPI ActiveCondition(PVOID Context, ULONG Component) {
    static_cast<FxDriver*>(Context)->note("active " + std::to_string(Component));
}
VOID NTAPI IdleCondition(PVOID Context, ULONG Component) {
    auto* d = static_cast<FxDriver*>(Context);
    d->note("idle " + std::to_string(Component));
    if (d->complete_idle) PoFxCompleteIdleCondition(d->handle, Component);
}
VOID NTAPI IdleState(PVOID Context, ULONG Component, ULONG State) {
    auto* d = static_cast<FxDriver*>(Context);
    d->note("state " + std::to_string(Component) + " " + std::to_string(State));
    if (d->complete_state) PoFxCompleteIdleState(d->handle, Component);
}
VOID NTAPI PowerRequired(PVOID Context) {
    auto* d = static_cast<FxDriver*>(Context);
    d->note("required");
    // A real driver sends itself a D0 IRP first; the framework only needs the report.
    if (d->report_powered_on) PoFxReportDevicePoweredOn(d->handle);
}
VOID NTAPI PowerNotRequired(PVOID Context) {
    auto* d = static_cast<FxDriver*>(Context);
    d->note("not-required");
    if (d->complete_not_required) PoFxCompleteDevicePowerNotRequired(d->handle);
}

// F0, F1 (latency 10, residency 100) and F2 (latency 1000, residency 10000), in 100 ns units.
PO_FX_COMPONENT_IDLE_STATE g_states[3] = {{0, 0, 100}, {10, 100, 50}, {1000, 10000, 0}};

// A two-component V1 registration: component 0 with three Fx states (wakeable down to F1),
// component 1 with F0 only.
struct FxV1Registration {
    PO_FX_DEVICE_V1 device;
    PO_FX_COMPONENT_V1 second;  // Components[1], right after the structure
};

class PoFxTest : public PowerTest {
protected:
    void SetUp() override {
        PowerTest::SetUp();
        std::memset(&m_reg, 0, sizeof m_reg);
        PO_FX_DEVICE_V1& d = m_reg.device;
        d.Version = PO_FX_VERSION_V1;
        d.ComponentCount = 2;
        d.ComponentActiveConditionCallback = ActiveCondition;
        d.ComponentIdleConditionCallback = IdleCondition;
        d.ComponentIdleStateCallback = IdleState;
        d.DevicePowerRequiredCallback = PowerRequired;
        d.DevicePowerNotRequiredCallback = PowerNotRequired;
        d.DeviceContext = &m_driver_side;
        d.Components[0].IdleStateCount = 3;
        d.Components[0].DeepestWakeableIdleState = 1;
        d.Components[0].IdleStates = g_states;
        m_reg.second.IdleStateCount = 1;
        m_reg.second.IdleStates = g_states;
    }
    void TearDown() override {
        if (m_driver_side.handle) PoFxUnregisterDevice(m_driver_side.handle);
        PowerTest::TearDown();
    }
    PPO_FX_DEVICE registration() { return reinterpret_cast<PPO_FX_DEVICE>(&m_reg.device); }
    POHANDLE register_device() {
        EXPECT_EQ(PoFxRegisterDevice(device(), registration(), &m_driver_side.handle), STATUS_SUCCESS);
        return m_driver_side.handle;
    }
    // Registered, started, and settled: both components idle, component 0 in F2, device power off.
    POHANDLE settled_device() {
        POHANDLE h = register_device();
        PoFxStartDevicePowerManagement(h);
        (void)m_driver_side.take();
        return h;
    }

    static_assert(offsetof(FxV1Registration, second) == sizeof(PO_FX_DEVICE_V1));
    FxV1Registration m_reg;
    FxDriver m_driver_side;
};

using Log = std::vector<std::string>;

// "After a driver calls PoFxRegisterDevice ... all components in the device are fully on and in the
// active condition"; PoFxStartDevicePowerManagement "switches all components to the idle condition":
// each gets its idle condition callback, the completed ones go to the deepest allowed Fx state, and
// with every component idle (idle timeout 0) the device power is no longer required.
TEST_F(PoFxTest, StartIdlesEveryComponentThenDevicePowerIsNotRequired) {
    POHANDLE h = register_device();
    ASSERT_NE(h, nullptr);
    EXPECT_TRUE(m_driver_side.take().empty());
    PoFxStartDevicePowerManagement(h);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 0", "state 0 2", "idle 1", "not-required"}));
}

// Activating an idle component of a device whose power was removed: device power required first,
// then F0, then the active condition. Idling it again reverses that.
TEST_F(PoFxTest, ActivationPowersTheDeviceThenReturnsToF0ThenActive) {
    POHANDLE h = settled_device();
    PoFxActivateComponent(h, 0, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"required", "state 0 0", "active 0"}));
    PoFxIdleComponent(h, 0, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 0", "state 0 2", "not-required"}));
}

// One activation count per component: the idle condition comes only when it drops to zero.
TEST_F(PoFxTest, IdleConditionOnlyWhenTheLastReferenceGoes) {
    POHANDLE h = settled_device();
    PoFxActivateComponent(h, 1, 0);
    PoFxActivateComponent(h, 1, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"required", "active 1"}));
    PoFxIdleComponent(h, 1, 0);
    EXPECT_TRUE(m_driver_side.take().empty());
    PoFxActivateComponent(h, 0, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"state 0 0", "active 0"}));
    PoFxIdleComponent(h, 1, 0);
    // Component 0 still active: the device keeps its power.
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 1"}));
    PoFxIdleComponent(h, 0, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 0", "state 0 2", "not-required"}));
}

// "If the driver requires a component to be in the active condition immediately after power
// management starts, the driver must explicitly activate the component ... after the
// PoFxRegisterDevice call but before the PoFxStartDevicePowerManagement call."
TEST_F(PoFxTest, ActivationBeforeStartKeepsTheComponentActive) {
    POHANDLE h = register_device();
    PoFxActivateComponent(h, 0, 0);
    EXPECT_TRUE(m_driver_side.take().empty());  // already active and powered
    PoFxStartDevicePowerManagement(h);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 1"}));
    PoFxIdleComponent(h, 0, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 0", "state 0 2", "not-required"}));
}

// The framework waits for each handshake: nothing moves on until the driver completes it, from any
// thread, after its callback returned.
TEST_F(PoFxTest, TransitionsWaitForTheDriversCompletion) {
    m_driver_side.complete_idle = false;
    m_driver_side.complete_not_required = false;
    POHANDLE h = register_device();
    PoFxStartDevicePowerManagement(h);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 0", "idle 1"}));
    PoFxCompleteIdleCondition(h, 1);
    EXPECT_TRUE(m_driver_side.take().empty());
    PoFxCompleteIdleCondition(h, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"state 0 2", "not-required"}));
    // Activation while the power-down is not completed: power required only after it is.
    PoFxActivateComponent(h, 1, 0);
    EXPECT_TRUE(m_driver_side.take().empty());
    PoFxCompleteDevicePowerNotRequired(h);
    EXPECT_EQ(m_driver_side.take(), (Log{"required", "active 1"}));
    PoFxIdleComponent(h, 1, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 1"}));
    PoFxCompleteIdleCondition(h, 1);
    EXPECT_EQ(m_driver_side.take(), (Log{"not-required"}));
    PoFxCompleteDevicePowerNotRequired(h);
}

// Device power required is answered by PoFxReportDevicePoweredOn, perhaps later and elsewhere.
TEST_F(PoFxTest, ActiveConditionWaitsForThePowerOnReport) {
    POHANDLE h = settled_device();
    m_driver_side.report_powered_on = false;
    PoFxActivateComponent(h, 1, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"required"}));
    std::thread other([&] { PoFxReportDevicePoweredOn(h); });
    other.join();
    EXPECT_EQ(m_driver_side.take(), (Log{"active 1"}));
    PoFxIdleComponent(h, 1, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 1", "not-required"}));
}

// PO_FX_FLAG_ASYNC_ONLY: the callbacks are not called in the context of the call (another thread
// issues them); invariant: none of them ran on the calling thread.
TEST_F(PoFxTest, AsyncOnlyCallbacksRunOnAnotherThread) {
    POHANDLE h = settled_device();
    PoFxActivateComponent(h, 1, PO_FX_FLAG_ASYNC_ONLY);
    const std::vector<std::thread::id> threads = m_driver_side.wait_for(2);
    for (auto id : threads) EXPECT_NE(id, std::this_thread::get_id());
    EXPECT_EQ(m_driver_side.take(), (Log{"required", "active 1"}));
    PoFxIdleComponent(h, 1, PO_FX_FLAG_ASYNC_ONLY);
    m_driver_side.wait_for(2);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 1", "not-required"}));
}

// PO_FX_FLAG_BLOCKING: the call returns with the component in the active condition, even when the
// power-on report comes from another thread.
TEST_F(PoFxTest, BlockingActivationReturnsActive) {
    POHANDLE h = settled_device();
    m_driver_side.report_powered_on = false;
    std::thread reporter([&] {
        m_driver_side.wait_for(1);
        PoFxReportDevicePoweredOn(h);
    });
    PoFxActivateComponent(h, 1, PO_FX_FLAG_BLOCKING);
    reporter.join();
    EXPECT_EQ(m_driver_side.take(), (Log{"required", "active 1"}));
    PoFxIdleComponent(h, 1, PO_FX_FLAG_BLOCKING);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 1", "not-required"}));
}

// The Fx state chosen honours the latency tolerance, the expected residency and the wake hint
// (no deeper than DeepestWakeableIdleState).
TEST_F(PoFxTest, LatencyResidencyAndWakeLimitTheFxState) {
    POHANDLE h = register_device();
    PoFxActivateComponent(h, 1, 0);  // keeps the device powered throughout
    PoFxSetComponentLatency(h, 0, 100);
    PoFxStartDevicePowerManagement(h);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 0", "state 0 1"}));
    PoFxSetComponentLatency(h, 0, ~0ULL);
    EXPECT_EQ(m_driver_side.take(), (Log{"state 0 2"}));
    PoFxSetComponentResidency(h, 0, 50);
    EXPECT_EQ(m_driver_side.take(), (Log{"state 0 0"}));
    PoFxSetComponentResidency(h, 0, ~0ULL);
    EXPECT_EQ(m_driver_side.take(), (Log{"state 0 2"}));
    PoFxSetComponentWake(h, 0, TRUE);
    EXPECT_EQ(m_driver_side.take(), (Log{"state 0 1"}));
    PoFxIdleComponent(h, 1, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 1", "not-required"}));
}

// With an idle timeout the device keeps its power after the last component idled (the timer, not
// this call, ends it); an activation meanwhile finds the device still powered.
TEST_F(PoFxTest, IdleTimeoutDefersPowerNotRequired) {
    POHANDLE h = register_device();
    PoFxSetDeviceIdleTimeout(h, 3600ULL * 10000000ULL);  // an hour: never reached by this test
    PoFxStartDevicePowerManagement(h);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 0", "state 0 2", "idle 1"}));
    PoFxActivateComponent(h, 1, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"active 1"}));
    PoFxIdleComponent(h, 1, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 1"}));
    // A short timeout expires on the framework's timer; the callback comes from a system thread.
    PoFxSetDeviceIdleTimeout(h, 1);
    PoFxActivateComponent(h, 1, 0);
    PoFxIdleComponent(h, 1, 0);
    const std::vector<std::thread::id> threads = m_driver_side.wait_for(3);
    EXPECT_NE(threads[2], std::this_thread::get_id());
    EXPECT_EQ(m_driver_side.take(), (Log{"active 1", "idle 1", "not-required"}));
}

// A V2 registration (PO_FX_DEVICE, the WDK's default: Flags, ComponentCount after DeviceContext,
// PO_FX_COMPONENT_V2) behaves the same.
TEST_F(PoFxTest, VersionTwoRegistration) {
    PO_FX_DEVICE v2;
    std::memset(&v2, 0, sizeof v2);
    v2.Version = PO_FX_VERSION_V2;
    v2.ComponentIdleConditionCallback = IdleCondition;
    v2.ComponentActiveConditionCallback = ActiveCondition;
    v2.ComponentIdleStateCallback = IdleState;
    v2.DevicePowerRequiredCallback = PowerRequired;
    v2.DevicePowerNotRequiredCallback = PowerNotRequired;
    v2.DeviceContext = &m_driver_side;
    v2.ComponentCount = 1;
    v2.Components[0].IdleStateCount = 2;
    v2.Components[0].IdleStates = g_states;
    ASSERT_EQ(PoFxRegisterDevice(device(), &v2, &m_driver_side.handle), STATUS_SUCCESS);
    PoFxStartDevicePowerManagement(m_driver_side.handle);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 0", "state 0 1", "not-required"}));
    PoFxActivateComponent(m_driver_side.handle, 0, 0);
    EXPECT_EQ(m_driver_side.take(), (Log{"required", "state 0 0", "active 0"}));
    PoFxIdleComponent(m_driver_side.handle, 0, 0);
    (void)m_driver_side.take();
}

// PoFxRegisterDevice return values: STATUS_INVALID_PARAMETER for no PDO, a bad version, no components,
// a component without idle states or with an invalid description, or several Fx states without the
// three component callbacks (PO_FX_DEVICE remarks).
TEST_F(PoFxTest, RegistrationBadInput) {
    POHANDLE h = nullptr;
    EXPECT_EQ(PoFxRegisterDevice(nullptr, registration(), &h), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(PoFxRegisterDevice(device(), nullptr, &h), STATUS_INVALID_PARAMETER);
    m_reg.device.Version = 7;
    EXPECT_EQ(PoFxRegisterDevice(device(), registration(), &h), STATUS_INVALID_PARAMETER);
    m_reg.device.Version = PO_FX_VERSION_V1;
    m_reg.device.ComponentCount = 0;
    EXPECT_EQ(PoFxRegisterDevice(device(), registration(), &h), STATUS_INVALID_PARAMETER);
    m_reg.device.ComponentCount = 2;
    m_reg.second.IdleStateCount = 0;
    EXPECT_EQ(PoFxRegisterDevice(device(), registration(), &h), STATUS_INVALID_PARAMETER);
    m_reg.second.IdleStateCount = 1;
    m_reg.device.Components[0].DeepestWakeableIdleState = 3;
    EXPECT_EQ(PoFxRegisterDevice(device(), registration(), &h), STATUS_INVALID_PARAMETER);
    m_reg.device.Components[0].DeepestWakeableIdleState = 1;
    m_reg.device.ComponentIdleStateCallback = nullptr;
    EXPECT_EQ(PoFxRegisterDevice(device(), registration(), &h), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(h, nullptr);
    m_reg.device.ComponentIdleStateCallback = IdleState;
    ASSERT_NE(register_device(), nullptr);
    // The same PDO twice.
    EXPECT_EQ(PoFxRegisterDevice(device(), registration(), &h), STATUS_INVALID_DEVICE_STATE);
}

// The registration is deep-copied: changing the caller's structure afterwards changes nothing.
TEST_F(PoFxTest, RegistrationIsCopied) {
    POHANDLE h = register_device();
    m_reg.device.ComponentIdleConditionCallback = nullptr;
    m_reg.device.Components[0].IdleStateCount = 1;
    PoFxStartDevicePowerManagement(h);
    EXPECT_EQ(m_driver_side.take(), (Log{"idle 0", "state 0 2", "idle 1", "not-required"}));
}

// Handles and component indexes that are not valid are ignored, and so is unregistering twice;
// PoFxPowerControl has no power engine plug-in to answer: STATUS_NOT_SUPPORTED.
TEST_F(PoFxTest, StaleHandlesOutOfRangeComponentsAndPowerControl) {
    POHANDLE h = settled_device();
    PoFxActivateComponent(h, 2, 0);
    PoFxActivateComponent(nullptr, 0, 0);
    PoFxIdleComponent(h, 99, 0);
    EXPECT_TRUE(m_driver_side.take().empty());
    GUID code{};
    SIZE_T returned = 77;
    EXPECT_EQ(PoFxPowerControl(h, &code, nullptr, 0, nullptr, 0, &returned), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(returned, 0u);
    EXPECT_EQ(PoFxPowerControl(nullptr, &code, nullptr, 0, nullptr, 0, nullptr), STATUS_INVALID_PARAMETER);
    PoFxNotifySurprisePowerOn(device());
    PoFxUnregisterDevice(h);
    m_driver_side.handle = nullptr;
    PoFxUnregisterDevice(h);
    PoFxActivateComponent(h, 0, 0);
    EXPECT_TRUE(m_driver_side.take().empty());
    // The PDO can be registered again once unregistered.
    EXPECT_NE(register_device(), nullptr);
}

}  // namespace
}  // namespace ntio::power_test
