// The console driver: \Device\ConDrv (FILE_DEVICE_CONSOLE) over the host's standard descriptors.
// Opening \Device\ConDrv\CurrentIn gives the input object (host stdin), \CurrentOut the output object
// (stdout), \CurrentErr the error object (stderr, an ntio addition); \Device\ConDrv alone is a
// connection that does nothing. Requests handled:
//   IRP_MJ_CREATE, IRP_MJ_CLEANUP (ends reads blocked on the file), IRP_MJ_CLOSE
//   IRP_MJ_READ            input objects: waits for the host's stdin, returns what one read gives
//   IRP_MJ_WRITE           output and error objects: every byte, in order, writers serialized
//   IRP_MJ_FLUSH_BUFFERS   succeeds (writes are unbuffered)
//   IRP_MJ_DEVICE_CONTROL  the private console controls of console_driver.hpp
//   every other request    STATUS_INVALID_DEVICE_REQUEST (FileFsDeviceInformation, which GetFileType
//                          asks, is the I/O manager's answer from the device object)
// A blocked read ends with STATUS_CANCELLED when its IRP is cancelled (CancelSynchronousIo, CancelIoEx)
// or its file is cleaned up.
#include "io/console_driver.hpp"

#include <atomic>
#include <mutex>
#include <new>
#include <string_view>
#include <unordered_set>

#include "host/console.hpp"
#include "ntio/ntio.h"

namespace ntio::io::console {
namespace {

constexpr char16_t kDeviceName[] = u"\\Device\\ConDrv";

enum class Kind { connection, input, output, error };

// Console modes, https://learn.microsoft.com/windows/console/setconsolemode: "When a console is
// created, all input modes except ENABLE_WINDOW_INPUT and ENABLE_VIRTUAL_TERMINAL_INPUT are enabled
// by default"; a screen buffer starts with processed output and wrapping at EOL
// (https://learn.microsoft.com/windows/console/high-level-console-modes).
constexpr ULONG kProcessedInput = 0x0001, kLineInput = 0x0002, kEchoInput = 0x0004, kWindowInput = 0x0008,
                kMouseInput = 0x0010, kInsertMode = 0x0020, kQuickEditMode = 0x0040, kExtendedFlags = 0x0080,
                kAutoPosition = 0x0100, kVirtualTerminalInput = 0x0200;
constexpr ULONG kInputModes = kProcessedInput | kLineInput | kEchoInput | kWindowInput | kMouseInput | kInsertMode |
                              kQuickEditMode | kExtendedFlags | kAutoPosition | kVirtualTerminalInput;
constexpr ULONG kDefaultInputMode = kInputModes & ~(kWindowInput | kVirtualTerminalInput);
constexpr ULONG kOutputModes = 0x001F;  // processed, wrap at EOL, VT processing, no auto return, grid
constexpr ULONG kDefaultOutputMode = 0x0003;

struct State {
    std::mutex lock;
    ULONG input_mode = kDefaultInputMode;
    ULONG output_mode = kDefaultOutputMode;  // one screen buffer behind CurrentOut and CurrentErr
    std::mutex write_lock;                   // one writer at a time: no interleaved writes
};

// FsContext of each file object.
struct FileContext {
    Kind kind = Kind::connection;
    std::mutex lock;
    bool cleaned_up = false;
    std::unordered_set<host::console::Wake*> reads;  // blocked reads, woken at cleanup
};

State& state_of(PDEVICE_OBJECT device) { return **static_cast<State**>(device->DeviceExtension); }
FileContext* context_of(PIRP irp) {
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    return file ? static_cast<FileContext*>(file->FsContext) : nullptr;
}

int host_fd(Kind kind) {
    switch (kind) {
    case Kind::input:
        return host::console::kInput;
    case Kind::output:
        return host::console::kOutput;
    case Kind::error:
        return host::console::kError;
    default:
        return -1;
    }
}

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information = 0) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

bool same_name(std::u16string_view a, std::u16string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto fold = [](char16_t c) { return c >= u'a' && c <= u'z' ? static_cast<char16_t>(c - 32) : c; };
        if (fold(a[i]) != fold(b[i])) return false;
    }
    return true;
}

NTSTATUS NTAPI con_create(PDEVICE_OBJECT, PIRP irp) {
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    const std::u16string_view name(reinterpret_cast<const char16_t*>(file->FileName.Buffer),
                                   file->FileName.Length / sizeof(WCHAR));
    const std::u16string_view device(kDeviceName);
    Kind kind;
    if (name.empty())
        kind = Kind::connection;
    else if (same_name(name, std::u16string_view(kInputName).substr(device.size())))
        kind = Kind::input;
    else if (same_name(name, std::u16string_view(kOutputName).substr(device.size())))
        kind = Kind::output;
    else if (same_name(name, std::u16string_view(kErrorName).substr(device.size())))
        kind = Kind::error;
    else
        return complete(irp, STATUS_OBJECT_NAME_NOT_FOUND);
    auto* context = new (std::nothrow) FileContext();
    if (!context) return complete(irp, STATUS_INSUFFICIENT_RESOURCES);
    context->kind = kind;
    file->FsContext = context;
    return complete(irp, STATUS_SUCCESS, FILE_OPENED);
}

