// Completion ports through the NT surface: the port services (NT facts F8, F9), access and bad
// input, concurrency and LIFO waiter wake, closing a port, and the packets I/O on a bound file
// posts (NT facts E5, E7, E8, F1, F3, F4, F5, F7, F11, F12, F15).
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "port_test_support.hpp"
#include "support/io_status.hpp"

namespace ntio::test::ports {
namespace {
using ntio::test::kUntouched;
using ntio::test::untouched;


NTSTATUS remove_now(HANDLE port, Packet& packet) {
    LARGE_INTEGER zero = zero_timeout();
    return NtRemoveIoCompletion(port, &packet.key, &packet.value, &packet.iosb, &zero);
}

// ---- The port services ----

TEST_F(PortTest, set_and_remove_round_trip_all_four_fields_and_depth_follows) {
    // NT fact F8.
    Handle port(make_port());
    EXPECT_EQ(depth(port), 0);
    const ULONG_PTR big = 0x123456789abcdef0ull;
    ASSERT_EQ(NtSetIoCompletion(port, ptr(0xcafe), ptr(0xbeef), static_cast<NTSTATUS>(0xc0000123), big), STATUS_SUCCESS);
    EXPECT_EQ(depth(port), 1);
    Packet packet;
    ASSERT_EQ(remove(port, packet), STATUS_SUCCESS);
    EXPECT_EQ(packet.key, ptr(0xcafe));
    EXPECT_EQ(packet.value, ptr(0xbeef));
    EXPECT_EQ(packet.iosb.Status, static_cast<NTSTATUS>(0xc0000123));
    EXPECT_EQ(packet.iosb.Information, big);
    EXPECT_EQ(depth(port), 0);
    Packet none;
    EXPECT_EQ(remove_now(port, none), STATUS_TIMEOUT);
    EXPECT_EQ(none.key, ptr(0x5555));
    EXPECT_TRUE(untouched(none.iosb));
}

// NT facts F8, F9: Depth counts every queued packet, whether or not a batched removal has looked
// at it yet, across partial removals and posts in between.
TEST_F(PortTest, depth_counts_every_queued_packet_across_partial_batched_removals) {
    Handle port(make_port());
    for (ULONG_PTR i = 0; i < 100; ++i) ASSERT_EQ(NtSetIoCompletion(port, ptr(1), nullptr, STATUS_SUCCESS, i), STATUS_SUCCESS);
    EXPECT_EQ(depth(port), 100);
    FILE_IO_COMPLETION_INFORMATION entries[40]{};
    ULONG removed = 0;
    LARGE_INTEGER zero = zero_timeout();
    ASSERT_EQ(NtRemoveIoCompletionEx(port, entries, 40, &removed, &zero, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(removed, 40u);
    EXPECT_EQ(depth(port), 60);
    for (ULONG_PTR i = 100; i < 105; ++i) ASSERT_EQ(NtSetIoCompletion(port, ptr(1), nullptr, STATUS_SUCCESS, i), STATUS_SUCCESS);
    EXPECT_EQ(depth(port), 65);
    ULONG_PTR expected = 40;
    for (ULONG taken = 0; taken < 65; taken += removed) {
        ASSERT_EQ(NtRemoveIoCompletionEx(port, entries, 40, &removed, &zero, FALSE), STATUS_SUCCESS);
        for (ULONG i = 0; i < removed; ++i) EXPECT_EQ(entries[i].IoStatusBlock.Information, expected++);
        EXPECT_EQ(depth(port), static_cast<LONG>(65 - taken - removed));
    }
    EXPECT_EQ(expected, 105u);
    EXPECT_EQ(NtRemoveIoCompletionEx(port, entries, 40, &removed, &zero, FALSE), STATUS_TIMEOUT);
}

TEST_F(PortTest, query_checks_class_length_and_reports_return_length) {
    Handle port(make_port());
    IO_COMPLETION_BASIC_INFORMATION info{-1};
    ULONG returned = 0;
    EXPECT_EQ(NtQueryIoCompletion(port, static_cast<IO_COMPLETION_INFORMATION_CLASS>(1), &info, sizeof(info), &returned),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtQueryIoCompletion(port, IoCompletionBasicInformation, &info, sizeof(info) - 1, &returned),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryIoCompletion(port, IoCompletionBasicInformation, &info, sizeof(info) + 1, &returned),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQueryIoCompletion(port, IoCompletionBasicInformation, &info, sizeof(info), &returned), STATUS_SUCCESS);
    EXPECT_EQ(info.Depth, 0);
    EXPECT_EQ(returned, sizeof(info));
}

TEST_F(PortTest, named_port_opens_by_name_and_each_handle_has_its_own_access) {
    ObjectName name(L"\\BaseNamedObjects\\ntio_port_test");
    Handle port;
    ASSERT_EQ(NtCreateIoCompletion(port.out(), IO_COMPLETION_ALL_ACCESS, name.get(), 1), STATUS_SUCCESS);
    Handle query_only;
    ASSERT_EQ(NtOpenIoCompletion(query_only.out(), IO_COMPLETION_QUERY_STATE, name.get()), STATUS_SUCCESS);
    EXPECT_EQ(NtSetIoCompletion(query_only, nullptr, nullptr, STATUS_SUCCESS, 0), STATUS_ACCESS_DENIED);
    Packet packet;
    EXPECT_EQ(remove_now(query_only, packet), STATUS_ACCESS_DENIED);
    ASSERT_EQ(NtSetIoCompletion(port, ptr(1), ptr(2), STATUS_SUCCESS, 3), STATUS_SUCCESS);
    EXPECT_EQ(depth(query_only), 1);  // the same object
    Handle modify_only;
    ASSERT_EQ(NtOpenIoCompletion(modify_only.out(), IO_COMPLETION_MODIFY_STATE, name.get()), STATUS_SUCCESS);
    IO_COMPLETION_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryIoCompletion(modify_only, IoCompletionBasicInformation, &info, sizeof(info), nullptr),
              STATUS_ACCESS_DENIED);
    ASSERT_EQ(remove(modify_only, packet), STATUS_SUCCESS);
    EXPECT_EQ(packet.iosb.Information, 3u);
    ObjectName missing(L"\\BaseNamedObjects\\ntio_port_missing");
    Handle none;
    EXPECT_EQ(NtOpenIoCompletion(none.out(), IO_COMPLETION_ALL_ACCESS, missing.get()), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(PortTest, bad_handles_pointers_and_counts_get_nt_statuses) {
    Handle port(make_port());
    Handle event(make_event(NotificationEvent, FALSE));
    BadMemory bad;
    EXPECT_EQ(NtSetIoCompletion(nullptr, nullptr, nullptr, STATUS_SUCCESS, 0), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtSetIoCompletion(event, nullptr, nullptr, STATUS_SUCCESS, 0), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtCreateIoCompletion(bad.read_only<HANDLE>(), IO_COMPLETION_ALL_ACCESS, nullptr, 0), STATUS_ACCESS_VIOLATION);
    Packet packet;
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtRemoveIoCompletion(port, bad.no_access<PVOID>(), &packet.value, &packet.iosb, &zero),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtRemoveIoCompletion(port, &packet.key, &packet.value, bad.read_only<IO_STATUS_BLOCK>(), &zero),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtRemoveIoCompletion(port, &packet.key, &packet.value, &packet.iosb, bad.no_access<LARGE_INTEGER>()),
              STATUS_ACCESS_VIOLATION);
    FILE_IO_COMPLETION_INFORMATION entries[2];
    ULONG count = 77;
    EXPECT_EQ(NtRemoveIoCompletionEx(port, entries, 0, &count, &zero, FALSE), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtRemoveIoCompletionEx(port, bad.read_only<FILE_IO_COMPLETION_INFORMATION>(), 2, &count, &zero, FALSE),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtRemoveIoCompletionEx(port, entries, 2, bad.no_access<ULONG>(), &zero, FALSE), STATUS_ACCESS_VIOLATION);
    // Both removals look the handle up with ObReferenceObjectByHandle's statuses.
    EXPECT_EQ(NtRemoveIoCompletion(nullptr, &packet.key, &packet.value, &packet.iosb, &zero), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtRemoveIoCompletion(event, &packet.key, &packet.value, &packet.iosb, &zero), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtRemoveIoCompletionEx(nullptr, entries, 2, &count, &zero, FALSE), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtRemoveIoCompletionEx(event, entries, 2, &count, &zero, FALSE), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtRemoveIoCompletionEx(NtCurrentProcess(), entries, 2, &count, &zero, FALSE), STATUS_OBJECT_TYPE_MISMATCH);
    IO_COMPLETION_BASIC_INFORMATION info{};
    EXPECT_EQ(NtQueryIoCompletion(port, IoCompletionBasicInformation, bad.read_only<void>(), sizeof(info), nullptr),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryIoCompletion(event, IoCompletionBasicInformation, &info, sizeof(info), nullptr),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(depth(port), 0);  // nothing was consumed or posted
}

TEST_F(PortTest, remove_ex_returns_up_to_n_entries_in_fifo_order) {
    // NT fact F9.
    Handle port(make_port());
    for (ULONG_PTR i = 1; i <= 3; ++i)
        ASSERT_EQ(NtSetIoCompletion(port, ptr(i), ptr(i * 10), STATUS_SUCCESS, i * 100), STATUS_SUCCESS);
    FILE_IO_COMPLETION_INFORMATION entries[5]{};
    ULONG count = 0;
    LARGE_INTEGER zero = zero_timeout();
    ASSERT_EQ(NtRemoveIoCompletionEx(port, entries, 2, &count, &zero, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(count, 2u);
    EXPECT_EQ(entries[0].KeyContext, ptr(1));
    EXPECT_EQ(entries[0].ApcContext, ptr(10));
    EXPECT_EQ(entries[0].IoStatusBlock.Information, 100u);
    EXPECT_EQ(entries[1].KeyContext, ptr(2));
    ASSERT_EQ(NtRemoveIoCompletionEx(port, entries, 5, &count, &zero, FALSE), STATUS_SUCCESS);
    ASSERT_EQ(count, 1u);
    EXPECT_EQ(entries[0].KeyContext, ptr(3));
    EXPECT_EQ(entries[0].IoStatusBlock.Information, 300u);
    count = 77;
    EXPECT_EQ(NtRemoveIoCompletionEx(port, entries, 5, &count, &zero, FALSE), STATUS_TIMEOUT);
    EXPECT_LE(count, 1u);
}

std::atomic<int> g_apc_runs{0};
VOID NTAPI count_apc(PVOID, PVOID, PVOID) { ++g_apc_runs; }

TEST_F(PortTest, remove_ex_runs_user_apcs_only_when_alertable_and_empty) {
    // NT fact F9.
    g_apc_runs = 0;
    Handle port(make_port());
    ASSERT_EQ(NtQueueApcThread(NtCurrentThread(), count_apc, nullptr, nullptr, nullptr), STATUS_SUCCESS);
    FILE_IO_COMPLETION_INFORMATION entry{};
    ULONG count = 0;
    LARGE_INTEGER zero = zero_timeout();
    EXPECT_EQ(NtRemoveIoCompletionEx(port, &entry, 1, &count, &zero, FALSE), STATUS_TIMEOUT);
    EXPECT_EQ(g_apc_runs.load(), 0);
    ASSERT_EQ(NtSetIoCompletion(port, ptr(7), nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    EXPECT_EQ(NtRemoveIoCompletionEx(port, &entry, 1, &count, &zero, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(count, 1u);
    EXPECT_EQ(entry.KeyContext, ptr(7));
    EXPECT_EQ(g_apc_runs.load(), 0);
    LARGE_INTEGER later = relative_ms(10000);
    EXPECT_EQ(NtRemoveIoCompletionEx(port, &entry, 1, &count, &later, TRUE), STATUS_USER_APC);
    EXPECT_EQ(g_apc_runs.load(), 1);
}

// ---- Threads waiting on a port ----

constexpr ULONG_PTR kPlain = 1, kSpin = 2, kBlock = 3, kQuit = 4;

struct WorkerLog {
    std::mutex lock;
    std::vector<std::pair<int, ULONG_PTR>> taken;  // (worker, key)
    std::atomic<bool> release_spin{false};
    std::atomic<int> failures{0};
    HANDLE event = nullptr;

    size_t size() {
        std::lock_guard guard(lock);
        return taken.size();
    }
    std::pair<int, ULONG_PTR> at(size_t i) {
        std::lock_guard guard(lock);
        return taken.at(i);
    }
};

void worker(HANDLE port, int index, WorkerLog* log) {
    for (;;) {
        PVOID key = nullptr, value = nullptr;
        IO_STATUS_BLOCK iosb{};
        LARGE_INTEGER timeout = relative_ms(10000);
        if (NtRemoveIoCompletion(port, &key, &value, &iosb, &timeout) != STATUS_SUCCESS) {
            ++log->failures;
            return;
        }
        const auto k = reinterpret_cast<ULONG_PTR>(key);
        {
            std::lock_guard guard(log->lock);
            log->taken.emplace_back(index, k);
        }
        if (k == kQuit) return;
        if (k == kSpin)
            while (!log->release_spin.load()) std::this_thread::yield();  // running, as far as the port knows
        if (k == kBlock) {
            LARGE_INTEGER t = relative_ms(10000);
            if (NtWaitForSingleObject(log->event, FALSE, &t) != STATUS_SUCCESS) ++log->failures;
        }
    }
}

TEST_F(PortTest, concurrency_one_runs_one_thread_until_it_waits_again) {
    Handle port(make_port(1));
    Handle event(make_event(NotificationEvent, FALSE));
    WorkerLog log;
    log.event = event;
    std::thread w0(worker, port.get(), 0, &log);
    wait_until([&] { return waiters(port) == 1; });
    std::thread w1(worker, port.get(), 1, &log);
    wait_until([&] { return waiters(port) == 2; });

    ASSERT_EQ(NtSetIoCompletion(port, ptr(kSpin), nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    wait_until([&] { return log.size() == 1; });
    const int first = log.at(0).first;
    // The first thread runs: the second packet waits although a thread waits for it.
    ASSERT_EQ(NtSetIoCompletion(port, ptr(kBlock), nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    EXPECT_EQ(depth(port), 1);
    EXPECT_EQ(log.size(), 1u);
    // Asking again, the first thread takes it itself, then blocks on the event: that lets the
    // other one run.
    log.release_spin = true;
    wait_until([&] { return log.size() == 2; });
    EXPECT_EQ(log.at(1).first, first);
    ASSERT_EQ(NtSetIoCompletion(port, ptr(kPlain), nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    wait_until([&] { return log.size() == 3; });
    EXPECT_EQ(log.at(2).first, 1 - first);

    ASSERT_EQ(NtSetEvent(event, nullptr), STATUS_SUCCESS);
    ASSERT_EQ(NtSetIoCompletion(port, ptr(kQuit), nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    ASSERT_EQ(NtSetIoCompletion(port, ptr(kQuit), nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    w0.join();
    w1.join();
    EXPECT_EQ(log.failures.load(), 0);
}

TEST_F(PortTest, the_thread_that_waited_last_is_woken_first) {
    Handle port(make_port(4));
    WorkerLog log;
    std::thread w0(worker, port.get(), 0, &log);
    wait_until([&] { return waiters(port) == 1; });
    std::thread w1(worker, port.get(), 1, &log);
    wait_until([&] { return waiters(port) == 2; });
    ASSERT_EQ(NtSetIoCompletion(port, ptr(kPlain), nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    wait_until([&] { return log.size() == 1; });
    EXPECT_EQ(log.at(0).first, 1);
    ASSERT_EQ(NtSetIoCompletion(port, ptr(kQuit), nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    ASSERT_EQ(NtSetIoCompletion(port, ptr(kQuit), nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    w0.join();
    w1.join();
    EXPECT_EQ(log.failures.load(), 0);
}

TEST_F(PortTest, closing_the_last_handle_abandons_waiters_and_drops_packets) {
    HANDLE port = make_port();
    std::atomic<NTSTATUS> result{STATUS_PENDING};
    std::thread waiter([&] {
        PVOID key = nullptr, value = nullptr;
        IO_STATUS_BLOCK iosb{};
        result = NtRemoveIoCompletion(port, &key, &value, &iosb, nullptr);  // no timeout: waits forever
    });
    wait_until([&] { return waiters(port) == 1; });
    ASSERT_EQ(NtClose(port), STATUS_SUCCESS);
    waiter.join();
    EXPECT_EQ(result.load(), STATUS_ABANDONED_WAIT_0);

    // Leftover packets go with the port (the fixture checks that the port itself is gone).
    HANDLE second = make_port();
    for (ULONG_PTR i = 0; i < 5; ++i) ASSERT_EQ(NtSetIoCompletion(second, ptr(i), nullptr, STATUS_SUCCESS, i), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(second), STATUS_SUCCESS);
    Packet packet;
    EXPECT_EQ(remove_now(second, packet), STATUS_INVALID_HANDLE);
}

// ---- Files bound to a port ----

TEST_F(PortTest, binding_needs_an_asynchronous_file_and_happens_once) {
    // NT fact F3 (and one port per file, F13).
    Handle port(make_port());
    Handle sync_file(open_device(false));
    Handle async_file(open_device(true));
    FILE_COMPLETION_INFORMATION info{port.get(), ptr(9)};
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtSetInformationFile(sync_file, &iosb, &info, sizeof(info), FileCompletionInformation),
              STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(NtSetInformationFile(async_file, &iosb, &info, sizeof(info), FileCompletionInformation), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(bind(async_file, port, ptr(10)), STATUS_INVALID_PARAMETER);
    Handle other(open_device(true));
    Handle event(make_event(NotificationEvent, FALSE));
    EXPECT_EQ(bind(other, event, ptr(1)), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(bind(other, nullptr, ptr(1)), STATUS_INVALID_HANDLE);
    Handle query_only;
    ASSERT_EQ(NtDuplicateObject(NtCurrentProcess(), port, NtCurrentProcess(), query_only.out(), IO_COMPLETION_QUERY_STATE,
                                0, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(bind(other, query_only, ptr(1)), STATUS_ACCESS_DENIED);
}

TEST_F(PortTest, only_requests_after_binding_post_and_a_synchronous_success_still_posts) {
    // NT facts F1, E7.
    Handle port(make_port());
    Handle file(open_device(true));
    IO_STATUS_BLOCK before = kUntouched;
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 0, kAtOnce, ptr(0x111), &before), STATUS_SUCCESS);
    ASSERT_EQ(bind(file, port, ptr(0xabc)), STATUS_SUCCESS);
    Packet packet;
    EXPECT_EQ(remove_now(port, packet), STATUS_TIMEOUT);

    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 7, kAtOnce, &iosb, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(remove(port, packet), STATUS_SUCCESS);
    EXPECT_EQ(packet.key, ptr(0xabc));
    EXPECT_EQ(packet.value, static_cast<PVOID>(&iosb));
    EXPECT_EQ(packet.iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(packet.iosb.Information, 7u);
    EXPECT_EQ(remove_now(port, packet), STATUS_TIMEOUT);  // exactly one
}

TEST_F(PortTest, pended_completions_post_the_final_iosb_and_set_the_event) {
    // NT facts E5 (port part), E7: pending requests always post, errors included.
    Handle port(make_port());
    Handle file(open_device(true));
    Handle event(make_event(NotificationEvent, TRUE));
    ASSERT_EQ(bind(file, port, ptr(0x77)), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(ioctl(file, STATUS_BUFFER_OVERFLOW, 3, kPendAndComplete, ptr(0x456), &iosb, event), STATUS_PENDING);
    Packet packet;
    ASSERT_EQ(remove(port, packet), STATUS_SUCCESS);
    EXPECT_EQ(packet.key, ptr(0x77));
    EXPECT_EQ(packet.value, ptr(0x456));
    EXPECT_EQ(packet.iosb.Status, STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(packet.iosb.Information, 3u);
    EXPECT_EQ(iosb.Status, STATUS_BUFFER_OVERFLOW);
    EXPECT_EQ(event_state(event), 1);

    iosb = kUntouched;
    EXPECT_EQ(ioctl(file, STATUS_UNSUCCESSFUL, 0, kPark, ptr(0x457), &iosb, event), STATUS_PENDING);
    EXPECT_EQ(event_state(event), 0);
    finish_parked(STATUS_DEVICE_NOT_READY, 0);
    ASSERT_EQ(remove(port, packet), STATUS_SUCCESS);
    EXPECT_EQ(packet.value, ptr(0x457));
    EXPECT_EQ(packet.iosb.Status, STATUS_DEVICE_NOT_READY);
    EXPECT_EQ(iosb.Status, STATUS_DEVICE_NOT_READY);
    EXPECT_EQ(event_state(event), 1);
}

TEST_F(PortTest, synchronous_errors_and_null_contexts_post_nothing) {
    // NT facts E5 (a non-pending NT_ERROR: no packet, IOSB untouched), F15 (ApcContext NULL).
    Handle port(make_port());
    Handle file(open_device(true));
    ASSERT_EQ(bind(file, port, ptr(1)), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(ioctl(file, STATUS_INVALID_DEVICE_REQUEST, 0, kAtOnce, ptr(5), &iosb), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 2, kAtOnce, nullptr, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 2u);
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 2, kPendAndComplete, nullptr, &iosb), STATUS_PENDING);
    Packet packet;
    EXPECT_EQ(remove_now(port, packet), STATUS_TIMEOUT);
}

TEST_F(PortTest, skip_on_success_drops_only_synchronous_successes) {
    // NT facts E8, F2, F12 (Windows 8 and later: a synchronous warning still posts).
    Handle port(make_port());
    Handle file(open_device(true));
    ASSERT_EQ(bind(file, port, ptr(1)), STATUS_SUCCESS);
    FILE_IO_COMPLETION_NOTIFICATION_INFORMATION modes{FILE_SKIP_COMPLETION_PORT_ON_SUCCESS};
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(NtSetInformationFile(file, &iosb, &modes, sizeof(modes), FileIoCompletionNotificationInformation),
              STATUS_SUCCESS);
    Packet packet;
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 1, kAtOnce, ptr(10), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(remove_now(port, packet), STATUS_TIMEOUT);
    EXPECT_EQ(ioctl(file, STATUS_INVALID_DEVICE_REQUEST, 0, kAtOnce, ptr(11), &iosb), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(remove_now(port, packet), STATUS_TIMEOUT);
    EXPECT_EQ(ioctl(file, STATUS_BUFFER_OVERFLOW, 1, kAtOnce, ptr(12), &iosb), STATUS_BUFFER_OVERFLOW);
    ASSERT_EQ(remove_now(port, packet), STATUS_SUCCESS);
    EXPECT_EQ(packet.value, ptr(12));
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 1, kPendAndComplete, ptr(13), &iosb), STATUS_PENDING);
    ASSERT_EQ(remove_now(port, packet), STATUS_SUCCESS);
    EXPECT_EQ(packet.value, ptr(13));
    // F12: a write that pends posts, one that succeeds at once does not.
    char data[8] = "payload";
    LARGE_INTEGER offset{};
    EXPECT_EQ(NtWriteFile(file, nullptr, nullptr, ptr(14), &iosb, data, sizeof(data), &offset, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(remove_now(port, packet), STATUS_TIMEOUT);
    set_park_transfers(true);
    EXPECT_EQ(NtWriteFile(file, nullptr, nullptr, ptr(15), &iosb, data, sizeof(data), &offset, nullptr), STATUS_PENDING);
    set_park_transfers(false);
    finish_parked(STATUS_SUCCESS, sizeof(data));
    ASSERT_EQ(remove(port, packet), STATUS_SUCCESS);
    EXPECT_EQ(packet.value, ptr(15));
    EXPECT_EQ(packet.iosb.Information, sizeof(data));
}

TEST_F(PortTest, a_request_pending_before_binding_completes_to_the_port) {
    // NT fact F4.
    Handle port(make_port());
    Handle file(open_device(true));
    IO_STATUS_BLOCK iosb = kUntouched;
    char buffer[16];
    LARGE_INTEGER offset{};
    set_park_transfers(true);
    EXPECT_EQ(NtReadFile(file, nullptr, nullptr, ptr(0x99), &iosb, buffer, sizeof(buffer), &offset, nullptr), STATUS_PENDING);
    set_park_transfers(false);
    ASSERT_EQ(bind(file, port, ptr(0x42)), STATUS_SUCCESS);
    finish_parked(STATUS_SUCCESS, 4);
    Packet packet;
    ASSERT_EQ(remove(port, packet), STATUS_SUCCESS);
    EXPECT_EQ(packet.key, ptr(0x42));
    EXPECT_EQ(packet.value, ptr(0x99));
    EXPECT_EQ(packet.iosb.Information, 4u);
}

TEST_F(PortTest, an_immediate_read_posts_exactly_one_packet) {
    // NT fact F5.
    Handle port(make_port());
    Handle file(open_device(true));
    ASSERT_EQ(bind(file, port, ptr(3)), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb = kUntouched;
    char buffer[6] = {};
    LARGE_INTEGER offset{};
    EXPECT_EQ(NtReadFile(file, nullptr, nullptr, ptr(0x5), &iosb, buffer, sizeof(buffer), &offset, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(buffer[0], 'p');
    Packet packet;
    ASSERT_EQ(remove_now(port, packet), STATUS_SUCCESS);
    EXPECT_EQ(packet.value, ptr(0x5));
    EXPECT_EQ(packet.iosb.Information, sizeof(buffer));
    EXPECT_EQ(remove_now(port, packet), STATUS_TIMEOUT);
}

std::atomic<int> g_io_apcs{0};
VOID NTAPI io_apc(PVOID context, PIO_STATUS_BLOCK iosb, ULONG) {
    if (context == ptr(0x600) && iosb) ++g_io_apcs;
}

TEST_F(PortTest, an_apc_routine_and_a_port_are_exclusive) {
    // NT facts F7, F15.
    g_io_apcs = 0;
    Handle port(make_port());
    Handle file(open_device(true));
    Handle event(make_event(NotificationEvent, TRUE));
    IO_STATUS_BLOCK early = kUntouched;
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 0, kPark, ptr(0x600), &early, nullptr, io_apc), STATUS_PENDING);
    ASSERT_EQ(bind(file, port, ptr(1)), STATUS_SUCCESS);

    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 0, kAtOnce, ptr(0x601), &iosb, event, io_apc), STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(event_state(event), 1);  // failed before the event was touched
    char buffer[4];
    LARGE_INTEGER offset{};
    EXPECT_EQ(NtReadFile(file, nullptr, io_apc, ptr(0x602), &iosb, buffer, sizeof(buffer), &offset, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(NtWriteFile(file, nullptr, io_apc, ptr(0x603), &iosb, buffer, sizeof(buffer), &offset, nullptr),
              STATUS_INVALID_PARAMETER);

    // The request issued with an APC before the binding completes through the APC only.
    finish_parked(STATUS_SUCCESS, 0);
    wait_until([&] { return parked_count() == 0; });
    Packet packet;
    LARGE_INTEGER later = relative_ms(10000);
    ASSERT_EQ(NtDelayExecution(TRUE, &later), STATUS_USER_APC);
    EXPECT_EQ(g_io_apcs.load(), 1);
    EXPECT_EQ(remove_now(port, packet), STATUS_TIMEOUT);
}

TEST_F(PortTest, notification_modes_accumulate_and_check_the_handle_kind) {
    // NT fact F11.
    Handle sync_file(open_device(false));
    Handle async_file(open_device(true));
    FILE_IO_COMPLETION_NOTIFICATION_INFORMATION info{FILE_SKIP_COMPLETION_PORT_ON_SUCCESS};
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(NtSetInformationFile(async_file, &iosb, &info, sizeof(info) - 1, FileIoCompletionNotificationInformation),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtSetInformationFile(sync_file, &iosb, &info, sizeof(info), FileIoCompletionNotificationInformation),
              STATUS_INVALID_PARAMETER);
    info.Flags = FILE_SKIP_SET_USER_EVENT_ON_FAST_IO;
    EXPECT_EQ(NtSetInformationFile(sync_file, &iosb, &info, sizeof(info), FileIoCompletionNotificationInformation),
              STATUS_SUCCESS);
    info.Flags = FILE_SKIP_SET_EVENT_ON_HANDLE;
    EXPECT_EQ(NtSetInformationFile(sync_file, &iosb, &info, sizeof(info), FileIoCompletionNotificationInformation),
              STATUS_SUCCESS);

    info.Flags = FILE_SKIP_COMPLETION_PORT_ON_SUCCESS;
    EXPECT_EQ(NtSetInformationFile(async_file, &iosb, &info, sizeof(info), FileIoCompletionNotificationInformation),
              STATUS_SUCCESS);
    info.Flags = 0;
    EXPECT_EQ(NtSetInformationFile(async_file, &iosb, &info, sizeof(info), FileIoCompletionNotificationInformation),
              STATUS_SUCCESS);
    FILE_IO_COMPLETION_NOTIFICATION_INFORMATION query{0x5555};
    iosb = kUntouched;
    ASSERT_EQ(NtQueryInformationFile(async_file, &iosb, &query, sizeof(query), FileIoCompletionNotificationInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(query));
    EXPECT_EQ(query.Flags, static_cast<ULONG>(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    info.Flags = 0xdeadbeef;
    EXPECT_EQ(NtSetInformationFile(async_file, &iosb, &info, sizeof(info), FileIoCompletionNotificationInformation),
              STATUS_SUCCESS);
    ASSERT_EQ(NtQueryInformationFile(async_file, &iosb, &query, sizeof(query), FileIoCompletionNotificationInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(query.Flags & ~0x7u, 0u);  // unknown bits are ignored
    EXPECT_EQ(query.Flags & FILE_SKIP_SET_EVENT_ON_HANDLE, static_cast<ULONG>(FILE_SKIP_SET_EVENT_ON_HANDLE));
}

TEST_F(PortTest, replace_moves_or_removes_the_binding) {
    // FileReplaceCompletionInformation (Windows 8.1 and later).
    Handle first(make_port());
    Handle second(make_port());
    Handle file(open_device(true));
    ASSERT_EQ(bind(file, first, ptr(1)), STATUS_SUCCESS);
    ASSERT_EQ(bind(file, second, ptr(2), FileReplaceCompletionInformation), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 0, kAtOnce, ptr(0x10), &iosb), STATUS_SUCCESS);
    Packet packet;
    EXPECT_EQ(remove_now(first, packet), STATUS_TIMEOUT);
    ASSERT_EQ(remove_now(second, packet), STATUS_SUCCESS);
    EXPECT_EQ(packet.key, ptr(2));

    ASSERT_EQ(bind(file, nullptr, nullptr, FileReplaceCompletionInformation), STATUS_SUCCESS);
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 0, kAtOnce, ptr(0x11), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(remove_now(second, packet), STATUS_TIMEOUT);
    g_io_apcs = 0;
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 0, kPendAndComplete, ptr(0x600), &iosb, nullptr, io_apc), STATUS_PENDING);
    EXPECT_EQ(NtTestAlert(), STATUS_SUCCESS);
    EXPECT_EQ(g_io_apcs.load(), 1);
    ASSERT_EQ(bind(file, first, ptr(3)), STATUS_SUCCESS);  // unbound again: a new binding is allowed
}

TEST_F(PortTest, a_file_bound_to_a_closed_port_keeps_working) {
    HANDLE port = make_port();
    Handle file(open_device(true));
    ASSERT_EQ(bind(file, port, ptr(1)), STATUS_SUCCESS);
    ASSERT_EQ(NtSetIoCompletion(port, nullptr, nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    ASSERT_EQ(NtClose(port), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb = kUntouched;
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 9, kAtOnce, ptr(2), &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 9u);
    EXPECT_EQ(ioctl(file, STATUS_SUCCESS, 8, kPendAndComplete, ptr(3), &iosb), STATUS_PENDING);
    EXPECT_EQ(iosb.Information, 8u);
}

}  // namespace
}  // namespace ntio::test::ports
