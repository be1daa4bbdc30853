// Concurrent lookups against inserts and closes on one handle table.
//
// Invariant: a lookup by handle returns either STATUS_INVALID_HANDLE or a live object (its body
// still carries the live marker while the reference is held, or, for a borrowed lookup, until its
// lookup section ends), never a freed one; every object created is deleted exactly once, after its
// last handle and reference went away and every section that could see it ended.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ob/lookup_section.hpp"
#include "ob/object_manager.hpp"
#include "support/system_fixture.hpp"

namespace ntio::ob::test {
namespace {

constexpr std::uint64_t kLive = 0x4c49564520424f44ull;
constexpr std::uint64_t kDead = 0xdeaddeaddeaddeadull;

struct RaceBody {
    std::atomic<std::uint64_t> marker;
    std::atomic<int> deletions;
};

std::atomic<long> g_created{0};
std::atomic<long> g_deleted{0};
std::atomic<long> g_bad{0};

void race_delete(void* body)
{
    auto* b = static_cast<RaceBody*>(body);
    if (b->deletions.fetch_add(1) != 0 || b->marker.load() != kLive) g_bad.fetch_add(1);
    b->marker.store(kDead);
    g_deleted.fetch_add(1);
}

_OBJECT_TYPE g_race_type{
    u"ObRace", {STANDARD_RIGHTS_READ | 1, STANDARD_RIGHTS_WRITE | 2, STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE,
                STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 3},
    STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 3, NonPagedPool, false, false, 0,
    nullptr, nullptr, race_delete};

class HandleRaceTest : public ntio::test::SystemTest {};

// One lookup by a reader thread: true when it found an object.
using Lookup = bool (*)(ObjectManager& om, HANDLE h);

bool reference_lookup(ObjectManager& om, HANDLE h)
{
    void* body = nullptr;
    NTSTATUS status = om.reference_object_by_handle(h, 1, &g_race_type, UserMode, &body, nullptr);
    if (status != STATUS_SUCCESS) {
        if (status != STATUS_INVALID_HANDLE) g_bad.fetch_add(1);
        return false;
    }
    if (static_cast<RaceBody*>(body)->marker.load() != kLive) g_bad.fetch_add(1);
    ObDereferenceObject(body);
    return true;
}

bool borrow_lookup(ObjectManager& om, HANDLE h)
{
    void* body = nullptr;
    NTSTATUS status = om.borrow_object_by_handle(h, 1, &g_race_type, UserMode, &body, nullptr);
    if (status != STATUS_SUCCESS) {
        if (status != STATUS_INVALID_HANDLE) g_bad.fetch_add(1);
        return false;
    }
    // Hold the borrow a little, so that closes land inside it.
    for (int i = 0; i < 8; ++i)
        if (static_cast<RaceBody*>(body)->marker.load() != kLive) g_bad.fetch_add(1);
    leave_lookup();
    return true;
}

void run_race(ObjectManager& om, Lookup lookup, int iterations)
{
    PEPROCESS process = om.initial_process();
    constexpr int kReaders = 3;
    constexpr std::uint64_t kSlots = 16;
    std::atomic<bool> done{false};
    std::atomic<long> hits{0};
    g_created = 0;
    g_deleted = 0;
    g_bad = 0;

    std::vector<std::thread> readers;
    for (int r = 0; r < kReaders; ++r) {
        readers.emplace_back([&, r] {
            ProcessAttach attach(process);
            std::uint64_t i = static_cast<std::uint64_t>(r);
            while (!done.load(std::memory_order_acquire)) {
                HANDLE h = reinterpret_cast<HANDLE>(4 * (1 + i++ % kSlots));
                if (lookup(om, h)) hits.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }

    {
        ProcessAttach attach(process);
        std::vector<HANDLE> open;
        for (int i = 0; i < iterations; ++i) {
            void* body = nullptr;
            ASSERT_EQ(om.create_object(KernelMode, &g_race_type, nullptr, sizeof(RaceBody), &body), STATUS_SUCCESS);
            static_cast<RaceBody*>(body)->marker.store(kLive);
            g_created.fetch_add(1);
            HANDLE h = nullptr;
            ASSERT_EQ(om.insert_object(body, GENERIC_ALL, KernelMode, &h, nullptr), STATUS_SUCCESS);
            open.push_back(h);
            if (open.size() >= kSlots / 2) {
                // Close in a scattered order so values are reused while readers look them up.
                std::size_t victim = static_cast<std::size_t>(i) % open.size();
                ASSERT_EQ(om.close_handle(open[victim], UserMode), STATUS_SUCCESS);
                open.erase(open.begin() + static_cast<std::ptrdiff_t>(victim));
            }
        }
        for (HANDLE h : open) ASSERT_EQ(om.close_handle(h, UserMode), STATUS_SUCCESS);
    }
    done.store(true, std::memory_order_release);
    for (auto& t : readers) t.join();

    EXPECT_EQ(g_bad.load(), 0);
    EXPECT_EQ(g_created.load(), iterations);
    EXPECT_EQ(g_deleted.load(), iterations);
    EXPECT_GT(hits.load(), 0);
}

TEST_F(HandleRaceTest, LookupsNeverSeeFreedObjects) { run_race(system().objects(), reference_lookup, 100000); }

// Every close waits for the lookup sections (a process-wide barrier each): fewer iterations.
TEST_F(HandleRaceTest, BorrowedObjectsOutliveConcurrentCloses) { run_race(system().objects(), borrow_lookup, 20000); }

}  // namespace
}  // namespace ntio::ob::test
