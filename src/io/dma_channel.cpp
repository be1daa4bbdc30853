// The adapter channel and map registers: AllocateAdapterChannel(Ex) and the requests waiting for
// them, FreeAdapterChannel, FreeMapRegisters, FreeAdapterObject, CancelAdapterChannel.
#include "io/dma_adapter.hpp"
#include "io/dma_routines.hpp"
#include "io/dma_verifier.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io::dma {
namespace {

PWAIT_CONTEXT_BLOCK wcb_of(PLIST_ENTRY entry) { return CONTAINING_RECORD(entry, WAIT_CONTEXT_BLOCK, DmaWaitEntry); }

// Under the lock: the channel owner's registers.
void release_channel(Adapter& a, bool keep_registers) {
    if (!keep_registers && a.channel_base) release_registers(a, a.channel_base);
    if (keep_registers && a.verification) a.verification->kept_registers += a.channel_count;
    a.channel_base = nullptr;
    a.channel_count = 0;
    a.channel_busy = false;
}

// The checks every channel request shares: a valid adapter, a device, registers within the limit.
NTSTATUS check_channel_request(Adapter* a, PDEVICE_OBJECT device, ULONG registers) {
    if (!a || !device) return STATUS_INVALID_PARAMETER;
    if (registers > a->map_registers) return STATUS_INSUFFICIENT_RESOURCES;
    return STATUS_SUCCESS;
}

}  // namespace

bool available_now(Adapter& a, bool channel) {
    if (!IsListEmpty(&a.register_waiters)) return false;
    if (channel && (a.channel_busy || !IsListEmpty(&a.channel_waiters))) return false;
    return true;
}

void prepare_wait(PWAIT_CONTEXT_BLOCK wcb, bool channel, PDEVICE_OBJECT device, PDRIVER_CONTROL routine, PVOID context,
                  ULONG registers) {
    std::memset(wcb, 0, sizeof(*wcb));
    wcb->NumberOfChannels = channel ? 1 : 0;
    wcb->DeviceRoutine = routine;
    wcb->DeviceContext = context;
    wcb->NumberOfMapRegisters = registers;
    wcb->DeviceObject = device;
    wcb->CurrentIrp = device->CurrentIrp;
}

void queue_request(Adapter& a, PWAIT_CONTEXT_BLOCK wcb) {
    KIRQL irql;
    KeAcquireSpinLock(&a.lock, &irql);
    InsertTailList(wcb->NumberOfChannels != 0 ? &a.channel_waiters : &a.register_waiters, &wcb->DmaWaitEntry);
    KeReleaseSpinLock(&a.lock, irql);
    pump(a);
}

bool reserve_registers(Adapter& a, ULONG count, MapRegister** base) {
    *base = nullptr;
    if (!a.bounces || count == 0) return true;
    const ULONG index = RtlFindClearBitsAndSet(&a.in_use, count, 0);
    if (index == 0xFFFFFFFF) return false;
    MapRegister* first = a.registers + index;
    for (ULONG i = 0; i < count; ++i) first[i] = MapRegister{};
    first->run = count;
    *base = first;
    return true;
}

void release_registers(Adapter& a, MapRegister* base) {
    if (!a.bounces || !base || base < a.registers || base >= a.registers + a.map_registers || base->run == 0) return;
    const ULONG index = static_cast<ULONG>(base - a.registers);
    const ULONG count = std::min(base->run, a.map_registers - index);
    base->run = 0;
    RtlClearBits(&a.in_use, index, count);
    if (a.verification) std::memset(bounce_page(a, base), kDmaFill, static_cast<SIZE_T>(count) * PAGE_SIZE);
}

void pump(Adapter& a) {
    AtDispatch dispatch;
    KeAcquireSpinLockAtDpcLevel(&a.lock);
    if (a.pumping) {  // that thread grants what this one made possible
        KeReleaseSpinLockFromDpcLevel(&a.lock);
        return;
    }
    a.pumping = true;
    for (;;) {
        if (!a.channel_busy && !IsListEmpty(&a.channel_waiters)) {
            PLIST_ENTRY next = RemoveHeadList(&a.channel_waiters);
            a.channel_busy = true;
            InsertTailList(&a.register_waiters, next);
        }
        if (IsListEmpty(&a.register_waiters)) break;
        PWAIT_CONTEXT_BLOCK wcb = wcb_of(a.register_waiters.Flink);
        MapRegister* base = nullptr;
        if (!reserve_registers(a, wcb->NumberOfMapRegisters, &base)) break;
        RemoveEntryList(&wcb->DmaWaitEntry);
        const bool channel = wcb->NumberOfChannels != 0;
        if (channel) {
            a.channel_base = base;
            a.channel_count = wcb->NumberOfMapRegisters;
        }
        KeReleaseSpinLockFromDpcLevel(&a.lock);
        const IO_ALLOCATION_ACTION action = wcb->DeviceRoutine(static_cast<PDEVICE_OBJECT>(wcb->DeviceObject),
                                                               static_cast<PIRP>(wcb->CurrentIrp), base,
                                                               wcb->DeviceContext);
        KeAcquireSpinLockAtDpcLevel(&a.lock);
        if (channel && action != KeepObject) release_channel(a, action == DeallocateObjectKeepRegisters);
    }
    a.pumping = false;
    KeReleaseSpinLockFromDpcLevel(&a.lock);
}

