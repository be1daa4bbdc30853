// The WDK's legacy executive helpers: zones (ExInitializeZone, ExExtendZone and the allocation macros),
// ExVerifySuite, and the ExAcquireSpinLock / ExInterlockedCompareExchange64 macros.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exverifysuite
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <ntddk.h>

#include "support/system_fixture.hpp"

namespace ex_zone_test {

class ZoneTest : public ntio::test::SystemTest {};

constexpr ULONG kBlock = 32;

// Takes every block the zone has, checking each lies inside [begin, end) and is BlockSize-aligned
// after the segment header.
std::vector<PVOID> drain(PZONE_HEADER zone) {
    std::vector<PVOID> blocks;
    while (!ExIsFullZone(zone)) {
        PVOID block = ExAllocateFromZone(zone);
        EXPECT_NE(block, nullptr);
        blocks.push_back(block);
    }
    return blocks;
}

TEST_F(ZoneTest, initialize_carves_the_segment_into_blocks) {
    alignas(16) static UCHAR segment[sizeof(ZONE_SEGMENT_HEADER) + 4 * kBlock + 8];
    ZONE_HEADER zone;
    ASSERT_EQ(ExInitializeZone(&zone, kBlock, segment, sizeof(segment)), STATUS_SUCCESS);
    EXPECT_EQ(zone.BlockSize, kBlock);
    EXPECT_EQ(zone.TotalSegmentSize, sizeof(ZONE_SEGMENT_HEADER) + 4 * kBlock);  // the 8-byte tail unused
    EXPECT_EQ(zone.SegmentList.Next, reinterpret_cast<PSINGLE_LIST_ENTRY>(segment));
    std::vector<PVOID> blocks = drain(&zone);
    ASSERT_EQ(blocks.size(), 4u);
    std::set<PVOID> distinct(blocks.begin(), blocks.end());
    EXPECT_EQ(distinct.size(), 4u);
    for (PVOID b : blocks) {
        const auto offset = static_cast<PUCHAR>(b) - segment;
        EXPECT_GE(offset, static_cast<ptrdiff_t>(sizeof(ZONE_SEGMENT_HEADER)));
        EXPECT_EQ((offset - sizeof(ZONE_SEGMENT_HEADER)) % kBlock, 0u);
        EXPECT_TRUE(ExIsObjectInFirstZoneSegment(&zone, b));
    }
    EXPECT_FALSE(ExIsObjectInFirstZoneSegment(&zone, segment + sizeof(segment)));
    PVOID none = ExAllocateFromZone(&zone);
    EXPECT_EQ(none, nullptr);
    // Freeing returns the previous first free block, and the block comes back first.
    EXPECT_EQ(ExFreeToZone(&zone, blocks[0]), nullptr);
    EXPECT_EQ(ExFreeToZone(&zone, blocks[1]), blocks[0]);
    EXPECT_FALSE(ExIsFullZone(&zone));
    PVOID again = ExAllocateFromZone(&zone);
    EXPECT_EQ(again, blocks[1]);
}

TEST_F(ZoneTest, invalid_sizes_and_alignment_are_refused) {
    alignas(16) static UCHAR segment[256];
    ZONE_HEADER zone;
    EXPECT_EQ(ExInitializeZone(&zone, 12, segment, sizeof(segment)), STATUS_INVALID_PARAMETER);   // not 8-aligned
    EXPECT_EQ(ExInitializeZone(&zone, 0, segment, sizeof(segment)), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(ExInitializeZone(&zone, kBlock, segment + 4, 128), STATUS_INVALID_PARAMETER);       // segment
    EXPECT_EQ(ExInitializeZone(&zone, 256, segment, sizeof(segment)), STATUS_INVALID_PARAMETER);  // no block fits
    ASSERT_EQ(ExInitializeZone(&zone, kBlock, segment, 128), STATUS_SUCCESS);
    alignas(16) static UCHAR more[64];
    EXPECT_EQ(ExExtendZone(&zone, more + 4, 56), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(ExExtendZone(&zone, more, 52), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(ExExtendZone(&zone, more, 40), STATUS_UNSUCCESSFUL);  // header + 24 bytes: no block
}

TEST_F(ZoneTest, extend_adds_a_segment_in_front) {
    alignas(16) static UCHAR first[sizeof(ZONE_SEGMENT_HEADER) + 2 * kBlock];
    alignas(16) static UCHAR second[sizeof(ZONE_SEGMENT_HEADER) + 3 * kBlock];
    ZONE_HEADER zone;
    ASSERT_EQ(ExInitializeZone(&zone, kBlock, first, sizeof(first)), STATUS_SUCCESS);
    ASSERT_EQ(ExExtendZone(&zone, second, sizeof(second)), STATUS_SUCCESS);
    EXPECT_EQ(zone.SegmentList.Next, reinterpret_cast<PSINGLE_LIST_ENTRY>(second));
    EXPECT_EQ(reinterpret_cast<PZONE_SEGMENT_HEADER>(second)->SegmentList.Next,
              reinterpret_cast<PSINGLE_LIST_ENTRY>(first));
    EXPECT_EQ(zone.TotalSegmentSize, sizeof(first) + sizeof(second));
    EXPECT_EQ(drain(&zone).size(), 5u);
}

TEST_F(ZoneTest, interlocked_forms_share_the_free_list_under_a_spin_lock) {
    alignas(16) static UCHAR first[sizeof(ZONE_SEGMENT_HEADER) + 64 * kBlock];
    alignas(16) static UCHAR second[sizeof(ZONE_SEGMENT_HEADER) + 64 * kBlock];
    ZONE_HEADER zone;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    ASSERT_EQ(ExInitializeZone(&zone, kBlock, first, sizeof(first)), STATUS_SUCCESS);
    ASSERT_EQ(ExInterlockedExtendZone(&zone, second, sizeof(second), &lock), STATUS_SUCCESS);
    std::vector<PVOID> taken[2];
    std::thread workers[2];
    for (int w = 0; w < 2; ++w) {
        workers[w] = std::thread([&, w] {
            for (int round = 0; round < 200; ++round) {
                PVOID block = ExInterlockedAllocateFromZone(&zone, &lock);
                if (!block) continue;
                if (round % 3 == 0) {
                    (void)ExInterlockedFreeToZone(&zone, block, &lock);
                } else {
                    taken[w].push_back(block);
                }
            }
        });
    }
    for (auto& t : workers) t.join();
    std::set<PVOID> distinct;
    for (auto& v : taken) distinct.insert(v.begin(), v.end());
    EXPECT_EQ(distinct.size(), taken[0].size() + taken[1].size());  // never the same block twice
    size_t left = 0;
    while (ExInterlockedAllocateFromZone(&zone, &lock)) ++left;
    EXPECT_EQ(left + distinct.size(), 128u);
}

TEST_F(ZoneTest, suites_follow_the_product_the_system_reports) {
    RTL_OSVERSIONINFOEXW version{};
    version.dwOSVersionInfoSize = sizeof(version);
    ASSERT_EQ(RtlGetVersion(reinterpret_cast<PRTL_OSVERSIONINFOW>(&version)), STATUS_SUCCESS);
    for (int suite = SmallBusiness; suite < MaxSuiteType; ++suite) {
        const bool reported = suite < 16 && (version.wSuiteMask & (1u << suite)) != 0;
        EXPECT_EQ(ExVerifySuite(static_cast<SUITE_TYPE>(suite)) != FALSE, reported) << suite;
    }
    EXPECT_FALSE(ExVerifySuite(MaxSuiteType));
    EXPECT_FALSE(ExVerifySuite(TerminalServer));  // a workstation without suites
}

TEST_F(ZoneTest, executive_spin_lock_macros_are_the_kernel_routines) {
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KIRQL old;
    ExAcquireSpinLock(&lock, &old);
    EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    EXPECT_FALSE(KeTestSpinLock(&lock));
    ExReleaseSpinLock(&lock, old);
    EXPECT_EQ(KeGetCurrentIrql(), old);
    KIRQL raised;
    KeRaiseIrql(DISPATCH_LEVEL, &raised);
    ExAcquireSpinLockAtDpcLevel(&lock);
    EXPECT_FALSE(KeTestSpinLock(&lock));
    ExReleaseSpinLockFromDpcLevel(&lock);
    KeLowerIrql(raised);
    EXPECT_TRUE(KeTestSpinLock(&lock));

    LONGLONG value = 5;
    LONGLONG exchange = 9;
    LONGLONG comperand = 5;
    EXPECT_EQ(ExInterlockedCompareExchange64(&value, &exchange, &comperand, &lock), 5);
    EXPECT_EQ(value, 9);
    comperand = 5;
    exchange = 1;
    EXPECT_EQ(ExInterlockedCompareExchange64(&value, &exchange, &comperand, &lock), 9);  // no match
    EXPECT_EQ(value, 9);
}

}  // namespace ex_zone_test
