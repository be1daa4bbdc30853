// NtLoadDriver / NtUnloadDriver and their Zw names: the privilege check and capture of the service
// key path, then the loader (io/driver_loader.hpp) on a system worker thread, as NT runs
// IopLoadUnloadDriver: DriverEntry and DriverUnload run in the System process with PreviousMode
// KernelMode whoever asked. A caller already in the System process (a DriverEntry loading another
// driver) runs the loader directly, as NT does, so nested loads cannot deadlock on the worker.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "io/driver_loader.hpp"
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

NTSTATUS run_loader(bool load, const std::u16string& name) {
    return load ? io::load_service(name) : io::unload_service(name);
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
