// The interrupt suite's driver (see interrupt_test_driver.hpp) and the registry setup of its device.
#include "interrupt_test_driver.hpp"
#include "support/service_keys.hpp"

#include <cstring>
#include <memory>

namespace ntio::interrupt_test {

namespace {

std::unique_ptr<State> g_state;

struct FdoExtension {
    PDEVICE_OBJECT self;
    PDEVICE_OBJECT lower;
    PDEVICE_OBJECT pdo;
    ULONG connect_version;           // what IoConnectInterruptEx returned in Version (0: not connected)
    PVOID connection;                // its connection context
    PKINTERRUPT interrupt;           // the line-based (or fully specified) interrupt object
    PIO_INTERRUPT_MESSAGE_INFO messages;
    PIRP current;                    // the read the device works on; under the interrupt spin lock
    KSPIN_LOCK isr_lock;             // the interrupt spin lock the driver supplies (fully specified)
    bool own_lock;
};

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information = 0) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

// The interrupt object KeSynchronizeExecution synchronizes with: the line's, or message 0's.
PKINTERRUPT sync_interrupt(FdoExtension* ext) {
    if (ext->interrupt) return ext->interrupt;
    if (ext->messages) return ext->messages->MessageInfo[0].InterruptObject;
    return nullptr;
}

// ---- ISR, DPC for ISR ----

// The ISR's work: is it our device (status register), acknowledge, hand the current read to the DPC.
BOOLEAN service(FdoExtension* ext, PKINTERRUPT interrupt, ULONG message) {
    Observed& o = g_state->observed;
    o.isr_calls.fetch_add(1);
    o.isr_irql = KeGetCurrentIrql();
    o.isr_thread = KeGetCurrentThread();
    o.isr_message = message;
    (void)interrupt;
    // The interrupt spin lock is held while the ISR runs: a test of it from here finds it taken.
    if (ext->own_lock) o.isr_lock_held = KeTestSpinLock(&ext->isr_lock) == FALSE;
    if (g_state->hardware.status.exchange(0) == 0) return FALSE;  // not ours; acknowledged otherwise
    o.isr_claims.fetch_add(1);
    PIRP irp = ext->current;
    ext->current = nullptr;
    IoRequestDpc(ext->self, irp, ext);
    return TRUE;
}

BOOLEAN NTAPI isr(PKINTERRUPT interrupt, PVOID context) {
    return service(static_cast<FdoExtension*>(context), interrupt, 0xFFFFFFFF);
}

BOOLEAN NTAPI message_isr(PKINTERRUPT interrupt, PVOID context, ULONG message) {
    return service(static_cast<FdoExtension*>(context), interrupt, message);
}

VOID NTAPI dpc_for_isr(PKDPC, PDEVICE_OBJECT device, PIRP irp, PVOID context) {
    Observed& o = g_state->observed;
    o.dpc_irql = KeGetCurrentIrql();
    o.dpc_executing = KeIsExecutingDpc() != FALSE;
    o.dpc_irp = irp;
    o.dpc_thread = KeGetCurrentThread();
    EXPECT_EQ(context, device->DeviceExtension);
    if (irp) {
        auto* buffer = static_cast<UCHAR*>(irp->AssociatedIrp.SystemBuffer);
        const ULONG length = IoGetCurrentIrpStackLocation(irp)->Parameters.Read.Length;
        std::memset(buffer, g_state->hardware.data.load(), length);
        complete(irp, STATUS_SUCCESS, length);
    }
    o.dpc_calls.fetch_add(1);
}

// ---- Connect and disconnect ----

// The first CmResourceTypeInterrupt descriptor of a START resource list, as a WDM driver scans for it.
PCM_PARTIAL_RESOURCE_DESCRIPTOR find_interrupt(PCM_RESOURCE_LIST list, ULONG* count) {
    *count = 0;
    if (!list || list->Count == 0) return nullptr;
    PCM_PARTIAL_RESOURCE_LIST partial = &list->List[0].PartialResourceList;
    *count = partial->Count;
    for (ULONG i = 0; i < partial->Count; ++i) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = partial->PartialDescriptors + i;
        if (d->Type == CmResourceTypeInterrupt) return d;
    }
    return nullptr;
}

