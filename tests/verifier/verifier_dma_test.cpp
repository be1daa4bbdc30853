// Driver Verifier's DMA checking (option class 8, NTIO_VERIFIER_DMA_CHECKING, in the standard set):
// bug check 0xE6 DRIVER_VERIFIER_DMA_VIOLATION, one trip test per subcode with its four parameters
// (the rows of "Bug Check 0xE6: DRIVER_VERIFIER_DMA_VIOLATION" on Learn; 0 where a row names none)
// and the legal neighbour of each, through the VerDma bus-master driver. A test that catches a
// bugcheck gives back what the cut-short call left held.
#include <cstring>
#include <string>

#include "inspect/kd_commands.hpp"
#include "verifier_dma_driver.hpp"

namespace ntio::verifier::dma_test {
namespace dma_checks {

ULONG_PTR ptr(const void* p) { return reinterpret_cast<ULONG_PTR>(p); }

// The adapter's verifier data (parameter 4 of 0x07-0x0A): not visible to a driver; nonzero.
void expect_bugcheck(const ntio::test::BugCheck& bc, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3, ULONG_PTR p4) {
    EXPECT_EQ(bc.p1, p1);
    EXPECT_EQ(bc.p2, p2);
    EXPECT_EQ(bc.p3, p3);
    EXPECT_EQ(bc.p4, p4);
}

DmaCommand common(DmaOp op, ULONG length, PVOID va = nullptr) {
    DmaCommand c{op};
    c.length = length;
    c.va = va;
    return c;
}

DmaCommand channel(ULONG registers, IO_ALLOCATION_ACTION action) {
    DmaCommand c{kAllocateChannel};
    c.registers = registers;
    c.action = action;
    return c;
}

DmaCommand transfer(DmaOp op, ULONG buffer, ULONG offset, ULONG length, BOOLEAN write = TRUE) {
    DmaCommand c{op};
    c.buffer = buffer;
    c.va = TransferBuffer(buffer) + offset;
    c.length = length;
    c.write = write;
    return c;
}

DmaCommand free_registers(ULONG registers) {
    DmaCommand c{kFreeMapRegisters};
    c.registers = registers;
    return c;
}

}  // namespace dma_checks

using namespace dma_checks;

// ---- Common buffers ----

TEST_F(DmaVerifierTest, common_buffer_freed_twice_is_0x03) {
    load();
    DmaCommand a = common(kAllocateCommon, 100);
    ASSERT_EQ(run(a), STATUS_SUCCESS);
    DmaCommand f = common(kFreeCommon, 100, a.va);
    ASSERT_EQ(run(f), STATUS_SUCCESS);
    auto bc = expect_dma_violation([&] { (void)run(f); });
    expect_bugcheck(bc, 0x03, 1, 0, 0);
}

TEST_F(DmaVerifierTest, common_buffers_each_freed_once_are_clean) {
    load();
    DmaCommand a = common(kAllocateCommon, 100);
    DmaCommand b = common(kAllocateCommon, 3 * PAGE_SIZE);
    ASSERT_EQ(run(a), STATUS_SUCCESS);
    ASSERT_EQ(run(b), STATUS_SUCCESS);
    // Page-aligned and zero-filled, written to its last byte.
    EXPECT_EQ(BYTE_OFFSET(a.va), 0u);
    EXPECT_EQ(static_cast<UCHAR*>(b.va)[3 * PAGE_SIZE - 1], 0);
    std::memset(a.va, 0x5A, 100);
    std::memset(b.va, 0x5A, 3 * PAGE_SIZE);
    expect_clean([&] {
        DmaCommand fa = common(kFreeCommon, 100, a.va);
        DmaCommand fb = common(kFreeCommon, 3 * PAGE_SIZE, b.va);
        EXPECT_EQ(run(fb), STATUS_SUCCESS);
        EXPECT_EQ(run(fa), STATUS_SUCCESS);
        EXPECT_EQ(run(kPutAdapter), STATUS_SUCCESS);
    });
}

// The guards: the tag "DmaVrfy0" next to each end, padding 0x0F beyond (0x0F, violation codes 1, 2,
// 4, 5). The trip writes what the device or the driver would; the test restores the byte and frees.
struct Overrun {
    int offset;          // from the buffer's start
    ULONG_PTR code;      // parameter 2
};

class DmaOverrunTest : public DmaVerifierTest, public ::testing::WithParamInterface<Overrun> {};

TEST_P(DmaOverrunTest, write_outside_a_common_buffer_is_0x0f) {
    load();
    DmaCommand a = common(kAllocateCommon, 100);
    ASSERT_EQ(run(a), STATUS_SUCCESS);
    UCHAR* at = static_cast<UCHAR*>(a.va) + GetParam().offset;
    const UCHAR saved = *at;
    *at = static_cast<UCHAR>(saved ^ 0xFF);
    DmaCommand f = common(kFreeCommon, 100, a.va);
    auto bc = expect_dma_violation([&] { (void)run(f); });
    const ULONG_PTR code = GetParam().code;
    if (code == 1 || code == 2)
        expect_bugcheck(bc, 0x0F, code, 100, ptr(a.va));
    else
        expect_bugcheck(bc, 0x0F, code, ptr(a.va), ptr(at));
    *at = saved;
    EXPECT_EQ(run(f), STATUS_SUCCESS);
}

INSTANTIATE_TEST_SUITE_P(Guards, DmaOverrunTest,
                         ::testing::Values(Overrun{-1, 1}, Overrun{100, 2}, Overrun{-100, 4}, Overrun{200, 5},
                                           Overrun{static_cast<int>(PAGE_SIZE) + 10, 5}));

TEST_F(DmaVerifierTest, common_buffer_allocated_at_dispatch_level_is_0x13) {
    load();
    DmaCommand a = common(kAllocateCommon, 100);
    a.irql = DISPATCH_LEVEL;
    auto bc = expect_dma_violation([&] { (void)run(a); });
    expect_bugcheck(bc, 0x13, 2, PASSIVE_LEVEL, DISPATCH_LEVEL);
}

TEST_F(DmaVerifierTest, common_buffer_freed_at_dispatch_level_is_0x13) {
    load();
    DmaCommand a = common(kAllocateCommon, 100);
    ASSERT_EQ(run(a), STATUS_SUCCESS);
    DmaCommand f = common(kFreeCommon, 100, a.va);
    f.irql = DISPATCH_LEVEL;
    auto bc = expect_dma_violation([&] { (void)run(f); });
    expect_bugcheck(bc, 0x13, 2, PASSIVE_LEVEL, DISPATCH_LEVEL);
    f.irql = PASSIVE_LEVEL;
    EXPECT_EQ(run(f), STATUS_SUCCESS);
}

// ---- The adapter channel and map registers ----

TEST_F(DmaVerifierTest, channel_freed_after_the_routine_gave_it_back_is_0x04) {
    load();
    DmaCommand c = channel(1, DeallocateObject);
    ASSERT_EQ(run(c), STATUS_SUCCESS);
    auto bc = expect_dma_violation([&] { (void)run(kFreeChannel); });
    expect_bugcheck(bc, 0x04, 1, 0, 0);
}

TEST_F(DmaVerifierTest, channel_kept_then_freed_once_is_clean) {
    load();
    DmaCommand c = channel(2, KeepObject);
    expect_clean([&] {
        EXPECT_EQ(run(c), STATUS_SUCCESS);
        EXPECT_EQ(run(kFreeChannel), STATUS_SUCCESS);
        EXPECT_EQ(run(kPutAdapter), STATUS_SUCCESS);
    });
}

TEST_F(DmaVerifierTest, map_registers_freed_twice_are_0x05) {
    load();
    hold_registers(2);
    DmaCommand f = free_registers(2);
    ASSERT_EQ(run(f), STATUS_SUCCESS);
    auto bc = expect_dma_violation([&] { (void)run(f); });
    expect_bugcheck(bc, 0x05, 2, 0, 0);
}

TEST_F(DmaVerifierTest, kept_map_registers_freed_once_are_clean) {
    load();
    DmaCommand c = channel(2, DeallocateObjectKeepRegisters);
    expect_clean([&] {
        EXPECT_EQ(run(c), STATUS_SUCCESS);
        release_registers(2);
        // The channel went back when the routine returned: it can be allocated again.
        DmaCommand again = channel(1, DeallocateObject);
        EXPECT_EQ(run(again), STATUS_SUCCESS);
        EXPECT_EQ(run(kPutAdapter), STATUS_SUCCESS);
    });
}

TEST_F(DmaVerifierTest, channel_allocated_again_while_held_is_0x0b) {
    load();
    DmaCommand c = channel(1, KeepObject);
    ASSERT_EQ(run(c), STATUS_SUCCESS);
    DmaCommand again = channel(1, KeepObject);
    auto bc = expect_dma_violation([&] { (void)run(again); });
    expect_bugcheck(bc, 0x0B, 1, 0, 0);
    EXPECT_EQ(run(kFreeChannel), STATUS_SUCCESS);
}

TEST_F(DmaVerifierTest, channel_allocated_again_after_freeing_it_is_clean) {
    load();
    expect_clean([&] {
        DmaCommand c = channel(1, KeepObject);
        EXPECT_EQ(run(c), STATUS_SUCCESS);
        EXPECT_EQ(run(kFreeChannel), STATUS_SUCCESS);
        EXPECT_EQ(run(c), STATUS_SUCCESS);
        EXPECT_EQ(run(kFreeChannel), STATUS_SUCCESS);
    });
}

TEST_F(DmaVerifierTest, more_map_registers_than_the_adapter_has_is_0x0c) {
    load();
    DmaCommand c = channel(g_dma.map_registers + 1, DeallocateObject);
    auto bc = expect_dma_violation([&] { (void)run(c); });
    expect_bugcheck(bc, 0x0C, g_dma.map_registers + 1, g_dma.map_registers, 0);
}

TEST_F(DmaVerifierTest, all_the_map_registers_the_adapter_has_is_clean) {
    load();
    DmaCommand c = channel(g_dma.map_registers, DeallocateObject);
    expect_clean([&] { EXPECT_EQ(run(c), STATUS_SUCCESS); });
}

// ---- Mapping and flushing (packet-based DMA through bounce map registers) ----

TEST_F(DmaVerifierTest, mapped_transfer_flushed_then_registers_freed_is_clean) {
    load();
    expect_clean([&] {
        hold_registers(2);
        DmaCommand map = transfer(kMapTransfer, 0, 0, 2 * PAGE_SIZE);
        EXPECT_EQ(run(map), STATUS_SUCCESS);
        EXPECT_GT(map.length, 0u);
        // A 32-bit device: the buffer lies beyond its reach, so the transfer bounces.
        EXPECT_NE(static_cast<ULONG_PTR>(map.logical.QuadPart), ptr(TransferBuffer(0)));
        DmaCommand flush = transfer(kFlush, 0, 0, map.length);
        EXPECT_EQ(run(flush), STATUS_SUCCESS);
        // The next transfer on the same registers, after the flush.
        DmaCommand next = transfer(kMapTransfer, 1, 0, PAGE_SIZE);
        EXPECT_EQ(run(next), STATUS_SUCCESS);
        DmaCommand flush_next = transfer(kFlush, 1, 0, PAGE_SIZE);
        EXPECT_EQ(run(flush_next), STATUS_SUCCESS);
        release_registers(2);
    });
}

TEST_F(DmaVerifierTest, map_registers_freed_while_still_mapped_are_0x10) {
    load();
    hold_registers(2);
    DmaCommand map = transfer(kMapTransfer, 0, 0, 2 * PAGE_SIZE);
    ASSERT_EQ(run(map), STATUS_SUCCESS);
    ASSERT_EQ(map.length, 2 * PAGE_SIZE);
    DmaCommand f = free_registers(2);
    auto bc = expect_dma_violation([&] { (void)run(f); });
    expect_bugcheck(bc, 0x10, 2, 0, 0);
    DmaCommand flush = transfer(kFlush, 0, 0, map.length);
    EXPECT_EQ(run(flush), STATUS_SUCCESS);
    EXPECT_EQ(run(f), STATUS_SUCCESS);
}

TEST_F(DmaVerifierTest, channel_freed_while_its_registers_are_mapped_is_0x10) {
    load();
    DmaCommand c = channel(1, KeepObject);
    ASSERT_EQ(run(c), STATUS_SUCCESS);
    DmaCommand map = transfer(kMapTransfer, 0, 0, PAGE_SIZE);
    ASSERT_EQ(run(map), STATUS_SUCCESS);
    auto bc = expect_dma_violation([&] { (void)run(kFreeChannel); });
    expect_bugcheck(bc, 0x10, 1, 0, 0);
    DmaCommand flush = transfer(kFlush, 0, 0, PAGE_SIZE);
    EXPECT_EQ(run(flush), STATUS_SUCCESS);
    EXPECT_EQ(run(kFreeChannel), STATUS_SUCCESS);
}

TEST_F(DmaVerifierTest, new_transfer_mapped_over_an_unflushed_one_is_0x0d) {
    load();
    hold_registers(2);
    DmaCommand map = transfer(kMapTransfer, 0, 0, PAGE_SIZE);
    ASSERT_EQ(run(map), STATUS_SUCCESS);
    DmaCommand other = transfer(kMapTransfer, 1, 0, 100);
    auto bc = expect_dma_violation([&] { (void)run(other); });
    expect_bugcheck(bc, 0x0D, PAGE_SIZE + 100, 2 * PAGE_SIZE, 0);
    DmaCommand flush = transfer(kFlush, 0, 0, PAGE_SIZE);
    EXPECT_EQ(run(flush), STATUS_SUCCESS);
    release_registers(2);
}

TEST_F(DmaVerifierTest, range_mapped_twice_is_0x1d) {
    load();
    hold_registers(2);
    DmaCommand map = transfer(kMapTransfer, 0, 0, PAGE_SIZE);
    ASSERT_EQ(run(map), STATUS_SUCCESS);
    DmaCommand again = transfer(kMapTransfer, 0, 16, 32);
    auto bc = expect_dma_violation([&] { (void)run(again); });
    expect_bugcheck(bc, 0x1D, ptr(TransferBuffer(0) + 16), ptr(TransferBuffer(0) + 48), ptr(TransferBuffer(0) + 16));
    DmaCommand flush = transfer(kFlush, 0, 0, PAGE_SIZE);
    EXPECT_EQ(run(flush), STATUS_SUCCESS);
    release_registers(2);
}

TEST_F(DmaVerifierTest, flush_of_registers_never_mapped_is_0x20) {
    load();
    hold_registers(1);
    DmaCommand flush = transfer(kFlush, 0, 0, PAGE_SIZE);
    auto bc = expect_dma_violation([&] { (void)run(flush); });
    expect_bugcheck(bc, 0x20, ptr(g_dma.map_register_base), ptr(TransferBuffer(0)), ptr(g_dma.mdl[0]));
    release_registers(1);
}

TEST_F(DmaVerifierTest, flush_of_more_bytes_than_the_mdl_has_left_is_0x00) {
    load();
    hold_registers(2);
    DmaCommand map = transfer(kMapTransfer, 0, PAGE_SIZE, PAGE_SIZE);
    ASSERT_EQ(run(map), STATUS_SUCCESS);
    DmaCommand flush = transfer(kFlush, 0, PAGE_SIZE, PAGE_SIZE + 1);
    auto bc = expect_dma_violation([&] { (void)run(flush); });
    expect_bugcheck(bc, 0x00, 1, PAGE_SIZE, PAGE_SIZE + 1);
    flush.length = PAGE_SIZE;  // the whole rest of the MDL: legal
    expect_clean([&] { EXPECT_EQ(run(flush), STATUS_SUCCESS); });
    release_registers(2);
}

TEST_F(DmaVerifierTest, map_of_an_address_outside_the_mdl_is_0x1b) {
    load();
    hold_registers(1);
    DmaCommand map = transfer(kMapTransfer, 0, 2 * PAGE_SIZE, 16);  // one byte past the MDL's end
    auto bc = expect_dma_violation([&] { (void)run(map); });
    expect_bugcheck(bc, 0x1B, ptr(TransferBuffer(0) + 2 * PAGE_SIZE), ptr(g_dma.mdl[0]), 0);
    release_registers(1);
}

TEST_F(DmaVerifierTest, map_of_a_zero_length_transfer_is_0x21) {
    load();
    hold_registers(1);
    DmaCommand map = transfer(kMapTransfer, 0, 0, 0);
    auto bc = expect_dma_violation([&] { (void)run(map); });
    EXPECT_EQ(bc.p1, 0x21u);
    EXPECT_NE(bc.p2, 0u);  // the verifier's data for the adapter
    EXPECT_EQ(bc.p3, 0u);
    EXPECT_EQ(bc.p4, 0u);
    release_registers(1);
}

TEST_F(DmaVerifierTest, map_of_the_last_byte_of_the_mdl_is_clean) {
    load();
    expect_clean([&] {
        hold_registers(2);
        DmaCommand map = transfer(kMapTransfer, 0, 2 * PAGE_SIZE - 1, 1, FALSE);
        EXPECT_EQ(run(map), STATUS_SUCCESS);
        EXPECT_EQ(map.length, 1u);
        DmaCommand flush = transfer(kFlush, 0, 2 * PAGE_SIZE - 1, 1, FALSE);
        EXPECT_EQ(run(flush), STATUS_SUCCESS);
        release_registers(2);
    });
}

// The bounce pages behind map registers: the rest of a mapped register's page, and every free
// register, hold the fill 0x0F; what the device writes outside what was mapped is 0x0F code 4
// (before), 5 (after), at the flush, or code 3 (a free register), at PutDmaAdapter.
TEST_F(DmaVerifierTest, device_writing_after_a_mapped_read_is_0x0f_code_5) {
    load();
    hold_registers(1);
    DmaCommand map = transfer(kMapTransfer, 0, 16, 100, FALSE);
    ASSERT_EQ(run(map), STATUS_SUCCESS);
    auto* device = reinterpret_cast<UCHAR*>(map.logical.QuadPart);
    ASSERT_NE(device, TransferBuffer(0) + 16);  // bounced
    std::memset(device, 0x33, 101);             // one byte too many
    DmaCommand flush = transfer(kFlush, 0, 16, 100, FALSE);
    auto bc = expect_dma_violation([&] { (void)run(flush); });
    expect_bugcheck(bc, 0x0F, 5, ptr(device), ptr(device + 100));
    device[100] = 0x0F;
    EXPECT_EQ(run(flush), STATUS_SUCCESS);
    release_registers(1);
}

TEST_F(DmaVerifierTest, device_writing_before_a_mapped_read_is_0x0f_code_4) {
    load();
    hold_registers(1);
    DmaCommand map = transfer(kMapTransfer, 0, 16, 100, FALSE);
    ASSERT_EQ(run(map), STATUS_SUCCESS);
    auto* device = reinterpret_cast<UCHAR*>(map.logical.QuadPart);
    device[-1] = 0x33;
    DmaCommand flush = transfer(kFlush, 0, 16, 100, FALSE);
    auto bc = expect_dma_violation([&] { (void)run(flush); });
    expect_bugcheck(bc, 0x0F, 4, ptr(device), ptr(device - 1));
    device[-1] = 0x0F;
    EXPECT_EQ(run(flush), STATUS_SUCCESS);
    release_registers(1);
}

TEST_F(DmaVerifierTest, device_writing_exactly_what_was_mapped_is_clean) {
    load();
    std::memset(TransferBuffer(0), 0, 2 * PAGE_SIZE);
    expect_clean([&] {
        hold_registers(1);
        DmaCommand map = transfer(kMapTransfer, 0, 16, 100, FALSE);
        EXPECT_EQ(run(map), STATUS_SUCCESS);
        std::memset(reinterpret_cast<void*>(map.logical.QuadPart), 0x33, 100);
        DmaCommand flush = transfer(kFlush, 0, 16, 100, FALSE);
        EXPECT_EQ(run(flush), STATUS_SUCCESS);
        release_registers(1);
        EXPECT_EQ(run(kPutAdapter), STATUS_SUCCESS);
    });
    EXPECT_EQ(TransferBuffer(0)[15], 0);
    EXPECT_EQ(TransferBuffer(0)[16], 0x33);
    EXPECT_EQ(TransferBuffer(0)[115], 0x33);
    EXPECT_EQ(TransferBuffer(0)[116], 0);
}

TEST_F(DmaVerifierTest, device_writing_a_freed_map_register_is_0x0f_code_3) {
    load();
    hold_registers(1);
    DmaCommand map = transfer(kMapTransfer, 0, 0, 64, FALSE);
    ASSERT_EQ(run(map), STATUS_SUCCESS);
    DmaCommand flush = transfer(kFlush, 0, 0, 64, FALSE);
    ASSERT_EQ(run(flush), STATUS_SUCCESS);
    release_registers(1);
    auto* stale = reinterpret_cast<UCHAR*>(map.logical.QuadPart) + 8;  // a late write into the freed register
    *stale = 0x33;
    auto bc = expect_dma_violation([&] { (void)run(kPutAdapter); });
    expect_bugcheck(bc, 0x0F, 3, ptr(stale), 0);
    *stale = 0x0F;
    expect_clean([&] { EXPECT_EQ(run(kPutAdapter), STATUS_SUCCESS); });
}

// ---- Scatter/gather lists ----

TEST_F(DmaVerifierTest, scatter_gather_list_put_twice_is_0x06) {
    load();
    DmaCommand get = transfer(kGetList, 0, 0, PAGE_SIZE);
    ASSERT_EQ(run(get), STATUS_SUCCESS);
    ASSERT_NE(get.list, nullptr);
    DmaCommand put{kPutList};
    put.list = get.list;
    ASSERT_EQ(run(put), STATUS_SUCCESS);
    auto bc = expect_dma_violation([&] { (void)run(put); });
    expect_bugcheck(bc, 0x06, 1, 2, 0);
}

TEST_F(DmaVerifierTest, scatter_gather_lists_each_put_once_are_clean) {
    load();
    expect_clean([&] {
        for (ULONG i = 0; i < 2; ++i) {
            DmaCommand get = transfer(kGetList, i, 0, 2 * PAGE_SIZE);
            EXPECT_EQ(run(get), STATUS_SUCCESS);
            DmaCommand put{kPutList};
            put.list = get.list;
            EXPECT_EQ(run(put), STATUS_SUCCESS);
        }
        EXPECT_EQ(run(kPutAdapter), STATUS_SUCCESS);
    });
}

// ---- PutDmaAdapter with resources outstanding (0x07-0x0A: the adapter, the count, the verifier's
// data) ----

TEST_F(DmaVerifierTest, adapter_put_with_a_common_buffer_outstanding_is_0x07) {
    load();
    DmaCommand a = common(kAllocateCommon, PAGE_SIZE);
    ASSERT_EQ(run(a), STATUS_SUCCESS);
    PDMA_ADAPTER adapter = g_dma.adapter;
    auto bc = expect_dma_violation([&] { (void)run(kPutAdapter); });
    EXPECT_EQ(bc.p1, 0x07u);
    EXPECT_EQ(bc.p2, ptr(adapter));
    EXPECT_EQ(bc.p3, 1u);
    EXPECT_NE(bc.p4, 0u);
    DmaCommand f = common(kFreeCommon, PAGE_SIZE, a.va);
    EXPECT_EQ(run(f), STATUS_SUCCESS);
    expect_clean([&] { EXPECT_EQ(run(kPutAdapter), STATUS_SUCCESS); });
}

TEST_F(DmaVerifierTest, adapter_put_with_its_channel_held_is_0x08) {
    load();
    DmaCommand c = channel(1, KeepObject);
    ASSERT_EQ(run(c), STATUS_SUCCESS);
    PDMA_ADAPTER adapter = g_dma.adapter;
    auto bc = expect_dma_violation([&] { (void)run(kPutAdapter); });
    EXPECT_EQ(bc.p1, 0x08u);
    EXPECT_EQ(bc.p2, ptr(adapter));
    EXPECT_EQ(bc.p3, 1u);
    EXPECT_NE(bc.p4, 0u);
    EXPECT_EQ(run(kFreeChannel), STATUS_SUCCESS);
    expect_clean([&] { EXPECT_EQ(run(kPutAdapter), STATUS_SUCCESS); });
}

// The seed's "DMA API hangs on PAE systems. Caused by map registers allocated and not freed".
TEST_F(DmaVerifierTest, adapter_put_with_map_registers_not_freed_is_0x09) {
    load();
    hold_registers(3);
    PDMA_ADAPTER adapter = g_dma.adapter;
    auto bc = expect_dma_violation([&] { (void)run(kPutAdapter); });
    EXPECT_EQ(bc.p1, 0x09u);
    EXPECT_EQ(bc.p2, ptr(adapter));
    EXPECT_EQ(bc.p3, 3u);
    EXPECT_NE(bc.p4, 0u);
    release_registers(3);
    expect_clean([&] { EXPECT_EQ(run(kPutAdapter), STATUS_SUCCESS); });
}

TEST_F(DmaVerifierTest, adapter_put_with_a_scatter_gather_list_out_is_0x0a) {
    load();
    DmaCommand get = transfer(kGetList, 0, 0, PAGE_SIZE);
    ASSERT_EQ(run(get), STATUS_SUCCESS);
    PDMA_ADAPTER adapter = g_dma.adapter;
    auto bc = expect_dma_violation([&] { (void)run(kPutAdapter); });
    EXPECT_EQ(bc.p1, 0x0Au);
    EXPECT_EQ(bc.p2, ptr(adapter));
    EXPECT_EQ(bc.p3, 1u);
    EXPECT_NE(bc.p4, 0u);
    DmaCommand put{kPutList};
    put.list = get.list;
    EXPECT_EQ(run(put), STATUS_SUCCESS);
    expect_clean([&] { EXPECT_EQ(run(kPutAdapter), STATUS_SUCCESS); });
}

// ---- The driver unloads with its adapter (NT deviation: reported at the unload) ----

TEST_F(DmaVerifierTest, unload_with_map_registers_and_the_adapter_kept_is_0x09) {
    load();
    hold_registers(2);
    g_dma.put_adapter_at_unload = false;
    PDMA_ADAPTER adapter = g_dma.adapter;
    auto bc = expect_dma_violation([&] { unload(); });
    EXPECT_EQ(bc.p1, 0x09u);
    EXPECT_EQ(bc.p2, ptr(adapter));
    EXPECT_EQ(bc.p3, 2u);
    EXPECT_NE(bc.p4, 0u);
    // What the driver left: its registers and its adapter.
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    adapter->DmaOperations->FreeMapRegisters(adapter, g_dma.map_register_base, 2);
    KeLowerIrql(old);
    adapter->DmaOperations->PutDmaAdapter(adapter);
    g_dma.adapter = nullptr;
}

TEST_F(DmaVerifierTest, unload_with_the_adapter_never_put_back_is_0x11) {
    load();
    g_dma.put_adapter_at_unload = false;
    PDMA_ADAPTER adapter = g_dma.adapter;
    auto bc = expect_dma_violation([&] { unload(); });
    EXPECT_EQ(bc.p1, 0x11u);
    EXPECT_EQ(bc.p2, 1u);
    EXPECT_EQ(bc.p3, ptr(adapter));
    EXPECT_NE(bc.p4, 0u);
    adapter->DmaOperations->PutDmaAdapter(adapter);
    g_dma.adapter = nullptr;
}

TEST_F(DmaVerifierTest, unload_after_putting_the_adapter_back_is_clean) {
    load();
    hold_registers(2);
    release_registers(2);
    expect_clean([&] { unload(); });  // DriverUnload puts the adapter back
}

// ---- Drivers without DMA checking ----

TEST_F(DmaVerifierTest, unverified_driver_is_not_checked) {
    load(0);
    expect_clean([&] {
        hold_registers(2);
        DmaCommand flush = transfer(kFlush, 0, 0, PAGE_SIZE);  // nothing mapped
        EXPECT_EQ(run(flush), STATUS_SUCCESS);
        EXPECT_EQ(run(kPutAdapter), STATUS_SUCCESS);  // registers still kept
    });
}

TEST_F(DmaVerifierTest, verified_without_dma_checking_is_not_checked) {
    load(NTIO_VERIFIER_STANDARD_FLAGS & ~NTIO_VERIFIER_DMA_CHECKING);
    expect_clean([&] {
        hold_registers(2);
        EXPECT_EQ(run(kPutAdapter), STATUS_SUCCESS);
    });
}

// ---- The inspector ----

TEST_F(DmaVerifierTest, bang_verifier_shows_what_the_checked_adapters_hold) {
    load();
    DmaCommand a = common(kAllocateCommon, PAGE_SIZE);
    ASSERT_EQ(run(a), STATUS_SUCCESS);
    hold_registers(3);
    DmaCommand get = transfer(kGetList, 0, 0, PAGE_SIZE);
    ASSERT_EQ(run(get), STATUS_SUCCESS);
    std::string out;
    ASSERT_EQ(ntio::inspect::run_kd_command(system(), "!verifier", out), 0) << out;
    const auto at = out.find("DMA checking (outstanding):");
    ASSERT_NE(at, std::string::npos) << out;
    // Driver, adapters 1, common buffers 1, channels 0, map registers 3, lists 1.
    char driver[32];
    std::snprintf(driver, sizeof driver, "0x%llx", static_cast<unsigned long long>(ptr(m_driver)));
    const auto row = out.find(driver, at);
    ASSERT_NE(row, std::string::npos) << out;
    const std::string line = out.substr(row, out.find('\n', row) - row);
    char expected[128];
    std::snprintf(expected, sizeof expected, "  %-16s %8s  %13s  %8s  %12s  %7s", driver, "1", "1", "0", "3", "1");
    EXPECT_EQ("  " + line, std::string(expected)) << out;

    DmaCommand put{kPutList};
    put.list = get.list;
    EXPECT_EQ(run(put), STATUS_SUCCESS);
    release_registers(3);
    DmaCommand fc = common(kFreeCommon, PAGE_SIZE, a.va);
    EXPECT_EQ(run(fc), STATUS_SUCCESS);
    ASSERT_EQ(ntio::inspect::run_kd_command(system(), "!verifier", out), 0) << out;
    std::snprintf(expected, sizeof expected, "  %-16s %8s  %13s  %8s  %12s  %7s", driver, "1", "0", "0", "0", "0");
    EXPECT_NE(out.find(expected), std::string::npos) << out;
}

TEST_F(DmaVerifierTest, bang_verifier_has_no_dma_section_without_dma_checking) {
    load(NTIO_VERIFIER_STANDARD_FLAGS & ~NTIO_VERIFIER_DMA_CHECKING);
    std::string out;
    ASSERT_EQ(ntio::inspect::run_kd_command(system(), "!verifier", out), 0) << out;
    EXPECT_EQ(out.find("DMA checking"), std::string::npos) << out;
}

}  // namespace ntio::verifier::dma_test
