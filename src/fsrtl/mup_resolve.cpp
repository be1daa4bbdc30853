// MUP's prefix resolution: which provider handles a UNC name. The prefix cache answers first: a
// provider that claimed LengthAccepted bytes of an earlier name ("\server\share") gets every later
// name under that prefix without being asked, until the entry's time to live runs out. Otherwise
// each provider is asked in turn, in ProviderOrder's order, with IOCTL_REDIR_QUERY_PATH (legacy) or
// IOCTL_REDIR_QUERY_PATH_EX, and the first that claims the name gets it and a cache entry
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ni-ntifs-ioctl_redir_query_path_ex,
// https://learn.microsoft.com/windows-hardware/drivers/ifs/support-for-unc-naming-and-mup).
#include "fsrtl/mup.hpp"

#include <algorithm>

namespace ntio::fsrtl::mup {
namespace {

// NT deviation: Learn names a time to live for cache entries without a value; 15 minutes is the
// figure published for NT's MUP cache.
constexpr LONGLONG kCacheTimeToLive = 15LL * 60 * 10'000'000;

bool same_text(std::u16string_view a, std::u16string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i] && RtlUpcaseUnicodeChar(a[i]) != RtlUpcaseUnicodeChar(b[i])) return false;
    return true;
}

// `prefix` covers `path` when it is the whole of it or ends at one of its separators.
bool covers(std::u16string_view prefix, std::u16string_view path) {
    if (prefix.empty() || prefix.size() > path.size()) return false;
    if (!same_text(prefix, path.substr(0, prefix.size()))) return false;
    return prefix.size() == path.size() || path[prefix.size()] == u'\\' || prefix.back() == u'\\';
}

ProviderRef cached(State& state, std::u16string_view path) {
    const LONGLONG now = static_cast<LONGLONG>(KeQueryInterruptTime());
    std::lock_guard guard(state.lock);
    std::erase_if(state.cache, [now](const CacheEntry& e) { return e.expires <= now; });
    const CacheEntry* best = nullptr;
    for (const CacheEntry& e : state.cache)
        if (covers(e.prefix, path) && (!best || e.prefix.size() > best->prefix.size())) best = &e;
    return best ? best->provider : nullptr;
}

void remember(State& state, std::u16string_view path, ULONG accepted_bytes, const ProviderRef& provider) {
    const size_t chars = std::min<size_t>(accepted_bytes / sizeof(WCHAR), path.size());
    if (chars == 0) return;  // a claim of nothing is no prefix to remember
    std::u16string prefix(path.substr(0, chars));
    const LONGLONG expires = static_cast<LONGLONG>(KeQueryInterruptTime()) + kCacheTimeToLive;
    std::lock_guard guard(state.lock);
    // The provider may have gone (deregistered) while it was being asked.
    if (std::find(state.providers.begin(), state.providers.end(), provider) == state.providers.end()) return;
    for (CacheEntry& e : state.cache) {
        if (same_text(e.prefix, prefix)) {
            e.provider = provider;
            e.expires = expires;
            return;
        }
    }
    state.cache.push_back(CacheEntry{std::move(prefix), provider, expires});
}

// Sends one query (METHOD_NEITHER: the request in Type3InputBuffer, the response in UserBuffer, from
// kernel mode) and waits for the provider's answer.
NTSTATUS send_query(PDEVICE_OBJECT device, ULONG code, PVOID request, ULONG request_bytes, QUERY_PATH_RESPONSE* response) {
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IO_STATUS_BLOCK iosb{};
    PIRP irp = IoBuildDeviceIoControlRequest(code, device, request, request_bytes, response, sizeof(*response), FALSE,
                                             &event, &iosb);
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = IoCallDriver(device, irp);
    if (status == STATUS_PENDING) {
        (void)KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, nullptr);
        status = iosb.Status;
    }
    return status;
}

