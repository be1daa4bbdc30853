// The special pool for IRPs (Driver Verifier option class 1 with I/O verification): a verified
// driver's IRPs sit at the end of their pages with a guard page after them and are unmapped once
// freed, so a touch after IoFreeIrp trips 0xD5 and a write past the last stack location trips 0xD6
// (0xCC and 0xCD when no driver code is running), the bugchecks Windows raises (cited in
// src/verifier/special_pool.cpp).
#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "verifier_pool_driver.hpp"
#include "verifier/special_pool.hpp"

namespace ntio::verifier::test {
namespace {

std::uintptr_t page_size() { return static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE)); }

std::string pool_last_report() {
    std::string text(NtioVerifierLastReport(nullptr, 0) + 1, '\0');
    text.resize(NtioVerifierLastReport(text.data(), text.size()));
    return text;
}

// The image a code address belongs to (the faulting instruction of a special-pool stop).
const void* image_of(const void* code) {
    Dl_info info{};
    return ::dladdr(code, &info) ? info.dli_fbase : nullptr;
}

// A fresh IRP's current stack location is one past its last: with two locations (no slack before
// the guard page) it starts on the guard page.
volatile UCHAR* first_byte_past(PIRP irp) { return &IoGetCurrentIrpStackLocation(irp)->MajorFunction; }

TEST_F(PoolTest, touching_an_irp_after_its_completion_freed_it_is_0xd5) {
    load();
    auto bc = expect_bugcheck([&] { (void)ioctl(kIoctlSendReadTouchAfter); }, DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL);
    EXPECT_EQ(bc.p2, 0u);  // a read
    EXPECT_NE(bc.p3, 0u);  // the instruction in LowerRead
    EXPECT_TRUE(ntio::verifier::special_pool_owns(reinterpret_cast<const void*>(bc.p1)));
}

TEST_F(PoolTest, returning_a_local_status_after_completion_is_legal) {
    load();
    ntio::test::expect_no_bugcheck([&] { EXPECT_EQ(ioctl(kIoctlSendReadLegal), STATUS_SUCCESS); });
}

TEST_F(PoolTest, the_same_driver_unverified_runs) {
    load(0);
    ntio::test::expect_no_bugcheck([&] { (void)ioctl(kIoctlSendReadTouchAfter); });
}

TEST_F(PoolTest, special_pool_needs_io_verification) {
    load(NTIO_VERIFIER_SPECIAL_POOL | NTIO_VERIFIER_POOL_TRACKING);
    ntio::test::expect_no_bugcheck([&] { (void)ioctl(kIoctlSendReadTouchAfter); });
}

TEST_F(PoolTest, writing_past_the_last_stack_location_is_0xd6) {
    load();
    auto bc = expect_bugcheck([&] { (void)ioctl(kIoctlFillCurrentLocation); }, DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION);
    EXPECT_EQ(bc.p2, 1u);  // a write
    EXPECT_EQ(bc.p1 % page_size(), 0u) << "the first byte past the IRP is the guard page's first";
}

// An IRP with an odd number of locations keeps 16-byte alignment: 8 bytes of slack before the guard
// page, checked when the IRP is freed (0xC1, P4 0x24, as Windows' special pool does).
TEST_F(PoolTest, writing_into_the_slack_past_the_irp_is_0xc1_at_free) {
    load();
    auto bc = expect_bugcheck([&] { (void)ioctl(kIoctlTouchSlack); }, SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION);
    EXPECT_EQ(bc.p4, 0x24u);
    EXPECT_EQ(bc.p2 % page_size(), page_size() - 8) << "the first slack byte";
    EXPECT_TRUE(ntio::verifier::special_pool_owns(reinterpret_cast<const void*>(bc.p1)));
}

TEST_F(PoolTest, filling_the_next_stack_location_is_legal) {
    load();
    ntio::test::expect_no_bugcheck([&] { EXPECT_EQ(ioctl(kIoctlFillNextLocation), STATUS_SUCCESS); });
}