void settle_channel(Adapter& a, IO_ALLOCATION_ACTION action) {
    if (action == KeepObject) return;
    KIRQL irql;
    KeAcquireSpinLock(&a.lock, &irql);
    if (a.channel_busy) release_channel(a, action == DeallocateObjectKeepRegisters);
    KeReleaseSpinLock(&a.lock, irql);
    pump(a);
}

bool cancel_wait(Adapter& a, PWAIT_CONTEXT_BLOCK wcb) {
    bool found = false;
    KIRQL irql;
    KeAcquireSpinLock(&a.lock, &irql);
    for (PLIST_ENTRY list : {&a.channel_waiters, &a.register_waiters}) {
        for (PLIST_ENTRY e = list->Flink; e != list && !found; e = e->Flink) {
            if (wcb_of(e) != wcb) continue;
            RemoveEntryList(e);
            found = true;
            // Waiting for registers with the channel already given: the channel goes back.
            if (list == &a.register_waiters && wcb->NumberOfChannels != 0) release_channel(a, false);
        }
    }
    KeReleaseSpinLock(&a.lock, irql);
    if (found) pump(a);
    return found;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pallocate_adapter_channel
// Queues the device (through DeviceObject->Queue.Wcb, so one request per device at a time) for the
// adapter channel and NumberOfMapRegisters map registers; when it has them, ExecutionRoutine runs at
// DISPATCH_LEVEL with DeviceObject->CurrentIrp and the MapRegisterBase, at once if both are free.
// Its IO_ALLOCATION_ACTION: KeepObject keeps channel and registers until FreeAdapterChannel;
// DeallocateObject frees both; DeallocateObjectKeepRegisters frees the channel and leaves the
// registers to FreeMapRegisters. STATUS_INSUFFICIENT_RESOURCES for more registers than
// IoGetDmaAdapter gave. NT deviation: a NULL device or routine gets STATUS_INVALID_PARAMETER
// (NT faults); a caller below DISPATCH_LEVEL is served at DISPATCH_LEVEL.
NTSTATUS NTAPI allocate_adapter_channel(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject, ULONG NumberOfMapRegisters,
                                        PDRIVER_CONTROL ExecutionRoutine, PVOID Context) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::DispatchOnly);
    Adapter* a = adapter_of(DmaAdapter);
    if (a && a->verification) verify_channel_request(*a, NumberOfMapRegisters);
    const NTSTATUS status = check_channel_request(a, DeviceObject, NumberOfMapRegisters);
    if (!NT_SUCCESS(status)) return status;
    if (!ExecutionRoutine) return STATUS_INVALID_PARAMETER;
    PWAIT_CONTEXT_BLOCK wcb = &DeviceObject->Queue.Wcb;
    prepare_wait(wcb, true, DeviceObject, ExecutionRoutine, Context, NumberOfMapRegisters);
    queue_request(*a, wcb);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pallocate_adapter_channel_ex
