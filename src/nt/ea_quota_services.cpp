// NtQueryEaFile, NtSetEaFile, NtQueryQuotaInformationFile, NtSetQuotaInformationFile: capture and
// validate the caller's EA and SID lists (a bad list is reported in the IOSB with the offset of the
// offending entry), then IRP_MJ_QUERY_EA / IRP_MJ_SET_EA / IRP_MJ_QUERY_QUOTA / IRP_MJ_SET_QUOTA.
// Query buffers follow the device's buffering (DO_BUFFERED_IO, DO_DIRECT_IO or the raw pointer).
// NT deviation: set buffers are always passed as a validated system buffer, whatever the device's
// buffering, so that no driver ever sees an EA or quota list that was not checked.
#include "nt/file_information_common.hpp"

using namespace ntio::nt;
using namespace ntio::nt::info;

namespace {

using PoolBuffer = std::unique_ptr<void, void (*)(void*)>;
PoolBuffer pool_buffer(PVOID p) { return PoolBuffer(p, [](void* q) { if (q) ExFreePool(q); }); }

// The IOSB of a list the I/O manager refused: the status and the offending entry's offset.
NTSTATUS refuse_list(PIO_STATUS_BLOCK iosb, NTSTATUS status, ULONG offset) noexcept {
    __try {
        iosb->Status = status;
        iosb->Information = offset;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return status;
}

// A NextEntryOffset-linked list in a kernel buffer: each entry of `size(entry)` bytes lies inside,
// and every non-last link is ULONG-aligned and skips at least the entry. `valid(entry)` adds the
// per-entry rule. Returns the offending offset or ~0u.
template <class Entry, class Size, class Valid>
ULONG check_list(const void* buffer, ULONG length, ULONG header, Size size, Valid valid) noexcept {
    const auto* base = static_cast<const UCHAR*>(buffer);
    ULONG offset = 0;
    for (;;) {
        const ULONG remaining = length - offset;
        if (remaining < header) return offset;
        const auto* entry = reinterpret_cast<const Entry*>(base + offset);
        const ULONGLONG entry_size = size(entry);
        if (entry_size > remaining || !valid(entry)) return offset;
        const ULONG next = entry->NextEntryOffset;
        if (next == 0) return ~0u;
        if ((next & (sizeof(ULONG) - 1)) || next < entry_size || next >= remaining) return offset;
        offset += next;
    }
}

ULONG check_get_ea_list(const void* list, ULONG length) noexcept {
    constexpr ULONG kHeader = FIELD_OFFSET(FILE_GET_EA_INFORMATION, EaName);
    return check_list<FILE_GET_EA_INFORMATION>(
        list, length, kHeader, [](auto* e) { return ULONGLONG{kHeader} + e->EaNameLength + 1; },
        [](auto* e) { return e->EaName[e->EaNameLength] == '\0'; });
}

bool sid_fits(const SID* sid, ULONG length) noexcept {
    constexpr ULONG kSidHeader = FIELD_OFFSET(SID, SubAuthority);
    if (length < kSidHeader) return false;
    if (length != kSidHeader + sid->SubAuthorityCount * sizeof(ULONG)) return false;
    return RtlValidSid(const_cast<SID*>(sid)) != FALSE;
}

ULONG check_get_quota_list(const void* list, ULONG length) noexcept {
    constexpr ULONG kHeader = FIELD_OFFSET(FILE_GET_QUOTA_INFORMATION, Sid);
    return check_list<FILE_GET_QUOTA_INFORMATION>(
        list, length, kHeader, [](auto* e) { return ULONGLONG{kHeader} + e->SidLength; },
        [](auto* e) { return sid_fits(&e->Sid, e->SidLength); });
}


// The caller's StartSid: header first (for its length), then the whole SID, which must be valid.
NTSTATUS capture_sid(KPROCESSOR_MODE mode, PSID user, PoolBuffer& out, ULONG* length) noexcept {
    constexpr ULONG kSidHeader = FIELD_OFFSET(SID, SubAuthority);
    SID header{};
    NTSTATUS status = STATUS_SUCCESS;
    if (mode == KernelMode) {
        std::memcpy(&header, user, kSidHeader);
    } else {
        status = copy_from_user(&header, user, kSidHeader, sizeof(UCHAR));
        if (!NT_SUCCESS(status)) return status;
    }
    *length = kSidHeader + header.SubAuthorityCount * sizeof(ULONG);
    PVOID copy = nullptr;
    status = capture_input(mode, user, *length, sizeof(UCHAR), &copy);
    if (!NT_SUCCESS(status)) return status;
    out = pool_buffer(copy);
    if (!sid_fits(static_cast<const SID*>(copy), *length)) return STATUS_INVALID_SID;
    return STATUS_SUCCESS;
}

NTSTATUS probe_query_buffer(KPROCESSOR_MODE mode, PVOID buffer, ULONG length) noexcept {
    if (mode == KernelMode) return STATUS_SUCCESS;
    return probe_for_write(buffer, length, sizeof(ULONG));
}

// The caller's optional EA or SID list (none when the pointer or the length is zero), captured.
NTSTATUS capture_list(KPROCESSOR_MODE mode, PVOID list, ULONG length, PoolBuffer& out) noexcept {
    if (!list || !length) return STATUS_SUCCESS;
    PVOID copy = nullptr;
    const NTSTATUS status = capture_input(mode, list, length, sizeof(ULONG), &copy);
    if (NT_SUCCESS(status)) out = pool_buffer(copy);
    return status;
}

// The request's fields common to the four services: the caller's buffer as the device buffers it.
ntio::io::InformationRequest device_request(FILE_OBJECT* file, PIO_STATUS_BLOCK iosb, KPROCESSOR_MODE mode,
                                            UCHAR major, PVOID buffer, ULONG length) noexcept {
    ntio::io::InformationRequest request;
    request.file = file;
    request.iosb = iosb;
    request.mode = mode;
    request.major = major;
    request.buffering = ntio::io::InformationBuffering::device;
    request.query = major == IRP_MJ_QUERY_EA || major == IRP_MJ_QUERY_QUOTA;
    request.user_buffer = buffer;
    request.length = length;
    return request;
}

// NtSetEaFile and NtSetQuotaInformationFile: the list captured and checked by `check` (a status and
// the offending entry's offset for the IOSB, or success), then sent as the system buffer.
template <class Check>
NTSTATUS set_list(HANDLE handle, PIO_STATUS_BLOCK iosb, PVOID buffer, ULONG length, ACCESS_MASK access, UCHAR major,
                  Check check) noexcept {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_iosb(mode, iosb);
    if (!NT_SUCCESS(status)) return status;
    PVOID captured = nullptr;
    status = capture_input(mode, buffer, length, sizeof(ULONG), &captured);
    if (!NT_SUCCESS(status)) return status;
    PoolBuffer owned = pool_buffer(captured);
    HandleReference<FILE_OBJECT> file;
    status = reference_file(file, handle, access, mode);
    if (!NT_SUCCESS(status)) return status;
    ULONG error_offset = 0;
    status = check(captured, length, &error_offset);
    if (!NT_SUCCESS(status)) return refuse_list(iosb, status, error_offset);

    ntio::io::InformationRequest request = device_request(file.get(), iosb, mode, major, buffer, length);
    request.parameters.SetEa.Length = length;  // SetQuota.Length is the same ULONG
    request.system_buffer = owned.release();
    return ntio::io::submit_information(request);
}
static_assert(offsetof(IO_STACK_LOCATION, Parameters.SetEa.Length) ==
              offsetof(IO_STACK_LOCATION, Parameters.SetQuota.Length));

}  // namespace

extern "C" {

NTSTATUS NTAPI NtQueryEaFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                             BOOLEAN ReturnSingleEntry, PVOID EaList, ULONG EaListLength, PULONG EaIndex,
                             BOOLEAN RestartScan) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_iosb(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    status = probe_query_buffer(mode, Buffer, Length);
    if (!NT_SUCCESS(status)) return status;
    ULONG index = 0;
    if (EaIndex) {
        status = read_caller(mode, static_cast<const ULONG*>(EaIndex), index);
        if (!NT_SUCCESS(status)) return status;
    }
    PoolBuffer list = pool_buffer(nullptr);
    status = capture_list(mode, EaList, EaListLength, list);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<FILE_OBJECT> file;
    status = reference_file(file, FileHandle, FILE_READ_EA, mode);
    if (!NT_SUCCESS(status)) return status;
    if (list) {
        const ULONG bad = check_get_ea_list(list.get(), EaListLength);
        if (bad != ~0u) return refuse_list(IoStatusBlock, STATUS_EA_LIST_INCONSISTENT, bad);
    }

    ntio::io::InformationRequest request = device_request(file.get(), IoStatusBlock, mode, IRP_MJ_QUERY_EA, Buffer, Length);
    request.stack_flags = static_cast<UCHAR>((RestartScan ? SL_RESTART_SCAN : 0) |
                                             (ReturnSingleEntry ? SL_RETURN_SINGLE_ENTRY : 0) |
                                             (EaIndex ? SL_INDEX_SPECIFIED : 0));
    request.parameters.QueryEa.Length = Length;
    request.parameters.QueryEa.EaList = list.get();
    request.parameters.QueryEa.EaListLength = list ? EaListLength : 0;
    request.parameters.QueryEa.EaIndex = index;
    return ntio::io::submit_information(request);  // waits: the list outlives the IRP
}

NTSTATUS NTAPI NtSetEaFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length) {
    return set_list(FileHandle, IoStatusBlock, Buffer, Length, FILE_WRITE_EA, IRP_MJ_SET_EA, IoCheckEaBufferValidity);
}

