// Bus-master transfers the way a WDM driver runs them: GetScatterGatherList / PutScatterGatherList,
// AllocateAdapterChannel + MapTransfer + FlushAdapterBuffers (and the legacy Io* wrappers), for a
// device reaching every address and for one limited to 32 bits (map registers bounce), queueing
// of a second caller for the channel or for map registers, and the version 3 routines.
#include "dma_test_driver.hpp"

namespace dma_transfer_test {
using namespace dma_test;

// ---- The driver's AdapterListControl: the device does the DMA at once, or later ----

struct ListRun {
    SimulatedDevice* device = nullptr;
    bool write = false;            // to the device
    bool do_dma = true;
    int calls = 0;
    KIRQL irql = PASSIVE_LEVEL;
    PSCATTER_GATHER_LIST list = nullptr;
    PIRP irp = reinterpret_cast<PIRP>(1);
};

DRIVER_LIST_CONTROL list_control;
VOID NTAPI list_control(PDEVICE_OBJECT, PIRP Irp, PSCATTER_GATHER_LIST ScatterGather, PVOID Context) {
    auto* run = static_cast<ListRun*>(Context);
    ++run->calls;
    run->irql = KeGetCurrentIrql();
    run->list = ScatterGather;
    run->irp = Irp;
    if (!run->do_dma) return;
    if (run->write) {
        run->device->dma_from_host(ScatterGather);
    } else {
        run->device->dma_to_host(ScatterGather);
    }
}

class TransferTest : public DmaTest, public ::testing::WithParamInterface<bool> {};

// A write to the device: the device sees the buffer's bytes.
TEST_P(TransferTest, ScatterGatherWriteDeliversTheBufferToTheDevice) {
    const bool dma64 = GetParam();
    PDMA_ADAPTER adapter = start(0, bus_master(dma64, 0x10000));
    ASSERT_NE(adapter, nullptr);
    DmaBuffer buffer(0x123, 3 * PAGE_SIZE + 0x200);
    buffer.fill(0x11);
    SimulatedDevice device(buffer.length);
    ListRun run;
    run.device = &device;
    run.write = true;
    {
        AtDispatch dispatch;
        ASSERT_EQ(adapter->DmaOperations->GetScatterGatherList(adapter, g_devices[0], buffer.mdl, buffer.data,
                                                                buffer.length, list_control, &run, TRUE),
                  STATUS_SUCCESS);
        ASSERT_EQ(run.calls, 1);
        EXPECT_EQ(run.irql, DISPATCH_LEVEL);
        EXPECT_EQ(run.irp, g_devices[0]->CurrentIrp);
        ULONG total = 0;
        for (ULONG i = 0; i < run.list->NumberOfElements; ++i) {
            const auto& e = run.list->Elements[i];
            total += e.Length;
            if (!dma64) {
                EXPECT_LE(static_cast<ULONGLONG>(e.Address.QuadPart) + e.Length - 1, 0xFFFFFFFFull);
            }
        }
        EXPECT_EQ(total, buffer.length);
        if (dma64) {  // no IOMMU, no bouncing: the first element is the buffer itself
            EXPECT_EQ(static_cast<ULONG_PTR>(run.list->Elements[0].Address.QuadPart),
                      reinterpret_cast<ULONG_PTR>(buffer.data));
        }
        adapter->DmaOperations->PutScatterGatherList(adapter, run.list, TRUE);
    }
    EXPECT_EQ(std::memcmp(device.memory.data(), buffer.data, buffer.length), 0);
}

// A read from the device: the buffer holds the device's bytes once the list is put back.
TEST_P(TransferTest, ScatterGatherReadDeliversTheDevicesDataByPut) {
    const bool dma64 = GetParam();
    PDMA_ADAPTER adapter = start(0, bus_master(dma64, 0x10000));
    ASSERT_NE(adapter, nullptr);
    DmaBuffer buffer(0x40, 2 * PAGE_SIZE);
    std::memset(buffer.data, 0, buffer.length);
    SimulatedDevice device(buffer.length);
    fill(device.memory, 0x31);
    ListRun run;
    run.device = &device;
    AtDispatch dispatch;
    ASSERT_EQ(adapter->DmaOperations->GetScatterGatherList(adapter, g_devices[0], buffer.mdl, buffer.data, buffer.length,
                                                            list_control, &run, FALSE),
              STATUS_SUCCESS);
    ASSERT_EQ(run.calls, 1);
    // A bounced read lands in the map registers; the buffer has it only after PutScatterGatherList.
    EXPECT_EQ(std::memcmp(buffer.data, device.memory.data(), buffer.length) == 0, dma64);
    adapter->DmaOperations->PutScatterGatherList(adapter, run.list, FALSE);
    EXPECT_EQ(std::memcmp(buffer.data, device.memory.data(), buffer.length), 0);
}

// ---- AllocateAdapterChannel + MapTransfer + FlushAdapterBuffers ----

struct ChannelRun {
    PDMA_ADAPTER adapter = nullptr;
    DmaBuffer* buffer = nullptr;
    SimulatedDevice* device = nullptr;
    bool write = false;
    IO_ALLOCATION_ACTION action = DeallocateObjectKeepRegisters;
    int calls = 0;
    KIRQL irql = PASSIVE_LEVEL;
    PVOID map_register_base = nullptr;
    ULONG pieces = 0;
    bool all_within_32_bits = true;
};

// The driver's AdapterControl: maps the whole buffer piece by piece and lets the device copy.
DRIVER_CONTROL adapter_control;
IO_ALLOCATION_ACTION NTAPI adapter_control(PDEVICE_OBJECT, PIRP, PVOID MapRegisterBase, PVOID Context) {
    auto* run = static_cast<ChannelRun*>(Context);
    ++run->calls;
    run->irql = KeGetCurrentIrql();
    run->map_register_base = MapRegisterBase;
    if (!run->buffer) return run->action;
    ULONG done = 0;
    while (done < run->buffer->length) {
        ULONG length = run->buffer->length - done;
        PHYSICAL_ADDRESS logical = IoMapTransfer(run->adapter, run->buffer->mdl, MapRegisterBase,
                                                 run->buffer->data + done, &length, run->write);
        if (length == 0) break;
        if (static_cast<ULONGLONG>(logical.QuadPart) + length - 1 > 0xFFFFFFFFull) run->all_within_32_bits = false;
        auto* at = reinterpret_cast<UCHAR*>(logical.QuadPart);
        if (run->write) {
            std::memcpy(run->device->memory.data() + done, at, length);
        } else {
            std::memcpy(at, run->device->memory.data() + done, length);
        }
        ++run->pieces;
        done += length;
    }
    return run->action;
}

TEST_P(TransferTest, MapTransferWriteAndReadThroughTheAdapterChannel) {
    const bool dma64 = GetParam();
    PDMA_ADAPTER adapter = start(0, bus_master(dma64, 0x10000));
    ASSERT_NE(adapter, nullptr);
    DmaBuffer buffer(0x300, 3 * PAGE_SIZE);
    const ULONG registers = ADDRESS_AND_SIZE_TO_SPAN_PAGES(buffer.data, buffer.length);
    ASSERT_LE(registers, ext(0)->map_registers);

    for (bool write : {true, false}) {
        SimulatedDevice device(buffer.length);
        if (write) {
            buffer.fill(0x21);
        } else {
            std::memset(buffer.data, 0, buffer.length);
            fill(device.memory, 0x42);
        }
        ChannelRun run;
        run.adapter = adapter;
        run.buffer = &buffer;
        run.device = &device;
        run.write = write;
        AtDispatch dispatch;
        ASSERT_EQ(IoAllocateAdapterChannel(adapter, g_devices[0], registers, adapter_control, &run), STATUS_SUCCESS);
        ASSERT_EQ(run.calls, 1);
        EXPECT_EQ(run.irql, DISPATCH_LEVEL);
        EXPECT_TRUE(run.all_within_32_bits || dma64);
        EXPECT_EQ(run.map_register_base == nullptr, dma64);  // only a bouncing adapter needs registers
        if (!write) {
            EXPECT_EQ(std::memcmp(buffer.data, device.memory.data(), buffer.length) == 0, dma64);
        }
        // The transfer's end, in the driver's DPC.
        EXPECT_TRUE(IoFlushAdapterBuffers(adapter, buffer.mdl, run.map_register_base, buffer.data, buffer.length, write));
        IoFreeMapRegisters(adapter, run.map_register_base, registers);
        EXPECT_EQ(std::memcmp(buffer.data, device.memory.data(), buffer.length), 0);
    }
}

INSTANTIATE_TEST_SUITE_P(Reach, TransferTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "Dma64" : "Dma32"; });

