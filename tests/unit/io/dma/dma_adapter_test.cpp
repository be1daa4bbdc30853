// IoGetDmaAdapter: the table version a description asks for, map registers, refused descriptions;
// common buffers within the device's reach; adapter and transfer information; the slots ntio has
// no hardware for.
#include "dma_test_driver.hpp"

namespace dma_adapter_test {
using namespace dma_test;

TEST_F(DmaTest, TableSizeFollowsTheDescriptionVersionAndAdapterVersionIsOne) {
    const ULONG expected[] = {
        static_cast<ULONG>(offsetof(DMA_OPERATIONS, CalculateScatterGatherList)),
        static_cast<ULONG>(offsetof(DMA_OPERATIONS, CalculateScatterGatherList)),
        static_cast<ULONG>(offsetof(DMA_OPERATIONS, GetDmaAdapterInfo)),
        static_cast<ULONG>(sizeof(DMA_OPERATIONS)),
    };
    for (ULONG version = 0; version <= DEVICE_DESCRIPTION_VERSION3; ++version) {
        DEVICE_DESCRIPTION d = bus_master(true, 0x10000, version);
        ULONG registers = 0;
        PDMA_ADAPTER adapter = IoGetDmaAdapter(g_devices[0], &d, &registers);
        ASSERT_NE(adapter, nullptr) << "version " << version;
        EXPECT_EQ(adapter->Version, 1u);
        EXPECT_EQ(adapter->DmaOperations->Size, expected[version]) << "version " << version;
        // Every slot the version has is a routine.
        const auto* slots = reinterpret_cast<void* const*>(&adapter->DmaOperations->PutDmaAdapter);
        const size_t count = (adapter->DmaOperations->Size - offsetof(DMA_OPERATIONS, PutDmaAdapter)) / sizeof(void*);
        for (size_t i = 0; i < count; ++i) EXPECT_NE(slots[i], nullptr) << "slot " << i;
        // 64 KiB at any page offset spans 17 pages.
        EXPECT_EQ(registers, BYTES_TO_PAGES(0x10000) + 1);
        adapter->DmaOperations->PutDmaAdapter(adapter);
    }
}

TEST_F(DmaTest, DescriptionsItCannotServeGetNull) {
    ULONG registers = 0;
    DEVICE_DESCRIPTION d = bus_master(true, 0x1000);
    EXPECT_EQ(IoGetDmaAdapter(g_devices[0], nullptr, &registers), nullptr);
    EXPECT_EQ(IoGetDmaAdapter(g_devices[0], &d, nullptr), nullptr);
    d.Version = 4;
    EXPECT_EQ(IoGetDmaAdapter(g_devices[0], &d, &registers), nullptr);
    d = bus_master(true, 0x1000, DEVICE_DESCRIPTION_VERSION3);
    d.DmaAddressWidth = 0;
    EXPECT_EQ(IoGetDmaAdapter(g_devices[0], &d, &registers), nullptr);
    d.DmaAddressWidth = 65;
    EXPECT_EQ(IoGetDmaAdapter(g_devices[0], &d, &registers), nullptr);
    d = bus_master(true, 0x1000);
    d.Reserved1 = TRUE;
    EXPECT_EQ(IoGetDmaAdapter(g_devices[0], &d, &registers), nullptr);
    d = bus_master(true, 0x1000);
    d.Master = FALSE;  // system DMA: ntio has no controller
    EXPECT_EQ(IoGetDmaAdapter(g_devices[0], &d, &registers), nullptr);
}

TEST_F(DmaTest, CommonBufferLiesWithinTheDevicesReach) {
    for (bool dma64 : {false, true}) {
        PDMA_ADAPTER adapter = start(0, bus_master(dma64, 0x4000));
        ASSERT_NE(adapter, nullptr);
        PHYSICAL_ADDRESS logical{};
        constexpr ULONG kLength = 3 * PAGE_SIZE + 100;
        auto* va = static_cast<UCHAR*>(adapter->DmaOperations->AllocateCommonBuffer(adapter, kLength, &logical, TRUE));
        ASSERT_NE(va, nullptr);
        EXPECT_EQ(static_cast<ULONG_PTR>(logical.QuadPart), reinterpret_cast<ULONG_PTR>(va));
        if (!dma64) {
            EXPECT_LE(static_cast<ULONGLONG>(logical.QuadPart) + kLength - 1, 0xFFFFFFFFull);
        }
        // The device writes through the logical address; the driver reads through the virtual one.
        std::memset(reinterpret_cast<void*>(logical.QuadPart), 0x5A, kLength);
        EXPECT_EQ(va[0], 0x5A);
        EXPECT_EQ(va[kLength - 1], 0x5A);
        adapter->DmaOperations->FreeCommonBuffer(adapter, kLength, logical, va, TRUE);
        EXPECT_EQ(adapter->DmaOperations->AllocateCommonBuffer(adapter, 0, &logical, TRUE), nullptr);
        adapter->DmaOperations->PutDmaAdapter(adapter);
        ext(0)->adapter = nullptr;
    }
}

TEST_F(DmaTest, CommonBufferExHonoursTheCallersHighestAddress) {
    PDMA_ADAPTER adapter = start(0, bus_master(true, 0x4000, DEVICE_DESCRIPTION_VERSION3));
    ASSERT_NE(adapter, nullptr);
    PHYSICAL_ADDRESS highest;
    highest.QuadPart = 0x7FFFFFFF;
    PHYSICAL_ADDRESS logical{};
    PVOID va = adapter->DmaOperations->AllocateCommonBufferEx(adapter, &highest, PAGE_SIZE, &logical, TRUE, 0);
    ASSERT_NE(va, nullptr);
    EXPECT_LE(static_cast<ULONGLONG>(logical.QuadPart), 0x7FFFFFFFull - PAGE_SIZE + 1);
    adapter->DmaOperations->FreeCommonBuffer(adapter, PAGE_SIZE, logical, va, TRUE);
}

TEST_F(DmaTest, AdapterInfoReportsTheAddressWidthAndRefusesOtherVersions) {
    PDMA_ADAPTER adapter = start(0, bus_master(false, 0x4000, DEVICE_DESCRIPTION_VERSION3));
    ASSERT_NE(adapter, nullptr);
    DMA_ADAPTER_INFO info{};
    info.Version = DMA_ADAPTER_INFO_VERSION1;
    ASSERT_EQ(adapter->DmaOperations->GetDmaAdapterInfo(adapter, &info), STATUS_SUCCESS);
    EXPECT_EQ(info.V1.DmaAddressWidth, 32u);
    EXPECT_FALSE(info.V1.ReadDmaCounterAvailable);
    EXPECT_TRUE(info.V1.Flags & ADAPTER_INFO_SYNCHRONOUS_CALLBACK);
    info.Version = 2;
    EXPECT_EQ(adapter->DmaOperations->GetDmaAdapterInfo(adapter, &info), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(adapter->DmaOperations->GetDmaAdapterInfo(adapter, nullptr), STATUS_INVALID_PARAMETER);
}

TEST_F(DmaTest, TransferInfoCountsPagesAndSizesTheList) {
    PDMA_ADAPTER adapter = start(0, bus_master(true, 0x10000, DEVICE_DESCRIPTION_VERSION3));
    ASSERT_NE(adapter, nullptr);
    DmaBuffer buffer(0x800, 3 * PAGE_SIZE);  // spans 4 pages
    DMA_TRANSFER_INFO info{};
    info.Version = DMA_TRANSFER_INFO_VERSION1;
    ASSERT_EQ(adapter->DmaOperations->GetDmaTransferInfo(adapter, buffer.mdl, 0, buffer.length, FALSE, &info),
              STATUS_SUCCESS);
    EXPECT_EQ(info.V1.MapRegisterCount, 4u);
    EXPECT_GE(info.V1.ScatterGatherElementCount, 1u);
    EXPECT_GE(info.V1.ScatterGatherListSize,
              offsetof(SCATTER_GATHER_LIST, Elements) + info.V1.ScatterGatherElementCount * sizeof(SCATTER_GATHER_ELEMENT));
    // The second half of the buffer spans two pages.
    info.Version = DMA_TRANSFER_INFO_VERSION2;
    ASSERT_EQ(adapter->DmaOperations->GetDmaTransferInfo(adapter, buffer.mdl, buffer.length / 2, buffer.length / 2,
                                                         TRUE, &info),
              STATUS_SUCCESS);
    EXPECT_EQ(info.V2.MapRegisterCount, 2u);
    EXPECT_EQ(info.V2.LogicalPageCount, 2u);
    info.Version = 3;
    EXPECT_EQ(adapter->DmaOperations->GetDmaTransferInfo(adapter, buffer.mdl, 0, buffer.length, FALSE, &info),
              STATUS_NOT_SUPPORTED);
    info.Version = DMA_TRANSFER_INFO_VERSION1;
    EXPECT_EQ(adapter->DmaOperations->GetDmaTransferInfo(adapter, buffer.mdl, 0, buffer.length + 1, FALSE, &info),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(adapter->DmaOperations->GetDmaTransferInfo(adapter, buffer.mdl, 0, 0, FALSE, &info),
              STATUS_INVALID_PARAMETER);
}

TEST_F(DmaTest, CalculateScatterGatherListGivesTheBuildBufferSize) {
    PDMA_ADAPTER adapter = start(0, bus_master(true, 0x10000));
    ASSERT_NE(adapter, nullptr);
    DmaBuffer buffer(0x10, 2 * PAGE_SIZE);  // spans 3 pages
    ULONG size = 0;
    ULONG registers = 0;
    ASSERT_EQ(adapter->DmaOperations->CalculateScatterGatherList(adapter, buffer.mdl, buffer.data, buffer.length, &size,
                                                                  &registers),
              STATUS_SUCCESS);
    EXPECT_EQ(registers, 3u);
    EXPECT_GE(size, offsetof(SCATTER_GATHER_LIST, Elements) + sizeof(SCATTER_GATHER_ELEMENT));
    // Without an MDL: the pages the virtual range spans.
    ASSERT_EQ(adapter->DmaOperations->CalculateScatterGatherList(adapter, nullptr, buffer.data, buffer.length, &size,
                                                                  &registers),
              STATUS_SUCCESS);
    EXPECT_EQ(registers, 3u);
    EXPECT_EQ(adapter->DmaOperations->CalculateScatterGatherList(adapter, buffer.mdl, buffer.data + buffer.length,
                                                                  1, &size, &registers),
              STATUS_INVALID_PARAMETER);
}

TEST_F(DmaTest, SystemDmaAndDomainSlotsFailAsDocumented) {
    PDMA_ADAPTER adapter = start(0, bus_master(true, 0x1000, DEVICE_DESCRIPTION_VERSION3));
    ASSERT_NE(adapter, nullptr);
    PDMA_OPERATIONS ops = adapter->DmaOperations;
    EXPECT_EQ(ops->ReadDmaCounter(adapter), 0u);
    EXPECT_EQ(ops->GetDmaAlignment(adapter), 1u);
    EXPECT_EQ(ops->ConfigureAdapterChannel(adapter, 1, nullptr), STATUS_NOT_IMPLEMENTED);
    UCHAR context[DMA_TRANSFER_CONTEXT_SIZE_V1];
    ASSERT_EQ(ops->InitializeDmaTransferContext(adapter, context), STATUS_SUCCESS);
    EXPECT_EQ(ops->CancelMappedTransfer(adapter, context), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(ops->GetDmaDomain(adapter), nullptr);
    EXPECT_EQ(ops->JoinDmaDomain(adapter, nullptr), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(ops->LeaveDmaDomain(adapter), STATUS_NOT_SUPPORTED);
    PVOID va = reinterpret_cast<PVOID>(1);
    PHYSICAL_ADDRESS logical{};
    EXPECT_EQ(ops->AllocateDomainCommonBuffer(adapter, nullptr, nullptr, PAGE_SIZE, 0, nullptr, 0, &logical, &va),
              STATUS_NOT_SUPPORTED);
    EXPECT_EQ(va, nullptr);
}

}  // namespace dma_adapter_test