NTSTATUS connect(FdoExtension* ext, PIO_STACK_LOCATION sp) {
    State& s = *g_state;
    ULONG raw_count = 0;
    ULONG translated_count = 0;
    PCM_PARTIAL_RESOURCE_DESCRIPTOR raw = find_interrupt(sp->Parameters.StartDevice.AllocatedResources, &raw_count);
    PCM_PARTIAL_RESOURCE_DESCRIPTOR translated =
        find_interrupt(sp->Parameters.StartDevice.AllocatedResourcesTranslated, &translated_count);
    s.raw_count = raw_count;
    s.translated_count = translated_count;
    if (raw) s.raw = *raw;
    if (translated) s.translated = *translated;
    s.had_resources = raw && translated;
    const Connect how = s.connect.load();
    if (how == Connect::legacy || how == Connect::legacy_raw) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = how == Connect::legacy ? translated : raw;
        if (!d) return s.connect_status = STATUS_DEVICE_CONFIGURATION_ERROR;
        const KIRQL irql = static_cast<KIRQL>(d->u.Interrupt.Level);
        NTSTATUS status = IoConnectInterrupt(
            &ext->interrupt, isr, ext, nullptr, d->u.Interrupt.Vector, irql,
            s.synchronize_irql ? s.synchronize_irql : irql,
            (d->Flags & CM_RESOURCE_INTERRUPT_LATCHED) ? Latched : LevelSensitive,
            d->ShareDisposition == CmResourceShareShared, d->u.Interrupt.Affinity, FALSE);
        s.connect_status = status;
        if (!NT_SUCCESS(status)) return status;
        ext->connect_version = CONNECT_FULLY_SPECIFIED;
        ext->connection = ext->interrupt;
        s.connect_version = CONNECT_FULLY_SPECIFIED;
        s.connection = ext->connection;
        return status;
    }
    IO_CONNECT_INTERRUPT_PARAMETERS params;
    RtlZeroMemory(&params, sizeof params);
    switch (s.connect.load()) {
    case Connect::none: return STATUS_SUCCESS;
    case Connect::line_based:
        params.Version = CONNECT_LINE_BASED;
        params.LineBased.PhysicalDeviceObject = ext->pdo;
        params.LineBased.InterruptObject = &ext->interrupt;
        params.LineBased.ServiceRoutine = isr;
        params.LineBased.ServiceContext = ext;
        params.LineBased.SpinLock = nullptr;
        params.LineBased.SynchronizeIrql = PASSIVE_LEVEL;
        params.LineBased.FloatingSave = FALSE;
        break;
    case Connect::message_based:
    case Connect::message_no_fallback:
        params.Version = CONNECT_MESSAGE_BASED;
        params.MessageBased.PhysicalDeviceObject = ext->pdo;
        params.MessageBased.ConnectionContext.Generic = &ext->connection;
        params.MessageBased.MessageServiceRoutine = message_isr;
        params.MessageBased.ServiceContext = ext;
        // One ISR for every message, sharing ext->current: one spin lock for them all.
        KeInitializeSpinLock(&ext->isr_lock);
        ext->own_lock = true;
        params.MessageBased.SpinLock = &ext->isr_lock;
        params.MessageBased.SynchronizeIrql = PASSIVE_LEVEL;
        params.MessageBased.FallBackServiceRoutine = s.connect == Connect::message_based ? isr : nullptr;
        break;
    case Connect::legacy:
    case Connect::legacy_raw: return STATUS_UNSUCCESSFUL;  // handled above
    case Connect::fully_specified:
        if (!translated) return s.connect_status = STATUS_DEVICE_CONFIGURATION_ERROR;
        params.Version = CONNECT_FULLY_SPECIFIED;
        params.FullySpecified.PhysicalDeviceObject = ext->pdo;
        params.FullySpecified.InterruptObject = &ext->interrupt;
        params.FullySpecified.ServiceRoutine = isr;
        params.FullySpecified.ServiceContext = ext;
        KeInitializeSpinLock(&ext->isr_lock);
        ext->own_lock = true;
        params.FullySpecified.SpinLock = &ext->isr_lock;
        params.FullySpecified.Vector = translated->u.Interrupt.Vector;
        params.FullySpecified.Irql = static_cast<KIRQL>(translated->u.Interrupt.Level);
        params.FullySpecified.SynchronizeIrql = s.synchronize_irql ? s.synchronize_irql : params.FullySpecified.Irql;
        params.FullySpecified.ShareVector = translated->ShareDisposition == CmResourceShareShared;
        params.FullySpecified.InterruptMode =
            (translated->Flags & CM_RESOURCE_INTERRUPT_LATCHED) ? Latched : LevelSensitive;
        params.FullySpecified.ProcessorEnableMask = translated->u.Interrupt.Affinity;
        break;
    }
    NTSTATUS status = IoConnectInterruptEx(&params);
    s.connect_status = status;
    if (!NT_SUCCESS(status)) return status;
    ext->connect_version = params.Version;
    switch (params.Version) {
    case CONNECT_MESSAGE_BASED: ext->messages = static_cast<PIO_INTERRUPT_MESSAGE_INFO>(ext->connection); break;
    case CONNECT_LINE_BASED:
        if (!ext->interrupt) ext->interrupt = static_cast<PKINTERRUPT>(ext->connection);  // the fallback
        ext->connection = ext->interrupt;
        break;
    default: ext->connection = ext->interrupt; break;
    }
    s.connect_version = params.Version;
    s.connection = ext->connection;
    return status;
}

