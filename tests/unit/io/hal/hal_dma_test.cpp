// The HAL's legacy DMA calls as an NT4-style driver makes them: HalGetAdapter for its description,
// the common buffer and counter calls wdm.h defines over the adapter, HalAllocateAdapterChannel with
// its own wait context block, HalGetScatterGatherList/HalPutScatterGatherList, HalPutDmaAdapter, and
// the dispatch table's HalGetDmaAdapter for a physical device object.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halgetadapter
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-halallocateadapterchannel
#include "unit/io/dma/dma_test_driver.hpp"

namespace hal_dma_test {
using namespace dma_test;

TEST_F(DmaTest, HalGetAdapterServesADescriptionWithoutADevice) {
    DEVICE_DESCRIPTION d = bus_master(true, 0x10000);
    ULONG registers = 0;
    PADAPTER_OBJECT adapter = HalGetAdapter(&d, &registers);
    ASSERT_NE(adapter, nullptr);
    EXPECT_EQ(registers, BYTES_TO_PAGES(0x10000) + 1);
    EXPECT_EQ(HalGetDmaAlignment(adapter), 1u);
    EXPECT_EQ(HalGetDmaAlignmentRequirement(), 1L);
    // A bus master has no transfer counter of a system DMA controller.
    EXPECT_EQ(HalReadDmaCounter(adapter), 0u);

    PHYSICAL_ADDRESS logical{};
    constexpr ULONG kLength = 2 * PAGE_SIZE + 17;
    auto* va = static_cast<UCHAR*>(HalAllocateCommonBuffer(adapter, kLength, &logical, TRUE));
    ASSERT_NE(va, nullptr);
    // The device writes through the logical address; the driver reads through the virtual one.
    std::memset(reinterpret_cast<void*>(logical.QuadPart), 0xA5, kLength);
    EXPECT_EQ(va[0], 0xA5);
    EXPECT_EQ(va[kLength - 1], 0xA5);
    HalFreeCommonBuffer(adapter, kLength, logical, va, TRUE);
    HalPutDmaAdapter(adapter);
}

TEST_F(DmaTest, HalGetAdapterRefusesWhatIoGetDmaAdapterRefuses) {
    ULONG registers = 0;
    DEVICE_DESCRIPTION d = bus_master(true, 0x1000);
    EXPECT_EQ(HalGetAdapter(nullptr, &registers), nullptr);
    EXPECT_EQ(HalGetAdapter(&d, nullptr), nullptr);
    d.Master = FALSE;  // a system DMA channel: no controller
    EXPECT_EQ(HalGetAdapter(&d, &registers), nullptr);
    HalPutDmaAdapter(nullptr);  // ignored
}

TEST_F(DmaTest, DispatchTableGetDmaAdapterIsIoGetDmaAdaptersAdapter) {
    DEVICE_DESCRIPTION d = bus_master(false, 0x4000, DEVICE_DESCRIPTION_VERSION3);
    ULONG registers = 0;
    PDMA_ADAPTER adapter = HalGetDmaAdapter(g_devices[1], &d, &registers);
    ASSERT_NE(adapter, nullptr);
    DMA_ADAPTER_INFO info{};
    info.Version = DMA_ADAPTER_INFO_VERSION1;
    ASSERT_EQ(adapter->DmaOperations->GetDmaAdapterInfo(adapter, &info), STATUS_SUCCESS);
    EXPECT_EQ(info.V1.DmaAddressWidth, 32u);
    HalPutDmaAdapter(adapter);
}

struct ChannelRun {
    int calls = 0;
    PDEVICE_OBJECT device = nullptr;
    PVOID context = nullptr;
    PVOID map_register_base = nullptr;
};

DRIVER_CONTROL execution;
IO_ALLOCATION_ACTION NTAPI execution(PDEVICE_OBJECT DeviceObject, PIRP, PVOID MapRegisterBase, PVOID Context) {
    auto* run = static_cast<ChannelRun*>(Context);
    ++run->calls;
    run->device = DeviceObject;
    run->context = Context;
    run->map_register_base = MapRegisterBase;
    return DeallocateObject;
}

TEST_F(DmaTest, HalAllocateAdapterChannelRunsTheRoutineForTheWaitBlocksDevice) {
    PDMA_ADAPTER adapter = start(2, bus_master(true, 0x8000));
    ASSERT_NE(adapter, nullptr);
    ChannelRun run;
    WAIT_CONTEXT_BLOCK wcb{};
    wcb.DeviceObject = g_devices[2];
    wcb.DeviceContext = &run;
    {
        AtDispatch dispatch;
        ASSERT_EQ(HalAllocateAdapterChannel(adapter, &wcb, 2, execution), STATUS_SUCCESS);
    }
    EXPECT_EQ(run.calls, 1);
    EXPECT_EQ(run.device, g_devices[2]);
    EXPECT_EQ(run.context, &run);
    // More registers than the adapter has: refused, the routine not run.
    {
        AtDispatch dispatch;
        EXPECT_EQ(HalAllocateAdapterChannel(adapter, &wcb, ext(2)->map_registers + 1, execution),
                  STATUS_INSUFFICIENT_RESOURCES);
    }
    EXPECT_EQ(run.calls, 1);
    EXPECT_EQ(HalAllocateAdapterChannel(adapter, nullptr, 1, execution), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(HalAllocateAdapterChannel(nullptr, &wcb, 1, execution), STATUS_INVALID_PARAMETER);
}

struct ListRun {
    int calls = 0;
    PSCATTER_GATHER_LIST list = nullptr;
    SimulatedDevice* device = nullptr;
};

DRIVER_LIST_CONTROL list_control;
VOID NTAPI list_control(PDEVICE_OBJECT, PIRP, PSCATTER_GATHER_LIST ScatterGather, PVOID Context) {
    auto* run = static_cast<ListRun*>(Context);
    ++run->calls;
    run->list = ScatterGather;
    run->device->dma_from_host(ScatterGather);
}

TEST_F(DmaTest, HalScatterGatherListDeliversTheBufferToTheDevice) {
    PDMA_ADAPTER adapter = start(0, bus_master(false, 0x10000));
    ASSERT_NE(adapter, nullptr);
    DmaBuffer buffer(0x300, 2 * PAGE_SIZE + 0x80);
    buffer.fill(0x42);
    SimulatedDevice device(buffer.length);
    ListRun run;
    run.device = &device;
    {
        AtDispatch dispatch;
        ASSERT_EQ(HalGetScatterGatherList(adapter, g_devices[0], buffer.mdl, buffer.data, buffer.length, list_control,
                                          &run, TRUE),
                  STATUS_SUCCESS);
        ASSERT_EQ(run.calls, 1);
        HalPutScatterGatherList(adapter, run.list, TRUE);
    }
    EXPECT_EQ(std::memcmp(device.memory.data(), buffer.data, buffer.length), 0);
    EXPECT_EQ(HalGetScatterGatherList(nullptr, g_devices[0], buffer.mdl, buffer.data, buffer.length, list_control,
                                      &run, TRUE),
              STATUS_INVALID_PARAMETER);
}

}  // namespace hal_dma_test
