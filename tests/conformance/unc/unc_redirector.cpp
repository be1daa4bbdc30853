// The UncRedir WDM test driver (see unc_redirector.hpp): written as a WDK network redirector would be,
// with DriverEntry registering its providers with MUP and DriverUnload deregistering them.
#include "unc_redirector.hpp"

#include <cstring>

namespace ntio::test::unc {

DriverState g_state;

void DriverState::reset() {
    for (Redirector* r : {&alpha, &beta, &legacy}) {
        r->device = nullptr;
        r->mup = nullptr;
        r->queries = 0;
        r->creates = 0;
        r->cleanups = 0;
        r->closes = 0;
        r->last_query.clear();
        r->last_create.clear();
        r->last_create_file_device = nullptr;
        r->last_query_mode = UserMode;
        r->last_query_input_length = 0;
    }
    alpha.redir_name = L"\\Device\\AlphaRedir";
    alpha.letter = 'A';
    alpha.servers[0] = u"server1";
    alpha.servers[1] = u"both";
    alpha.servers[2] = nullptr;  // "denied" is a server it knows without the share asked for
    beta.redir_name = L"\\Device\\BetaRedir";
    beta.letter = 'B';
    beta.servers[0] = u"server2";
    beta.servers[1] = u"both";
    beta.servers[2] = nullptr;
    legacy.redir_name = L"\\Device\\LegacyRedir";
    legacy.letter = 'L';
    legacy.servers[0] = u"oldserver";
    legacy.servers[1] = nullptr;
    legacy.servers[2] = nullptr;
}

namespace {

Redirector* redirector_of(PDEVICE_OBJECT device) {
    for (Redirector* r : {&g_state.alpha, &g_state.beta, &g_state.legacy})
        if (r->device == device) return r;
    return nullptr;
}

bool same_ci(std::u16string_view a, std::u16string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (RtlUpcaseUnicodeChar(a[i]) != RtlUpcaseUnicodeChar(b[i])) return false;
    return true;
}

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information = 0) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

// Prefix resolution: "\server\share..." is ours when the server is; we claim "\server\share".
NTSTATUS answer_query(Redirector& r, std::u16string_view path, PQUERY_PATH_RESPONSE response) {
    ExAcquireFastMutex(&g_state.lock);
    r.last_query.assign(path);
    ExReleaseFastMutex(&g_state.lock);
    ++r.queries;
    if (path.size() < 2 || path[0] != u'\\') return STATUS_BAD_NETWORK_PATH;
    size_t server_end = path.find(u'\\', 1);
    if (server_end == std::u16string_view::npos) server_end = path.size();
    const std::u16string_view server = path.substr(1, server_end - 1);
    if (same_ci(server, u"denied") && (&r == &g_state.alpha)) return STATUS_BAD_NETWORK_NAME;
    for (const char16_t* known : r.servers) {
        if (known && same_ci(server, known)) {
            size_t share_end = server_end < path.size() ? path.find(u'\\', server_end + 1) : path.size();
            if (share_end == std::u16string_view::npos) share_end = path.size();
            response->LengthAccepted = static_cast<ULONG>(share_end * sizeof(WCHAR));
            return STATUS_SUCCESS;
        }
    }
    return STATUS_BAD_NETWORK_PATH;
}

NTSTATUS NTAPI dispatch_device_control(PDEVICE_OBJECT device, PIRP irp) {
    Redirector* r = redirector_of(device);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    const ULONG code = sp->Parameters.DeviceIoControl.IoControlCode;
    const ULONG in_length = sp->Parameters.DeviceIoControl.InputBufferLength;
    const ULONG out_length = sp->Parameters.DeviceIoControl.OutputBufferLength;
    auto* response = static_cast<PQUERY_PATH_RESPONSE>(irp->UserBuffer);
    if (!r || (code != IOCTL_REDIR_QUERY_PATH_EX && code != IOCTL_REDIR_QUERY_PATH))
        return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    ExAcquireFastMutex(&g_state.lock);
    r->last_query_mode = irp->RequestorMode;
    r->last_query_input_length = in_length;
    ExReleaseFastMutex(&g_state.lock);
    // Only MUP (kernel mode) may ask, with the buffers the IOCTL's page gives.
    if (irp->RequestorMode != KernelMode || !response || out_length < sizeof(QUERY_PATH_RESPONSE))
        return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    NTSTATUS status;
    if (code == IOCTL_REDIR_QUERY_PATH_EX) {
        if (r == &g_state.legacy || in_length < sizeof(QUERY_PATH_REQUEST_EX)) return complete(irp, STATUS_INVALID_PARAMETER);
        auto* request = static_cast<PQUERY_PATH_REQUEST_EX>(sp->Parameters.DeviceIoControl.Type3InputBuffer);
        status = answer_query(*r, std::u16string_view(reinterpret_cast<const char16_t*>(request->PathName.Buffer),
                                                      request->PathName.Length / sizeof(WCHAR)),
                              response);
    } else {
        if (r != &g_state.legacy || in_length < sizeof(QUERY_PATH_REQUEST)) return complete(irp, STATUS_INVALID_PARAMETER);
        auto* request = static_cast<PQUERY_PATH_REQUEST>(sp->Parameters.DeviceIoControl.Type3InputBuffer);
        status = answer_query(*r, std::u16string_view(reinterpret_cast<const char16_t*>(request->FilePathName),
                                                      request->PathNameLength / sizeof(WCHAR)),
                              response);
    }
    return complete(irp, status, NT_SUCCESS(status) ? sizeof(QUERY_PATH_RESPONSE) : 0);
}

NTSTATUS NTAPI dispatch_create(PDEVICE_OBJECT device, PIRP irp) {
    Redirector* r = redirector_of(device);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    if (!r) return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    ExAcquireFastMutex(&g_state.lock);
    r->last_create.assign(reinterpret_cast<const char16_t*>(file->FileName.Buffer), file->FileName.Length / sizeof(WCHAR));
    r->last_create_file_device = file->DeviceObject;
    ExReleaseFastMutex(&g_state.lock);
    // A name whose last component is "missing" names no file on the server.
    const std::u16string_view name(reinterpret_cast<const char16_t*>(file->FileName.Buffer), file->FileName.Length / sizeof(WCHAR));
    if (name == u"missing" || (name.size() >= 8 && name.substr(name.size() - 8) == u"\\missing"))
        return complete(irp, STATUS_OBJECT_NAME_NOT_FOUND);
    ++r->creates;
    return complete(irp, STATUS_SUCCESS, FILE_OPENED);
}

// Reads return the redirector's letter, a colon and the name the file was opened by (narrowed).
NTSTATUS NTAPI dispatch_read(PDEVICE_OBJECT device, PIRP irp) {
    Redirector* r = redirector_of(device);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (!r) return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
    PFILE_OBJECT file = sp->FileObject;
    char content[128];
    size_t n = 0;
    content[n++] = r->letter;
    content[n++] = ':';
    for (USHORT i = 0; i < file->FileName.Length / sizeof(WCHAR) && n < sizeof(content); ++i)
        content[n++] = static_cast<char>(file->FileName.Buffer[i]);
    const ULONG length = static_cast<ULONG>(n < sp->Parameters.Read.Length ? n : sp->Parameters.Read.Length);
    PVOID buffer = irp->MdlAddress ? MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority) : irp->UserBuffer;
    if (!buffer) return complete(irp, STATUS_INSUFFICIENT_RESOURCES);
    __try {
        RtlCopyMemory(buffer, content, length);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return complete(irp, GetExceptionCode());
    }
    return complete(irp, STATUS_SUCCESS, length);
}

