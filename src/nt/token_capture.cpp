// Capture of the token structures the token services take from their callers.
#include "nt/current_system.hpp"
#include "nt/token_capture.hpp"

#include <cstring>

#include "nt/user_memory.hpp"

namespace ntio::nt {

// A variable-length caller structure that starts with a ULONG count of fixed-size entries (a
// TOKEN_PRIVILEGES or PRIVILEGE_SET), copied whole: the count first, then header and entries.
NTSTATUS capture_counted(KPROCESSOR_MODE mode, const void* from, std::size_t header, std::size_t entry,
                         std::vector<unsigned char>& out) {
    ULONG count = 0;
    NTSTATUS status = read_caller(mode, static_cast<const ULONG*>(from), count);
    if (!NT_SUCCESS(status)) return status;
    // More entries than privileges exist can only be a bad count; Windows caps the capture too.
    constexpr ULONG kMaxEntries = 1024;
    if (count > kMaxEntries) return STATUS_INVALID_PARAMETER;
    const std::size_t length = header + std::size_t{count} * entry;
    out.resize(length);
    if (mode == KernelMode) {
        std::memcpy(out.data(), from, length);
        return STATUS_SUCCESS;
    }
    status = copy_from_user(out.data(), from, length, sizeof(ULONG));
    if (NT_SUCCESS(status) && *reinterpret_cast<const ULONG*>(out.data()) != count) status = STATUS_INVALID_PARAMETER;
    return status;
}

// A SID at a caller address: its 8-byte header gives the length, then the whole SID is copied and
// validated. STATUS_INVALID_SID for a malformed one.
NTSTATUS capture_sid(KPROCESSOR_MODE mode, const void* from, std::vector<unsigned char>& out)
{
    if (!from) return STATUS_INVALID_SID;
    unsigned char head[8];
    NTSTATUS status = mode == KernelMode ? (std::memcpy(head, from, sizeof head), STATUS_SUCCESS)
                                         : copy_from_user(head, from, sizeof head, sizeof(UCHAR));
    if (!NT_SUCCESS(status)) return status;
    const std::size_t length = 8 + 4 * std::size_t{head[1]};
    if (head[1] > SID_MAX_SUB_AUTHORITIES) return STATUS_INVALID_SID;
    out.resize(length);
    status = mode == KernelMode ? (std::memcpy(out.data(), from, length), STATUS_SUCCESS)
                                : copy_from_user(out.data(), from, length, sizeof(UCHAR));
    if (!NT_SUCCESS(status)) return status;
    return RtlValidSid(out.data()) ? STATUS_SUCCESS : STATUS_INVALID_SID;
}

// An ACL at a caller address: its header gives AclSize, then the whole ACL is copied and validated.
NTSTATUS capture_acl(KPROCESSOR_MODE mode, const void* from, std::vector<unsigned char>& out)
{
    ACL head;
    NTSTATUS status = mode == KernelMode ? (std::memcpy(&head, from, sizeof head), STATUS_SUCCESS)
                                         : copy_from_user(&head, from, sizeof head, sizeof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    if (head.AclSize < sizeof(ACL)) return STATUS_INVALID_ACL;
    out.resize(head.AclSize);
    status = mode == KernelMode ? (std::memcpy(out.data(), from, head.AclSize), STATUS_SUCCESS)
                                : copy_from_user(out.data(), from, head.AclSize, sizeof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    return RtlValidAcl(reinterpret_cast<PACL>(out.data())) ? STATUS_SUCCESS : STATUS_INVALID_ACL;
}

NTSTATUS capture_groups(KPROCESSOR_MODE mode, const TOKEN_GROUPS* from, std::vector<CapturedGroup>& out)
{
    std::vector<unsigned char> bytes;
    NTSTATUS status = capture_counted(mode, from, offsetof(TOKEN_GROUPS, Groups), sizeof(SID_AND_ATTRIBUTES), bytes);
    if (!NT_SUCCESS(status)) return status;
    const ULONG count = *reinterpret_cast<const ULONG*>(bytes.data());
    out.clear();
    out.reserve(count);
    for (ULONG i = 0; i < count; ++i) {
        SID_AND_ATTRIBUTES entry;
        std::memcpy(&entry, bytes.data() + offsetof(TOKEN_GROUPS, Groups) + i * sizeof(entry), sizeof(entry));
        std::vector<unsigned char> sid;
        status = capture_sid(mode, entry.Sid, sid);
        if (!NT_SUCCESS(status)) return status;
        out.push_back({se::SidBuffer(reinterpret_cast<const SID*>(sid.data())), entry.Attributes});
    }
    return STATUS_SUCCESS;
}

NTSTATUS probe_previous_state(KPROCESSOR_MODE mode, void* previous_state, ULONG buffer_length, PULONG return_length)
{
    if (!previous_state) return STATUS_SUCCESS;
    if (!return_length) return STATUS_ACCESS_VIOLATION;
    if (NTSTATUS status = probe_caller_output(mode, return_length); !NT_SUCCESS(status)) return status;
    if (mode == KernelMode) return STATUS_SUCCESS;
    return probe_for_write(previous_state, buffer_length, sizeof(ULONG));
}

NTSTATUS write_previous_state(KPROCESSOR_MODE mode, void* previous_state, ULONG buffer_length, PULONG return_length,
                              const std::vector<unsigned char>& staged)
{
    const ULONG needed = static_cast<ULONG>(staged.size());
    NTSTATUS status = write_caller(mode, return_length, needed);
    if (!NT_SUCCESS(status)) return status;
    if (buffer_length < needed) return STATUS_BUFFER_TOO_SMALL;
    if (mode == KernelMode) {
        std::memcpy(previous_state, staged.data(), needed);
        return STATUS_SUCCESS;
    }
    return copy_to_user(previous_state, staged.data(), needed, sizeof(ULONG));
}

}  // namespace ntio::nt
