// SID storage, validation, comparison and string form, and the well-known SIDs.
#include "se/sid.hpp"

#include <cstring>

namespace ntio::se {

std::size_t valid_sid_length(const void* sid, std::size_t available) noexcept
{
    if (sid == nullptr || available < 8) {
        return 0;
    }
    auto* bytes = static_cast<const unsigned char*>(sid);
    if (bytes[0] != SID_REVISION || bytes[1] > SID_MAX_SUB_AUTHORITIES) {
        return 0;
    }
    std::size_t length = 8 + std::size_t{bytes[1]} * sizeof(ULONG);
    return length <= available ? length : 0;
}

bool sid_equal(const SID* a, const SID* b) noexcept
{
    if (a->Revision != b->Revision || a->SubAuthorityCount != b->SubAuthorityCount) {
        return false;
    }
    return std::memcmp(a, b, 8 + std::size_t{a->SubAuthorityCount} * sizeof(ULONG)) == 0;
}

std::string sid_to_string(const SID* sid)
{
    std::uint64_t authority = 0;
    for (UCHAR byte : sid->IdentifierAuthority.Value) {
        authority = (authority << 8) | byte;
    }
    std::string text = "S-" + std::to_string(sid->Revision) + "-";
    if (authority >= (std::uint64_t{1} << 32)) {
        static const char kHex[] = "0123456789ABCDEF";
        text += "0x";
        for (UCHAR byte : sid->IdentifierAuthority.Value) {
            text += kHex[byte >> 4];
            text += kHex[byte & 0xF];
        }
    } else {
        text += std::to_string(authority);
    }
    for (UCHAR i = 0; i < sid->SubAuthorityCount; ++i) {
        text += "-" + std::to_string(sid->SubAuthority[i]);
    }
    return text;
}

SidBuffer::SidBuffer() noexcept
{
    std::memset(m_bytes, 0, sizeof(m_bytes));
    m_bytes[0] = SID_REVISION;
}

SidBuffer::SidBuffer(std::uint64_t authority, std::initializer_list<ULONG> sub_authorities) noexcept : SidBuffer()
{
    SID* sid = get();
    for (int i = 5; i >= 0; --i) {
        sid->IdentifierAuthority.Value[i] = static_cast<UCHAR>(authority & 0xFF);
        authority >>= 8;
    }
    UCHAR count = 0;
    for (ULONG rid : sub_authorities) {
        if (count == SID_MAX_SUB_AUTHORITIES) {
            break;
        }
        sid->SubAuthority[count++] = rid;
    }
    sid->SubAuthorityCount = count;
}

SidBuffer::SidBuffer(const SID* sid) noexcept : SidBuffer()
{
    std::memcpy(m_bytes, sid, 8 + std::size_t{sid->SubAuthorityCount} * sizeof(ULONG));
}

ULONG SidBuffer::length() const noexcept
{
    return 8 + ULONG{get()->SubAuthorityCount} * sizeof(ULONG);
}

namespace well_known {
namespace {
constexpr std::uint64_t kWorld = 1, kCreator = 3, kNt = 5, kNull = 0;
}  // namespace
#define NTIO_SE_WELL_KNOWN(name, auth, ...)          \
    const SID* name() noexcept                       \
    {                                                \
        static const SidBuffer sid(auth, {__VA_ARGS__}); \
        return sid.get();                            \
    }
NTIO_SE_WELL_KNOWN(null_sid, kNull, SECURITY_NULL_RID)
NTIO_SE_WELL_KNOWN(world, kWorld, SECURITY_WORLD_RID)
NTIO_SE_WELL_KNOWN(creator_owner, kCreator, SECURITY_CREATOR_OWNER_RID)
NTIO_SE_WELL_KNOWN(creator_group, kCreator, SECURITY_CREATOR_GROUP_RID)
NTIO_SE_WELL_KNOWN(interactive, kNt, SECURITY_INTERACTIVE_RID)
NTIO_SE_WELL_KNOWN(service, kNt, SECURITY_SERVICE_RID)
NTIO_SE_WELL_KNOWN(anonymous, kNt, SECURITY_ANONYMOUS_LOGON_RID)
NTIO_SE_WELL_KNOWN(authenticated_users, kNt, SECURITY_AUTHENTICATED_USER_RID)
NTIO_SE_WELL_KNOWN(restricted_code, kNt, SECURITY_RESTRICTED_CODE_RID)
NTIO_SE_WELL_KNOWN(local_system, kNt, SECURITY_LOCAL_SYSTEM_RID)
NTIO_SE_WELL_KNOWN(local_service, kNt, SECURITY_LOCAL_SERVICE_RID)
NTIO_SE_WELL_KNOWN(network_service, kNt, SECURITY_NETWORK_SERVICE_RID)
NTIO_SE_WELL_KNOWN(administrators, kNt, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS)
NTIO_SE_WELL_KNOWN(users, kNt, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_USERS)
NTIO_SE_WELL_KNOWN(guests, kNt, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_GUESTS)
NTIO_SE_WELL_KNOWN(power_users, kNt, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_POWER_USERS)
#undef NTIO_SE_WELL_KNOWN
}  // namespace well_known

}  // namespace ntio::se
