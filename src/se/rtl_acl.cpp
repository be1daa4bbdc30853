// The Rtl ACL routines of the DDK: create, validate, add allowed/denied ACEs, get, delete, query.
// They work in the caller's ACL buffer and never allocate (IRQL < DISPATCH_LEVEL per the WDK).
#include "se/security_descriptor.hpp"

namespace {

unsigned char* acl_bytes(PACL acl) noexcept
{
    return reinterpret_cast<unsigned char*>(acl);
}

// Offset just past the last ACE of a validated ACL.
ULONG first_free_offset(const ACL* acl) noexcept
{
    auto* bytes = reinterpret_cast<const unsigned char*>(acl);
    ULONG offset = sizeof(ACL);
    for (USHORT i = 0; i < acl->AceCount; ++i) {
        ACE_HEADER header;
        std::memcpy(&header, bytes + offset, sizeof(header));
        offset += header.AceSize;
    }
    return offset;
}

// Offset of ACE `index` (index <= AceCount) of a validated ACL.
ULONG ace_offset(const ACL* acl, ULONG index) noexcept
{
    auto* bytes = reinterpret_cast<const unsigned char*>(acl);
    ULONG offset = sizeof(ACL);
    for (ULONG i = 0; i < index; ++i) {
        ACE_HEADER header;
        std::memcpy(&header, bytes + offset, sizeof(header));
        offset += header.AceSize;
    }
    return offset;
}

bool valid(PACL acl) noexcept
{
    return acl != nullptr && ntio::se::acl_valid(acl, acl->AclSize);
}

NTSTATUS add_known_ace(PACL Acl, ULONG AceRevision, ULONG AceFlags, ACCESS_MASK AccessMask, PSID Sid, UCHAR type,
                       ULONG valid_flags)
{
    if (ntio::se::valid_sid_length(Sid, SECURITY_MAX_SID_SIZE) == 0) {
        return STATUS_INVALID_SID;
    }
    if (!valid(Acl)) {
        return STATUS_INVALID_ACL;
    }
    if (AceRevision < ACL_REVISION2 || AceRevision > MAX_ACL_REVISION) {
        return STATUS_REVISION_MISMATCH;
    }
    if ((AceFlags & ~valid_flags) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    const ULONG sid_length = RtlLengthSid(Sid);
    const ULONG ace_size = FIELD_OFFSET(ACCESS_ALLOWED_ACE, SidStart) + sid_length;
    const ULONG offset = first_free_offset(Acl);
    if (offset + ace_size > Acl->AclSize || Acl->AceCount == MAXUSHORT) {
        return STATUS_ALLOTTED_SPACE_EXCEEDED;
    }
    unsigned char* ace = acl_bytes(Acl) + offset;
    ACE_HEADER header{type, static_cast<UCHAR>(AceFlags), static_cast<USHORT>(ace_size)};
    std::memcpy(ace, &header, sizeof(header));
    std::memcpy(ace + FIELD_OFFSET(ACCESS_ALLOWED_ACE, Mask), &AccessMask, sizeof(AccessMask));
    std::memmove(ace + FIELD_OFFSET(ACCESS_ALLOWED_ACE, SidStart), Sid, sid_length);
    ++Acl->AceCount;
    // Adding a newer-revision ACE raises the ACL's revision, as Windows does.
    if (AceRevision > Acl->AclRevision) {
        Acl->AclRevision = static_cast<UCHAR>(AceRevision);
    }
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

NTSYSAPI NTSTATUS NTAPI RtlCreateAcl(PACL Acl, ULONG AclLength, ULONG AclRevision)
{
    if (AclLength < sizeof(ACL)) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (AclRevision < MIN_ACL_REVISION || AclRevision > MAX_ACL_REVISION || AclLength > MAXUSHORT) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Acl == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    std::memset(Acl, 0, sizeof(ACL));
    Acl->AclRevision = static_cast<UCHAR>(AclRevision);
    // ACEs are ULONG-aligned, so only whole ULONGs of the buffer are usable.
    Acl->AclSize = static_cast<USHORT>(AclLength & ~3u);
    Acl->AceCount = 0;
    return STATUS_SUCCESS;
}

NTSYSAPI BOOLEAN NTAPI RtlValidAcl(PACL Acl)
{
    return valid(Acl) ? TRUE : FALSE;
}

NTSYSAPI NTSTATUS NTAPI RtlAddAccessAllowedAce(PACL Acl, ULONG AceRevision, ACCESS_MASK AccessMask, PSID Sid)
{
    return add_known_ace(Acl, AceRevision, 0, AccessMask, Sid, ACCESS_ALLOWED_ACE_TYPE, 0);
}

NTSYSAPI NTSTATUS NTAPI RtlAddAccessAllowedAceEx(PACL Acl, ULONG AceRevision, ULONG AceFlags, ACCESS_MASK AccessMask,
                                                 PSID Sid)
{
    return add_known_ace(Acl, AceRevision, AceFlags, AccessMask, Sid, ACCESS_ALLOWED_ACE_TYPE, VALID_INHERIT_FLAGS);
}

NTSYSAPI NTSTATUS NTAPI RtlAddAccessDeniedAce(PACL Acl, ULONG AceRevision, ACCESS_MASK AccessMask, PSID Sid)
{
    return add_known_ace(Acl, AceRevision, 0, AccessMask, Sid, ACCESS_DENIED_ACE_TYPE, 0);
}

NTSYSAPI NTSTATUS NTAPI RtlAddAccessDeniedAceEx(PACL Acl, ULONG AceRevision, ULONG AceFlags, ACCESS_MASK AccessMask,
                                                PSID Sid)
{
    return add_known_ace(Acl, AceRevision, AceFlags, AccessMask, Sid, ACCESS_DENIED_ACE_TYPE, VALID_INHERIT_FLAGS);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtladdace
NTSYSAPI NTSTATUS NTAPI RtlAddAce(PACL Acl, ULONG AceRevision, ULONG StartingAceIndex, PVOID AceList,
                                  ULONG AceListLength)
{
    if (!valid(Acl) || AceList == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    if (AceRevision < ACL_REVISION2 || AceRevision > MAX_ACL_REVISION) {
        return STATUS_INVALID_PARAMETER;
    }
    // Count and check the ACEs of the list: each header must fit and sizes must tile the list exactly.
    auto* list = static_cast<const unsigned char*>(AceList);
    ULONG count = 0;
    for (ULONG offset = 0; offset < AceListLength;) {
        if (AceListLength - offset < sizeof(ACE_HEADER)) {
            return STATUS_INVALID_PARAMETER;
        }
        ACE_HEADER header;
        std::memcpy(&header, list + offset, sizeof(header));
        if (header.AceSize < sizeof(ACE_HEADER) || (header.AceSize & 3u) != 0 ||
            header.AceSize > AceListLength - offset) {
            return STATUS_INVALID_PARAMETER;
        }
        offset += header.AceSize;
        ++count;
    }
    const ULONG used = first_free_offset(Acl);
    if (used + AceListLength > Acl->AclSize || Acl->AceCount + count > MAXUSHORT) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    const ULONG index = StartingAceIndex > Acl->AceCount ? Acl->AceCount : StartingAceIndex;
    const ULONG at = ace_offset(Acl, index);
    unsigned char* bytes = acl_bytes(Acl);
    std::memmove(bytes + at + AceListLength, bytes + at, used - at);
    std::memcpy(bytes + at, list, AceListLength);
    Acl->AceCount = static_cast<USHORT>(Acl->AceCount + count);
    if (AceRevision > Acl->AclRevision) {
        Acl->AclRevision = static_cast<UCHAR>(AceRevision);
    }
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlGetAce(PACL Acl, ULONG AceIndex, PVOID* Ace)
{
    if (!valid(Acl) || Ace == nullptr || AceIndex >= Acl->AceCount) {
        return STATUS_INVALID_PARAMETER;
    }
    *Ace = acl_bytes(Acl) + ace_offset(Acl, AceIndex);
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlDeleteAce(PACL Acl, ULONG AceIndex)
{
    if (!valid(Acl) || AceIndex >= Acl->AceCount) {
        return STATUS_INVALID_PARAMETER;
    }
    unsigned char* bytes = acl_bytes(Acl);
    const ULONG at = ace_offset(Acl, AceIndex);
    ACE_HEADER header;
    std::memcpy(&header, bytes + at, sizeof(header));
    const ULONG used = first_free_offset(Acl);
    std::memmove(bytes + at, bytes + at + header.AceSize, used - at - header.AceSize);
    std::memset(bytes + used - header.AceSize, 0, header.AceSize);
    --Acl->AceCount;
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlQueryInformationAcl(PACL Acl, PVOID AclInformation, ULONG AclInformationLength,
                                               ACL_INFORMATION_CLASS AclInformationClass)
{
    if (!valid(Acl)) {
        return STATUS_INVALID_PARAMETER;
    }
    switch (AclInformationClass) {
    case AclRevisionInformation: {
        if (AclInformationLength < sizeof(ACL_REVISION_INFORMATION)) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        static_cast<PACL_REVISION_INFORMATION>(AclInformation)->AclRevision = Acl->AclRevision;
        return STATUS_SUCCESS;
    }
    case AclSizeInformation: {
        if (AclInformationLength < sizeof(ACL_SIZE_INFORMATION)) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        auto* info = static_cast<PACL_SIZE_INFORMATION>(AclInformation);
        const ULONG used = first_free_offset(Acl);
        info->AceCount = Acl->AceCount;
        info->AclBytesInUse = used;
        info->AclBytesFree = Acl->AclSize - used;
        return STATUS_SUCCESS;
    }
    default:
        return STATUS_INVALID_INFO_CLASS;
    }
}

}  // extern "C"