// ---- Queueing ----

TEST_F(DmaTest, SecondCallerWaitsForTheChannelUntilTheOwnerFreesIt) {
    PDMA_ADAPTER adapter = start(0, bus_master(true, 0x4000));
    ASSERT_NE(adapter, nullptr);
    ChannelRun first;
    first.action = KeepObject;
    ChannelRun second;
    second.action = DeallocateObject;
    ChannelRun third;
    third.action = DeallocateObject;
    AtDispatch dispatch;
    ASSERT_EQ(adapter->DmaOperations->AllocateAdapterChannel(adapter, g_devices[0], 1, adapter_control, &first),
              STATUS_SUCCESS);
    EXPECT_EQ(first.calls, 1);
    ASSERT_EQ(adapter->DmaOperations->AllocateAdapterChannel(adapter, g_devices[1], 1, adapter_control, &second),
              STATUS_SUCCESS);
    ASSERT_EQ(adapter->DmaOperations->AllocateAdapterChannel(adapter, g_devices[2], 1, adapter_control, &third),
              STATUS_SUCCESS);
    EXPECT_EQ(second.calls, 0);  // the first kept the channel
    EXPECT_EQ(third.calls, 0);
    IoFreeAdapterChannel(adapter);
    // The second returned DeallocateObject: the third ran right after it, in order.
    EXPECT_EQ(second.calls, 1);
    EXPECT_EQ(third.calls, 1);
    EXPECT_EQ(first.calls, 1);
}

