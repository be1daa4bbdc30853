// Removal racing opens: threads open the device interface, read and close in a loop while the test
// thread removes the device (surprise or orderly) and enumerates it again; the same with the drivers
// the PnP manager loads from .sys images, which unload after every removal.
// Invariants: see each test.
#include "pnp_test_drivers.hpp"

#include "pnp_sys_support.hpp"

#include <thread>

namespace ntio::pnp_test {
namespace {

bool going_status(NTSTATUS s) {
    return s == STATUS_OBJECT_NAME_NOT_FOUND || s == STATUS_NO_SUCH_DEVICE || s == STATUS_DELETE_PENDING ||
           s == STATUS_OBJECT_PATH_NOT_FOUND;
}

// Invariant: every open either succeeds (and its read returns the driver's bytes) or fails with a
// status of a device that is going (name not found, no such device, delete pending); the function
// driver sees exactly one REMOVE_DEVICE per removal, after SURPRISE_REMOVAL or QUERY_REMOVE, and no
// IRP_MJ_CREATE once it started handling REMOVE_DEVICE.
TEST_F(PnpTest, RemovalRacingOpensKeepsTheRemoveOrder) {
    Drivers drivers(false);
    constexpr int kRounds = 100;
    constexpr int kOpeners = 3;
    std::atomic<int> bad_status{0};
    std::atomic<int> bad_data{0};
    std::atomic<long> opened{0};
    for (int round = 0; round < kRounds; ++round) {
        state().removes = 0;
        state().surprise_removals = 0;
        state().removing = false;
        KeClearEvent(&state().removed);
        ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
        std::atomic<bool> stop{false};
        std::vector<std::thread> openers;
        for (int t = 0; t < kOpeners; ++t) {
            openers.emplace_back([&] {
                while (!stop.load()) {
                    HANDLE h = nullptr;
                    NTSTATUS s = open_interface(&h);
                    if (!NT_SUCCESS(s)) {
                        if (!going_status(s)) ++bad_status;
                        continue;
                    }
                    ++opened;
                    char buffer[4] = {};
                    IO_STATUS_BLOCK iosb{};
                    s = NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 4, nullptr, nullptr);
                    if (NT_SUCCESS(s) && std::string(buffer, 4) != "PPPP") ++bad_data;
                    if (!NT_SUCCESS(s) && !going_status(s) && s != STATUS_INVALID_DEVICE_REQUEST) ++bad_status;
                    NtClose(h);
                }
            });
        }
        std::this_thread::yield();
        UNICODE_STRING name = instance_name();
        const bool surprise = round % 2 == 0;
        auto stop_openers = [&] {
            stop = true;
            for (std::thread& t : openers)
                if (t.joinable()) t.join();
        };
        if (surprise) {
            ASSERT_EQ(NtioPnpRemoveDevice(&name, TRUE, nullptr), STATUS_SUCCESS);
        } else {
            // Vetoed while a handle is open (PNP_VetoOutstandingOpen): a few tries while the openers
            // run, then once they stopped it must go through.
            NTSTATUS s = STATUS_PLUGPLAY_QUERY_VETOED;
            for (int i = 0; i < 20 && s == STATUS_PLUGPLAY_QUERY_VETOED; ++i) {
                s = NtioPnpRemoveDevice(&name, FALSE, nullptr);
                if (s == STATUS_PLUGPLAY_QUERY_VETOED) std::this_thread::yield();
            }
            if (s == STATUS_PLUGPLAY_QUERY_VETOED) {
                stop_openers();
                s = NtioPnpRemoveDevice(&name, FALSE, nullptr);
            }
            ASSERT_EQ(s, STATUS_SUCCESS);
        }
        stop_openers();
        ASSERT_TRUE(wait_removed());
        EXPECT_EQ(state().removes.load(), 1);
        EXPECT_EQ(state().surprise_removals.load(), surprise ? 1 : 0);
        // The PnP manager has finished with the node once REMOVE returned to it.
        NTIO_PNP_DEVICE_STATE st = NtioPnpDeviceStarted;
        for (int i = 0; i < 100000 && st != NtioPnpDeviceNotFound; ++i) {
            ASSERT_EQ(NtioPnpQueryDevice(&name, &st, nullptr), STATUS_SUCCESS);
            if (st != NtioPnpDeviceNotFound) std::this_thread::yield();
        }
        EXPECT_EQ(st, NtioPnpDeviceNotFound);
        state().take();
    }
    EXPECT_EQ(state().creates_after_remove.load(), 0);
    EXPECT_EQ(bad_status.load(), 0);
    EXPECT_EQ(bad_data.load(), 0);
    EXPECT_GT(opened.load(), 0);
}

class PnpUnloadStressTest : public ntio::test::SystemTest {};

// Invariant: every started stack is removed exactly once and every driver the PnP manager loaded for
// it unloads exactly once, whether the removal is orderly or surprise and whatever an opener racing
// it does: after round n each image reports n DriverEntry calls, n DriverUnload calls and n
// REMOVE_DEVICEs, every load ran in a freshly mapped image, and no image stays mapped.
TEST_F(PnpUnloadStressTest, RepeatedAddAndRemoveUnloadsEveryPnpLoadedDriverOnce) {
    using namespace sys;
    install();
    constexpr ULONG kRounds = 600;
    std::atomic<int> bad_status{0};
    std::atomic<int> bad_data{0};
    for (ULONG round = 1; round <= kRounds; ++round) {
        ASSERT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
        ASSERT_EQ(device_state(), NtioPnpDeviceStarted);
        std::atomic<bool> stop{false};
        std::thread opener([&] {
            while (!stop.load()) {
                HANDLE h = nullptr;
                NTSTATUS s = sys::open_interface(&h);
                if (!NT_SUCCESS(s)) {
                    if (!going_status(s)) ++bad_status;
                    std::this_thread::yield();
                    continue;
                }
                char buffer[2] = {};
                IO_STATUS_BLOCK iosb{};
                s = NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, 2, nullptr, nullptr);
                if (NT_SUCCESS(s) && (buffer[0] != 'S' || buffer[1] != 'S')) ++bad_data;
                if (!NT_SUCCESS(s) && !going_status(s)) ++bad_status;
                NtClose(h);
            }
        });
        std::this_thread::yield();
        const bool surprise = round % 2 == 0;
        NTSTATUS s = remove_device(surprise);
        if (!surprise) {
            // Vetoed while the opener holds a handle: retried once it stopped.
            stop = true;
            opener.join();
            if (s == STATUS_PLUGPLAY_QUERY_VETOED) s = remove_device(FALSE);
        }
        ASSERT_EQ(s, STATUS_SUCCESS) << "round " << round;
        stop = true;
        if (opener.joinable()) opener.join();
        ASSERT_TRUE(wait_node_gone()) << "round " << round;
        for (const Image& image : kImages) {
            ASSERT_EQ(reported(image, L"Entries"), round) << image.file;
            ASSERT_EQ(reported(image, L"Unloads"), round) << image.file;
            ASSERT_EQ(reported(image, L"Removes"), round) << image.file;
            ASSERT_EQ(reported(image, L"ImageLoads"), 1u) << image.file;
        }
    }
    for (const Image& image : kImages) EXPECT_FALSE(image_mapped(image)) << image.file;
    EXPECT_EQ(bad_status.load(), 0);
    EXPECT_EQ(bad_data.load(), 0);
}

}  // namespace
}  // namespace ntio::pnp_test
