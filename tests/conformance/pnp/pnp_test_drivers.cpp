// The Plug and Play suite's drivers (see pnp_test_drivers.hpp) and the registry setup of the test device.
#include "pnp_test_drivers.hpp"
#include "support/service_keys.hpp"

#include <cstring>

namespace ntio::pnp_test {

namespace {

State g_state;

struct FdoExtension {
    PDEVICE_OBJECT lower;
    UNICODE_STRING link;
    IO_REMOVE_LOCK remove_lock;
    bool surprise_removed;
};

struct FilterExtension {
    PDEVICE_OBJECT lower;
    const char* who;
};

// ---- Function driver ----

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information = 0) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS NTAPI fn_add_device(PDRIVER_OBJECT driver, PDEVICE_OBJECT pdo) {
    g_state.record("fn", kAddDevice, 0, 0);
    g_state.pdo = pdo;
    NTSTATUS status = g_state.add_device_status.load();
    if (!NT_SUCCESS(status)) return status;
    PDEVICE_OBJECT fdo = nullptr;
    status = IoCreateDevice(driver, sizeof(FdoExtension), nullptr, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE,
                            &fdo);
    if (!NT_SUCCESS(status)) return status;
    auto* ext = static_cast<FdoExtension*>(fdo->DeviceExtension);
    std::memset(ext, 0, sizeof *ext);
    IoInitializeRemoveLock(&ext->remove_lock, 'tPnP', 0, 0);
    status = IoRegisterDeviceInterface(pdo, &kInterfaceGuid, nullptr, &ext->link);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(fdo);
        return status;
    }
    ext->lower = IoAttachDeviceToDeviceStack(fdo, pdo);
    if (!ext->lower) {
        RtlFreeUnicodeString(&ext->link);
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    if (!g_state.leave_initializing) fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI fn_pnp(PDEVICE_OBJECT fdo, PIRP irp) {
    auto* ext = static_cast<FdoExtension*>(fdo->DeviceExtension);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    g_state.record("fn", IRP_MJ_PNP, sp->MinorFunction, irp->IoStatus.Status);
    NTSTATUS status = IoAcquireRemoveLock(&ext->remove_lock, irp);
    if (!NT_SUCCESS(status)) return complete(irp, status);
    switch (sp->MinorFunction) {
    case IRP_MN_START_DEVICE:
        // Started by the bus first, then by us.
        if (IoForwardIrpSynchronously(ext->lower, irp)) status = irp->IoStatus.Status;
        else status = STATUS_UNSUCCESSFUL;
        if (NT_SUCCESS(status)) status = g_state.start_status.load();
        if (NT_SUCCESS(status)) (void)IoSetDeviceInterfaceState(&ext->link, TRUE);
        complete(irp, status);
        IoReleaseRemoveLock(&ext->remove_lock, irp);
        return status;
    case IRP_MN_QUERY_REMOVE_DEVICE:
        if (g_state.veto_query_remove) {
            g_state.vetoed_query_removes.fetch_add(1);
            complete(irp, STATUS_UNSUCCESSFUL);
            IoReleaseRemoveLock(&ext->remove_lock, irp);
            return STATUS_UNSUCCESSFUL;
        }
        irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    case IRP_MN_QUERY_CAPABILITIES: {
        // Filled by the bus first; a function driver adjusts the answer on the way up.
        PDEVICE_CAPABILITIES caps = sp->Parameters.DeviceCapabilities.Capabilities;
        {
            std::lock_guard guard(g_state.lock);
            g_state.capabilities_down.push_back(*caps);
        }
        if (IoForwardIrpSynchronously(ext->lower, irp)) status = irp->IoStatus.Status;
        else status = STATUS_UNSUCCESSFUL;
        if (NT_SUCCESS(status) && g_state.adjust_capabilities) {
            caps->UINumber = 7;
            caps->Removable = 1;
            caps->SurpriseRemovalOK = 1;
            caps->DeviceState[PowerSystemShutdown] = PowerDeviceD2;
        }
        {
            std::lock_guard guard(g_state.lock);
            g_state.capabilities_up.push_back(*caps);
        }
        complete(irp, status, irp->IoStatus.Information);
        IoReleaseRemoveLock(&ext->remove_lock, irp);
        return status;
    }
    case IRP_MN_QUERY_PNP_DEVICE_STATE:
        // The bus answers first; the function driver adds its own bits on the way up.
        // https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-pnp-device-state
        if (IoForwardIrpSynchronously(ext->lower, irp)) status = irp->IoStatus.Status;
        else status = STATUS_UNSUCCESSFUL;
        if (status == STATUS_NOT_SUPPORTED || NT_SUCCESS(status)) {
            const ULONG_PTR bus = NT_SUCCESS(status) ? irp->IoStatus.Information : 0;
            status = STATUS_SUCCESS;
            complete(irp, status, bus | g_state.pnp_device_state.load());
        } else {
            complete(irp, status, 0);
        }
        KeSetEvent(&g_state.state_queried, IO_NO_INCREMENT, FALSE);
        IoReleaseRemoveLock(&ext->remove_lock, irp);
        return status;
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        // Handled by the bus first.
        (void)IoForwardIrpSynchronously(ext->lower, irp);
        complete(irp, STATUS_SUCCESS);
        IoReleaseRemoveLock(&ext->remove_lock, irp);
        return STATUS_SUCCESS;
    case IRP_MN_SURPRISE_REMOVAL:
        ++g_state.surprise_removals;
        ext->surprise_removed = true;
        (void)IoSetDeviceInterfaceState(&ext->link, FALSE);
        irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    case IRP_MN_REMOVE_DEVICE: {
        g_state.removing = true;
        ++g_state.removes;
        if (!ext->surprise_removed) g_state.interface_disable_status = IoSetDeviceInterfaceState(&ext->link, FALSE);
        IoReleaseRemoveLockAndWait(&ext->remove_lock, irp);
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(irp);
        status = IoCallDriver(ext->lower, irp);
        IoDetachDevice(ext->lower);
        RtlFreeUnicodeString(&ext->link);
        IoDeleteDevice(fdo);
        KeSetEvent(&g_state.removed, IO_NO_INCREMENT, FALSE);
        return status;
    }
    default:
        break;
    }
    IoSkipCurrentIrpStackLocation(irp);
    status = IoCallDriver(ext->lower, irp);
    IoReleaseRemoveLock(&ext->remove_lock, irp);
    return status;
}

NTSTATUS NTAPI fn_power(PDEVICE_OBJECT fdo, PIRP irp) {
    auto* ext = static_cast<FdoExtension*>(fdo->DeviceExtension);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    g_state.record_power("fn", irp);
    if (sp->MinorFunction == IRP_MN_SET_POWER && sp->Parameters.Power.Type == DevicePowerState)
        (void)PoSetPowerState(fdo, DevicePowerState, sp->Parameters.Power.State);
    PoStartNextPowerIrp(irp);
    IoSkipCurrentIrpStackLocation(irp);
    return PoCallDriver(ext->lower, irp);
}

NTSTATUS NTAPI fn_create(PDEVICE_OBJECT fdo, PIRP irp) {
    auto* ext = static_cast<FdoExtension*>(fdo->DeviceExtension);
    if (g_state.removing) ++g_state.creates_after_remove;
    g_state.record("fn", IRP_MJ_CREATE, 0, irp->IoStatus.Status);
    NTSTATUS status = IoAcquireRemoveLock(&ext->remove_lock, irp);
    if (!NT_SUCCESS(status)) return complete(irp, status);
    complete(irp, STATUS_SUCCESS);
    IoReleaseRemoveLock(&ext->remove_lock, irp);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI fn_close(PDEVICE_OBJECT, PIRP irp) { return complete(irp, STATUS_SUCCESS); }

NTSTATUS NTAPI fn_read(PDEVICE_OBJECT fdo, PIRP irp) {
    auto* ext = static_cast<FdoExtension*>(fdo->DeviceExtension);
    NTSTATUS status = IoAcquireRemoveLock(&ext->remove_lock, irp);
    if (!NT_SUCCESS(status)) return complete(irp, status);
    ULONG length = IoGetCurrentIrpStackLocation(irp)->Parameters.Read.Length;
    std::memset(irp->AssociatedIrp.SystemBuffer, 'P', length);
    complete(irp, STATUS_SUCCESS, length);
    IoReleaseRemoveLock(&ext->remove_lock, irp);
    return STATUS_SUCCESS;
}

VOID NTAPI fn_unload(PDRIVER_OBJECT) {}

NTSTATUS NTAPI fn_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverExtension->AddDevice = fn_add_device;
    driver->MajorFunction[IRP_MJ_PNP] = fn_pnp;
    driver->MajorFunction[IRP_MJ_POWER] = fn_power;
    driver->MajorFunction[IRP_MJ_CREATE] = fn_create;
    driver->MajorFunction[IRP_MJ_CLEANUP] = fn_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = fn_close;
    driver->MajorFunction[IRP_MJ_READ] = fn_read;
    driver->DriverUnload = fn_unload;
    return STATUS_SUCCESS;
}

// ---- Filter driver (lower and upper) ----

NTSTATUS NTAPI filter_add_device(PDRIVER_OBJECT driver, PDEVICE_OBJECT pdo) {
    const bool upper = driver->DriverExtension->ServiceKeyName.Length >= 2 &&
                       std::memcmp(driver->DriverExtension->ServiceKeyName.Buffer, L"PnpTestUpper", 24) == 0;
    const char* who = upper ? "upper" : "lower";
    g_state.record(who, kAddDevice, 0, 0);
    PDEVICE_OBJECT filter = nullptr;
    NTSTATUS status = IoCreateDevice(driver, sizeof(FilterExtension), nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &filter);
    if (!NT_SUCCESS(status)) return status;
    auto* ext = static_cast<FilterExtension*>(filter->DeviceExtension);
    ext->who = who;
    ext->lower = IoAttachDeviceToDeviceStack(filter, pdo);
    if (!ext->lower) {
        IoDeleteDevice(filter);
        return STATUS_NO_SUCH_DEVICE;
    }
    filter->Flags |= ext->lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO | DO_POWER_PAGABLE);
    filter->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI filter_dispatch(PDEVICE_OBJECT device, PIRP irp) {
    auto* ext = static_cast<FilterExtension*>(device->DeviceExtension);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (sp->MajorFunction == IRP_MJ_POWER) {
        g_state.record_power(ext->who, irp);
        PoStartNextPowerIrp(irp);
        IoSkipCurrentIrpStackLocation(irp);
        return PoCallDriver(ext->lower, irp);
    }
    if (sp->MajorFunction == IRP_MJ_PNP) {
        g_state.record(ext->who, IRP_MJ_PNP, sp->MinorFunction, irp->IoStatus.Status);
        if (sp->MinorFunction == IRP_MN_REMOVE_DEVICE) {
            PDEVICE_OBJECT lower = ext->lower;
            IoSkipCurrentIrpStackLocation(irp);
            NTSTATUS status = IoCallDriver(lower, irp);
            IoDetachDevice(lower);
            IoDeleteDevice(device);
            return status;
        }
    }
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(ext->lower, irp);
}

VOID NTAPI filter_unload(PDRIVER_OBJECT) {}

NTSTATUS NTAPI filter_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverExtension->AddDevice = filter_add_device;
    for (PDRIVER_DISPATCH& routine : driver->MajorFunction) routine = filter_dispatch;
    driver->DriverUnload = filter_unload;
    return STATUS_SUCCESS;
}

// ---- Registry ----

using ntio::test::create_key;

void set_value(HANDLE key, const wchar_t* name, ULONG type, const wchar_t* data, std::size_t chars) {
    UNICODE_STRING us;
    RtlInitUnicodeString(&us, name);
    EXPECT_EQ(ZwSetValueKey(key, &us, 0, type, const_cast<wchar_t*>(data), static_cast<ULONG>(chars * sizeof(wchar_t))),
              STATUS_SUCCESS);
}

void write_device_key(bool with_filters) {
    HANDLE system = create_key(nullptr, L"\\Registry\\Machine\\System\\CurrentControlSet\\Enum");
    HANDLE root = create_key(system, L"Root");
    HANDLE cls = create_key(root, L"PNPTEST");
    HANDLE instance = create_key(cls, L"0000");
    static const wchar_t kService[] = L"PnpTestFn";
    set_value(instance, L"Service", REG_SZ, kService, sizeof kService / sizeof(wchar_t));
    static const wchar_t kDesc[] = L"ntio PnP test device";
    set_value(instance, L"DeviceDesc", REG_SZ, kDesc, sizeof kDesc / sizeof(wchar_t));
    static const wchar_t kIds[] = L"ROOT\\PNPTEST\0PNPTEST\0";
    set_value(instance, L"HardwareID", REG_MULTI_SZ, kIds, sizeof kIds / sizeof(wchar_t));
    if (with_filters) {
        static const wchar_t kLower[] = L"PnpTestLower\0";
        static const wchar_t kUpper[] = L"PnpTestUpper\0";
        set_value(instance, L"LowerFilters", REG_MULTI_SZ, kLower, sizeof kLower / sizeof(wchar_t));
        set_value(instance, L"UpperFilters", REG_MULTI_SZ, kUpper, sizeof kUpper / sizeof(wchar_t));
    }
    for (HANDLE h : {instance, cls, root, system}) ZwClose(h);
}

}  // namespace