// The I/O manager's own code touching a freed special-pool IRP (no driver code running) is the
// system form of the bugcheck.
TEST_F(PoolTest, a_touch_outside_driver_code_is_0xcc) {
    load();
    PIRP irp = IoAllocateIrpEx(upper(), 2, FALSE);
    ASSERT_NE(irp, nullptr);
    ASSERT_TRUE(ntio::verifier::special_pool_owns(irp));
    IoFreeIrp(irp);
    volatile LONG* status = &irp->IoStatus.Status;
    auto bc = expect_bugcheck([&] { (void)*status; }, PAGE_FAULT_IN_FREED_SPECIAL_POOL);
    EXPECT_EQ(bc.p1, reinterpret_cast<ULONG_PTR>(status));
}

// The I/O manager's own code (no driver code running) writing past the end of a live special-pool
// IRP is the system form, 0xCD PAGE_FAULT_BEYOND_END_OF_ALLOCATION: the address referenced, 1 for a
// write, the address of the instruction, reserved (0).
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xcd--page-fault-beyond-end-of-allocation
TEST_F(PoolTest, a_write_past_a_live_irp_outside_driver_code_is_0xcd) {
    load();
    PIRP irp = IoAllocateIrpEx(upper(), 2, FALSE);
    ASSERT_NE(irp, nullptr);
    ASSERT_TRUE(ntio::verifier::special_pool_owns(irp));
    // The legal neighbour: the next location (the IRP's last) is inside the allocation.
    ntio::test::expect_no_bugcheck([&] { IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ; });
    volatile UCHAR* past = first_byte_past(irp);
    auto bc = expect_bugcheck([&] { *past = IRP_MJ_READ; }, PAGE_FAULT_BEYOND_END_OF_ALLOCATION);
    EXPECT_EQ(bc.p1, reinterpret_cast<ULONG_PTR>(past));
    EXPECT_EQ(bc.p1 % page_size(), 0u) << "the guard page's first byte";
    EXPECT_EQ(bc.p2, 1u);  // a write
    EXPECT_EQ(image_of(reinterpret_cast<const void*>(bc.p3)), image_of(reinterpret_cast<const void*>(&page_size)))
        << "the instruction is this test's";
    EXPECT_EQ(bc.p4, 0u);
    IoFreeIrp(irp);  // nothing was written past it: it frees cleanly
}

// With the verifier mode off report() checks nothing, but IRPs allocated from the special pool while
// it was on stay there: a fault on one cannot be resumed, so it still stops with the same code and
// parameters (without a report).
TEST_F(PoolTest, a_fault_past_a_special_pool_irp_stops_with_the_mode_off_too) {
    load();
    PIRP irp = IoAllocateIrpEx(upper(), 2, FALSE);
    ASSERT_NE(irp, nullptr);
    ASSERT_TRUE(ntio::verifier::special_pool_owns(irp));
    (void)NtioVerifierSetMode(NtioVerifierOff);
    const std::string before = pool_last_report();
    volatile UCHAR* past = first_byte_past(irp);
    auto bc = expect_bugcheck([&] { *past = IRP_MJ_READ; }, PAGE_FAULT_BEYOND_END_OF_ALLOCATION);
    EXPECT_EQ(bc.p1, reinterpret_cast<ULONG_PTR>(past));
    EXPECT_EQ(bc.p2, 1u);
    EXPECT_EQ(image_of(reinterpret_cast<const void*>(bc.p3)), image_of(reinterpret_cast<const void*>(&page_size)));
    EXPECT_EQ(bc.p4, 0u);
    EXPECT_EQ(pool_last_report(), before) << "the mode is off: nothing reported";
    IoFreeIrp(irp);
}

