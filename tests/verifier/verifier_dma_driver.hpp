// "VerDma": a WDM bus-master test driver for the DMA checking suite (verifier option class 8, bug
// check 0xE6). One device; its IRP_MJ_DEVICE_CONTROL (METHOD_NEITHER) takes a DmaCommand and makes
// the DMA call it names, the way a packet-based or scatter/gather driver makes it, right or wrong as
// the test asks. Its state lives in static storage: a test that catches a bugcheck (even at the
// driver's unload) gives back what the driver still holds through FinishDmaLeftovers.
#pragma once

#include <gtest/gtest.h>

#include <optional>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"
#include "verifier_driver_fixture.hpp"

#include <wdm.h>
#include <ntio/ntio.h>
#include <ntio/ntio_verifier.h>

namespace ntio::verifier::dma_test {

inline constexpr ULONG kIoctlDma = CTL_CODE(FILE_DEVICE_UNKNOWN, 0xB00, METHOD_NEITHER, FILE_ANY_ACCESS);

enum DmaOp : ULONG {
    kGetAdapter = 1,       // IoGetDmaAdapter: a 32-bit PCI bus master, MaximumLength `length`
    kPutAdapter,           // PutDmaAdapter
    kAllocateCommon,       // AllocateCommonBuffer(length) -> va (at `irql`)
    kFreeCommon,           // FreeCommonBuffer(length, va) (at `irql`)
    kAllocateChannel,      // AllocateAdapterChannel(registers); the control routine returns `action`
    kFreeChannel,          // FreeAdapterChannel
    kFreeMapRegisters,     // FreeMapRegisters(base, registers)
    kMapTransfer,          // MapTransfer(buffer `buffer`, va, length, write) -> length mapped, logical
    kFlush,                // FlushAdapterBuffers(buffer `buffer`, va, length, write)
    kGetList,              // GetScatterGatherList(buffer `buffer`, length, write) -> list
    kPutList,              // PutScatterGatherList(list, write)
};

struct DmaCommand {
    DmaOp op;
    ULONG length = 0;
    ULONG registers = 0;
    IO_ALLOCATION_ACTION action = KeepObject;
    ULONG buffer = 0;       // which of the driver's two transfer buffers (MDLs)
    PVOID va = nullptr;     // in: address to map / flush / free; out: the common buffer
    BOOLEAN write = TRUE;
    KIRQL irql = PASSIVE_LEVEL;
    // Out.
    PHYSICAL_ADDRESS logical{};
    PSCATTER_GATHER_LIST list = nullptr;
};

// What the driver holds (static storage, so it outlives a driver the test unloaded).
struct DmaDriverState {
    PDEVICE_OBJECT device = nullptr;
    PDMA_ADAPTER adapter = nullptr;
    ULONG map_registers = 0;
    PVOID map_register_base = nullptr;
    PSCATTER_GATHER_LIST list = nullptr;
    PMDL mdl[2] = {};
    bool put_adapter_at_unload = true;  // DriverUnload puts an adapter it still has
};
extern DmaDriverState g_dma;

// The driver's two transfer buffers, two pages each, page-aligned.
UCHAR* TransferBuffer(ULONG which);

NTSTATUS NTAPI VerDmaDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

class DmaVerifierTest : public ntio::verifier::test::VerifiedDriverTest {
protected:
    void SetUp() override;
    void TearDown() override;
    // Loads VerDma and verifies it with flags (0: not verified), then gets its adapter.
    void load(ULONG flags = NTIO_VERIFIER_STANDARD_FLAGS);
    // One DMA call by the driver; the IOCTL's final status.
    NTSTATUS run(DmaCommand& command);
    NTSTATUS run(DmaOp op);
    // The adapter channel with `registers` map registers kept (DeallocateObjectKeepRegisters), and
    // those registers given back.
    void hold_registers(ULONG registers);
    void release_registers(ULONG registers);
    // Expects the 0xE6 bugcheck from body and returns it (IRQL back to PASSIVE_LEVEL).
    ntio::test::BugCheck expect_dma_violation(const std::function<void()>& body) {
        return expect_stop(body, DRIVER_VERIFIER_DMA_VIOLATION);
    }
    // Expects body to run without a bugcheck.
    void expect_clean(const std::function<void()>& body) { ntio::test::expect_no_bugcheck(body); }
};

}  // namespace ntio::verifier::dma_test
