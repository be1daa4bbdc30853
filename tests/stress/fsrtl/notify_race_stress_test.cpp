// Change-directory notify requests raced by three ends at once: another thread's changes complete
// them (FsRtlNotifyFullReportChange), their own thread cancels them (NtCancelIoFile) and closes their
// handle (IRP_MJ_CLEANUP, FsRtlNotifyCleanup), on the notify test file system.
//
// Invariant: every request completes exactly once (one completion packet on the handle's port per
// request), with STATUS_SUCCESS, STATUS_NOTIFY_ENUM_DIR, STATUS_CANCELLED or STATUS_NOTIFY_CLEANUP:
// never two, never none, never another status; and nothing is left over (no packet after the last,
// no IRP or object leaked at teardown).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../../unit/fsrtl/notify_test_fs.hpp"
#include "support/driver_fixture.hpp"

#include <ntifs.h>
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::fsrtl::test {
namespace notify_race {

constexpr int kRounds = 1500;
constexpr int kRequestsPerRound = 3;

struct Slot {
    IO_STATUS_BLOCK iosb{};
    alignas(8) unsigned char buffer[64]{};
    int packets = 0;
};

UNICODE_STRING text(std::u16string& s) {
    return UNICODE_STRING{static_cast<USHORT>(s.size() * 2), static_cast<USHORT>(s.size() * 2),
                          reinterpret_cast<PWCH>(s.data())};
}

std::u16string u16(const wchar_t* w) {
    std::u16string out;
    for (; *w; ++w) out.push_back(static_cast<char16_t>(*w));
    return out;
}

class NotifyRaceTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        DriverTest::SetUp();
        ASSERT_EQ(create_driver(L"FsRtlNotifyTest", notify_fs_entry), STATUS_SUCCESS);
    }

    NTSTATUS open(HANDLE* handle, const std::u16string& below_root, ULONG disposition, ULONG options) {
        std::u16string full = u16(kNotifyFsRoot) + below_root;
        UNICODE_STRING name = text(full);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        return NtCreateFile(handle, GENERIC_READ | GENERIC_WRITE | DELETE | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, disposition, options, nullptr, 0);
    }
};

TEST_F(NotifyRaceTest, EveryRequestCompletesExactlyOnce) {
    HANDLE port = nullptr;
    ASSERT_EQ(NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, nullptr, 0), STATUS_SUCCESS);
    std::atomic<bool> stop{false};

    // The changer: files come and go in the watched directory, each a report.
    std::thread changer([&] {
        for (unsigned i = 0; !stop.load(std::memory_order_relaxed); ++i) {
            std::u16string name = u"f" + std::u16string(1, static_cast<char16_t>(u'a' + i % 8));
            HANDLE h = nullptr;
            if (NT_SUCCESS(open(&h, name, FILE_OPEN_IF, FILE_NON_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE))) NtClose(h);
        }
    });

    std::vector<std::unique_ptr<Slot>> slots;
    slots.reserve(kRounds * kRequestsPerRound);
    int bad_status = 0;
    int missing = 0;
    int by_change = 0;  // completed by the changer's reports (informational: how much racing happened)
    for (int round = 0; round < kRounds; ++round) {
        HANDLE dir = nullptr;
        ASSERT_EQ(open(&dir, u"", FILE_OPEN, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
        FILE_COMPLETION_INFORMATION binding{port, nullptr};
        IO_STATUS_BLOCK iosb{};
        ASSERT_EQ(NtSetInformationFile(dir, &iosb, &binding, sizeof(binding), FileCompletionInformation), STATUS_SUCCESS);
        const std::size_t first = slots.size();
        for (int r = 0; r < kRequestsPerRound; ++r) {
            slots.push_back(std::make_unique<Slot>());
            Slot* slot = slots.back().get();
            const ULONG length = (round + r) % 5 == 0 ? 0 : sizeof(slot->buffer);
            NTSTATUS status = NtNotifyChangeDirectoryFile(dir, nullptr, nullptr, slot, &slot->iosb,
                                                          length ? slot->buffer : nullptr, length,
                                                          FILE_NOTIFY_CHANGE_FILE_NAME, FALSE);
            if (status != STATUS_PENDING && status != STATUS_SUCCESS) ++bad_status;
        }
        if (round % 3 == 0) {
            IO_STATUS_BLOCK cancel{};
            (void)NtCancelIoFile(dir, &cancel);
        }
        NtClose(dir);  // whatever is still waiting ends with STATUS_NOTIFY_CLEANUP
        // Collect this round's packets (a cancel routine may still be finishing on the changer's side).
        for (std::size_t received = 0; received < kRequestsPerRound;) {
            PVOID key = nullptr, context = nullptr;
            IO_STATUS_BLOCK packet{};
            LARGE_INTEGER timeout;
            timeout.QuadPart = -10LL * 1000 * 1000 * 10;  // a hang guard, not a timing check
            NTSTATUS status = NtRemoveIoCompletion(port, &key, &context, &packet, &timeout);
            if (status != STATUS_SUCCESS) {
                missing += static_cast<int>(kRequestsPerRound - received);
                break;
            }
            auto* slot = static_cast<Slot*>(context);
            ++slot->packets;
            const NTSTATUS s = packet.Status;
            if (s != STATUS_SUCCESS && s != STATUS_NOTIFY_ENUM_DIR && s != STATUS_CANCELLED && s != STATUS_NOTIFY_CLEANUP)
                ++bad_status;
            if (s == STATUS_SUCCESS || s == STATUS_NOTIFY_ENUM_DIR) ++by_change;
            ++received;
        }
        for (std::size_t i = first; i < slots.size(); ++i)
            if (slots[i]->packets != 1) ++missing;
    }
    stop.store(true);
    changer.join();
    PVOID key = nullptr, context = nullptr;
    IO_STATUS_BLOCK packet{};
    LARGE_INTEGER zero{};
    EXPECT_EQ(NtRemoveIoCompletion(port, &key, &context, &packet, &zero), STATUS_TIMEOUT);
    std::fprintf(stderr, "%d of %d requests completed by a change\n", by_change, kRounds * kRequestsPerRound);
    EXPECT_EQ(bad_status, 0);
    EXPECT_EQ(missing, 0);
    NtClose(port);
}

}  // namespace notify_race
}  // namespace ntio::fsrtl::test
