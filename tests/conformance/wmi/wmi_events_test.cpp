// Events: the first notification callback set for an event block sends its provider
// IRP_MN_ENABLE_EVENTS, removing the last (a NULL callback or closing the object) DISABLE_EVENTS;
// IoWMIWriteEvent gives the provider's WNODE to every callback set for its GUID, then frees it.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmisetnotificationcallback
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-enable-events
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiwriteevent
#include <atomic>
#include <thread>
#include <vector>

#include "wmi_test_support.hpp"

namespace ntio::wmi_test {
namespace {

struct Received {
    LONG count = 0;
    ULONG payload = 0;
    bool right_guid = false;
};

VOID on_event(PVOID wnode, PVOID context) {
    auto* received = static_cast<Received*>(context);
    const auto* event = static_cast<const WNODE_SINGLE_INSTANCE*>(wnode);
    received->right_guid = same_guid(event->WnodeHeader.Guid, kEventGuid) &&
                           (event->WnodeHeader.Flags & WNODE_FLAG_EVENT_ITEM);
    std::memcpy(&received->payload, reinterpret_cast<const UCHAR*>(event) + event->DataBlockOffset, sizeof(ULONG));
    ++received->count;
}

TEST_F(WmiTest, callbacks_enable_events_and_receive_them) {
    PVOID first = open(kEventGuid, WMIGUID_NOTIFICATION | SYNCHRONIZE);
    PVOID second = open(kEventGuid, WMIGUID_NOTIFICATION | SYNCHRONIZE);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(m_ext->enable_events, 0) << "opening is not asking for events";
    Received a, b;
    ASSERT_EQ(IoWMISetNotificationCallback(first, on_event, &a), STATUS_SUCCESS);
    EXPECT_EQ(m_ext->enable_events, 1);
    EXPECT_GE(m_ext->events_header_size, sizeof(WNODE_HEADER));
    ASSERT_EQ(IoWMISetNotificationCallback(second, on_event, &b), STATUS_SUCCESS);
    EXPECT_EQ(m_ext->enable_events, 1) << "only the first callback enables";

    EXPECT_EQ(WmiProviderFireEvent(m_device, 0x1234), STATUS_SUCCESS);
    EXPECT_EQ(a.count, 1);
    EXPECT_EQ(b.count, 1);
    EXPECT_TRUE(a.right_guid);
    EXPECT_EQ(a.payload, 0x1234u);

    ASSERT_EQ(IoWMISetNotificationCallback(first, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(m_ext->disable_events, 0) << "the second callback still wants them";
    EXPECT_EQ(WmiProviderFireEvent(m_device, 2), STATUS_SUCCESS);
    EXPECT_EQ(a.count, 1);
    EXPECT_EQ(b.count, 2);
    ObDereferenceObject(second);
    EXPECT_EQ(m_ext->disable_events, 1);
    // Nobody listens: the event is still taken and freed.
    EXPECT_EQ(WmiProviderFireEvent(m_device, 3), STATUS_SUCCESS);
    EXPECT_EQ(b.count, 2);
    ObDereferenceObject(first);
    EXPECT_EQ(m_ext->enable_events, 1);
    EXPECT_EQ(m_ext->disable_events, 1);
}

TEST_F(WmiTest, an_event_fired_from_a_wmi_request_reaches_the_callback) {
    PVOID events = open(kEventGuid, WMIGUID_NOTIFICATION | SYNCHRONIZE);
    PVOID methods = open(kDataGuid, WMIGUID_EXECUTE);
    ASSERT_TRUE(events && methods);
    Received received;
    ASSERT_EQ(IoWMISetNotificationCallback(events, on_event, &received), STATUS_SUCCESS);
    Name alpha(u"Alpha");
    ULONG payload = 0xBEEF;
    ULONG out = sizeof(payload);
    EXPECT_EQ(IoWMIExecuteMethod(methods, alpha, kMethodFire, sizeof(payload), &out,
                                 reinterpret_cast<PUCHAR>(&payload)),
              STATUS_SUCCESS);
    EXPECT_EQ(out, 0u);
    EXPECT_EQ(received.count, 1);
    EXPECT_EQ(received.payload, 0xBEEFu);
    ObDereferenceObject(methods);
    ObDereferenceObject(events);
}

// Invariant: however opens and closes of an expensive block interleave, while a thread holds an
// object open for query the provider has been told to start collecting once more than to stop
// (never twice in a row, never stopped under an open object), and once every object is closed it
// has been told to stop as often as to start.
TEST_F(WmiTest, stress_concurrent_opens_keep_collection_balanced) {
    constexpr int kThreads = 4;
    constexpr int kRounds = 300;
    std::atomic<bool> unbalanced{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kRounds; ++i) {
                PVOID block = nullptr;
                if (IoWMIOpenBlock(&kExpensiveGuid, WMIGUID_QUERY, &block) != STATUS_SUCCESS) {
                    unbalanced = true;
                    return;
                }
                const LONG open = m_ext->enable_collection - m_ext->disable_collection;
                if (open != 1) unbalanced = true;
                ObDereferenceObject(block);
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_FALSE(unbalanced);
    EXPECT_GE(m_ext->enable_collection, 1);
    EXPECT_EQ(m_ext->enable_collection, m_ext->disable_collection);
    EXPECT_FALSE(m_ext->collecting);
}

}  // namespace
}  // namespace ntio::wmi_test
