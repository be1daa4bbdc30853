// The MUP driver: \Device\Mup (FILE_DEVICE_MULTI_UNC_PROVIDER), made at boot with the \GLOBAL??\UNC
// link to it, so \??\UNC\server\share\x (Win32 \\server\share\x) opens arrive here with the name
// "\server\share\x". A create is resolved to a provider (mup_resolve.cpp) and handed over: a legacy
// provider's by reparse to its device name plus the name (its later requests never pass MUP again),
// an Ex provider's by passing the IRP down to its device, as MUP does for every later request on that
// file ("Support for UNC Naming and MUP", IOCTL_REDIR_QUERY_PATH and IOCTL_REDIR_QUERY_PATH_EX on
// Learn). An open of \Device\Mup itself (no name) is MUP's own: registrations are such opens.
#include "fsrtl/mup.hpp"

#include "ntio/ntio.h"
#include "ntio/system.hpp"

namespace ntio::fsrtl::mup {
namespace {

constexpr char16_t kDeviceName[] = u"\\Device\\Mup";
constexpr char16_t kUncLink[] = u"\\GLOBAL??\\UNC";

UNICODE_STRING unicode(const char16_t* text) {
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, reinterpret_cast<PCWSTR>(text));
    return s;
}

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information = 0) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS NTAPI signal_event(PDEVICE_OBJECT, PIRP, PVOID context) {
    KeSetEvent(static_cast<PKEVENT>(context), IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// Passes the create down to the Ex provider and waits for it: MUP records the file as the
// provider's only once the provider opened it.
NTSTATUS hand_create_down(State& state, PIRP irp, PFILE_OBJECT file, const ProviderRef& provider) {
    if (irp->CurrentLocation <= 1) {
        // NT deviation: the provider registered (growing \Device\Mup's StackSize) after this IRP was
        // built with too few stack locations for it; a guessed status.
        return complete(irp, STATUS_INVALID_DEVICE_STATE);
    }
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(irp);
    IoSetCompletionRoutine(irp, signal_event, &event, TRUE, TRUE, TRUE);
    if (IoCallDriver(provider->device, irp) == STATUS_PENDING)
        (void)KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, nullptr);
    const NTSTATUS status = irp->IoStatus.Status;
    if (NT_SUCCESS(status) && status != STATUS_REPARSE) {
        std::lock_guard guard(state.lock);
        state.opens[file] = provider;
    }
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

// Renames the file object to the legacy provider's device name followed by the UNC name and asks the
// I/O manager to open that instead: the provider sees "\server\share\x" relative to its device.
NTSTATUS reparse_to(PIRP irp, PFILE_OBJECT file, const Provider& provider, std::u16string_view path) {
    std::u16string name = provider.name;
    name.append(path);
    if (name.size() * sizeof(WCHAR) > MAXUSHORT) return complete(irp, STATUS_OBJECT_NAME_INVALID);
    const NTSTATUS status = IoReplaceFileObjectName(file, reinterpret_cast<PWSTR>(name.data()),
                                                    static_cast<USHORT>(name.size() * sizeof(WCHAR)));
    if (!NT_SUCCESS(status)) return complete(irp, status);
    return complete(irp, STATUS_REPARSE, IO_REPARSE);
}

NTSTATUS NTAPI mup_create(PDEVICE_OBJECT device, PIRP irp) {
    State& state = *state_of(device);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    PFILE_OBJECT file = sp->FileObject;
    if (PFILE_OBJECT related = file->RelatedFileObject) {
        // A name relative to a file an Ex provider opened through MUP is that provider's too; MUP's
        // own opens name nothing below them (a guessed status).
        ProviderRef provider;
        {
            std::lock_guard guard(state.lock);
            auto it = state.opens.find(related);
            if (it != state.opens.end()) provider = it->second;
        }
        if (!provider) return complete(irp, STATUS_OBJECT_NAME_INVALID);
        return hand_create_down(state, irp, file, provider);
    }
    const std::u16string_view path(reinterpret_cast<const char16_t*>(file->FileName.Buffer),
                                   file->FileName.Length / sizeof(WCHAR));
    if (path.empty()) return complete(irp, STATUS_SUCCESS, FILE_OPENED);  // MUP itself
    // A UNC name needs a server: "\" or "\\x" names none (a guessed status).
    if (path.size() < 2 || path[0] != u'\\' || path[1] == u'\\') return complete(irp, STATUS_OBJECT_NAME_INVALID);

    ProviderRef provider;
    const NTSTATUS status = resolve(state, irp, path, &provider);
    if (!NT_SUCCESS(status)) return complete(irp, status);
    if (provider->legacy) return reparse_to(irp, file, *provider, path);
    return hand_create_down(state, irp, file, provider);
}

// Every other request: an Ex provider's file goes down to its provider; MUP's own opens end a
// registration at cleanup and support nothing else.
NTSTATUS NTAPI mup_dispatch(PDEVICE_OBJECT device, PIRP irp) {
    State& state = *state_of(device);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    PFILE_OBJECT file = sp->FileObject;
    ProviderRef provider;
    if (file) {
        std::lock_guard guard(state.lock);
        auto it = state.opens.find(file);
        if (it != state.opens.end()) {
            provider = it->second;
            // The file object goes after its close: a later file at the same address is new.
            if (sp->MajorFunction == IRP_MJ_CLOSE) state.opens.erase(it);
        }
    }
    if (provider) {
        if (irp->CurrentLocation <= 1) return complete(irp, STATUS_INVALID_DEVICE_STATE);
        IoSkipCurrentIrpStackLocation(irp);
        return IoCallDriver(provider->device, irp);
    }
    switch (sp->MajorFunction) {
    case IRP_MJ_CLEANUP:
        if (file) remove_registration(state, file);
        return complete(irp, STATUS_SUCCESS);
    case IRP_MJ_CLOSE:
        return complete(irp, STATUS_SUCCESS);
    default:
        return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    }
}

VOID NTAPI mup_unload(PDRIVER_OBJECT driver) {
    UNICODE_STRING link = unicode(kUncLink);
    (void)IoDeleteSymbolicLink(&link);
    while (PDEVICE_OBJECT device = driver->DeviceObject) {
        State* state = state_of(device);
        IoDeleteDevice(device);
        delete state;
    }
}

NTSTATUS NTAPI mup_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    for (auto& major : driver->MajorFunction) major = mup_dispatch;
    driver->MajorFunction[IRP_MJ_CREATE] = mup_create;
    driver->DriverUnload = mup_unload;
    UNICODE_STRING name = unicode(kDeviceName);
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, sizeof(State*), &name, FILE_DEVICE_MULTI_UNC_PROVIDER, FILE_REMOTE_DEVICE,
                                     FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    auto* state = new (std::nothrow) State();
    if (!state) {
        IoDeleteDevice(device);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    state->device = device;
    *static_cast<State**>(device->DeviceExtension) = state;
    UNICODE_STRING link = unicode(kUncLink);
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        delete state;
        return status;
    }
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

}  // namespace

State* state_of(PDEVICE_OBJECT device) noexcept {
    if (!device || !device->DriverObject || device->DriverObject->DriverInit != mup_entry)
        return nullptr;
    return *static_cast<State**>(device->DeviceExtension);
}

NTSTATUS start(System&) {
    UNICODE_STRING service = unicode(u"Mup");
    // NT deviation: the driver object is \Driver\Mup, where NT's is \FileSystem\Mup.
    return NtioCreateDriver(&service, mup_entry, nullptr);
}

}  // namespace ntio::fsrtl::mup
