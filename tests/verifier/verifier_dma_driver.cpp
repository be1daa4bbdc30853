// The VerDma driver (written the way a WDM bus-master driver writer writes it, mistakes on request)
// and the fixture that loads it under the verifier.
#include <cstring>

#include "verifier_dma_driver.hpp"

namespace ntio::verifier::dma_test {

DmaDriverState g_dma;

namespace {

alignas(4096) UCHAR g_transfer[2][2 * 4096];

// The AdapterControl routine: keeps the map registers and returns what the command asked for.
IO_ALLOCATION_ACTION NTAPI AdapterControl(PDEVICE_OBJECT, PIRP, PVOID MapRegisterBase, PVOID Context) {
    g_dma.map_register_base = MapRegisterBase;
    return static_cast<DmaCommand*>(Context)->action;
}

// The AdapterListControl routine: keeps the list for the command's PutScatterGatherList.
VOID NTAPI ListControl(PDEVICE_OBJECT, PIRP, PSCATTER_GATHER_LIST ScatterGather, PVOID) { g_dma.list = ScatterGather; }

NTSTATUS Execute(PDEVICE_OBJECT DeviceObject, DmaCommand& c) {
    PDMA_OPERATIONS ops = g_dma.adapter ? g_dma.adapter->DmaOperations : nullptr;
    if (c.op != kGetAdapter && !ops) return STATUS_INVALID_DEVICE_STATE;
    KIRQL old = PASSIVE_LEVEL;
    switch (c.op) {
    case kGetAdapter: {
        DEVICE_DESCRIPTION d;
        RtlZeroMemory(&d, sizeof(d));
        d.Version = DEVICE_DESCRIPTION_VERSION2;
        d.Master = TRUE;
        d.ScatterGather = TRUE;
        d.Dma32BitAddresses = TRUE;
        d.InterfaceType = PCIBus;
        d.MaximumLength = c.length;
        g_dma.adapter = IoGetDmaAdapter(nullptr, &d, &g_dma.map_registers);
        return g_dma.adapter ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    }
    case kPutAdapter:
        ops->PutDmaAdapter(g_dma.adapter);
        g_dma.adapter = nullptr;
        return STATUS_SUCCESS;
    case kAllocateCommon:
    case kFreeCommon:
        if (c.irql != PASSIVE_LEVEL) KeRaiseIrql(c.irql, &old);
        if (c.op == kAllocateCommon)
            c.va = ops->AllocateCommonBuffer(g_dma.adapter, c.length, &c.logical, FALSE);
        else
            ops->FreeCommonBuffer(g_dma.adapter, c.length, c.logical, c.va, FALSE);
        if (c.irql != PASSIVE_LEVEL) KeLowerIrql(old);
        return c.op == kFreeCommon || c.va ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    default:
        break;
    }
    // The channel, map register and list routines run at DISPATCH_LEVEL.
    NTSTATUS status = STATUS_SUCCESS;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    switch (c.op) {
    case kAllocateChannel:
        status = ops->AllocateAdapterChannel(g_dma.adapter, DeviceObject, c.registers, AdapterControl, &c);
        break;
    case kFreeChannel:
        ops->FreeAdapterChannel(g_dma.adapter);
        break;
    case kFreeMapRegisters:
        ops->FreeMapRegisters(g_dma.adapter, g_dma.map_register_base, c.registers);
        break;
    case kMapTransfer: {
        ULONG length = c.length;
        c.logical = ops->MapTransfer(g_dma.adapter, g_dma.mdl[c.buffer], g_dma.map_register_base, c.va, &length, c.write);
        c.length = length;
        break;
    }
    case kFlush:
        if (!ops->FlushAdapterBuffers(g_dma.adapter, g_dma.mdl[c.buffer], g_dma.map_register_base, c.va, c.length,
                                      c.write))
            status = STATUS_UNSUCCESSFUL;
        break;
    case kGetList:
        status = ops->GetScatterGatherList(g_dma.adapter, DeviceObject, g_dma.mdl[c.buffer],
                                           MmGetMdlVirtualAddress(g_dma.mdl[c.buffer]), c.length, ListControl, nullptr,
                                           c.write);
        c.list = g_dma.list;
        break;
    case kPutList:
        ops->PutScatterGatherList(g_dma.adapter, c.list, c.write);
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    KeLowerIrql(old);
    return status;
}

NTSTATUS NTAPI DeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    auto* command = static_cast<DmaCommand*>(sp->Parameters.DeviceIoControl.Type3InputBuffer);
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;
    if (sp->Parameters.DeviceIoControl.IoControlCode == kIoctlDma && command) status = Execute(DeviceObject, *command);
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

VOID NTAPI DriverUnload(PDRIVER_OBJECT DriverObject) {
    if (g_dma.adapter && g_dma.put_adapter_at_unload) {
        g_dma.adapter->DmaOperations->PutDmaAdapter(g_dma.adapter);
        g_dma.adapter = nullptr;
    }
    for (PMDL& mdl : g_dma.mdl) {
        if (mdl) IoFreeMdl(mdl);
        mdl = nullptr;
    }
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
    g_dma.device = nullptr;
}

NTSTATUS NTAPI CreateClose(PDEVICE_OBJECT, PIRP Irp) {
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

}  // namespace

UCHAR* TransferBuffer(ULONG which) { return g_transfer[which]; }

NTSTATUS NTAPI VerDmaDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->DriverUnload = DriverUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = CreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = CreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DeviceControl;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_dma.device);
    if (!NT_SUCCESS(status)) return status;
    for (ULONG i = 0; i < 2; ++i) {
        g_dma.mdl[i] = IoAllocateMdl(g_transfer[i], sizeof(g_transfer[i]), FALSE, FALSE, nullptr);
        if (!g_dma.mdl[i]) return STATUS_INSUFFICIENT_RESOURCES;
        MmBuildMdlForNonPagedPool(g_dma.mdl[i]);
    }
    g_dma.device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

// ---- The fixture ----

void DmaVerifierTest::SetUp() {
    VerifiedDriverTest::SetUp();
    g_dma = DmaDriverState{};
}

void DmaVerifierTest::TearDown() {
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) KeLowerIrql(PASSIVE_LEVEL);
    if (m_driver) {
        (void)NtioVerifierSetFlags(m_driver, 0);
        unload();
    }
    // An adapter a test left behind on purpose (the driver unloaded without putting it back).
    if (g_dma.adapter) {
        g_dma.adapter->DmaOperations->PutDmaAdapter(g_dma.adapter);
        g_dma.adapter = nullptr;
    }
    VerifiedDriverTest::TearDown();
}

void DmaVerifierTest::load(ULONG flags) {
    load_driver(L"VerDma", VerDmaDriverEntry, flags);
    if (HasFatalFailure()) return;
    DmaCommand get{kGetAdapter};
    get.length = 3 * PAGE_SIZE;
    ASSERT_EQ(run(get), STATUS_SUCCESS);
    ASSERT_NE(g_dma.adapter, nullptr);
}

NTSTATUS DmaVerifierTest::run(DmaCommand& command) { return send_ioctl(g_dma.device, kIoctlDma, &command); }

NTSTATUS DmaVerifierTest::run(DmaOp op) {
    DmaCommand command{op};
    return run(command);
}

void DmaVerifierTest::hold_registers(ULONG registers) {
    DmaCommand c{kAllocateChannel};
    c.registers = registers;
    c.action = DeallocateObjectKeepRegisters;
    ASSERT_EQ(run(c), STATUS_SUCCESS);
}

void DmaVerifierTest::release_registers(ULONG registers) {
    DmaCommand c{kFreeMapRegisters};
    c.registers = registers;
    EXPECT_EQ(run(c), STATUS_SUCCESS);
}

}  // namespace ntio::verifier::dma_test