// The same for the slack checked at free (0xC1, P4 0x24: the address freed, the corrupted byte).
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc1--special-pool-detected-memory-corruption
TEST_F(PoolTest, slack_corruption_found_at_free_stops_with_the_mode_off_too) {
    load();
    PIRP irp = IoAllocateIrpEx(upper(), 1, FALSE);
    ASSERT_NE(irp, nullptr);
    ASSERT_TRUE(ntio::verifier::special_pool_owns(irp));
    volatile UCHAR* slack = first_byte_past(irp);  // one location: 8 bytes of slack first
    *slack = IRP_MJ_READ;
    (void)NtioVerifierSetMode(NtioVerifierOff);
    const std::string before = pool_last_report();
    auto bc = expect_bugcheck([&] { IoFreeIrp(irp); }, SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION);
    EXPECT_EQ(bc.p1, reinterpret_cast<ULONG_PTR>(irp));
    EXPECT_EQ(bc.p2, reinterpret_cast<ULONG_PTR>(slack));
    EXPECT_EQ(bc.p3, 0u);
    EXPECT_EQ(bc.p4, 0x24u);
    EXPECT_EQ(pool_last_report(), before) << "the mode is off: nothing reported";
}

// An IRP freed cleanly with the mode off goes back to the special pool without a stop.
TEST_F(PoolTest, freeing_a_special_pool_irp_with_the_mode_off_is_legal) {
    load();
    PIRP irp = IoAllocateIrpEx(upper(), 1, FALSE);
    ASSERT_NE(irp, nullptr);
    ASSERT_TRUE(ntio::verifier::special_pool_owns(irp));
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    (void)NtioVerifierSetMode(NtioVerifierOff);
    const std::size_t live = ntio::verifier::special_pool_counters().live;
    ntio::test::expect_no_bugcheck([&] { IoFreeIrp(irp); });
    EXPECT_EQ(ntio::verifier::special_pool_counters().live, live - 1);
}

// A __try does not protect against it (Learn: "This cannot be protected by a try - except handler").
TEST_F(PoolTest, a_try_block_does_not_catch_the_special_pool_fault) {
    load();
    PIRP irp = IoAllocateIrpEx(upper(), 1, FALSE);
    ASSERT_NE(irp, nullptr);
    IoFreeIrp(irp);
    volatile CSHORT* type = &irp->Type;
    bool handled = false;
    (void)expect_bugcheck(
        [&] {
            __try {
                (void)*type;
            } __except (EXCEPTION_EXECUTE_HANDLER) {
                handled = true;
            }
        },
        PAGE_FAULT_IN_FREED_SPECIAL_POOL);
    EXPECT_FALSE(handled);
}

// Every stack size up to the largest (127) fits, ends at a guard page and is usable in full.
TEST_F(PoolTest, irps_of_every_stack_size_end_at_a_guard_page) {
    load();
    for (int stacks = 1; stacks <= 127; ++stacks) {
        PIRP irp = IoAllocateIrpEx(upper(), static_cast<CCHAR>(stacks), FALSE);
        ASSERT_NE(irp, nullptr);
        ASSERT_TRUE(ntio::verifier::special_pool_owns(irp)) << stacks;
        EXPECT_EQ(irp->StackCount, stacks);
        EXPECT_EQ(irp->Size, IoSizeOfIrp(static_cast<CCHAR>(stacks)));
        const auto end = reinterpret_cast<std::uintptr_t>(irp) + irp->Size;
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(irp) % 16, 0u) << stacks;
        EXPECT_EQ((end + 15) / 16 * 16 % page_size(), 0u) << stacks;
        // The lowest location (the last one a driver below would use) is writable in full.
        PIO_STACK_LOCATION last = reinterpret_cast<PIO_STACK_LOCATION>(irp + 1) + (stacks - 1);
        std::memset(last, 0x5A, sizeof *last);
        IoReuseIrp(irp, STATUS_SUCCESS);
        IoFreeIrp(irp);
    }
}

}  // namespace
}  // namespace ntio::verifier::test