NTSTATUS NTAPI dispatch_cleanup_close(PDEVICE_OBJECT device, PIRP irp) {
    if (Redirector* r = redirector_of(device)) {
        if (IoGetCurrentIrpStackLocation(irp)->MajorFunction == IRP_MJ_CLEANUP) ++r->cleanups;
        else ++r->closes;
    }
    return complete(irp, STATUS_SUCCESS);
}

NTSTATUS NTAPI dispatch_other(PDEVICE_OBJECT, PIRP irp) { return complete(irp, STATUS_INVALID_DEVICE_REQUEST); }

VOID NTAPI unload(PDRIVER_OBJECT driver) {
    for (Redirector* r : {&g_state.alpha, &g_state.beta, &g_state.legacy}) {
        if (r->mup) FsRtlDeregisterUncProvider(r->mup);
        r->mup = nullptr;
    }
    while (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

}  // namespace

NTSTATUS NTAPI UncRedirDriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    for (auto& major : driver->MajorFunction) major = dispatch_other;
    driver->MajorFunction[IRP_MJ_CREATE] = dispatch_create;
    driver->MajorFunction[IRP_MJ_READ] = dispatch_read;
    driver->MajorFunction[IRP_MJ_CLEANUP] = dispatch_cleanup_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = dispatch_cleanup_close;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = dispatch_device_control;
    driver->DriverUnload = unload;
    ExInitializeFastMutex(&g_state.lock);

    NTSTATUS status = STATUS_SUCCESS;
    for (Redirector* r : {&g_state.alpha, &g_state.beta}) {
        status = IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_NETWORK_FILE_SYSTEM, FILE_REMOTE_DEVICE, FALSE, &r->device);
        if (!NT_SUCCESS(status)) break;
        r->device->Flags &= ~DO_DEVICE_INITIALIZING;
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, r->redir_name);
        status = FsRtlRegisterUncProviderEx(&r->mup, &name, r->device, 0);
        if (!NT_SUCCESS(status)) break;
    }
    if (NT_SUCCESS(status)) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, g_state.legacy.redir_name);
        status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_NETWORK_FILE_SYSTEM, FILE_REMOTE_DEVICE, FALSE,
                                &g_state.legacy.device);
        if (NT_SUCCESS(status)) {
            g_state.legacy.device->Flags &= ~DO_DEVICE_INITIALIZING;
            status = FsRtlRegisterUncProvider(&g_state.legacy.mup, &name, FALSE);
        }
    }
    if (!NT_SUCCESS(status)) unload(driver);
    return status;
}

NTSTATUS UncTest::open(const wchar_t* path, HANDLE* handle) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    *handle = nullptr;
    return ZwCreateFile(handle, GENERIC_READ | SYNCHRONIZE, &oa, &iosb, nullptr, 0, FILE_SHARE_READ, FILE_OPEN,
                        FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
}

std::string UncTest::read(HANDLE handle, ULONG capacity) {
    std::string buffer(capacity, '\0');
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER offset{};
    const NTSTATUS status = ZwReadFile(handle, nullptr, nullptr, nullptr, &iosb, buffer.data(), capacity, &offset, nullptr);
    if (!NT_SUCCESS(status)) return {};
    buffer.resize(iosb.Information);
    return buffer;
}

}  // namespace ntio::test::unc
