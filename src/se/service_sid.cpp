// Service and virtual account SIDs: S-1-5-<base> followed by the SHA-1 hash of the case-folded
// name (UTF-16LE) read as five little-endian 32-bit sub-authorities. A service SID (base 80,
// SECURITY_SERVICE_ID_BASE_RID) hashes the upper-cased name: NT SERVICE\TrustedInstaller is
// S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464. A virtual account SID (the
// caller's base) hashes the lower-cased name: IIS APPPOOL\DefaultAppPool is
// S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415, the SHA-1 of "defaultapppool"
// (Learn does not say; the case rule is read from that well-known SID, see docs/nt-deviations.md).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcreateservicesid
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcreatevirtualaccountsid
// SHA-1 is nettle's.
#include <nettle/sha1.h>

#include <cstring>
#include <vector>

#include <ntifs.h>

namespace {

constexpr ULONG kServiceBaseRid = 80;  // SECURITY_SERVICE_ID_BASE_RID
constexpr UCHAR kHashSubAuthorities = SHA1_DIGEST_SIZE / sizeof(ULONG);  // 5

NTSTATUS create_name_sid(PCUNICODE_STRING name, ULONG base, bool upcase, PSID sid, PULONG sid_length)
{
    if (name == nullptr || sid_length == nullptr || (name->Buffer == nullptr && name->Length != 0) ||
        name->Length % sizeof(WCHAR) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    const ULONG needed = RtlLengthRequiredSid(1 + kHashSubAuthorities);
    if (sid == nullptr || *sid_length < needed) {
        *sid_length = needed;
        return STATUS_BUFFER_TOO_SMALL;
    }
    // Case-folded one UTF-16 unit at a time (as RtlUpcaseUnicodeString / RtlDowncaseUnicodeString
    // do), then hashed as little-endian bytes.
    const size_t count = name->Length / sizeof(WCHAR);
    std::vector<UCHAR> bytes(count * 2);
    for (size_t i = 0; i < count; ++i) {
        const WCHAR folded = upcase ? RtlUpcaseUnicodeChar(name->Buffer[i]) : RtlDowncaseUnicodeChar(name->Buffer[i]);
        bytes[2 * i] = static_cast<UCHAR>(folded & 0xFF);
        bytes[2 * i + 1] = static_cast<UCHAR>(folded >> 8);
    }
    sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, bytes.size(), bytes.data());
    UCHAR digest[SHA1_DIGEST_SIZE];
    sha1_digest(&ctx, sizeof digest, digest);

    SID_IDENTIFIER_AUTHORITY nt_authority = SECURITY_NT_AUTHORITY;
    const NTSTATUS status = RtlInitializeSid(sid, &nt_authority, 1 + kHashSubAuthorities);
    if (!NT_SUCCESS(status)) return status;
    *RtlSubAuthoritySid(sid, 0) = base;
    for (ULONG i = 0; i < kHashSubAuthorities; ++i) {
        const UCHAR* d = digest + 4 * i;
        *RtlSubAuthoritySid(sid, 1 + i) = static_cast<ULONG>(d[0]) | (static_cast<ULONG>(d[1]) << 8) |
                                         (static_cast<ULONG>(d[2]) << 16) | (static_cast<ULONG>(d[3]) << 24);
    }
    *sid_length = needed;
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

// ServiceSid may be NULL to ask for the length (STATUS_BUFFER_TOO_SMALL with *ServiceSidLength set).
NTSYSAPI NTSTATUS NTAPI RtlCreateServiceSid(PUNICODE_STRING ServiceName, PSID ServiceSid, PULONG ServiceSidLength)
{
    return create_name_sid(ServiceName, kServiceBaseRid, true, ServiceSid, ServiceSidLength);
}

NTSYSAPI NTSTATUS NTAPI RtlCreateVirtualAccountSid(PCUNICODE_STRING Name, ULONG BaseSubAuthority, PSID Sid,
                                                   PULONG SidLength)
{
    return create_name_sid(Name, BaseSubAuthority, false, Sid, SidLength);
}

}  // extern "C"