NTSTATUS NTAPI NtQueryQuotaInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                           ULONG Length, BOOLEAN ReturnSingleEntry, PVOID SidList,
                                           ULONG SidListLength, PSID StartSid, BOOLEAN RestartScan) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_iosb(mode, IoStatusBlock);
    if (!NT_SUCCESS(status)) return status;
    status = probe_query_buffer(mode, Buffer, Length);
    if (!NT_SUCCESS(status)) return status;
    PoolBuffer sid = pool_buffer(nullptr);
    ULONG sid_length = 0;
    if (StartSid) {
        status = capture_sid(mode, StartSid, sid, &sid_length);
        if (!NT_SUCCESS(status)) return status;
    }
    PoolBuffer list = pool_buffer(nullptr);
    status = capture_list(mode, SidList, SidListLength, list);
    if (!NT_SUCCESS(status)) return status;
    HandleReference<FILE_OBJECT> file;
    status = reference_file(file, FileHandle, FILE_READ_DATA, mode);
    if (!NT_SUCCESS(status)) return status;
    if (list) {
        const ULONG bad = check_get_quota_list(list.get(), SidListLength);
        if (bad != ~0u) return refuse_list(IoStatusBlock, STATUS_QUOTA_LIST_INCONSISTENT, bad);
    }

    ntio::io::InformationRequest request =
        device_request(file.get(), IoStatusBlock, mode, IRP_MJ_QUERY_QUOTA, Buffer, Length);
    request.stack_flags = static_cast<UCHAR>((RestartScan ? SL_RESTART_SCAN : 0) |
                                             (ReturnSingleEntry ? SL_RETURN_SINGLE_ENTRY : 0));
    request.parameters.QueryQuota.Length = Length;
    request.parameters.QueryQuota.StartSid = sid.get();
    request.parameters.QueryQuota.SidList = static_cast<PFILE_GET_QUOTA_INFORMATION>(list.get());
    request.parameters.QueryQuota.SidListLength = list ? SidListLength : 0;
    return ntio::io::submit_information(request);
}

NTSTATUS NTAPI NtSetQuotaInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                         ULONG Length) {
    return set_list(FileHandle, IoStatusBlock, Buffer, Length, FILE_WRITE_DATA, IRP_MJ_SET_QUOTA,
                    [](PVOID list, ULONG length, PULONG offset) {
                        return IoCheckQuotaBufferValidity(static_cast<PFILE_QUOTA_INFORMATION>(list), length, offset);
                    });
}

}  // extern "C"