State& state() { return g_state; }

Drivers::Drivers(bool with_filters) {
    write_device_key(with_filters);
    struct Entry {
        const wchar_t* name;
        PDRIVER_INITIALIZE entry;
    };
    for (Entry e : {Entry{L"PnpTestFn", fn_entry}, Entry{L"PnpTestLower", filter_entry},
                    Entry{L"PnpTestUpper", filter_entry}}) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, e.name);
        PDRIVER_OBJECT driver = nullptr;
        EXPECT_EQ(NtioCreateDriver(&name, e.entry, &driver), STATUS_SUCCESS);
        if (driver) m_drivers.push_back(driver);
    }
}

Drivers::~Drivers() {
    for (PDRIVER_OBJECT d : m_drivers) {
        (void)NtioUnloadDriver(d);
        ObDereferenceObject(d);
    }
}

void Drivers::leave_loaded() {
    for (PDRIVER_OBJECT d : m_drivers) ObDereferenceObject(d);
    m_drivers.clear();
}

void PnpTest::SetUp() {
    SystemTest::SetUp();
    g_state.take();
    g_state.start_status = STATUS_SUCCESS;
    g_state.veto_query_remove = false;
    g_state.vetoed_query_removes = 0;
    g_state.leave_initializing = false;
    g_state.add_device_status = STATUS_SUCCESS;
    g_state.adjust_capabilities = false;
    {
        std::lock_guard guard(g_state.lock);
        g_state.capabilities_down.clear();
        g_state.capabilities_up.clear();
    }
    g_state.removes = 0;
    g_state.surprise_removals = 0;
    g_state.creates_after_remove = 0;
    g_state.removing = false;
    g_state.pdo = nullptr;
    g_state.interface_disable_status = STATUS_SUCCESS;
    KeInitializeEvent(&g_state.removed, NotificationEvent, FALSE);
    g_state.pnp_device_state = 0;
    KeInitializeEvent(&g_state.state_queried, NotificationEvent, FALSE);
}