// AllocateAdapterChannel with a transfer context (its wait block; CancelAdapterChannel can take the
// request back). DMA_SYNCHRONOUS_CALLBACK: the channel and registers now or
// STATUS_INSUFFICIENT_RESOURCES; with no ExecutionRoutine *MapRegisterBase gets the registers and
// the caller owns the channel until FreeAdapterObject. STATUS_INVALID_PARAMETER for a context of
// another adapter or not initialized, unknown flags, or a MapRegisterBase / ExecutionRoutine
// combination the page rules out (MapRegisterBase only, and required, with the flag and no routine).
NTSTATUS NTAPI allocate_adapter_channel_ex(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject,
                                           PVOID DmaTransferContext, ULONG NumberOfMapRegisters, ULONG Flags,
                                           PDRIVER_CONTROL ExecutionRoutine, PVOID ExecutionContext,
                                           PVOID* MapRegisterBase) {
    Adapter* a = adapter_of(DmaAdapter);
    if (a && a->verification) verify_channel_request(*a, NumberOfMapRegisters);
    const NTSTATUS status = check_channel_request(a, DeviceObject, NumberOfMapRegisters);
    if (!NT_SUCCESS(status)) return status;
    TransferContext* c = transfer_context_of(*a, DmaTransferContext);
    const bool sync = (Flags & DMA_SYNCHRONOUS_CALLBACK) != 0;
    if (!c || (Flags & ~static_cast<ULONG>(DMA_SYNCHRONOUS_CALLBACK))) return STATUS_INVALID_PARAMETER;
    if (ExecutionRoutine ? MapRegisterBase != nullptr : (!sync || !MapRegisterBase)) return STATUS_INVALID_PARAMETER;

    PWAIT_CONTEXT_BLOCK wcb = &c->wcb;
    prepare_wait(wcb, true, DeviceObject, ExecutionRoutine, ExecutionContext, NumberOfMapRegisters);
    wcb->SyncCallback = sync;
    c->queued = wcb;
    c->list = nullptr;
    if (!sync) {
        queue_request(*a, wcb);
        return STATUS_SUCCESS;
    }
    // Synchronous: take channel and registers now, or fail without waiting.
    AtDispatch dispatch;
    MapRegister* base = nullptr;
    KeAcquireSpinLockAtDpcLevel(&a->lock);
    if (!available_now(*a, true) || !reserve_registers(*a, NumberOfMapRegisters, &base)) {
        KeReleaseSpinLockFromDpcLevel(&a->lock);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    a->channel_busy = true;
    a->channel_base = base;
    a->channel_count = NumberOfMapRegisters;
    KeReleaseSpinLockFromDpcLevel(&a->lock);
    if (!ExecutionRoutine) {
        *MapRegisterBase = base;
        return STATUS_SUCCESS;
    }
    settle_channel(*a, ExecutionRoutine(DeviceObject, DeviceObject->CurrentIrp, base, ExecutionContext));
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pfree_adapter_channel
// Releases the channel its owner kept (KeepObject) with the map registers it still holds, and
// gives it to the next waiting device. DISPATCH_LEVEL.
VOID NTAPI free_adapter_channel(PDMA_ADAPTER DmaAdapter) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::DispatchOnly);
    Adapter* a = adapter_of(DmaAdapter);
    if (a && a->verification) verify_free_channel(*a);
    if (a) settle_channel(*a, DeallocateObject);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pfree_adapter_object
// Ends the ownership AllocateAdapterChannelEx gave: DeallocateObject frees channel and registers,
// DeallocateObjectKeepRegisters only the channel; KeepObject changes nothing.
VOID NTAPI free_adapter_object(PDMA_ADAPTER DmaAdapter, IO_ALLOCATION_ACTION AllocationAction) {
    Adapter* a = adapter_of(DmaAdapter);
    if (a && a->verification && AllocationAction != KeepObject) verify_free_channel(*a);
    if (a) settle_channel(*a, AllocationAction);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pfree_map_registers
// Frees map registers kept with DeallocateObjectKeepRegisters, then serves requests waiting for
// registers. A NULL base (an adapter that needed none) frees nothing. DISPATCH_LEVEL.
VOID NTAPI free_map_registers(PDMA_ADAPTER DmaAdapter, PVOID MapRegisterBase, ULONG NumberOfMapRegisters) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::DispatchOnly);
    Adapter* a = adapter_of(DmaAdapter);
    if (a && a->verification)
        verify_free_map_registers(*a, static_cast<MapRegister*>(MapRegisterBase), NumberOfMapRegisters);
    if (!a || !MapRegisterBase) return;
    KIRQL irql;
    KeAcquireSpinLock(&a->lock, &irql);
    release_registers(*a, static_cast<MapRegister*>(MapRegisterBase));
    KeReleaseSpinLock(&a->lock, irql);
    pump(*a);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-pcancel_adapter_channel
// Takes back a request AllocateAdapterChannelEx or GetScatterGatherListEx / BuildScatterGatherListEx
// made with DmaTransferContext if it still waits: TRUE, and its routine will not run. FALSE once it
// ran (or for a context this adapter does not know).
BOOLEAN NTAPI cancel_adapter_channel(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject, PVOID DmaTransferContext) {
    (void)DeviceObject;
    Adapter* a = adapter_of(DmaAdapter);
    TransferContext* c = a ? transfer_context_of(*a, DmaTransferContext) : nullptr;
    if (!c || !c->queued) return FALSE;
    if (!cancel_wait(*a, c->queued)) return FALSE;
    ListState* list = c->list;
    c->queued = nullptr;
    c->list = nullptr;
    if (list && list->pool) ExFreePoolWithTag(list->list, kListTag);
    return TRUE;
}

}  // namespace ntio::io::dma
