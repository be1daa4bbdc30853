// A bus-master test driver for the DMA suites: three devices (the driver's own PDOs here), each
// with an extension holding its DMA adapter, and a simulated device that "does the DMA" by copying
// to and from the logical addresses the adapter hands out.
#pragma once

#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include <ntddk.h>
#include <ntio/ntio.h>

#include "support/driver_fixture.hpp"

namespace dma_test {

constexpr ULONG kDevices = 3;
constexpr ULONG kPoolTag = 0x74414D44;  // "DMAt"

struct Extension {
    PDMA_ADAPTER adapter;
    ULONG map_registers;
};

inline PDEVICE_OBJECT g_devices[kDevices];

inline VOID NTAPI unload(PDRIVER_OBJECT driver) {
    while (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

inline NTSTATUS NTAPI entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = unload;
    for (PDEVICE_OBJECT& device : g_devices) {
        NTSTATUS status = IoCreateDevice(driver, sizeof(Extension), nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
        if (!NT_SUCCESS(status)) return status;
        device->Flags &= ~DO_DEVICE_INITIALIZING;
    }
    return STATUS_SUCCESS;
}

// The simulated device: copies between its own memory and logical (= host) addresses.
struct SimulatedDevice {
    std::vector<UCHAR> memory;
    explicit SimulatedDevice(size_t size) : memory(size) {}
    // Device reads host memory (a write to the device): element by element, in order.
    void dma_from_host(const SCATTER_GATHER_LIST* list, size_t at = 0) {
        for (ULONG i = 0; i < list->NumberOfElements; ++i) {
            const auto& e = list->Elements[i];
            std::memcpy(memory.data() + at, reinterpret_cast<const void*>(e.Address.QuadPart), e.Length);
            at += e.Length;
        }
    }
    // Device writes host memory (a read from the device).
    void dma_to_host(const SCATTER_GATHER_LIST* list, size_t at = 0) {
        for (ULONG i = 0; i < list->NumberOfElements; ++i) {
            const auto& e = list->Elements[i];
            std::memcpy(reinterpret_cast<void*>(e.Address.QuadPart), memory.data() + at, e.Length);
            at += e.Length;
        }
    }
};

// A nonpaged buffer of `length` bytes starting `offset` bytes into its first page, with its MDL.
struct DmaBuffer {
    UCHAR* block = nullptr;
    UCHAR* data = nullptr;
    ULONG length = 0;
    PMDL mdl = nullptr;
    DmaBuffer(ULONG offset, ULONG bytes) : length(bytes) {
        block = static_cast<UCHAR*>(ExAllocatePoolWithTag(NonPagedPoolNx, offset + bytes + PAGE_SIZE, kPoolTag));
        // Page-align the start so `offset` is the byte offset in the first page.
        auto base = (reinterpret_cast<ULONG_PTR>(block) + PAGE_SIZE - 1) & ~static_cast<ULONG_PTR>(PAGE_SIZE - 1);
        data = reinterpret_cast<UCHAR*>(base) + offset;
        mdl = IoAllocateMdl(data, bytes, FALSE, FALSE, nullptr);
        MmBuildMdlForNonPagedPool(mdl);
    }
    ~DmaBuffer() {
        IoFreeMdl(mdl);
        ExFreePoolWithTag(block, kPoolTag);
    }
    DmaBuffer(const DmaBuffer&) = delete;
    DmaBuffer& operator=(const DmaBuffer&) = delete;
    void fill(UCHAR seed) {
        for (ULONG i = 0; i < length; ++i) data[i] = static_cast<UCHAR>(seed + i * 7);
    }
};

inline void fill(std::vector<UCHAR>& bytes, UCHAR seed) {
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<UCHAR>(seed + i * 13);
}

// Scoped DISPATCH_LEVEL, where the list and channel routines are called.
class AtDispatch {
public:
    AtDispatch() { KeRaiseIrql(DISPATCH_LEVEL, &m_old); }
    ~AtDispatch() { KeLowerIrql(m_old); }
    AtDispatch(const AtDispatch&) = delete;
    AtDispatch& operator=(const AtDispatch&) = delete;

private:
    KIRQL m_old = PASSIVE_LEVEL;
};

// A device description for a PCI bus master: 64-bit capable or limited to 32 bits.
inline DEVICE_DESCRIPTION bus_master(bool dma64, ULONG maximum_length, ULONG version = DEVICE_DESCRIPTION_VERSION2) {
    DEVICE_DESCRIPTION d;
    std::memset(&d, 0, sizeof(d));
    d.Version = version;
    d.Master = TRUE;
    d.ScatterGather = TRUE;
    d.Dma32BitAddresses = TRUE;
    d.Dma64BitAddresses = dma64 ? TRUE : FALSE;
    d.InterfaceType = PCIBus;
    d.MaximumLength = maximum_length;
    if (version == DEVICE_DESCRIPTION_VERSION3) d.DmaAddressWidth = dma64 ? 64 : 32;
    return d;
}

class DmaTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        DriverTest::SetUp();
        ASSERT_EQ(create_driver(L"DmaTestDriver", entry), STATUS_SUCCESS);
    }
    void TearDown() override {
        for (PDEVICE_OBJECT device : g_devices) {
            auto* ext = static_cast<Extension*>(device->DeviceExtension);
            if (ext->adapter) ext->adapter->DmaOperations->PutDmaAdapter(ext->adapter);
            ext->adapter = nullptr;
        }
        DriverTest::TearDown();
    }
    // What the driver does in IRP_MN_START_DEVICE: gets the adapter for device `i`.
    PDMA_ADAPTER start(ULONG i, DEVICE_DESCRIPTION description) {
        auto* ext = static_cast<Extension*>(g_devices[i]->DeviceExtension);
        ext->adapter = IoGetDmaAdapter(g_devices[i], &description, &ext->map_registers);
        return ext->adapter;
    }
    static Extension* ext(ULONG i) { return static_cast<Extension*>(g_devices[i]->DeviceExtension); }
};

}  // namespace dma_test