NTSTATUS ask(const Provider& provider, PIRP create_irp, std::u16string_view path, QUERY_PATH_RESPONSE* response) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(create_irp);
    const ULONG path_bytes = static_cast<ULONG>(path.size() * sizeof(WCHAR));
    if (provider.legacy) {
        // Learn: the input buffer is at least sizeof(QUERY_PATH_REQUEST), whatever the name's length.
        const ULONG bytes = std::max<ULONG>(sizeof(QUERY_PATH_REQUEST), FIELD_OFFSET(QUERY_PATH_REQUEST, FilePathName) + path_bytes);
        auto* request = static_cast<PQUERY_PATH_REQUEST>(ExAllocatePool2(POOL_FLAG_PAGED, bytes, 'puMN'));  // zeroed
        if (!request) return STATUS_INSUFFICIENT_RESOURCES;
        request->PathNameLength = path_bytes;
        request->SecurityContext = sp->Parameters.Create.SecurityContext;
        RtlCopyMemory(request->FilePathName, path.data(), path_bytes);
        const NTSTATUS status = send_query(provider.device, IOCTL_REDIR_QUERY_PATH, request, bytes, response);
        ExFreePool(request);
        return status;
    }
    QUERY_PATH_REQUEST_EX request{};
    request.pSecurityContext = sp->Parameters.Create.SecurityContext;
    request.EaLength = sp->Parameters.Create.EaLength;
    request.pEaBuffer = request.EaLength ? create_irp->AssociatedIrp.SystemBuffer : nullptr;
    request.PathName.Buffer = const_cast<PWCH>(reinterpret_cast<PCWCH>(path.data()));
    request.PathName.Length = static_cast<USHORT>(path_bytes);
    request.PathName.MaximumLength = static_cast<USHORT>(path_bytes);
    PECP_LIST ecps = nullptr;
    if (NT_SUCCESS(FsRtlGetEcpListFromIrp(create_irp, &ecps))) request.EcpList = ecps;
    return send_query(provider.device, IOCTL_REDIR_QUERY_PATH_EX, &request, sizeof(request), response);
}

// A provider's "not mine" says nothing about the name; any other failure is the provider's
// verdict on it (a server it knows without that share, access denied).
bool says_nothing(NTSTATUS status) {
    return status == STATUS_BAD_NETWORK_PATH || status == STATUS_OBJECT_NAME_NOT_FOUND ||
           status == STATUS_OBJECT_PATH_NOT_FOUND || status == STATUS_INVALID_DEVICE_REQUEST ||
           status == STATUS_NOT_SUPPORTED || status == STATUS_NOT_IMPLEMENTED;
}

}  // namespace

Provider::~Provider() {
    if (device) ObDereferenceObject(device);
}

NTSTATUS resolve(State& state, PIRP create_irp, std::u16string_view path, ProviderRef* provider) {
    if ((*provider = cached(state, path))) return STATUS_SUCCESS;
    std::vector<ProviderRef> providers;
    {
        std::lock_guard guard(state.lock);
        providers = state.providers;
    }
    // NT deviation (a guess): when no provider claims the name, the open fails with the first
    // failure (in provider order) that is more than "not mine", else STATUS_BAD_NETWORK_PATH
    // ("The network path was not found"); Learn does not say how MUP picks among the answers.
    NTSTATUS failure = STATUS_BAD_NETWORK_PATH;
    for (const ProviderRef& p : providers) {
        QUERY_PATH_RESPONSE response{};
        const NTSTATUS status = ask(*p, create_irp, path, &response);
        if (NT_SUCCESS(status)) {
            remember(state, path, response.LengthAccepted, p);
            *provider = p;
            return STATUS_SUCCESS;
        }
        if (failure == STATUS_BAD_NETWORK_PATH && !says_nothing(status)) failure = status;
    }
    return failure;
}

NTSTATUS add_provider(State& state, PFILE_OBJECT handle_file, ProviderRef provider) {
    std::lock_guard guard(state.lock);
    for (const ProviderRef& p : state.providers) {
        // Learn: STATUS_INVALID_DEVICE_REQUEST for "a known provider that was already registered".
        if (p->device == provider->device || same_text(p->name, provider->name)) return STATUS_INVALID_DEVICE_REQUEST;
    }
    provider->sequence = state.next_sequence++;
    // An Ex provider's requests pass through \Device\Mup: its IRPs need the provider's stack below
    // MUP's own location.
    if (!provider->legacy && state.device->StackSize <= provider->device->StackSize)
        state.device->StackSize = static_cast<CCHAR>(provider->device->StackSize + 1);
    auto at = std::find_if(state.providers.begin(), state.providers.end(), [&](const ProviderRef& p) {
        return p->order > provider->order;
    });
    state.providers.insert(at, provider);
    state.registrations[handle_file] = std::move(provider);
    return STATUS_SUCCESS;
}

void remove_registration(State& state, PFILE_OBJECT handle_file) {
    ProviderRef gone;
    {
        std::lock_guard guard(state.lock);
        auto it = state.registrations.find(handle_file);
        if (it == state.registrations.end()) return;
        gone = std::move(it->second);
        state.registrations.erase(it);
        std::erase(state.providers, gone);
        std::erase_if(state.cache, [&](const CacheEntry& e) { return e.provider == gone; });
    }
    if (gone->linked) {
        UNICODE_STRING link{static_cast<USHORT>(gone->name.size() * sizeof(WCHAR)),
                            static_cast<USHORT>(gone->name.size() * sizeof(WCHAR)),
                            reinterpret_cast<PWCH>(gone->name.data())};
        (void)IoDeleteSymbolicLink(&link);
    }
}

}  // namespace ntio::fsrtl::mup
