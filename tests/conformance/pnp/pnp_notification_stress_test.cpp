// Unregistering a PnP notification while another thread is inside its callback.
// Invariant (IoUnregisterPlugPlayNotificationEx on Learn): once the call returned, the registration's
// callback is not running on any thread and never runs again, however the unregistration interleaves
// with the interface changes other threads keep reporting.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iounregisterplugplaynotificationex
#include <chrono>
#include <memory>
#include <thread>

#include "pnp_notification_support.hpp"

namespace ntio::pnp_test::notify {
namespace {

struct Watch {
    std::atomic<int> inside{0};
    std::atomic<int> calls{0};
    std::atomic<bool> unregistered{false};
};

std::atomic<int> g_late_calls{0};

NTSTATUS NTAPI slow_callback(PVOID, PVOID context) {
    auto* watch = static_cast<Watch*>(context);
    if (watch->unregistered.load()) ++g_late_calls;
    ++watch->inside;
    ++watch->calls;
    std::this_thread::sleep_for(std::chrono::microseconds(20));  // widens the window unregister must wait out
    --watch->inside;
    return STATUS_SUCCESS;
}

TEST_F(PnpTest, UnregisterWaitsForCallbacksRunningOnOtherThreads) {
    Drivers drivers(false);
    Watcher watcher;
    ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    PDEVICE_OBJECT pdo = state().pdo;
    ASSERT_NE(pdo, nullptr);
    g_late_calls = 0;

    // Two togglers, each with an interface instance of its own, report ARRIVAL/REMOVAL nonstop.
    std::atomic<bool> stop{false};
    std::vector<std::thread> togglers;
    std::vector<UNICODE_STRING> links(2);
    for (std::size_t t = 0; t < links.size(); ++t) {
        UNICODE_STRING reference;
        RtlInitUnicodeString(&reference, t == 0 ? L"stress0" : L"stress1");
        ASSERT_EQ(IoRegisterDeviceInterface(pdo, &kInterfaceGuid, &reference, &links[t]), STATUS_SUCCESS);
        togglers.emplace_back([&, t] {
            while (!stop.load()) {
                (void)IoSetDeviceInterfaceState(&links[t], TRUE);
                (void)IoSetDeviceInterfaceState(&links[t], FALSE);
            }
        });
    }

    constexpr int kRounds = 400;
    std::vector<std::unique_ptr<Watch>> watches;  // kept to the end: a late call must not touch freed memory
    int still_inside = 0;
    int unregistered_mid_call = 0;
    for (int round = 0; round < kRounds; ++round) {
        auto watch = std::make_unique<Watch>();
        PVOID entry = nullptr;
        ASSERT_EQ(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0,
                                                 const_cast<GUID*>(&kInterfaceGuid), watcher.driver(), slow_callback,
                                                 watch.get(), &entry),
                  STATUS_SUCCESS);
        // Let it be called at least once (bounded: the togglers may be starved).
        for (int i = 0; i < 100000 && watch->calls.load() == 0; ++i) std::this_thread::yield();
        if (watch->inside.load() != 0) ++unregistered_mid_call;
        ASSERT_EQ(IoUnregisterPlugPlayNotificationEx(entry), STATUS_SUCCESS);
        if (watch->inside.load() != 0) ++still_inside;
        watch->unregistered = true;
        watches.push_back(std::move(watch));
    }
    // Calls after their unregistration would show up here, while the togglers keep going.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop = true;
    for (auto& t : togglers) t.join();
    for (UNICODE_STRING& link : links) RtlFreeUnicodeString(&link);

    EXPECT_EQ(still_inside, 0);
    EXPECT_EQ(g_late_calls.load(), 0);
    std::printf("unregistered while a callback ran: %d of %d rounds\n", unregistered_mid_call, kRounds);
    UNICODE_STRING name = instance_name();
    EXPECT_EQ(NtioPnpRemoveDevice(&name, FALSE, nullptr), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::pnp_test::notify