void disconnect(FdoExtension* ext) {
    if (!ext->connect_version) return;
    IO_DISCONNECT_INTERRUPT_PARAMETERS params;
    RtlZeroMemory(&params, sizeof params);
    params.Version = ext->connect_version;
    params.ConnectionContext.Generic = ext->connection;
    IoDisconnectInterruptEx(&params);
    ext->connect_version = 0;
    ext->interrupt = nullptr;
    ext->messages = nullptr;
}

// ---- Dispatch routines ----

NTSTATUS NTAPI add_device(PDRIVER_OBJECT driver, PDEVICE_OBJECT pdo) {
    PDEVICE_OBJECT fdo = nullptr;
    NTSTATUS status = IoCreateDevice(driver, sizeof(FdoExtension), nullptr, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN,
                                     FALSE, &fdo);
    if (!NT_SUCCESS(status)) return status;
    auto* ext = static_cast<FdoExtension*>(fdo->DeviceExtension);
    RtlZeroMemory(ext, sizeof *ext);
    ext->self = fdo;
    ext->pdo = pdo;
    IoInitializeDpcRequest(fdo, dpc_for_isr);
    ext->lower = IoAttachDeviceToDeviceStack(fdo, pdo);
    if (!ext->lower) {
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    g_state->pdo = pdo;
    g_state->fdo = fdo;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI dispatch_pnp(PDEVICE_OBJECT fdo, PIRP irp) {
    auto* ext = static_cast<FdoExtension*>(fdo->DeviceExtension);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    switch (sp->MinorFunction) {
    case IRP_MN_START_DEVICE: {
        NTSTATUS status = IoForwardIrpSynchronously(ext->lower, irp) ? irp->IoStatus.Status : STATUS_UNSUCCESSFUL;
        // "A PnP driver should call IoConnectInterrupt as part of device start-up, before it
        // completes the PnP IRP_MN_START_DEVICE request."
        if (NT_SUCCESS(status)) status = connect(ext, sp);
        return complete(irp, status);
    }
    case IRP_MN_REMOVE_DEVICE: {
        // No ISR after the disconnect, so no new DPC for ISR; the one the last ISR may have queued
        // must have run before the device object (which holds the KDPC) goes.
        disconnect(ext);
        KeFlushQueuedDpcs();
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(irp);
        NTSTATUS status = IoCallDriver(ext->lower, irp);
        IoDetachDevice(ext->lower);
        IoDeleteDevice(fdo);
        KeSetEvent(&g_state->removed, IO_NO_INCREMENT, FALSE);
        return status;
    }
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL: irp->IoStatus.Status = STATUS_SUCCESS; break;
    default: break;
    }
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(ext->lower, irp);
}

NTSTATUS NTAPI dispatch_power(PDEVICE_OBJECT fdo, PIRP irp) {
    auto* ext = static_cast<FdoExtension*>(fdo->DeviceExtension);
    PoStartNextPowerIrp(irp);
    IoSkipCurrentIrpStackLocation(irp);
    return PoCallDriver(ext->lower, irp);
}

NTSTATUS NTAPI dispatch_create_close(PDEVICE_OBJECT, PIRP irp) { return complete(irp, STATUS_SUCCESS); }

struct StartTransfer {
    FdoExtension* ext;
    PIRP irp;
};

// Programs the "device" with the read: under the interrupt spin lock, as the ISR reads it.
BOOLEAN NTAPI start_transfer(PVOID context) {
    auto* start = static_cast<StartTransfer*>(context);
    EXPECT_EQ(start->ext->current, nullptr);
    start->ext->current = start->irp;
    return TRUE;
}

NTSTATUS NTAPI dispatch_read(PDEVICE_OBJECT fdo, PIRP irp) {
    auto* ext = static_cast<FdoExtension*>(fdo->DeviceExtension);
    PKINTERRUPT interrupt = sync_interrupt(ext);
    if (!interrupt) return complete(irp, STATUS_DEVICE_NOT_READY);
    IoMarkIrpPending(irp);
    StartTransfer start{ext, irp};
    (void)KeSynchronizeExecution(interrupt, start_transfer, &start);
    return STATUS_PENDING;
}

VOID NTAPI unload(PDRIVER_OBJECT) {}

NTSTATUS NTAPI driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverExtension->AddDevice = add_device;
    driver->MajorFunction[IRP_MJ_PNP] = dispatch_pnp;
    driver->MajorFunction[IRP_MJ_POWER] = dispatch_power;
    driver->MajorFunction[IRP_MJ_CREATE] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = dispatch_create_close;
    driver->MajorFunction[IRP_MJ_READ] = dispatch_read;
    driver->DriverUnload = unload;
    return STATUS_SUCCESS;
}

// ---- Registry ----

using ntio::test::create_key;

void write_device_key() {
    HANDLE system = create_key(nullptr, L"\\Registry\\Machine\\System\\CurrentControlSet\\Enum");
    HANDLE root = create_key(system, L"Root");
    HANDLE cls = create_key(root, L"INTRTEST");
    HANDLE instance = create_key(cls, L"0000");
    static const wchar_t kService[] = L"IntrTest";
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"Service");
    EXPECT_EQ(ZwSetValueKey(instance, &name, 0, REG_SZ, const_cast<wchar_t*>(kService), sizeof kService),
              STATUS_SUCCESS);
    for (HANDLE h : {instance, cls, root, system}) ZwClose(h);
}

}  // namespace

