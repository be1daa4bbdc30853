// The Rtl SID routines of the DDK: sizes, initialization, accessors, comparison, copy and the
// "S-1-5-18" string form. Pure functions over caller memory, callable at any IRQL except the
// allocating string conversion (PASSIVE_LEVEL).
#include "se/sid.hpp"

#include "rtl/string_pool.hpp"

namespace {

SID* as_sid(PSID sid) noexcept
{
    return static_cast<SID*>(sid);
}

}  // namespace

extern "C" {

NTSYSAPI ULONG NTAPI RtlLengthRequiredSid(ULONG SubAuthorityCount)
{
    return static_cast<ULONG>(8 + SubAuthorityCount * sizeof(ULONG));
}

NTSYSAPI NTSTATUS NTAPI RtlInitializeSid(PSID Sid, PSID_IDENTIFIER_AUTHORITY IdentifierAuthority,
                                         UCHAR SubAuthorityCount)
{
    if (Sid == nullptr || IdentifierAuthority == nullptr || SubAuthorityCount > SID_MAX_SUB_AUTHORITIES) {
        return STATUS_INVALID_PARAMETER;
    }
    SID* sid = as_sid(Sid);
    sid->Revision = SID_REVISION;
    sid->SubAuthorityCount = SubAuthorityCount;
    sid->IdentifierAuthority = *IdentifierAuthority;
    return STATUS_SUCCESS;
}

// Like Windows, no range check: the caller indexes within SubAuthorityCount.
NTSYSAPI PULONG NTAPI RtlSubAuthoritySid(PSID Sid, ULONG SubAuthority)
{
    return &as_sid(Sid)->SubAuthority[SubAuthority];
}

NTSYSAPI PUCHAR NTAPI RtlSubAuthorityCountSid(PSID Sid)
{
    return &as_sid(Sid)->SubAuthorityCount;
}

NTSYSAPI PSID_IDENTIFIER_AUTHORITY NTAPI RtlIdentifierAuthoritySid(PSID Sid)
{
    return &as_sid(Sid)->IdentifierAuthority;
}

NTSYSAPI ULONG NTAPI RtlLengthSid(PSID Sid)
{
    return RtlLengthRequiredSid(as_sid(Sid)->SubAuthorityCount);
}

NTSYSAPI BOOLEAN NTAPI RtlValidSid(PSID Sid)
{
    return ntio::se::valid_sid_length(Sid, SECURITY_MAX_SID_SIZE) != 0 ? TRUE : FALSE;
}

NTSYSAPI BOOLEAN NTAPI RtlEqualSid(PSID Sid1, PSID Sid2)
{
    return ntio::se::sid_equal(as_sid(Sid1), as_sid(Sid2)) ? TRUE : FALSE;
}

NTSYSAPI BOOLEAN NTAPI RtlEqualPrefixSid(PSID Sid1, PSID Sid2)
{
    const SID* a = as_sid(Sid1);
    const SID* b = as_sid(Sid2);
    if (a->Revision != b->Revision || a->SubAuthorityCount != b->SubAuthorityCount ||
        std::memcmp(&a->IdentifierAuthority, &b->IdentifierAuthority, sizeof(SID_IDENTIFIER_AUTHORITY)) != 0) {
        return FALSE;
    }
    for (UCHAR i = 0; i + 1 < a->SubAuthorityCount; ++i) {
        if (a->SubAuthority[i] != b->SubAuthority[i]) {
            return FALSE;
        }
    }
    return TRUE;
}

NTSYSAPI NTSTATUS NTAPI RtlCopySid(ULONG DestinationSidLength, PSID DestinationSid, PSID SourceSid)
{
    const ULONG length = RtlLengthSid(SourceSid);
    if (DestinationSidLength < length) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    std::memmove(DestinationSid, SourceSid, length);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlconvertsidtounicodestring
NTSYSAPI NTSTATUS NTAPI RtlConvertSidToUnicodeString(PUNICODE_STRING UnicodeString, PSID Sid,
                                                     BOOLEAN AllocateDestinationString)
{
    if (UnicodeString == nullptr || !RtlValidSid(Sid)) {
        return STATUS_INVALID_SID;
    }
    const std::string text = ntio::se::sid_to_string(as_sid(Sid));
    const std::size_t bytes = text.size() * sizeof(WCHAR);
    if (AllocateDestinationString) {
        auto* buffer = static_cast<PWCH>(ntio::rtl::string_alloc(bytes + sizeof(WCHAR)));
        if (buffer == nullptr) {
            return STATUS_NO_MEMORY;
        }
        UnicodeString->Buffer = buffer;
        UnicodeString->MaximumLength = static_cast<USHORT>(bytes + sizeof(WCHAR));
    } else if (UnicodeString->MaximumLength < bytes) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        UnicodeString->Buffer[i] = static_cast<WCHAR>(text[i]);
    }
    if (UnicodeString->MaximumLength >= bytes + sizeof(WCHAR)) {
        UnicodeString->Buffer[text.size()] = 0;
    }
    UnicodeString->Length = static_cast<USHORT>(bytes);
    return STATUS_SUCCESS;
}

}  // extern "C"