NTSTATUS NTAPI con_cleanup(PDEVICE_OBJECT, PIRP irp) {
    if (FileContext* context = context_of(irp)) {
        std::lock_guard guard(context->lock);
        context->cleaned_up = true;
        for (host::console::Wake* wake : context->reads) wake->signal();
    }
    return complete(irp, STATUS_SUCCESS);
}

NTSTATUS NTAPI con_close(PDEVICE_OBJECT, PIRP irp) {
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    if (file) {
        delete static_cast<FileContext*>(file->FsContext);
        file->FsContext = nullptr;
    }
    return complete(irp, STATUS_SUCCESS);
}

// Runs with the cancel spin lock held; wakes the read, whose dispatch completes the IRP. The wake
// lives on that dispatch's stack, which waits for this routine to release the lock before it goes.
VOID NTAPI cancel_read(PDEVICE_OBJECT, PIRP irp) {
    static_cast<host::console::Wake*>(irp->Tail.Overlay.DriverContext[0])->signal();
    IoReleaseCancelSpinLock(irp->CancelIrql);
}

// Reads the host's stdin into `buffer` on the caller's thread (console reads are synchronous),
// until data comes, the IRP is cancelled or the file is cleaned up.
NTSTATUS read_input(PIRP irp, FileContext& context, PVOID buffer, ULONG length, ULONG_PTR* read) {
    *read = 0;
    host::console::Wake wake;
    if (!wake.valid()) return STATUS_INSUFFICIENT_RESOURCES;
    {
        std::lock_guard guard(context.lock);
        if (context.cleaned_up) return STATUS_CANCELLED;
        context.reads.insert(&wake);
    }
    irp->Tail.Overlay.DriverContext[0] = &wake;
    (void)IoSetCancelRoutine(irp, cancel_read);
    NTSTATUS status = STATUS_CANCELLED;
    if (!irp->Cancel) {
        for (;;) {
            std::size_t count = 0;
            status = host::console::read_some(host::console::kInput, buffer, length, wake, &count);
            *read = count;
            if (status != STATUS_ALERTED) break;
            wake.clear();
            std::lock_guard guard(context.lock);
            if (irp->Cancel || context.cleaned_up) {
                status = STATUS_CANCELLED;
                break;
            }
        }
    }
    if (!IoSetCancelRoutine(irp, nullptr)) {
        // The cancel routine was taken: wait until it has signalled the wake and let go.
        KIRQL irql;
        IoAcquireCancelSpinLock(&irql);
        IoReleaseCancelSpinLock(irql);
    }
    std::lock_guard guard(context.lock);
    context.reads.erase(&wake);
    return status;
}

NTSTATUS write_output(State& state, Kind kind, const void* data, ULONG length, ULONG_PTR* written) {
    std::lock_guard guard(state.write_lock);
    std::size_t count = 0;
    const NTSTATUS status = host::console::write_all(host_fd(kind), data, length, &count);
    *written = count;
    return status;
}

bool is_output(Kind kind) { return kind == Kind::output || kind == Kind::error; }

NTSTATUS NTAPI con_read(PDEVICE_OBJECT, PIRP irp) {
    FileContext* context = context_of(irp);
    // NT deviation (a guess): reading an output object or the connection is an invalid request.
    if (!context || context->kind != Kind::input) return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    const ULONG length = IoGetCurrentIrpStackLocation(irp)->Parameters.Read.Length;
    if (length == 0) return complete(irp, STATUS_SUCCESS);
    ULONG_PTR read = 0;
    const NTSTATUS status = read_input(irp, *context, irp->AssociatedIrp.SystemBuffer, length, &read);
    return complete(irp, status, NT_SUCCESS(status) ? read : 0);
}

NTSTATUS NTAPI con_write(PDEVICE_OBJECT device, PIRP irp) {
    FileContext* context = context_of(irp);
    if (!context || !is_output(context->kind)) return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    const ULONG length = IoGetCurrentIrpStackLocation(irp)->Parameters.Write.Length;
    ULONG_PTR written = 0;
    const NTSTATUS status =
        write_output(state_of(device), context->kind, irp->AssociatedIrp.SystemBuffer, length, &written);
    return complete(irp, status, written);
}

NTSTATUS NTAPI con_flush(PDEVICE_OBJECT, PIRP irp) { return complete(irp, STATUS_SUCCESS); }