TEST_F(DmaTest, AllocateAdapterChannelRefusesMoreRegistersThanGiven) {
    PDMA_ADAPTER adapter = start(0, bus_master(false, 2 * PAGE_SIZE));
    ASSERT_NE(adapter, nullptr);
    ChannelRun run;
    AtDispatch dispatch;
    EXPECT_EQ(adapter->DmaOperations->AllocateAdapterChannel(adapter, g_devices[0], ext(0)->map_registers + 1,
                                                              adapter_control, &run),
              STATUS_INSUFFICIENT_RESOURCES);
    EXPECT_EQ(run.calls, 0);
    EXPECT_EQ(adapter->DmaOperations->AllocateAdapterChannel(adapter, nullptr, 1, adapter_control, &run),
              STATUS_INVALID_PARAMETER);
}

TEST_F(DmaTest, ScatterGatherListWaitsForMapRegistersHeldByAnother) {
    // A 32-bit device: every list bounces, and the adapter has registers for one 3-page transfer.
    PDMA_ADAPTER adapter = start(0, bus_master(false, 2 * PAGE_SIZE));
    ASSERT_NE(adapter, nullptr);
    ASSERT_EQ(ext(0)->map_registers, 3u);
    DmaBuffer first_buffer(0x10, 2 * PAGE_SIZE);   // 3 pages: all registers
    DmaBuffer second_buffer(0, PAGE_SIZE);
    second_buffer.fill(0x77);
    SimulatedDevice device(2 * PAGE_SIZE);
    ListRun first;
    first.do_dma = false;
    ListRun second;
    second.device = &device;
    second.write = true;
    AtDispatch dispatch;
    ASSERT_EQ(adapter->DmaOperations->GetScatterGatherList(adapter, g_devices[0], first_buffer.mdl, first_buffer.data,
                                                            first_buffer.length, list_control, &first, TRUE),
              STATUS_SUCCESS);
    ASSERT_EQ(first.calls, 1);
    ASSERT_EQ(adapter->DmaOperations->GetScatterGatherList(adapter, g_devices[1], second_buffer.mdl,
                                                            second_buffer.data, second_buffer.length, list_control,
                                                            &second, TRUE),
              STATUS_SUCCESS);
    EXPECT_EQ(second.calls, 0);
    adapter->DmaOperations->PutScatterGatherList(adapter, first.list, TRUE);
    ASSERT_EQ(second.calls, 1);
    EXPECT_EQ(std::memcmp(device.memory.data(), second_buffer.data, second_buffer.length), 0);
    adapter->DmaOperations->PutScatterGatherList(adapter, second.list, TRUE);
}

