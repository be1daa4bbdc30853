// Root-enumerated Plug and Play: the device nodes read from Enum\Root, the root bus driver
// (\Driver\PnpManager) that owns one PDO per instance, and the IRP sequences of the PnP manager:
// capabilities from the bus driver, AddDevice of lower filters, function driver and upper filters,
// IRP_MN_START_DEVICE, capabilities from the stack, S0 and D0; orderly removal (QUERY_REMOVE, then D3
// and REMOVE, or CANCEL_REMOVE when vetoed) and surprise removal (SURPRISE_REMOVAL now, REMOVE after
// the last close); drivers it loaded for a stack unload when their last device goes.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/adding-a-pnp-device-to-a-running-system
// https://learn.microsoft.com/windows-hardware/drivers/kernel/removing-a-device
#include "io/pnp_manager.hpp"

#include <thread>

#include "io/device_object.hpp"
#include "io/driver_loader.hpp"
#include "io/driver_object.hpp"
#include "io/objects.hpp"
#include "io/pnp_notification.hpp"
#include "io/pnp_property_store.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"
#include <ntio/ntio.h>

namespace ntio::io {

enum class NodeState : int { added, started, failed, remove_pending };

struct Manager;

struct PnpNode {
    Manager* manager = nullptr;
    std::u16string instance;                 // "ROOT\PNPTEST\0000"
    std::u16string service;                  // function driver
    std::vector<std::u16string> lower;       // LowerFilters
    std::vector<std::u16string> upper;       // UpperFilters
    PnpNodeProperties properties;
    PDEVICE_OBJECT pdo = nullptr;            // referenced by the node until it goes
    std::vector<PDRIVER_OBJECT> drivers;     // referenced while the stack exists
    std::atomic<NodeState> state{NodeState::added};
    std::atomic<bool> force_remove{false};   // shutdown: do not wait for the last close
    NTSTATUS problem = STATUS_SUCCESS;
    bool surprise = false;
    bool eject = false;                      // IoRequestDeviceEject: IRP_MN_EJECT once removed
    std::vector<unsigned char> reported;     // IoReportDetectedDevice's raw CM_RESOURCE_LIST
    mutable std::mutex capabilities_lock;    // IoGetDeviceProperty reads them from any thread
    DEVICE_CAPABILITIES capabilities{};
    KEVENT last_close;                       // pnp_open_released signals it
    WORK_QUEUE_ITEM watcher;
};

// The PnP state of one System. Created by the first enumeration, it lives until the system shuts
// down (the system holds a user count on it) and then until its last root-enumerated device went.
struct Manager {
    ob::ObjectManager* objects = nullptr;
    PDRIVER_OBJECT root = nullptr;           // \Driver\PnpManager, referenced
    int users = 0;                           // under g_lock
    bool held_by_system = true;              // under g_lock; pnp_shutdown drops the system's count
    std::mutex operation;                    // one PnP action at a time, as NT's PnP worker runs them
    std::mutex list_lock;                    // nodes
    std::vector<std::unique_ptr<PnpNode>> nodes;
    // Drivers the PnP manager loaded itself (not found loaded), with the number of stacks using them;
    // each unloads when its count drops to 0. Under `operation`.
    struct LoadedDriver {
        PDRIVER_OBJECT driver;
        unsigned stacks;
    };
    std::vector<LoadedDriver> loaded;
    // IoGetConfigurationInformation's counters: the System's, for drivers to read and update.
    CONFIGURATION_INFORMATION configuration{0, 0, 0, 0, 0, 0, 0, FALSE, FALSE, sizeof(CONFIGURATION_INFORMATION), 0};
};

namespace {

// Process-wide, each manager tagged with its System's object manager.
std::mutex g_lock;
std::vector<Manager*> g_managers;

constexpr std::u16string_view kEnumRootKey = u"\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\Root";
constexpr char16_t kRootServiceName[] = u"PnpManager";

struct PdoExtension {
    PnpNode* node;
    // References on the PDO that queued IoInvalidateDeviceState / IoRequestDeviceEject work holds
    // (pnp_device_state.cpp): such work waits for the operation lock a removal holds, so the removal
    // does not wait for them.
    LONG queued_actions;
};

PdoExtension* pdo_extension(PDEVICE_OBJECT pdo) noexcept { return static_cast<PdoExtension*>(pdo->DeviceExtension); }

bool same_name(std::u16string_view a, std::u16string_view b) { return ob::upcase_name(a) == ob::upcase_name(b); }

UNICODE_STRING unicode_of(const std::u16string& s) {
    return UNICODE_STRING{static_cast<USHORT>(s.size() * sizeof(WCHAR)), static_cast<USHORT>(s.size() * sizeof(WCHAR)),
                          reinterpret_cast<PWCH>(const_cast<char16_t*>(s.data()))};
}

// ---- The root bus driver: what the bus driver of a root PDO does with the IRPs that reach it ----

// IRP_MN_QUERY_ID strings of a root device.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-id
PWSTR pool_multi_string(const std::u16string& text) {
    auto* buffer = static_cast<PWSTR>(ExAllocatePoolWithTag(PagedPool, (text.size() + 1) * sizeof(WCHAR), 'PnpR'));
    if (!buffer) return nullptr;
    std::memcpy(buffer, text.data(), text.size() * sizeof(WCHAR));
    buffer[text.size()] = 0;
    return buffer;
}

NTSTATUS query_id(PnpNode& node, BUS_QUERY_ID_TYPE type, ULONG_PTR& information) {
    const std::u16string& instance = node.instance;
    const std::size_t last = instance.rfind(u'\\');
    std::u16string text;
    switch (type) {
    case BusQueryDeviceID: text = instance.substr(0, last); break;
    case BusQueryInstanceID: text = instance.substr(last + 1); break;
    case BusQueryHardwareIDs:
        if (node.properties.hardware_ids.empty()) return STATUS_NOT_SUPPORTED;
        text = node.properties.hardware_ids;
        break;
    case BusQueryCompatibleIDs:
        if (node.properties.compatible_ids.empty()) return STATUS_NOT_SUPPORTED;
        text = node.properties.compatible_ids;
        break;
    default: return STATUS_NOT_SUPPORTED;
    }
    PWSTR buffer = pool_multi_string(text);
    if (!buffer) return STATUS_INSUFFICIENT_RESOURCES;
    information = reinterpret_cast<ULONG_PTR>(buffer);
    return STATUS_SUCCESS;
}

// What the root bus reports of a root device: no bus address or UI number (Address and UINumber stay
// -1, as the sender set them), not removable, no wake; D0 in S0 and D3 in every sleeping state and at
// shutdown. A structure of another version or too small fails the IRP, as the page says a driver should.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-capabilities
// https://learn.microsoft.com/windows-hardware/drivers/kernel/reporting-device-power-capabilities
NTSTATUS root_capabilities(PDEVICE_CAPABILITIES caps) {
    if (!caps || caps->Version != 1 || caps->Size < sizeof(DEVICE_CAPABILITIES)) return STATUS_UNSUCCESSFUL;
    caps->DeviceD1 = 0;
    caps->DeviceD2 = 0;
    caps->LockSupported = 0;
    caps->EjectSupported = 0;
    caps->Removable = 0;
    caps->DockDevice = 0;
    caps->UniqueID = 0;  // the instance ID is the PnP manager's, unique only under ROOT\<id>
    caps->SurpriseRemovalOK = 0;
    caps->WakeFromD0 = caps->WakeFromD1 = caps->WakeFromD2 = caps->WakeFromD3 = 0;
    caps->DeviceState[PowerSystemUnspecified] = PowerDeviceUnspecified;
    caps->DeviceState[PowerSystemWorking] = PowerDeviceD0;
    for (int s = PowerSystemSleeping1; s < PowerSystemMaximum; ++s) caps->DeviceState[s] = PowerDeviceD3;
    caps->SystemWake = PowerSystemUnspecified;
    caps->DeviceWake = PowerDeviceUnspecified;
    caps->D1Latency = caps->D2Latency = caps->D3Latency = 0;
    return STATUS_SUCCESS;
}

// A bus driver completes the PnP IRPs of its PDO; the ones it does not handle keep their status.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/dispatchpnp-routines
NTSTATUS NTAPI root_pnp(PDEVICE_OBJECT device, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status = irp->IoStatus.Status;
    PnpNode* node = pnp_node_of(device);
    switch (sp->MinorFunction) {
    case IRP_MN_START_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_REMOVE_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_STOP_DEVICE:
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_QUERY_DEVICE_RELATIONS:
        if (sp->Parameters.QueryDeviceRelations.Type == TargetDeviceRelation) {
            auto* relations = static_cast<PDEVICE_RELATIONS>(
                ExAllocatePoolWithTag(PagedPool, sizeof(DEVICE_RELATIONS), 'PnpR'));
            if (!relations) {
                status = STATUS_INSUFFICIENT_RESOURCES;
                break;
            }
            relations->Count = 1;
            relations->Objects[0] = device;
            ObReferenceObject(device);
            irp->IoStatus.Information = reinterpret_cast<ULONG_PTR>(relations);
            status = STATUS_SUCCESS;
        }
        break;
    case IRP_MN_QUERY_CAPABILITIES:
        status = root_capabilities(sp->Parameters.DeviceCapabilities.Capabilities);
        break;
    case IRP_MN_QUERY_ID:
        if (node) {
            ULONG_PTR information = 0;
            NTSTATUS id_status = query_id(*node, sp->Parameters.QueryId.IdType, information);
            if (id_status != STATUS_NOT_SUPPORTED) {
                status = id_status;
                irp->IoStatus.Information = information;
            }
        }
        break;
    default:
        break;
    }
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

// https://learn.microsoft.com/windows-hardware/drivers/kernel/dispatchpower-routines
NTSTATUS NTAPI root_power(PDEVICE_OBJECT device, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status = irp->IoStatus.Status;
    if (sp->MinorFunction == IRP_MN_SET_POWER) {
        if (sp->Parameters.Power.Type == DevicePowerState)
            (void)PoSetPowerState(device, DevicePowerState, sp->Parameters.Power.State);
        status = STATUS_SUCCESS;
    } else if (sp->MinorFunction == IRP_MN_QUERY_POWER) {
        status = STATUS_SUCCESS;
    }
    PoStartNextPowerIrp(irp);
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

// Opens reach the PDO itself only when no function driver is attached (a stack being removed).
NTSTATUS NTAPI root_create(PDEVICE_OBJECT, PIRP irp) {
    irp->IoStatus.Status = STATUS_NO_SUCH_DEVICE;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_NO_SUCH_DEVICE;
}

NTSTATUS NTAPI root_close(PDEVICE_OBJECT, PIRP irp) {
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// NT's root bus driver never unloads; ours goes at system shutdown, after the last root device.
// Keeping it for the system's life also keeps its name: a manager torn down as its last device went
// would race the next enumeration creating \Driver\PnpManager again (STATUS_OBJECT_NAME_COLLISION while
// the old driver object still waited for a referenced PDO).
VOID NTAPI root_unload(PDRIVER_OBJECT) {}

NTSTATUS NTAPI root_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->MajorFunction[IRP_MJ_PNP] = root_pnp;
    driver->MajorFunction[IRP_MJ_POWER] = root_power;
    driver->MajorFunction[IRP_MJ_CREATE] = root_create;
    driver->MajorFunction[IRP_MJ_CLEANUP] = root_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = root_close;
    driver->DriverUnload = root_unload;
    return STATUS_SUCCESS;
}

// ---- Managers ----

// The manager of `system` (the calling thread's System when null).
Manager* acquire_manager(bool create, NTSTATUS* status_out = nullptr, System* system = nullptr) {
    if (!system) system = System::current();
    if (status_out) *status_out = STATUS_SUCCESS;
    if (!system) return nullptr;
    ob::ObjectManager* objects = &system->objects();
    std::lock_guard guard(g_lock);
    for (Manager* m : g_managers) {
        if (m->objects == objects) {
            ++m->users;
            return m;
        }
    }
    if (!create) return nullptr;
    PDRIVER_OBJECT root = nullptr;
    std::u16string service = kRootServiceName;
    UNICODE_STRING name = unicode_of(service);
    NTSTATUS status = NtioCreateDriver(&name, root_driver_entry, &root);
    if (!NT_SUCCESS(status)) {
        if (status_out) *status_out = status;
        return nullptr;
    }
    auto* m = new Manager();
    m->objects = objects;
    m->root = root;
    m->users = 2;  // the caller's and the system's
    g_managers.push_back(m);
    return m;
}

// The last user of a manager without devices lets it and the root driver go.
void release_manager(Manager* m) {
    {
        std::lock_guard guard(g_lock);
        if (--m->users != 0) return;
        {
            std::lock_guard list(m->list_lock);
            if (!m->nodes.empty()) return;
        }
        std::erase(g_managers, m);
    }
    (void)NtioUnloadDriver(m->root);
    ObDereferenceObject(m->root);
    delete m;
}

class ManagerRef {
public:
    explicit ManagerRef(Manager* m) : m_manager(m) {}
    ~ManagerRef() {
        if (m_manager) release_manager(m_manager);
    }
    ManagerRef(const ManagerRef&) = delete;
    ManagerRef& operator=(const ManagerRef&) = delete;
    Manager* operator->() const { return m_manager; }
    Manager* get() const { return m_manager; }

private:
    Manager* m_manager;
};

PnpNode* find_node(Manager& m, std::u16string_view instance) {
    std::lock_guard guard(m.list_lock);
    for (auto& n : m.nodes)
        if (same_name(n->instance, instance)) return n.get();
    return nullptr;
}

// ---- Registry ----

class Key {
public:
    Key() = default;
    ~Key() {
        if (m_handle) ZwClose(m_handle);
    }
    Key(const Key&) = delete;
    Key& operator=(const Key&) = delete;
    NTSTATUS open(const std::u16string& path, HANDLE root = nullptr) {
        UNICODE_STRING name = unicode_of(path);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, root, nullptr);
        return ZwOpenKey(&m_handle, KEY_READ, &oa);
    }
    HANDLE handle() const { return m_handle; }

    std::vector<std::u16string> subkeys() const {
        std::vector<std::u16string> names;
        std::vector<unsigned char> buffer(512);
        for (ULONG index = 0;; ++index) {
            ULONG length = 0;
            NTSTATUS status = ZwEnumerateKey(m_handle, index, KeyBasicInformation, buffer.data(),
                                             static_cast<ULONG>(buffer.size()), &length);
            if (status == STATUS_BUFFER_OVERFLOW || status == STATUS_BUFFER_TOO_SMALL) {
                buffer.resize(length + 16);
                --index;
                continue;
            }
            if (!NT_SUCCESS(status)) break;
            auto* info = reinterpret_cast<PKEY_BASIC_INFORMATION>(buffer.data());
            names.emplace_back(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / sizeof(WCHAR));
        }
        return names;
    }

    // A REG_SZ / REG_EXPAND_SZ value without its NUL, or a REG_MULTI_SZ as stored (NUL-separated,
    // ending in two NULs); empty when absent or of another type.
    std::u16string string(std::u16string name, bool multi) const {
        UNICODE_STRING value_name = unicode_of(name);
        std::vector<unsigned char> buffer(256);
        ULONG length = 0;
        NTSTATUS status;
        for (;;) {
            status = ZwQueryValueKey(m_handle, &value_name, KeyValuePartialInformation, buffer.data(),
                                     static_cast<ULONG>(buffer.size()), &length);
            if (status != STATUS_BUFFER_OVERFLOW && status != STATUS_BUFFER_TOO_SMALL) break;
            buffer.resize(length + 16);
        }
        if (!NT_SUCCESS(status)) return {};
        auto* info = reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buffer.data());
        const bool type_ok = multi ? info->Type == REG_MULTI_SZ : (info->Type == REG_SZ || info->Type == REG_EXPAND_SZ);
        if (!type_ok) return {};
        std::u16string text(reinterpret_cast<const char16_t*>(info->Data), info->DataLength / sizeof(WCHAR));
        if (!multi) {
            while (!text.empty() && text.back() == u'\0') text.pop_back();
            return text;
        }
        while (!text.empty() && text.back() == u'\0') text.pop_back();
        if (text.empty()) return {};
        text.append(2, u'\0');
        return text;
    }

private:
    HANDLE m_handle = nullptr;
};

std::vector<std::u16string> split_multi(const std::u16string& multi) {
    std::vector<std::u16string> out;
    std::size_t start = 0;
    while (start < multi.size()) {
        std::size_t end = multi.find(u'\0', start);
        if (end == std::u16string::npos) end = multi.size();
        if (end > start) out.emplace_back(multi.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// What Enum\Root lists. A missing Enum\Root key lists nothing.
NTSTATUS read_enum_root(std::vector<std::unique_ptr<PnpNode>>& out) {
    Key root;
    NTSTATUS status = root.open(std::u16string(kEnumRootKey));
    if (status == STATUS_OBJECT_NAME_NOT_FOUND || status == STATUS_OBJECT_PATH_NOT_FOUND) return STATUS_SUCCESS;
    if (!NT_SUCCESS(status)) return status;
    for (const std::u16string& device_class : root.subkeys()) {
        Key class_key;
        if (!NT_SUCCESS(class_key.open(device_class, root.handle()))) continue;
        for (const std::u16string& instance : class_key.subkeys()) {
            Key key;
            if (!NT_SUCCESS(key.open(instance, class_key.handle()))) continue;
            auto node = std::make_unique<PnpNode>();
            node->instance = u"ROOT\\" + device_class + u"\\" + instance;
            node->service = key.string(u"Service", false);
            node->properties.service = node->service;
            node->lower = split_multi(key.string(u"LowerFilters", true));
            node->upper = split_multi(key.string(u"UpperFilters", true));
            node->properties.description = key.string(u"DeviceDesc", false);
            node->properties.hardware_ids = key.string(u"HardwareID", true);
            node->properties.compatible_ids = key.string(u"CompatibleIDs", true);
            node->properties.class_name = key.string(u"Class", false);
            node->properties.class_guid = key.string(u"ClassGUID", false);
            node->properties.friendly_name = key.string(u"FriendlyName", false);
            node->properties.manufacturer = key.string(u"Mfg", false);
            out.push_back(std::move(node));
        }
    }
    return STATUS_SUCCESS;
}

// ---- IRPs the PnP manager sends ----

// A PnP IRP to the top of the PDO's stack, Status STATUS_NOT_SUPPORTED as the PnP manager
// initialises it, waited for.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/passing-pnp-irps-down-the-device-stack
NTSTATUS send_pnp(PDEVICE_OBJECT pdo, UCHAR minor, PDEVICE_CAPABILITIES capabilities = nullptr,
                  PCM_RESOURCE_LIST raw = nullptr, PCM_RESOURCE_LIST translated = nullptr,
                  ULONG_PTR* information = nullptr) {
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(pdo);
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_PNP, top, nullptr, 0, nullptr, &event, &iosb);
    if (!irp) {
        ObDereferenceObject(top);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MinorFunction = minor;
    if (minor == IRP_MN_QUERY_CAPABILITIES) sp->Parameters.DeviceCapabilities.Capabilities = capabilities;
    if (minor == IRP_MN_START_DEVICE) {
        sp->Parameters.StartDevice.AllocatedResources = raw;
        sp->Parameters.StartDevice.AllocatedResourcesTranslated = translated;
    }
    NTSTATUS status = IoCallDriver(top, irp);
    if (status == STATUS_PENDING) {
        (void)KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, nullptr);
        status = iosb.Status;
    }
    if (information) *information = iosb.Information;
    ObDereferenceObject(top);
    return status;
}

// IRP_MN_QUERY_CAPABILITIES to the top of the PDO's stack (the PDO alone before AddDevice), the
// structure initialised as the sender must: Size, Version 1, Address and UINumber -1. The node keeps
// what comes back from a successful query.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_device_capabilities
NTSTATUS query_capabilities(PnpNode& node) {
    DEVICE_CAPABILITIES caps;
    std::memset(&caps, 0, sizeof caps);
    caps.Size = sizeof(DEVICE_CAPABILITIES);
    caps.Version = 1;
    caps.Address = 0xFFFFFFFF;
    caps.UINumber = 0xFFFFFFFF;
    NTSTATUS status = send_pnp(node.pdo, IRP_MN_QUERY_CAPABILITIES, &caps);
    if (!NT_SUCCESS(status)) return status;
    std::lock_guard guard(node.capabilities_lock);
    node.capabilities = caps;
    return STATUS_SUCCESS;
}

// The device state the capabilities map a system state to; D0 in S0 and D3 otherwise when the stack
// left the entry unspecified.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/determining-the-correct-device-power-state
DEVICE_POWER_STATE mapped_device_state(const PnpNode& node, SYSTEM_POWER_STATE system) {
    DEVICE_POWER_STATE state;
    {
        std::lock_guard guard(node.capabilities_lock);
        state = node.capabilities.DeviceState[system];
    }
    if (state > PowerDeviceUnspecified && state < PowerDeviceMaximum) return state;
    return system == PowerSystemWorking ? PowerDeviceD0 : PowerDeviceD3;
}

// ---- Device nodes ----

// The devices of the node's stack, bottom (the PDO) first.
std::vector<PDEVICE_OBJECT> stack_of(PDEVICE_OBJECT pdo) {
    std::vector<PDEVICE_OBJECT> devices;
    KIRQL irql = device_database_lock();
    for (PDEVICE_OBJECT d = pdo; d; d = d->AttachedDevice) devices.push_back(d);
    device_database_unlock(irql);
    return devices;
}

// Opens of the stack's devices, without the node's own open of the PDO.
LONG stack_open_count(PDEVICE_OBJECT pdo) {
    LONG count = -1;
    for (PDEVICE_OBJECT d : stack_of(pdo)) count += __atomic_load_n(&d->ReferenceCount, __ATOMIC_SEQ_CST);
    return count;
}

// A driver the PnP manager loaded whose last stack went: unloaded the way NtUnloadDriver unloads
// (NtioUnloadDriver: DriverUnload once nothing holds its devices, the name goes, the image with the
// last reference), provided none of its devices is left (a control device it did not delete keeps it,
// as on NT). "A driver's Unload routine can be called at any time after all the driver's devices have
// been removed": https://learn.microsoft.com/windows-hardware/drivers/kernel/pnp-driver-s-unload-routine
void unload_pnp_driver(PDRIVER_OBJECT driver) {
    bool has_devices;
    {
        std::lock_guard guard(driver_private(driver).lock);
        has_devices = driver->DeviceObject != nullptr;
    }
    if (!has_devices) (void)NtioUnloadDriver(driver);
}

// The node lets its drivers go; those the PnP manager loaded and no other stack uses unload.
// Operation lock held.
void release_drivers(PnpNode& node) {
    Manager& m = *node.manager;
    for (PDRIVER_OBJECT d : node.drivers) {
        auto it = std::find_if(m.loaded.begin(), m.loaded.end(),
                               [d](const Manager::LoadedDriver& l) { return l.driver == d; });
        if (it != m.loaded.end() && --it->stacks == 0) {
            m.loaded.erase(it);
            unload_pnp_driver(d);
        }
        ObDereferenceObject(d);
    }
    node.drivers.clear();
}

// A loaded driver of the service (already loaded ones as they are, else through the loader),
// referenced and counted for the node. Operation lock held.
NTSTATUS reference_driver(PnpNode& node, const std::u16string& service) {
    Manager& m = *node.manager;
    PDRIVER_OBJECT driver = reference_service_driver(service);
    bool loaded_here = false;
    if (!driver) {
        NTSTATUS status = load_service(service, &driver);
        if (!NT_SUCCESS(status) && status != STATUS_IMAGE_ALREADY_LOADED) return status;
        // Already loaded yet not found above: another service's image, or the driver is unloading.
        if (!driver) return status;
        loaded_here = status == STATUS_SUCCESS;
    }
    if (loaded_here) {
        m.loaded.push_back({driver, 1});
    } else {
        for (Manager::LoadedDriver& l : m.loaded)
            if (l.driver == driver) ++l.stacks;
    }
    node.drivers.push_back(driver);
    return STATUS_SUCCESS;
}

// IRP_MN_REMOVE_DEVICE with every device of the stack referenced while it travels: each driver
// detaches from the device below it after that device's driver may already have deleted it (the WDK
// pattern: pass the IRP down, IoDetachDevice, IoDeleteDevice), so the objects must outlive the IRP.
NTSTATUS send_remove(PDEVICE_OBJECT pdo) {
    std::vector<PDEVICE_OBJECT> devices = stack_of(pdo);
    for (PDEVICE_OBJECT d : devices) ObReferenceObject(d);
    NTSTATUS status = send_pnp(pdo, IRP_MN_REMOVE_DEVICE);
    for (PDEVICE_OBJECT d : devices) ObDereferenceObject(d);
    return status;
}

void set_failed(PnpNode& node, NTSTATUS problem) {
    node.problem = problem;
    node.state.store(NodeState::failed, std::memory_order_release);
}

// Tears down a stack that AddDevice or START left behind: IRP_MN_REMOVE_DEVICE without a query, as
// NT sends it when a start fails.
void remove_failed_stack(PnpNode& node) {
    if (node.pdo->AttachedDevice) (void)send_remove(node.pdo);
    release_drivers(node);
}

// AddDevice for lower filters, the function driver and upper filters, then START and D0.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/adddevice-routines-in-function-or-filter-drivers
void add_and_start(PnpNode& node) {
    if (node.service.empty()) {
        set_failed(node, STATUS_DRIVER_UNABLE_TO_LOAD);
        return;
    }
    // The bus driver's capabilities come first, before any driver of the stack is loaded.
    // https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-capabilities
    NTSTATUS caps_status = query_capabilities(node);
    if (!NT_SUCCESS(caps_status)) {
        set_failed(node, caps_status);
        return;
    }
    std::vector<std::u16string> order = node.lower;
    order.push_back(node.service);
    order.insert(order.end(), node.upper.begin(), node.upper.end());
    for (const std::u16string& service : order) {
        NTSTATUS status = reference_driver(node, service);
        if (!NT_SUCCESS(status)) {
            release_drivers(node);
            set_failed(node, status);
            return;
        }
    }
    for (std::size_t i = 0; i < node.drivers.size(); ++i) {
        PDRIVER_OBJECT driver = node.drivers[i];
        PDRIVER_ADD_DEVICE add_device = driver->DriverExtension->AddDevice;
        // A driver without AddDevice is not a PnP driver: the device cannot be added.
        NTSTATUS status = add_device ? add_device(driver, node.pdo) : STATUS_INVALID_DEVICE_REQUEST;
        if (!NT_SUCCESS(status)) {
            remove_failed_stack(node);
            set_failed(node, status);
            return;
        }
        // Driver Verifier's attach hygiene checks on what this AddDevice attached (0xC9 0x243-0x246);
        // the function driver's index in order is node.lower.size().
        if (ntio::verifier::active()) [[unlikely]]
            ntio::verifier::on_add_device_returned(driver, node.pdo, i != node.lower.size());
    }
    // NT deviation: a stack with a device whose AddDevice left DO_DEVICE_INITIALIZING set is not
    // started (problem STATUS_DEVICE_NOT_READY). On Windows the flag only refuses opens of that device
    // and attaches on top of it (see "What does DO_DEVICE_INITIALIZING really do?",
    // https://learn.microsoft.com/previous-versions/windows/hardware/design/dn614010(v=vs.85)); the
    // start still happens and the driver bug shows up later.
    for (PDEVICE_OBJECT d : stack_of(node.pdo)) {
        if (d != node.pdo && (__atomic_load_n(&d->Flags, __ATOMIC_ACQUIRE) & DO_DEVICE_INITIALIZING)) {
            remove_failed_stack(node);
            set_failed(node, STATUS_DEVICE_NOT_READY);
            return;
        }
    }
    // https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-start-device: the raw and
    // translated resources the PnP manager assigned (interrupts only; none for most root devices).
    PCM_RESOURCE_LIST raw = nullptr;
    PCM_RESOURCE_LIST translated = nullptr;
    NTSTATUS status = start_device_resources(ob::upcase_name(node.instance), &raw, &translated);
    if (NT_SUCCESS(status)) status = send_pnp(node.pdo, IRP_MN_START_DEVICE, nullptr, raw, translated);
    if (raw) ExFreePool(raw);
    if (translated) ExFreePool(translated);
    if (!NT_SUCCESS(status)) {
        remove_failed_stack(node);
        set_failed(node, status);
        return;
    }
    // Once started, the stack reports its capabilities again, top down: what the drivers changed on
    // the way up is what the node keeps (a failure leaves the bus driver's answer).
    (void)query_capabilities(node);
    // NT deviation: the PnP manager itself sends the system set-power S0 and then the device set-power
    // the capabilities map S0 to. On Windows the stack is assumed in D0 once started and a D-IRP
    // follows an S-IRP only when the device's power policy owner requests it.
    (void)pnp_set_system_power(node.pdo, PowerSystemWorking, PowerActionNone);
    (void)pnp_set_device_power(node.pdo, mapped_device_state(node, PowerSystemWorking));
    node.state.store(NodeState::started, std::memory_order_release);
    // Creates are failed until START completed (IoSetDeviceInterfaceState remarks): the PDO admits
    // opens from now on, and the interfaces enabled meanwhile get their links.
    __atomic_fetch_and(&node.pdo->Flags, ~ULONG{DO_DEVICE_INITIALIZING}, __ATOMIC_SEQ_CST);
    device_interfaces_started(node.pdo);
}

NTSTATUS create_pdo(Manager& m, PnpNode& node) {
    PDEVICE_OBJECT pdo = nullptr;
    // The I/O manager names it: \Device\<8 hex digits>.
    NTSTATUS status = IoCreateDevice(m.root, sizeof(PdoExtension), nullptr, FILE_DEVICE_UNKNOWN,
                                     FILE_AUTOGENERATED_DEVICE_NAME, FALSE, &pdo);
    if (!NT_SUCCESS(status)) return status;
    // DO_DEVICE_INITIALIZING stays until the stack started: opens of the PDO fail until then.
    pdo->Flags |= DO_BUS_ENUMERATED_DEVICE;
    ObReferenceObject(pdo);
    // The node holds an open of its own on the PDO until it goes: an open racing the removal may
    // still reach the PDO's parse procedure after IoDeleteDevice, and must not take the device's
    // last open away (stack_open_count leaves this one out).
    (void)device_reference_open(pdo);  // a new device: its keep count is not 0
    node.pdo = pdo;
    __atomic_store_n(&pdo_extension(pdo)->node, &node, __ATOMIC_RELEASE);
    return STATUS_SUCCESS;
}

// The node leaves: interfaces forgotten, PDO deleted, node freed. Operation lock held.
void drop_node(Manager& m, PnpNode* node) {
    PDEVICE_OBJECT pdo = node->pdo;
    __atomic_store_n(&pdo_extension(pdo)->node, nullptr, __ATOMIC_RELEASE);
    device_interfaces_forget(pdo);
    property_forget(pnp_node_property_id(*node));
    IoDeleteDevice(pdo);
    // An open that found the PDO by name before its name went holds a reference and has still to
    // reach the PDO's parse procedure (which takes an open and fails it: delete pending). The node's
    // open may go only after those: a device open taken after the last one went would release the
    // device object twice. Until device_object.cpp refuses such an open itself, the node waits (bounded)
    // for the PDO's references to drop to its own and the creation one.
    // Target-device notification registrations hold theirs until their drivers unregister.
    const LONG_PTR own_references = 2 + pnp_notification_references(pdo) +
                                    __atomic_load_n(&pdo_extension(pdo)->queued_actions, __ATOMIC_ACQUIRE);
    for (int i = 0; i < 1000000 && ob::header_of(pdo)->pointer_count.load(std::memory_order_acquire) > own_references;
         ++i)
        std::this_thread::yield();
    device_release_open(pdo);
    release_drivers(*node);
    std::unique_ptr<PnpNode> owned;
    {
        std::lock_guard guard(m.list_lock);
        for (auto it = m.nodes.begin(); it != m.nodes.end(); ++it) {
            if (it->get() == node) {
                owned = std::move(*it);
                m.nodes.erase(it);
                break;
            }
        }
    }
    ObDereferenceObject(pdo);
}

// Removal after the point of no return: D3 (orderly, started), interfaces disabled, REMOVE_DEVICE.
// At system shutdown the S5 set-power and the device state the capabilities map it to come first.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-remove-device
// NT deviation: on Windows the function driver powers its device down while handling the removal,
// and a shutdown sends S5 without removing the devices.
void finish_removal(Manager& m, PnpNode* node, bool shutdown = false) {
    if (shutdown && !node->surprise) {
        (void)pnp_set_system_power(node->pdo, PowerSystemShutdown, PowerActionShutdown);
        (void)pnp_set_device_power(node->pdo, mapped_device_state(*node, PowerSystemShutdown));
    } else if (!node->surprise) {
        (void)pnp_set_device_power(node->pdo, PowerDeviceD3);
    }
    (void)send_remove(node->pdo);
    // IoRequestDeviceEject: the bus driver ejects the device once its stack is removed and it is in D3
    // (function and filter drivers, detached by now, never see the IRP).
    // https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-eject
    if (node->eject) (void)send_pnp(node->pdo, IRP_MN_EJECT);
    // The PnP manager disables the interfaces a driver left enabled (IoSetDeviceInterfaceState).
    device_interfaces_disable_all(node->pdo);
    // The stack is gone once REMOVE_DEVICE completed (a surprise removal told the callbacks already;
    // a shutdown removes nothing on Windows).
    // https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-a-guid-target-device-remove-complete-event
    if (!node->surprise && !shutdown) pnp_notify_remove_complete(node->pdo);
    drop_node(m, node);
}

// Waits on a worker for the last open of a removed stack to close, then sends REMOVE_DEVICE.
VOID NTAPI last_close_watcher(PVOID context) {
    auto* node = static_cast<PnpNode*>(context);
    Manager* m = node->manager;  // the watcher holds a user count on it
    LARGE_INTEGER tick;
    tick.QuadPart = -10 * 1000;  // 1 ms: the fallback while nothing signals the last close
    while (stack_open_count(node->pdo) != 0 && !node->force_remove.load(std::memory_order_acquire))
        (void)KeWaitForSingleObject(&node->last_close, Executive, KernelMode, FALSE, &tick);
    {
        std::lock_guard op(m->operation);
        finish_removal(*m, node);
    }
    release_manager(m);
}

// The removal is committed: no new opens (the PDO is deleted: its name goes and opens of it fail
// with STATUS_NO_SUCH_DEVICE), and REMOVE_DEVICE now or after the last close. Operation lock held.
void commit_removal(Manager& m, PnpNode* node) {
    node->state.store(NodeState::remove_pending, std::memory_order_seq_cst);
    for (PDEVICE_OBJECT d : stack_of(node->pdo)) device_set_extension_flags(d, DOE_REMOVE_PENDING);
    IoDeleteDevice(node->pdo);
    if (node->surprise) {
        // https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-surprise-removal
        (void)send_pnp(node->pdo, IRP_MN_SURPRISE_REMOVAL);
        device_interfaces_disable_all(node->pdo);
        // The device is gone already: REMOVE_COMPLETE now, so that the registrants close their
        // handles and let REMOVE_DEVICE come.
        pnp_notify_remove_complete(node->pdo);
    }
    if (stack_open_count(node->pdo) == 0) {
        finish_removal(m, node);
        return;
    }
    {
        std::lock_guard guard(g_lock);
        ++m.users;
    }
    ExInitializeWorkItem(&node->watcher, last_close_watcher, node);
    ExQueueWorkItem(&node->watcher, DelayedWorkQueue);
}

NTSTATUS capture_instance(PCUNICODE_STRING in, std::u16string& out) {
    NTSTATUS status = capture_unicode(in, out);
    if (!NT_SUCCESS(status)) return status;
    if (out.empty()) return STATUS_OBJECT_NAME_INVALID;
    return STATUS_SUCCESS;
}

// The manager of the System `pdo` belongs to, with a user count; null when it has none.
Manager* acquire_manager_of(PDEVICE_OBJECT pdo) {
    ob::ObjectManager* objects = &ob::manager_of(pdo);
    std::lock_guard guard(g_lock);
    for (Manager* m : g_managers) {
        if (m->objects == objects) {
            ++m->users;
            return m;
        }
    }
    return nullptr;
}

// Orderly removal of a started node (target-device callbacks, open handles, QUERY_REMOVE, then the
// removal or CANCEL_REMOVE). Operation lock held.
NTSTATUS remove_orderly(Manager& m, PnpNode* node, PPNP_VETO_TYPE veto_type) {
    if (!NT_SUCCESS(pnp_notify_query_remove(node->pdo))) {
        if (veto_type) *veto_type = PNP_VetoDriver;
        return STATUS_PLUGPLAY_QUERY_VETOED;
    }
    if (stack_open_count(node->pdo) != 0) {
        pnp_notify_remove_cancelled(node->pdo);
        if (veto_type) *veto_type = PNP_VetoOutstandingOpen;
        return STATUS_PLUGPLAY_QUERY_VETOED;
    }
    NTSTATUS status = send_pnp(node->pdo, IRP_MN_QUERY_REMOVE_DEVICE);
    if (!NT_SUCCESS(status)) {
        // https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-cancel-remove-device
        (void)send_pnp(node->pdo, IRP_MN_CANCEL_REMOVE_DEVICE);
        pnp_notify_remove_cancelled(node->pdo);
        if (veto_type) *veto_type = PNP_VetoDevice;
        return STATUS_PLUGPLAY_QUERY_VETOED;
    }
    commit_removal(m, node);
    return STATUS_SUCCESS;
}

// Queued work's reference on the PDO let go: no longer one a removal leaves out (the count first, while
// the reference still keeps the PDO's extension).
void release_action_reference(PDEVICE_OBJECT pdo) {
    __atomic_fetch_sub(&pdo_extension(pdo)->queued_actions, 1, __ATOMIC_RELEASE);
    ObDereferenceObject(pdo);
}

// Creates the keys of `path` that do not exist yet; the last one stays open in *key.
NTSTATUS create_key_path(const std::u16string& path, HANDLE* key) {
    *key = nullptr;
    for (std::size_t at = path.find(u'\\', 1);; at = path.find(u'\\', at + 1)) {
        const bool last = at == std::u16string::npos;
        std::u16string part = last ? path : path.substr(0, at);
        UNICODE_STRING name = unicode_of(part);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
        HANDLE handle = nullptr;
        NTSTATUS status = ZwCreateKey(&handle, KEY_ALL_ACCESS, &oa, 0, nullptr, REG_OPTION_NON_VOLATILE, nullptr);
        if (!NT_SUCCESS(status)) return status;
        if (last) {
            *key = handle;
            return STATUS_SUCCESS;
        }
        ZwClose(handle);
    }
}

NTSTATUS set_string_value(HANDLE key, const char16_t* name, const std::u16string& data, ULONG type) {
    std::u16string value_name(name);
    UNICODE_STRING us = unicode_of(value_name);
    return ZwSetValueKey(key, &us, 0, type, const_cast<char16_t*>(data.c_str()),
                         static_cast<ULONG>((data.size() + 1) * sizeof(WCHAR)));
}

}  // namespace


NTSTATUS pnp_report_detected_device(PDRIVER_OBJECT driver, const std::u16string& compatible_ids,
                                    std::vector<unsigned char> resources, PDEVICE_OBJECT* pdo_out) {
    *pdo_out = nullptr;
    const UNICODE_STRING& service_name = driver->DriverExtension->ServiceKeyName;
    if (!service_name.Buffer || service_name.Length == 0) return STATUS_INVALID_PARAMETER_1;
    const std::u16string service(reinterpret_cast<const char16_t*>(service_name.Buffer),
                                 service_name.Length / sizeof(WCHAR));
    NTSTATUS status = STATUS_SUCCESS;
    ManagerRef m(acquire_manager(true, &status));
    if (!m.get()) return NT_SUCCESS(status) ? STATUS_UNSUCCESSFUL : status;
    std::lock_guard op(m->operation);
    // The first instance number neither a node nor the Enum key has.
    const std::u16string device_id = ob::upcase_name(service);
    std::u16string instance;
    for (unsigned n = 0; n < 10000 && instance.empty(); ++n) {
        char number[8];
        std::snprintf(number, sizeof number, "%04u", n);
        std::u16string candidate = u"ROOT\\" + device_id + u"\\" + std::u16string(number, number + 4);
        if (find_node(*m.get(), candidate)) continue;
        Key existing;
        std::u16string key_path(kEnumRootKey);
        key_path.append(candidate.substr(4));
        if (NT_SUCCESS(existing.open(key_path))) continue;
        instance = candidate;
    }
    if (instance.empty()) return STATUS_INSUFFICIENT_RESOURCES;
    // Recorded as a root-enumerated device: later enumerations (the next boot) configure it like any.
    std::u16string key_path(kEnumRootKey);
    key_path.append(instance.substr(4));
    HANDLE key = nullptr;
    status = create_key_path(key_path, &key);
    if (!NT_SUCCESS(status)) return status;
    status = set_string_value(key, u"Service", service, REG_SZ);
    if (NT_SUCCESS(status)) {
        // compatible_ids ends in one NUL; the value's terminator is the list's second.
        status = set_string_value(key, u"CompatibleIDs", compatible_ids, REG_MULTI_SZ);
    }
    ZwClose(key);
    if (!NT_SUCCESS(status)) return status;

    auto owned = std::make_unique<PnpNode>();
    PnpNode* node = owned.get();
    node->manager = m.get();
    node->instance = instance;
    node->service = service;
    node->properties.service = service;
    node->properties.compatible_ids = compatible_ids + u'\0';
    node->reported = std::move(resources);
    KeInitializeEvent(&node->last_close, SynchronizationEvent, FALSE);
    status = create_pdo(*m.get(), *node);
    if (!NT_SUCCESS(status)) return status;
    {
        std::lock_guard guard(m->list_lock);
        m->nodes.push_back(std::move(owned));
    }
    (void)query_capabilities(*node);
    ObReferenceObject(driver);
    node->drivers.push_back(driver);
    // "The PnP manager considers the device to be started": no AddDevice, no START_DEVICE.
    node->state.store(NodeState::started, std::memory_order_release);
    __atomic_fetch_and(&node->pdo->Flags, ~ULONG{DO_DEVICE_INITIALIZING}, __ATOMIC_SEQ_CST);
    *pdo_out = node->pdo;
    return STATUS_SUCCESS;
}

PCONFIGURATION_INFORMATION pnp_configuration_information() {
    ManagerRef m(acquire_manager(true));
    // The manager lives as long as its System (which holds a count on it): the counters with it.
    return m.get() ? &m->configuration : nullptr;
}

std::vector<unsigned char> pnp_node_reported_resources(const PnpNode& node) { return node.reported; }

namespace {
// The PnP operation on a started device node: run with the manager held and its operation lock
// taken. `pdo` is referenced; the reference is consumed.
template <typename Operation>
void with_started_node(PDEVICE_OBJECT pdo, Operation&& operation) {
    Manager* m = acquire_manager_of(pdo);
    if (!m) {
        release_action_reference(pdo);
        return;
    }
    ManagerRef hold(m);
    std::lock_guard op(m->operation);
    PnpNode* node = pnp_node_of(pdo);
    release_action_reference(pdo);
    if (node && node->state.load(std::memory_order_acquire) == NodeState::started) operation(*m, node);
}
}  // namespace

void pnp_query_device_state(PDEVICE_OBJECT pdo) {
    with_started_node(pdo, [pdo](Manager& m, PnpNode* node) {
        ULONG_PTR information = 0;
        if (!NT_SUCCESS(send_pnp(pdo, IRP_MN_QUERY_PNP_DEVICE_STATE, nullptr, nullptr, nullptr, &information))) return;
        const auto state = static_cast<PNP_DEVICE_STATE>(information);
        // A device that failed or is gone is surprise-removed: "the PnP manager sends
        // IRP_MN_SURPRISE_REMOVAL ... if a driver for the device indicated that the device failed"
        // (IoInvalidateDeviceState, PNP_DEVICE_FAILED); a device disabled in hardware is removed in order.
        // https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-surprise-removal
        // https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-pnp-device-state
        // NT deviation: the device node leaves with its stack (NtioPnpQueryDevice then finds nothing)
        // where Windows keeps it with a problem code (CM_PROB_FAILED_POST_START, CM_PROB_HARDWARE_DISABLED).
        if (state & (PNP_DEVICE_FAILED | PNP_DEVICE_REMOVED)) {
            node->surprise = true;
            commit_removal(m, node);
        } else if (state & PNP_DEVICE_DISABLED) {
            (void)remove_orderly(m, node, nullptr);
        }
    });
}

void pnp_action_queued(PDEVICE_OBJECT pdo) { __atomic_fetch_add(&pdo_extension(pdo)->queued_actions, 1, __ATOMIC_RELAXED); }

void pnp_eject_device(PDEVICE_OBJECT pdo) {
    with_started_node(pdo, [](Manager& m, PnpNode* node) {
        node->eject = true;
        // A vetoed query-remove leaves the device where it was, uneject.
        if (!NT_SUCCESS(remove_orderly(m, node, nullptr))) node->eject = false;
    });
}

bool pnp_is_pdo(PDEVICE_OBJECT device) noexcept {
    return device && ob::type_of(device) == &g_device_type && device->DriverObject &&
           device->DriverObject->DriverInit == root_driver_entry;
}

PnpNode* pnp_node_of(PDEVICE_OBJECT pdo) noexcept {
    if (!pnp_is_pdo(pdo)) return nullptr;
    return __atomic_load_n(&pdo_extension(pdo)->node, __ATOMIC_ACQUIRE);
}

bool pnp_node_started(const PnpNode& node) noexcept {
    return node.state.load(std::memory_order_acquire) == NodeState::started;
}

const std::u16string& pnp_instance_path(const PnpNode& node) noexcept { return node.instance; }

const PnpNodeProperties& pnp_node_properties(const PnpNode& node) noexcept { return node.properties; }

std::u16string pnp_node_property_id(const PnpNode& node) {
    char prefix[40];
    std::snprintf(prefix, sizeof prefix, "dev:%p", static_cast<const void*>(&node));
    return std::u16string(prefix, prefix + std::strlen(prefix));
}

DEVICE_CAPABILITIES pnp_node_capabilities(const PnpNode& node) noexcept {
    std::lock_guard guard(node.capabilities_lock);
    return node.capabilities;
}

NTSTATUS pnp_enumerate_root(System* system) {
    // The manager (and \Driver\PnpManager) exists from the boot's enumeration on, devices or not.
    NTSTATUS status = STATUS_SUCCESS;
    ManagerRef m(acquire_manager(true, &status, system));
    if (!m.get()) return NT_SUCCESS(status) ? STATUS_UNSUCCESSFUL : status;
    std::vector<std::unique_ptr<PnpNode>> listed;
    status = read_enum_root(listed);
    if (!NT_SUCCESS(status)) return status;
    std::lock_guard op(m->operation);
    for (auto& candidate : listed) {
        if (find_node(*m.get(), candidate->instance)) continue;
        PnpNode* node = candidate.get();
        node->manager = m.get();
        KeInitializeEvent(&node->last_close, SynchronizationEvent, FALSE);
        if (!NT_SUCCESS(create_pdo(*m.get(), *node))) continue;
        {
            std::lock_guard guard(m->list_lock);
            m->nodes.push_back(std::move(candidate));
        }
        add_and_start(*node);
    }
    return STATUS_SUCCESS;
}

void pnp_open_released(PDEVICE_OBJECT pdo) noexcept {
    if (PnpNode* node = pnp_node_of(pdo)) KeSetEvent(&node->last_close, IO_NO_INCREMENT, FALSE);
}

void pnp_shutdown(System& system) {
    ManagerRef m(acquire_manager(false, nullptr, &system));
    if (!m.get()) return;
    std::lock_guard op(m->operation);
    std::vector<PnpNode*> nodes;
    {
        std::lock_guard guard(m->list_lock);
        for (auto& n : m->nodes) nodes.push_back(n.get());
    }
    for (PnpNode* node : nodes) {
        switch (node->state.load(std::memory_order_acquire)) {
        case NodeState::remove_pending:
            // Its watcher finishes it once the operation lock is free.
            node->force_remove.store(true, std::memory_order_release);
            KeSetEvent(&node->last_close, IO_NO_INCREMENT, FALSE);
            break;
        case NodeState::started:
            node->state.store(NodeState::remove_pending, std::memory_order_seq_cst);
            IoDeleteDevice(node->pdo);
            finish_removal(*m.get(), node, true);
            break;
        default:
            drop_node(*m.get(), node);
            break;
        }
    }
    std::lock_guard guard(g_lock);
    if (m->held_by_system) {
        m->held_by_system = false;
        --m->users;  // not the last: m holds one; its release tears the manager down
    }
}

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

NTSTATUS NtioPnpEnumerateRoot(VOID) { return pnp_enumerate_root(nullptr); }

NTSTATUS NtioPnpQueryDevice(PCUNICODE_STRING InstancePath, PNTIO_PNP_DEVICE_STATE State, NTSTATUS* Problem) {
    if (!State) return STATUS_INVALID_PARAMETER;
    *State = NtioPnpDeviceNotFound;
    if (Problem) *Problem = STATUS_SUCCESS;
    std::u16string instance;
    NTSTATUS status = capture_instance(InstancePath, instance);
    if (!NT_SUCCESS(status)) return status;
    ManagerRef m(acquire_manager(false));
    if (!m.get()) return STATUS_SUCCESS;
    std::lock_guard guard(m->list_lock);
    for (auto& node : m->nodes) {
        if (!same_name(node->instance, instance)) continue;
        switch (node->state.load(std::memory_order_acquire)) {
        case NodeState::started: *State = NtioPnpDeviceStarted; break;
        case NodeState::failed:
            *State = NtioPnpDeviceFailed;
            if (Problem) *Problem = node->problem;
            break;
        case NodeState::remove_pending: *State = NtioPnpDeviceRemovePending; break;
        case NodeState::added: break;
        }
        break;
    }
    return STATUS_SUCCESS;
}

// Orderly: https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-an-irp-mn-query-remove-device-request
// Target-device callbacks (GUID_TARGET_DEVICE_QUERY_REMOVE before the IRP, _REMOVE_CANCELLED after a
// veto, _REMOVE_COMPLETE after the removal) run on this thread with the PnP operation held, as NT
// runs them on its PnP thread between the IRPs: https://learn.microsoft.com/windows-hardware/drivers/kernel/using-pnp-target-device-change-notification
// Open handles veto it before any IRP ("If handles remain open on the device, the PnP manager cannot
// remove the device"): https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-a-guid-target-device-query-remove-event
// Surprise: https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-an-irp-mn-surprise-removal-request
NTSTATUS NtioPnpRemoveDevice(PCUNICODE_STRING InstancePath, BOOLEAN Surprise, PPNP_VETO_TYPE VetoType) {
    if (VetoType) *VetoType = PNP_VetoTypeUnknown;
    std::u16string instance;
    NTSTATUS status = capture_instance(InstancePath, instance);
    if (!NT_SUCCESS(status)) return status;
    ManagerRef m(acquire_manager(false));
    if (!m.get()) return STATUS_NO_SUCH_DEVICE;
    std::lock_guard op(m->operation);
    PnpNode* node = find_node(*m.get(), instance);
    if (!node) return STATUS_NO_SUCH_DEVICE;
    switch (node->state.load(std::memory_order_acquire)) {
    case NodeState::remove_pending:
        if (VetoType) *VetoType = PNP_VetoAlreadyRemoved;
        return STATUS_DELETE_PENDING;
    case NodeState::failed:
    case NodeState::added:
        // No stack left to tell: the PDO goes.
        drop_node(*m.get(), node);
        return STATUS_SUCCESS;
    case NodeState::started: break;
    }
    if (Surprise) {
        node->surprise = true;
        commit_removal(*m.get(), node);
        return STATUS_SUCCESS;
    }
    // The target-device callbacks first: they may veto, and close their handles if they agree.
    return remove_orderly(*m.get(), node, VetoType);
}

}  // extern "C"