// SetConsoleMode's validation: unknown bits and echo without line input are refused; insert and
// quick-edit mode change only with ENABLE_EXTENDED_FLAGS ("To disable this mode, use
// ENABLE_EXTENDED_FLAGS without this flag"), else they keep their values.
NTSTATUS set_mode(State& state, Kind kind, ULONG mode) {
    std::lock_guard guard(state.lock);
    if (kind == Kind::input) {
        if ((mode & ~kInputModes) || ((mode & kEchoInput) && !(mode & kLineInput))) return STATUS_INVALID_PARAMETER;
        if (!(mode & kExtendedFlags)) mode = (mode & ~(kInsertMode | kQuickEditMode)) |
                                             (state.input_mode & (kInsertMode | kQuickEditMode));
        state.input_mode = mode;
    } else {
        if (mode & ~kOutputModes) return STATUS_INVALID_PARAMETER;
        state.output_mode = mode;
    }
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI con_control(PDEVICE_OBJECT device, PIRP irp) {
    State& state = state_of(device);
    FileContext* context = context_of(irp);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    const ULONG code = sp->Parameters.DeviceIoControl.IoControlCode;
    const ULONG in = sp->Parameters.DeviceIoControl.InputBufferLength;
    const ULONG out = sp->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID buffer = irp->AssociatedIrp.SystemBuffer;
    if (code != kGetMode && code != kSetMode && code != kScreenSize && code != kFlushInput && code != kWrite &&
        code != kRead)
        return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    // Only a console object whose host side is a terminal is a console.
    const Kind kind = context ? context->kind : Kind::connection;
    if (kind == Kind::connection || !host::console::is_terminal(host_fd(kind)))
        return complete(irp, STATUS_INVALID_HANDLE);
    switch (code) {
    case kGetMode: {
        if (out < sizeof(ULONG)) return complete(irp, STATUS_BUFFER_TOO_SMALL);
        std::lock_guard guard(state.lock);
        *static_cast<ULONG*>(buffer) = kind == Kind::input ? state.input_mode : state.output_mode;
        return complete(irp, STATUS_SUCCESS, sizeof(ULONG));
    }
    case kSetMode:
        if (in < sizeof(ULONG)) return complete(irp, STATUS_INVALID_PARAMETER);
        return complete(irp, set_mode(state, kind, *static_cast<ULONG*>(buffer)));
    case kScreenSize: {
        if (!is_output(kind)) return complete(irp, STATUS_INVALID_HANDLE);
        if (out < sizeof(ScreenSize)) return complete(irp, STATUS_BUFFER_TOO_SMALL);
        ScreenSize size{};
        if (!host::console::terminal_size(host_fd(kind), &size.columns, &size.rows))
            return complete(irp, STATUS_INVALID_HANDLE);
        *static_cast<ScreenSize*>(buffer) = size;
        return complete(irp, STATUS_SUCCESS, sizeof(size));
    }
    case kFlushInput:
        if (kind != Kind::input) return complete(irp, STATUS_INVALID_HANDLE);
        return complete(irp, host::console::flush_input(host_fd(kind)));
    case kWrite: {
        if (!is_output(kind)) return complete(irp, STATUS_INVALID_HANDLE);
        ULONG_PTR written = 0;
        const NTSTATUS status = write_output(state, kind, buffer, in, &written);
        return complete(irp, status, written);
    }
    default: {  // kRead
        if (kind != Kind::input) return complete(irp, STATUS_INVALID_HANDLE);
        if (out == 0) return complete(irp, STATUS_SUCCESS);
        ULONG_PTR read = 0;
        const NTSTATUS status = read_input(irp, *context, buffer, out, &read);
        return complete(irp, status, NT_SUCCESS(status) ? read : 0);
    }
    }
}

NTSTATUS NTAPI con_unsupported(PDEVICE_OBJECT, PIRP irp) { return complete(irp, STATUS_INVALID_DEVICE_REQUEST); }

VOID NTAPI con_unload(PDRIVER_OBJECT driver) {
    while (PDEVICE_OBJECT device = driver->DeviceObject) {
        State* state = &state_of(device);
        IoDeleteDevice(device);
        delete state;
    }
}

NTSTATUS NTAPI con_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    for (auto& major : driver->MajorFunction) major = con_unsupported;
    driver->MajorFunction[IRP_MJ_CREATE] = con_create;
    driver->MajorFunction[IRP_MJ_CLEANUP] = con_cleanup;
    driver->MajorFunction[IRP_MJ_CLOSE] = con_close;
    driver->MajorFunction[IRP_MJ_READ] = con_read;
    driver->MajorFunction[IRP_MJ_WRITE] = con_write;
    driver->MajorFunction[IRP_MJ_FLUSH_BUFFERS] = con_flush;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = con_control;
    driver->DriverUnload = con_unload;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, reinterpret_cast<PCWSTR>(kDeviceName));
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, sizeof(State*), &name, FILE_DEVICE_CONSOLE, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    auto* state = new (std::nothrow) State();
    if (!state) {
        IoDeleteDevice(device);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    *static_cast<State**>(device->DeviceExtension) = state;
    device->Flags |= DO_BUFFERED_IO;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

}  // namespace

NTSTATUS start(System&) {
    UNICODE_STRING service;
    RtlInitUnicodeString(&service, reinterpret_cast<PCWSTR>(u"ConDrv"));
    return NtioCreateDriver(&service, con_entry, nullptr);
}

}  // namespace ntio::io::console