TEST_F(DmaTest, ScatterGatherBadParameters) {
    PDMA_ADAPTER adapter = start(0, bus_master(false, PAGE_SIZE));  // 2 registers
    ASSERT_NE(adapter, nullptr);
    DmaBuffer buffer(0, 4 * PAGE_SIZE);
    ListRun run;
    AtDispatch dispatch;
    PDMA_OPERATIONS ops = adapter->DmaOperations;
    // Four bounced pages need more registers than the adapter has.
    EXPECT_EQ(ops->GetScatterGatherList(adapter, g_devices[0], buffer.mdl, buffer.data, buffer.length, list_control,
                                        &run, TRUE),
              STATUS_INSUFFICIENT_RESOURCES);
    // A buffer too small for the list.
    UCHAR small[sizeof(SCATTER_GATHER_LIST)];
    EXPECT_EQ(ops->BuildScatterGatherList(adapter, g_devices[0], buffer.mdl, buffer.data, PAGE_SIZE, list_control, &run,
                                          TRUE, small, sizeof(small)),
              STATUS_BUFFER_TOO_SMALL);
    // CurrentVa outside the MDL, a zero length.
    EXPECT_EQ(ops->GetScatterGatherList(adapter, g_devices[0], buffer.mdl, buffer.data + buffer.length, 1,
                                        list_control, &run, TRUE),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(ops->GetScatterGatherList(adapter, g_devices[0], buffer.mdl, buffer.data, 0, list_control, &run, TRUE),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(run.calls, 0);
}

TEST_F(DmaTest, BuildScatterGatherListAndTheMdlOfItsMemory) {
    PDMA_ADAPTER adapter = start(0, bus_master(false, 0x4000));
    ASSERT_NE(adapter, nullptr);
    DmaBuffer buffer(0x80, PAGE_SIZE);
    buffer.fill(0x55);
    PDMA_OPERATIONS ops = adapter->DmaOperations;
    ULONG size = 0;
    ASSERT_EQ(ops->CalculateScatterGatherList(adapter, buffer.mdl, buffer.data, buffer.length, &size, nullptr),
              STATUS_SUCCESS);
    std::vector<ULONG_PTR> storage(size / sizeof(ULONG_PTR) + 1);
    ListRun run;
    run.do_dma = false;
    AtDispatch dispatch;
    ASSERT_EQ(ops->BuildScatterGatherList(adapter, g_devices[0], buffer.mdl, buffer.data, buffer.length, list_control,
                                          &run, TRUE, storage.data(), size),
              STATUS_SUCCESS);
    ASSERT_EQ(run.calls, 1);
    EXPECT_EQ(static_cast<void*>(run.list), static_cast<void*>(storage.data()));
    // The list's memory is a bounced copy; its MDL describes that copy.
    PMDL target = nullptr;
    EXPECT_EQ(ops->BuildMdlFromScatterGatherList(adapter, run.list, nullptr, &target), STATUS_INVALID_PARAMETER);
    ASSERT_EQ(ops->BuildMdlFromScatterGatherList(adapter, run.list, buffer.mdl, &target), STATUS_SUCCESS);
    ASSERT_NE(target, nullptr);
    EXPECT_NE(target, buffer.mdl);
    EXPECT_EQ(MmGetMdlByteCount(target), buffer.length);
    EXPECT_EQ(std::memcmp(MmGetSystemAddressForMdlSafe(target, NormalPagePriority), buffer.data, buffer.length), 0);
    EXPECT_EQ(ops->BuildMdlFromScatterGatherList(adapter, run.list, buffer.mdl, &target), STATUS_NONE_MAPPED);
    ops->PutScatterGatherList(adapter, run.list, TRUE);
}

// ---- Version 3 ----

TEST_F(DmaTest, SynchronousChannelIsRefusedWhileHeldAndCancelTakesBackAWaiter) {
    PDMA_ADAPTER adapter = start(0, bus_master(true, 0x4000, DEVICE_DESCRIPTION_VERSION3));
    ASSERT_NE(adapter, nullptr);
    PDMA_OPERATIONS ops = adapter->DmaOperations;
    UCHAR first_context[DMA_TRANSFER_CONTEXT_SIZE_V1];
    UCHAR second_context[DMA_TRANSFER_CONTEXT_SIZE_V1];
    ASSERT_EQ(ops->InitializeDmaTransferContext(adapter, first_context), STATUS_SUCCESS);
    ASSERT_EQ(ops->InitializeDmaTransferContext(adapter, second_context), STATUS_SUCCESS);
    AtDispatch dispatch;
    PVOID base = reinterpret_cast<PVOID>(1);
    ASSERT_EQ(ops->AllocateAdapterChannelEx(adapter, g_devices[0], first_context, 1, DMA_SYNCHRONOUS_CALLBACK, nullptr,
                                            nullptr, &base),
              STATUS_SUCCESS);
    EXPECT_EQ(base, nullptr);  // a 64-bit device needs no map registers
    // Held: a synchronous request fails at once, an asynchronous one waits.
    PVOID second_base = nullptr;
    EXPECT_EQ(ops->AllocateAdapterChannelEx(adapter, g_devices[1], second_context, 1, DMA_SYNCHRONOUS_CALLBACK,
                                            nullptr, nullptr, &second_base),
              STATUS_INSUFFICIENT_RESOURCES);
    ChannelRun waiter;
    ASSERT_EQ(ops->AllocateAdapterChannelEx(adapter, g_devices[1], second_context, 1, 0, adapter_control, &waiter,
                                            nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(waiter.calls, 0);
    EXPECT_TRUE(ops->CancelAdapterChannel(adapter, g_devices[1], second_context));
    EXPECT_FALSE(ops->CancelAdapterChannel(adapter, g_devices[1], second_context));
    ops->FreeAdapterObject(adapter, DeallocateObject);
    EXPECT_EQ(waiter.calls, 0);  // cancelled: never runs
    // Free again: a synchronous request with a routine runs it before returning.
    ASSERT_EQ(ops->AllocateAdapterChannelEx(adapter, g_devices[1], second_context, 1, DMA_SYNCHRONOUS_CALLBACK,
                                            adapter_control, &waiter, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(waiter.calls, 1);
}

TEST_F(DmaTest, AllocateAdapterChannelExParameterRules) {
    PDMA_ADAPTER adapter = start(0, bus_master(true, 0x4000, DEVICE_DESCRIPTION_VERSION3));
    ASSERT_NE(adapter, nullptr);
    PDMA_OPERATIONS ops = adapter->DmaOperations;
    UCHAR context[DMA_TRANSFER_CONTEXT_SIZE_V1] = {};
    ChannelRun run;
    PVOID base = nullptr;
    AtDispatch dispatch;
    // Not initialized.
    EXPECT_EQ(ops->AllocateAdapterChannelEx(adapter, g_devices[0], context, 1, 0, adapter_control, &run, nullptr),
              STATUS_INVALID_PARAMETER);
    ASSERT_EQ(ops->InitializeDmaTransferContext(adapter, context), STATUS_SUCCESS);
    // MapRegisterBase without the synchronous flag; neither routine nor base; routine and base.
    EXPECT_EQ(ops->AllocateAdapterChannelEx(adapter, g_devices[0], context, 1, 0, nullptr, nullptr, &base),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(ops->AllocateAdapterChannelEx(adapter, g_devices[0], context, 1, DMA_SYNCHRONOUS_CALLBACK, nullptr,
                                            nullptr, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(ops->AllocateAdapterChannelEx(adapter, g_devices[0], context, 1, DMA_SYNCHRONOUS_CALLBACK,
                                            adapter_control, &run, &base),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(run.calls, 0);
}

TEST_F(DmaTest, MapTransferExBouncesAReadUntilFlushAdapterBuffersEx) {
    PDMA_ADAPTER adapter = start(0, bus_master(false, 0x4000, DEVICE_DESCRIPTION_VERSION3));
    ASSERT_NE(adapter, nullptr);
    PDMA_OPERATIONS ops = adapter->DmaOperations;
    DmaBuffer buffer(0x200, 2 * PAGE_SIZE);
    std::memset(buffer.data, 0, buffer.length);
    SimulatedDevice device(buffer.length);
    fill(device.memory, 0x19);
    UCHAR context[DMA_TRANSFER_CONTEXT_SIZE_V1];
    ASSERT_EQ(ops->InitializeDmaTransferContext(adapter, context), STATUS_SUCCESS);
    DMA_TRANSFER_INFO info{};
    info.Version = DMA_TRANSFER_INFO_VERSION1;
    ASSERT_EQ(ops->GetDmaTransferInfo(adapter, buffer.mdl, 0, buffer.length, FALSE, &info), STATUS_SUCCESS);
    std::vector<ULONG_PTR> storage(info.V1.ScatterGatherListSize / sizeof(ULONG_PTR) + 1);
    auto* list = reinterpret_cast<PSCATTER_GATHER_LIST>(storage.data());
    AtDispatch dispatch;
    PVOID base = nullptr;
    ASSERT_EQ(ops->AllocateAdapterChannelEx(adapter, g_devices[0], context, info.V1.MapRegisterCount,
                                            DMA_SYNCHRONOUS_CALLBACK, nullptr, nullptr, &base),
              STATUS_SUCCESS);
    ASSERT_NE(base, nullptr);
    ULONG length = buffer.length;
    ASSERT_EQ(ops->MapTransferEx(adapter, buffer.mdl, base, 0, 0, &length, FALSE, list, info.V1.ScatterGatherListSize,
                                 nullptr, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(length, buffer.length);
    device.dma_to_host(list);
    EXPECT_NE(std::memcmp(buffer.data, device.memory.data(), buffer.length), 0);
    ASSERT_EQ(ops->FlushAdapterBuffersEx(adapter, buffer.mdl, base, 0, buffer.length, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(std::memcmp(buffer.data, device.memory.data(), buffer.length), 0);
    ops->FreeAdapterObject(adapter, DeallocateObject);
    EXPECT_EQ(ops->MapTransferEx(adapter, buffer.mdl, base, 0, 0, &length, FALSE, nullptr, 0, nullptr, nullptr),
              STATUS_INVALID_PARAMETER);
}

TEST_F(DmaTest, GetScatterGatherListExSynchronousReturnsTheList) {
    PDMA_ADAPTER adapter = start(0, bus_master(true, 0x4000, DEVICE_DESCRIPTION_VERSION3));
    ASSERT_NE(adapter, nullptr);
    PDMA_OPERATIONS ops = adapter->DmaOperations;
    DmaBuffer buffer(0, PAGE_SIZE);
    UCHAR context[DMA_TRANSFER_CONTEXT_SIZE_V1];
    ASSERT_EQ(ops->InitializeDmaTransferContext(adapter, context), STATUS_SUCCESS);
    AtDispatch dispatch;
    PSCATTER_GATHER_LIST list = nullptr;
    ASSERT_EQ(ops->GetScatterGatherListEx(adapter, g_devices[0], context, buffer.mdl, 0, buffer.length,
                                          DMA_SYNCHRONOUS_CALLBACK, nullptr, nullptr, TRUE, nullptr, nullptr, &list),
              STATUS_SUCCESS);
    ASSERT_NE(list, nullptr);
    ASSERT_EQ(list->NumberOfElements, 1u);
    EXPECT_EQ(static_cast<ULONG_PTR>(list->Elements[0].Address.QuadPart), reinterpret_cast<ULONG_PTR>(buffer.data));
    EXPECT_EQ(list->Elements[0].Length, buffer.length);
    ops->PutScatterGatherList(adapter, list, TRUE);
    // No routine and not synchronous.
    EXPECT_EQ(ops->GetScatterGatherListEx(adapter, g_devices[0], context, buffer.mdl, 0, buffer.length, 0, nullptr,
                                          nullptr, TRUE, nullptr, nullptr, &list),
              STATUS_INVALID_PARAMETER);
}

}  // namespace dma_transfer_test
