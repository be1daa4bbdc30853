// Driver objects: NtioCreateDriver (what IoCreateDriver does for built-in drivers), NtioUnloadDriver
// with NT's deferred DriverUnload, the I/O manager's default dispatch routine, driver object
// extensions and reinitialization routines (NT facts L1, L2, L4, L7, L8, L9, S3).
#include "io/driver_object.hpp"

#include "io/device_object.hpp"
#include "io/io_manager.hpp"
#include "io/objects.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "ob/process.hpp"
#include "verifier/verifier.hpp"
#include <ntio/ntio.h>

namespace ntio::io {

namespace {

constexpr std::u16string_view kDriverDirectory = u"\\Driver\\";
constexpr std::u16string_view kServicesKey = u"\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\";
constexpr char16_t kHardwareDatabaseText[] = u"\\REGISTRY\\MACHINE\\HARDWARE\\DESCRIPTION\\SYSTEM";
UNICODE_STRING g_hardware_database{
    static_cast<USHORT>(sizeof(kHardwareDatabaseText) - sizeof(WCHAR)),
    static_cast<USHORT>(sizeof(kHardwareDatabaseText)),
    reinterpret_cast<PWCH>(const_cast<char16_t*>(kHardwareDatabaseText)),
};

struct ClientExtension {
    PVOID client_id;
    void* memory;
};

struct Reinitialization {
    PDRIVER_REINITIALIZE routine;
    PVOID context;
};

// Hangs off DriverPrivate::client_extensions: everything of a driver that the contract struct has no
// field for. Guarded by DriverPrivate::lock.
struct DriverExtras {
    void* registry_block = nullptr;  // page: UNICODE_STRING RegistryPath, then its buffer (NT fact L1)
    std::vector<ClientExtension> client_extensions;
    std::vector<Reinitialization> reinitializations;
    ULONG reinitialization_count = 0;
    void* image = nullptr;  // the loader's image, released when the driver object goes
    DriverImageRelease release_image = nullptr;
};

DriverExtras* extras_of(PDRIVER_OBJECT driver) noexcept {
    return static_cast<DriverExtras*>(driver_private(driver).client_extensions);
}

}  // namespace

void* driver_image(PDRIVER_OBJECT driver) noexcept {
    DriverExtras* extras = extras_of(driver);
    return extras ? extras->image : nullptr;
}

bool IoManager::queue_boot_reinitialization(PDRIVER_OBJECT driver, PDRIVER_REINITIALIZE routine, PVOID context) {
    std::lock_guard guard(m_boot_reinit_lock);
    if (m_boot_drivers_loaded) return false;
    ObReferenceObject(driver);
    m_boot_reinits.push_back({driver, routine, context});
    return true;
}

// Routines a routine registers meanwhile (a second IoRegisterBootDriverReinitialization) come after
// the boot-start phase ended: they are driver reinitializations then.
void IoManager::run_boot_reinitializations(bool call) {
    std::vector<BootReinitialization> queued;
    {
        std::lock_guard guard(m_boot_reinit_lock);
        m_boot_drivers_loaded = true;
        queued.swap(m_boot_reinits);
    }
    for (const BootReinitialization& r : queued) {
        if (call && !driver_private(r.driver).unloaded.load(std::memory_order_acquire)) r.routine(r.driver, r.context, 1);
        ObDereferenceObject(r.driver);
    }
}

namespace {

// The RegistryPath DriverEntry receives: page-aligned UNICODE_STRING, buffer right after it,
// MaximumLength == Length (NT fact L1).
PUNICODE_STRING make_registry_path(DriverExtras& extras, std::u16string_view path) {
    const std::size_t bytes = sizeof(UNICODE_STRING) + path.size() * sizeof(WCHAR);
    void* block = ::operator new(std::max<std::size_t>(bytes, PAGE_SIZE), std::align_val_t{PAGE_SIZE}, std::nothrow);
    if (!block) return nullptr;
    auto* string = static_cast<PUNICODE_STRING>(block);
    auto* buffer = reinterpret_cast<PWCH>(string + 1);
    std::memcpy(buffer, path.data(), path.size() * sizeof(WCHAR));
    string->Length = static_cast<USHORT>(path.size() * sizeof(WCHAR));
    string->MaximumLength = string->Length;
    string->Buffer = buffer;
    extras.registry_block = block;
    return string;
}

// Runs the reinitialization routines registered during DriverEntry (and those they register in
// turn), each with its pass count.
void run_reinitializations(PDRIVER_OBJECT driver) {
    DriverPrivate& priv = driver_private(driver);
    for (;;) {
        std::vector<Reinitialization> pass;
        ULONG count = 0;
        {
            std::lock_guard guard(priv.lock);
            DriverExtras* extras = extras_of(driver);
            pass.swap(extras->reinitializations);
            if (pass.empty()) {
                driver->Flags &= ~ULONG{DRVO_REINIT_REGISTERED};
                return;
            }
            count = ++extras->reinitialization_count;
        }
        for (const Reinitialization& r : pass) r.routine(driver, r.context, count);
    }
}

// Every device of the driver, for the unload and shutdown paths: a snapshot taken under the driver
// lock, each device referenced (a concurrent last close may unlink and free one as soon as the lock
// is dropped). The destructor drops the references.
class DeviceSnapshot {
public:
    explicit DeviceSnapshot(PDRIVER_OBJECT driver) {
        std::lock_guard guard(driver_private(driver).lock);
        for (PDEVICE_OBJECT d = driver->DeviceObject; d; d = d->NextDevice) {
            ObReferenceObject(d);  // listed devices still hold their creation reference
            m_devices.push_back(d);
        }
    }
    ~DeviceSnapshot() {
        for (PDEVICE_OBJECT d : m_devices) ObDereferenceObject(d);
    }
    DeviceSnapshot(const DeviceSnapshot&) = delete;
    DeviceSnapshot& operator=(const DeviceSnapshot&) = delete;
    auto begin() const { return m_devices.begin(); }
    auto end() const { return m_devices.end(); }

private:
    std::vector<PDEVICE_OBJECT> m_devices;
};

// NT's IopCheckUnloadDriver: a device with open files, or with a device of another driver attached,
// defers DriverUnload.
bool driver_busy(PDRIVER_OBJECT driver) {
    // Lock order: the driver's lock, then the database lock.
    std::lock_guard guard(driver_private(driver).lock);
    KIRQL irql = device_database_lock();
    bool busy = false;
    for (PDEVICE_OBJECT d = driver->DeviceObject; d && !busy; d = d->NextDevice) {
        if (__atomic_load_n(&d->ReferenceCount, __ATOMIC_SEQ_CST) != 0) busy = true;
        PDEVICE_OBJECT above = d->AttachedDevice;
        if (above && above->DriverObject != driver) busy = true;
    }
    device_database_unlock(irql);
    return busy;
}

// After DriverUnload (or a failed DriverEntry): the driver leaves the loaded list and its name,
// and the load reference goes.
void forget_driver(PDRIVER_OBJECT driver, bool was_loaded) {
    if (was_loaded) current_io().driver_unloaded(driver);
    ob::manager_of(driver).make_temporary(driver);
    ObDereferenceObject(driver);
    ntio::verifier::on_driver_forget(driver, was_loaded);  // last (may bugcheck); unload callers hold a ref
}

}  // namespace

NTSTATUS NTAPI invalid_device_request(PDEVICE_OBJECT, PIRP irp) {
    irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

bool driver_unloading(PDRIVER_OBJECT driver) noexcept {
    return driver_private(driver).unload_requested.load(std::memory_order_seq_cst);
}

void driver_try_complete_unload(PDRIVER_OBJECT driver) {
    DriverPrivate& priv = driver_private(driver);
    if (!priv.unload_requested.load(std::memory_order_acquire) || priv.unloaded.load(std::memory_order_acquire))
        return;
    if (driver_busy(driver)) return;
    if (priv.unloaded.exchange(true, std::memory_order_acq_rel)) return;
    // The caller's reference may be the last but one; keep the object until we are done with it.
    ObReferenceObject(driver);
    __atomic_fetch_or(&driver->Flags, ULONG{DRVO_UNLOAD_INVOKED}, __ATOMIC_ACQ_REL);
    if (driver->DriverUnload) {
        // NT runs DriverUnload in the System process, whichever thread drops the last open.
        ob::ProcessAttach attach(ob::manager_of(driver).system_process());
        driver->DriverUnload(driver);
    }
    forget_driver(driver, true);
    ObDereferenceObject(driver);
}

void driver_shutdown(PDRIVER_OBJECT driver) {
    if (!is_driver(driver)) return;
    if (driver->DriverUnload) {
        (void)NtioUnloadDriver(driver);
        return;
    }
    DriverPrivate& priv = driver_private(driver);
    priv.unload_requested.store(true, std::memory_order_release);
    if (priv.unloaded.exchange(true, std::memory_order_acq_rel)) return;
    ObReferenceObject(driver);
    for (PDEVICE_OBJECT d : DeviceSnapshot(driver)) IoDeleteDevice(d);
    forget_driver(driver, true);
    ObDereferenceObject(driver);
}

void driver_delete(void* object) {
    auto* driver = static_cast<PDRIVER_OBJECT>(object);
    DriverPrivate& priv = driver_private(driver);
    if (DriverExtras* extras = extras_of(driver)) {
        for (ClientExtension& e : extras->client_extensions) ExFreePool(e.memory);
        if (extras->registry_block) ::operator delete(extras->registry_block, std::align_val_t{PAGE_SIZE});
        void* image = extras->image;
        DriverImageRelease release = extras->release_image;
        delete extras;
        priv.~DriverPrivate();
        // Last: the image holds the code of the routines above only until here.
        if (image && release) release(image);
        return;
    }
    priv.~DriverPrivate();
}

void driver_dump(void* object, std::string& out) {
    auto* driver = static_cast<PDRIVER_OBJECT>(object);
    DriverPrivate& priv = driver_private(driver);
    unsigned devices = 0;
    {
        std::lock_guard guard(priv.lock);
        for (PDEVICE_OBJECT d = driver->DeviceObject; d; d = d->NextDevice) ++devices;
    }
    char line[160];
    std::snprintf(line, sizeof line, "flags 0x%x devices %u%s%s", static_cast<unsigned>(driver->Flags), devices,
                  priv.unload_requested.load() ? " unload-pending" : "", priv.unloaded.load() ? " unloaded" : "");
    out += line;
}

NTSTATUS create_driver(std::u16string_view service_name, PDRIVER_INITIALIZE InitializationFunction, void* image,
                       DriverImageRelease release, PDRIVER_OBJECT* DriverObject) {
    if (DriverObject) *DriverObject = nullptr;
    // Until the driver object owns the image, every early return hands it back.
    auto give_back = [&](NTSTATUS failure) {
        if (image && release) release(image);
        return failure;
    };
    if (!InitializationFunction) return give_back(STATUS_INVALID_PARAMETER);
    const std::u16string service(service_name);
    if (service.empty() || service.find(u'\\') != std::u16string::npos) return give_back(STATUS_OBJECT_NAME_INVALID);
    System* system = System::current();
    if (!system) return give_back(STATUS_INVALID_PARAMETER);

    std::u16string driver_name = std::u16string(kDriverDirectory) + service;
    UNICODE_STRING object_name{static_cast<USHORT>(driver_name.size() * sizeof(WCHAR)),
                               static_cast<USHORT>(driver_name.size() * sizeof(WCHAR)),
                               reinterpret_cast<PWCH>(driver_name.data())};
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &object_name, OBJ_PERMANENT | OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr,
                               nullptr);
    void* body = nullptr;
    ob::ObjectManager& om = system->objects();
    NTSTATUS status = om.create_object(KernelMode, &g_driver_type, &oa, sizeof(DriverBody), &body);
    if (!NT_SUCCESS(status)) return give_back(status);

    auto* driver_body_ptr = static_cast<DriverBody*>(body);
    DriverPrivate* priv = new (&driver_body_ptr->priv) DriverPrivate();
    auto* extras = new (std::nothrow) DriverExtras();
    priv->client_extensions = extras;
    if (extras) {
        extras->image = image;
        extras->release_image = release;
    } else {
        (void)give_back(STATUS_INSUFFICIENT_RESOURCES);
    }
    priv->service_name = service;
    priv->driver_name = driver_name;
    priv->registry_path = std::u16string(kServicesKey) + service;
    PUNICODE_STRING registry_path = extras ? make_registry_path(*extras, priv->registry_path) : nullptr;
    if (!registry_path) {
        ObDereferenceObject(body);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    priv->registry_path_string = *registry_path;

    // NT fact L1: the driver object as DriverEntry sees it.
    PDRIVER_OBJECT driver = &driver_body_ptr->object;
    driver->Type = IO_TYPE_DRIVER;
    driver->Size = sizeof(DRIVER_OBJECT);
    driver->Flags = DRVO_LEGACY_DRIVER;
    driver->DriverExtension = &driver_body_ptr->extension;
    driver->DriverExtension->DriverObject = driver;
    driver->DriverExtension->ServiceKeyName.Buffer = reinterpret_cast<PWCH>(priv->service_name.data());
    driver->DriverExtension->ServiceKeyName.Length = static_cast<USHORT>(service.size() * sizeof(WCHAR));
    driver->DriverExtension->ServiceKeyName.MaximumLength =
        static_cast<USHORT>(driver->DriverExtension->ServiceKeyName.Length + sizeof(WCHAR));
    driver->DriverName.Buffer = reinterpret_cast<PWCH>(priv->driver_name.data());
    driver->DriverName.Length = static_cast<USHORT>(priv->driver_name.size() * sizeof(WCHAR));
    driver->DriverName.MaximumLength = driver->DriverName.Length;
    driver->HardwareDatabase = &g_hardware_database;
    driver->DriverInit = InitializationFunction;
    for (PDRIVER_DISPATCH& routine : driver->MajorFunction) routine = invalid_device_request;

    void* inserted = nullptr;
    status = om.insert_object(body, 0, KernelMode, nullptr, &inserted);
    if (!NT_SUCCESS(status)) return status;  // the creation reference went with the failure

    {
        // NT runs DriverEntry in the System process: handles a driver opens without
        // OBJ_KERNEL_HANDLE go to the System process, where its DriverUnload finds them again.
        ob::ProcessAttach attach(om.system_process());
        ntio::verifier::on_driver_load(driver);
        status = InitializationFunction(driver, registry_path);
        ntio::verifier::on_driver_entry_returned(driver);
    }
    if (!NT_SUCCESS(status)) {
        // NT fact L8: a failing DriverEntry leaves nothing behind of its driver object.
        priv->unload_requested.store(true, std::memory_order_release);
        priv->unloaded.store(true, std::memory_order_release);
        for (PDEVICE_OBJECT d : DeviceSnapshot(driver)) IoDeleteDevice(d);
        forget_driver(driver, false);
        return status;
    }
    // NT facts L2, L4.
    __atomic_fetch_or(&driver->Flags, ULONG{DRVO_INITIALIZED}, __ATOMIC_ACQ_REL);
    for (PDEVICE_OBJECT d : DeviceSnapshot(driver)) __atomic_fetch_and(&d->Flags, ~ULONG{DO_DEVICE_INITIALIZING}, __ATOMIC_ACQ_REL);
    system->io().driver_loaded(driver);
    run_reinitializations(driver);
    if (DriverObject) {
        ObReferenceObject(driver);
        *DriverObject = driver;
    }
    return STATUS_SUCCESS;
}

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

NTSTATUS NtioCreateDriver(PCUNICODE_STRING ServiceName, PDRIVER_INITIALIZE InitializationFunction,
                          PDRIVER_OBJECT* DriverObject) {
    if (DriverObject) *DriverObject = nullptr;
    if (!ServiceName || !InitializationFunction) return STATUS_INVALID_PARAMETER;
    std::u16string service;
    NTSTATUS status = capture_unicode(ServiceName, service);
    if (!NT_SUCCESS(status)) return status;
    return create_driver(service, InitializationFunction, nullptr, nullptr, DriverObject);
}

NTSTATUS NtioUnloadDriver(PDRIVER_OBJECT DriverObject) {
    if (!DriverObject) return STATUS_INVALID_PARAMETER;
    if (!is_driver(DriverObject)) return STATUS_OBJECT_TYPE_MISMATCH;
    // NT fact L7.
    if (!DriverObject->DriverUnload) return STATUS_INVALID_DEVICE_REQUEST;
    DriverPrivate& priv = driver_private(DriverObject);
    if (priv.unload_requested.exchange(true, std::memory_order_seq_cst)) return STATUS_SUCCESS;
    for (PDEVICE_OBJECT d : DeviceSnapshot(DriverObject)) device_set_extension_flags(d, DOE_UNLOAD_PENDING);
    ObReferenceObject(DriverObject);
    driver_try_complete_unload(DriverObject);
    ObDereferenceObject(DriverObject);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI IoAllocateDriverObjectExtension(PDRIVER_OBJECT DriverObject, PVOID ClientIdentificationAddress,
                                               ULONG DriverObjectExtensionSize, PVOID* DriverObjectExtension) {
    if (!DriverObjectExtension) return STATUS_INVALID_PARAMETER;
    *DriverObjectExtension = nullptr;
    if (!is_driver(DriverObject)) return STATUS_INVALID_PARAMETER;
    void* memory = ExAllocatePoolWithTag(NonPagedPoolNx, std::max<ULONG>(DriverObjectExtensionSize, 1), 'virD');
    if (!memory) return STATUS_INSUFFICIENT_RESOURCES;
    std::memset(memory, 0, std::max<ULONG>(DriverObjectExtensionSize, 1));
    DriverPrivate& priv = driver_private(DriverObject);
    {
        std::lock_guard guard(priv.lock);
        DriverExtras* extras = extras_of(DriverObject);
        bool taken = std::any_of(extras->client_extensions.begin(), extras->client_extensions.end(),
                                 [&](const ClientExtension& e) { return e.client_id == ClientIdentificationAddress; });
        if (!taken) {
            extras->client_extensions.push_back({ClientIdentificationAddress, memory});
            *DriverObjectExtension = memory;
            return STATUS_SUCCESS;
        }
    }
    ExFreePool(memory);
    return STATUS_OBJECT_NAME_COLLISION;
}

PVOID NTAPI IoGetDriverObjectExtension(PDRIVER_OBJECT DriverObject, PVOID ClientIdentificationAddress) {
    if (!is_driver(DriverObject)) return nullptr;
    DriverPrivate& priv = driver_private(DriverObject);
    std::lock_guard guard(priv.lock);
    for (const ClientExtension& e : extras_of(DriverObject)->client_extensions)
        if (e.client_id == ClientIdentificationAddress) return e.memory;
    return nullptr;
}

VOID NTAPI IoRegisterDriverReinitialization(PDRIVER_OBJECT DriverObject,
                                            PDRIVER_REINITIALIZE DriverReinitializationRoutine, PVOID Context) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    if (!is_driver(DriverObject) || !DriverReinitializationRoutine) return;
    DriverPrivate& priv = driver_private(DriverObject);
    std::lock_guard guard(priv.lock);
    extras_of(DriverObject)->reinitializations.push_back({DriverReinitializationRoutine, Context});
    DriverObject->Flags |= DRVO_REINIT_REGISTERED;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioregisterbootdriverreinitialization:
// a boot driver's routine runs after every boot-start driver is loaded (and, on NT, the devices
// they reported enumerated and started). NT deviation (a guess, listed): registered after the
// boot-start drivers are loaded, the routine is queued as IoRegisterDriverReinitialization's are
// (called once the registering DriverEntry returned).
VOID NTAPI IoRegisterBootDriverReinitialization(PDRIVER_OBJECT DriverObject,
                                                PDRIVER_REINITIALIZE DriverReinitializationRoutine, PVOID Context) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!is_driver(DriverObject) || !DriverReinitializationRoutine) return;
    if (ob::manager_of(DriverObject).system().io().queue_boot_reinitialization(DriverObject,
                                                                              DriverReinitializationRoutine, Context))
        return;
    IoRegisterDriverReinitialization(DriverObject, DriverReinitializationRoutine, Context);
}

// The driver's device objects, for a file system filter counting the volumes it can attach to or
// tearing its devices down: as many pointers as fit in DeviceObjectListSize bytes, each referenced
// (the caller drops each with ObDereferenceObject), and the number there are. A list too small
// for all of them is STATUS_BUFFER_TOO_SMALL with the pointers that fit; a NULL list with size 0
// asks for the count. Devices IoDeleteDevice has already deleted are not listed.
// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioenumeratedeviceobjectlist
NTSTATUS NTAPI IoEnumerateDeviceObjectList(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT* DeviceObjectList,
                                           ULONG DeviceObjectListSize, PULONG ActualNumberDeviceObjects) {
    if (!is_driver(DriverObject) || !ActualNumberDeviceObjects) return STATUS_INVALID_PARAMETER;
    if (!DeviceObjectList && DeviceObjectListSize) return STATUS_INVALID_PARAMETER;
    const ULONG room = DeviceObjectList ? DeviceObjectListSize / sizeof(PDEVICE_OBJECT) : 0;
    ULONG count = 0;
    {
        std::lock_guard guard(driver_private(DriverObject).lock);
        for (PDEVICE_OBJECT d = DriverObject->DeviceObject; d; d = d->NextDevice) {
            if (device_private(d)->delete_pending.load(std::memory_order_acquire)) continue;
            if (count < room) {
                ObReferenceObject(d);
                DeviceObjectList[count] = d;
            }
            ++count;
        }
    }
    *ActualNumberDeviceObjects = count;
    return count > room ? STATUS_BUFFER_TOO_SMALL : STATUS_SUCCESS;
}

// The NUMA node a device is attached to. ntio presents one node, node 0, so every device is on it.
// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdevicenumanode
NTSTATUS NTAPI IoGetDeviceNumaNode(PDEVICE_OBJECT Pdo, PUSHORT NodeNumber) {
    if (!is_device(Pdo) || !NodeNumber) return STATUS_INVALID_PARAMETER;
    *NodeNumber = 0;
    return STATUS_SUCCESS;
}

}  // extern "C"