State& state() { return *g_state; }

Driver::Driver() {
    write_device_key();
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"IntrTest");
    EXPECT_EQ(NtioCreateDriver(&name, driver_entry, &m_driver), STATUS_SUCCESS);
}

Driver::~Driver() {
    if (!m_driver) return;
    (void)NtioUnloadDriver(m_driver);
    ObDereferenceObject(m_driver);
}

void InterruptTest::SetUp() {
    SystemTest::SetUp();
    g_state = std::make_unique<State>();
    KeInitializeEvent(&g_state->removed, NotificationEvent, FALSE);
}

UNICODE_STRING instance_name() {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, kInstance);
    return name;
}

NTSTATUS assign(ULONG vector, ULONG message_count, KINTERRUPT_MODE mode, BOOLEAN shared) {
    UNICODE_STRING name = instance_name();
    NTIO_DEVICE_INTERRUPTS interrupts{vector, message_count, mode, shared};
    return NtioSetDeviceInterrupts(&name, &interrupts);
}

bool start_device() {
    EXPECT_EQ(NtioPnpEnumerateRoot(), STATUS_SUCCESS);
    UNICODE_STRING name = instance_name();
    NTIO_PNP_DEVICE_STATE s = NtioPnpDeviceNotFound;
    EXPECT_EQ(NtioPnpQueryDevice(&name, &s, nullptr), STATUS_SUCCESS);
    return s == NtioPnpDeviceStarted;
}

NTSTATUS remove_device() {
    UNICODE_STRING name = instance_name();
    return NtioPnpRemoveDevice(&name, FALSE, nullptr);
}

NTSTATUS hardware_interrupt(ULONG vector, ULONG status) {
    g_state->hardware.status = status;
    return NtioRaiseInterrupt(vector);
}

void send_read(PendingRead& read) {
    KeInitializeEvent(&read.done, NotificationEvent, FALSE);
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(g_state->pdo.load());
    read.irp = IoBuildSynchronousFsdRequest(IRP_MJ_READ, top, read.buffer, sizeof read.buffer, nullptr, &read.done,
                                            &read.iosb);
    ASSERT_NE(read.irp, nullptr);
    read.sent = IoCallDriver(top, read.irp);
    ObDereferenceObject(top);
}

}  // namespace ntio::interrupt_test
