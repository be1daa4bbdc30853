// NtLoadDriver / NtUnloadDriver and their Zw names: the privilege check and capture of the service
// key path, then the loader (io/driver_loader.hpp) on a system worker thread, as NT runs
// IopLoadUnloadDriver: DriverEntry and DriverUnload run in the System process with PreviousMode
// KernelMode whoever asked. A caller already in the System process (a DriverEntry loading another
// driver) runs the loader directly, as NT does, so nested loads cannot deadlock on the worker.
// NtUnloadDriver refuses Plug and Play drivers: the PnP manager unloads those when their last device
// goes (io/pnp_manager.cpp).
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "io/driver_loader.hpp"
#include "io/objects.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"

using namespace ntio;
using namespace ntio::nt;

namespace {

NTSTATUS capture_service_name(KPROCESSOR_MODE mode, PUNICODE_STRING name, std::u16string& out) {
    if (!name) return mode == KernelMode ? STATUS_INVALID_PARAMETER : STATUS_ACCESS_VIOLATION;
    UNICODE_STRING captured{};
    NTSTATUS status = read_caller(mode, const_cast<const UNICODE_STRING*>(name), captured);
    if (!NT_SUCCESS(status)) return status;
    if ((captured.Length & 1) || captured.Length > captured.MaximumLength) return STATUS_INVALID_PARAMETER;
    if (captured.Length && !captured.Buffer) return STATUS_ACCESS_VIOLATION;
    out.resize(captured.Length / sizeof(WCHAR));
    if (mode == KernelMode) {
        if (captured.Length) std::memcpy(out.data(), captured.Buffer, captured.Length);
        return STATUS_SUCCESS;
    }
    return copy_from_user(out.data(), captured.Buffer, captured.Length, alignof(WCHAR));
}

struct LoaderRequest {
    WORK_QUEUE_ITEM item;
    KEVENT done;
    bool load;
    std::u16string name;
    NTSTATUS status;
};

// A Plug and Play driver is one whose DriverEntry set AddDevice. "If DriverName is the name of a PnP
// device driver, ZwUnloadDriver returns STATUS_INVALID_DEVICE_REQUEST and does not unload the driver":
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwunloaddriver
// Its Unload routine is the PnP manager's to call, "at any time after all the driver's devices have
// been removed": https://learn.microsoft.com/windows-hardware/drivers/kernel/pnp-driver-s-unload-routine
// The service control manager turns the status into ERROR_INVALID_SERVICE_CONTROL, as it does for a
// driver without DriverUnload (NT fact L7).
// NT deviation: a PnP driver with no device object at all is unloaded on request. On Windows such a
// driver is not left loaded (NtLoadDriver of a PnP driver without devices unloads it again with
// STATUS_PLUGPLAY_NO_DEVICE, and the PnP manager unloads it with its last device whoever loaded
// it); ntio keeps a PnP driver NtLoadDriver loaded until NtUnloadDriver, so this is its way out.
bool refuses_unload_request(PDRIVER_OBJECT driver) {
    if (!driver->DriverExtension || !driver->DriverExtension->AddDevice) return false;
    std::lock_guard guard(io::driver_private(driver).lock);
    return driver->DeviceObject != nullptr;
}

// NtUnloadDriver's checks before the loader's: the service key must exist (STATUS_OBJECT_NAME_NOT_FOUND
// first, NT fact L7), then a loaded PnP driver is refused. The loader repeats the key and lookup
// steps under its own lock.
NTSTATUS check_unload_request(const std::u16string& name) {
    std::u16string key_path;
    std::u16string service;
    NTSTATUS status = io::service_key_of(name, key_path, service);
    if (!NT_SUCCESS(status)) return status;
    UNICODE_STRING key_name{static_cast<USHORT>(key_path.size() * sizeof(WCHAR)),
                            static_cast<USHORT>(key_path.size() * sizeof(WCHAR)),
                            reinterpret_cast<PWCH>(key_path.data())};
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &key_name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE key = nullptr;
    status = ZwOpenKey(&key, KEY_READ, &oa);
    if (!NT_SUCCESS(status)) return status;
    (void)ZwClose(key);
    PDRIVER_OBJECT driver = io::reference_service_driver(service);
    if (!driver) return STATUS_SUCCESS;
    const bool refused = refuses_unload_request(driver);
    ObDereferenceObject(driver);
    return refused ? STATUS_INVALID_DEVICE_REQUEST : STATUS_SUCCESS;
}

NTSTATUS run_loader(bool load, const std::u16string& name) {
    if (load) return io::load_service(name);
    NTSTATUS status = check_unload_request(name);
    return NT_SUCCESS(status) ? io::unload_service(name) : status;
}

VOID NTAPI loader_worker(PVOID context) {
    auto* request = static_cast<LoaderRequest*>(context);
    request->status = run_loader(request->load, request->name);
    KeSetEvent(&request->done, IO_NO_INCREMENT, FALSE);
}

NTSTATUS load_or_unload(bool load, PUNICODE_STRING DriverServiceName) {
    const KPROCESSOR_MODE mode = previous_mode();
    // NT checks the privilege before it looks at the name.
    if (mode != KernelMode && !SeSinglePrivilegeCheck(RtlConvertLongToLuid(SE_LOAD_DRIVER_PRIVILEGE), mode))
        return STATUS_PRIVILEGE_NOT_HELD;
    std::u16string name;
    NTSTATUS status = capture_service_name(mode, DriverServiceName, name);
    if (!NT_SUCCESS(status)) return status;
    if (name.empty()) return STATUS_OBJECT_NAME_INVALID;
    // The name is a registry path, opened as ZwOpenKey would open it without a root.
    if (name.front() != u'\\') return STATUS_OBJECT_PATH_SYNTAX_BAD;
    System* system = System::current();
    if (!system) return STATUS_INVALID_PARAMETER;
    if (PsGetCurrentProcess() == system->objects().system_process()) {
        KernelModeCall kernel;
        return run_loader(load, name);
    }
    LoaderRequest request{{}, {}, load, std::move(name), STATUS_PENDING};
    KeInitializeEvent(&request.done, NotificationEvent, FALSE);
    ExInitializeWorkItem(&request.item, loader_worker, &request);
    ExQueueWorkItem(&request.item, DelayedWorkQueue);
    (void)KeWaitForSingleObject(&request.done, ::Executive, KernelMode, FALSE, nullptr);
    return request.status;
}

}  // namespace

extern "C" {

NTSTATUS NTAPI NtLoadDriver(PUNICODE_STRING DriverServiceName) { return load_or_unload(true, DriverServiceName); }

NTSTATUS NTAPI NtUnloadDriver(PUNICODE_STRING DriverServiceName) { return load_or_unload(false, DriverServiceName); }

NTSTATUS NTAPI ZwLoadDriver(PUNICODE_STRING DriverServiceName) {
    KernelModeCall kernel;
    return NtLoadDriver(DriverServiceName);
}

NTSTATUS NTAPI ZwUnloadDriver(PUNICODE_STRING DriverServiceName) {
    KernelModeCall kernel;
    return NtUnloadDriver(DriverServiceName);
}

}  // extern "C"