UNICODE_STRING instance_name() {
    UNICODE_STRING us;
    RtlInitUnicodeString(&us, kInstance);
    return us;
}

NTSTATUS open_interface(HANDLE* handle) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, kInterfaceLink);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    *handle = nullptr;
    return NtOpenFile(handle, GENERIC_READ | SYNCHRONIZE, &oa, &iosb, FILE_SHARE_READ | FILE_SHARE_WRITE,
                      FILE_SYNCHRONOUS_IO_NONALERT);
}

bool wait_removed() {
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10LL * 1000 * 1000 * 20;  // failure guard only
    return KeWaitForSingleObject(&g_state.removed, Executive, KernelMode, FALSE, &timeout) == STATUS_SUCCESS;
}

bool wait_vetoed_query_removes(int count) {
    for (int i = 0; i < 2000 && g_state.vetoed_query_removes.load() < count; ++i) {  // 20 s: failure guard only
        LARGE_INTEGER interval;
        interval.QuadPart = -10LL * 1000 * 10;
        KeDelayExecutionThread(KernelMode, FALSE, &interval);
    }
    return g_state.vetoed_query_removes.load() >= count;
}

bool wait_state_queried() {
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10LL * 1000 * 1000 * 20;  // failure guard only
    return KeWaitForSingleObject(&g_state.state_queried, Executive, KernelMode, FALSE, &timeout) == STATUS_SUCCESS;
}

}  // namespace ntio::pnp_test
