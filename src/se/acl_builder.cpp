// In-memory ACL construction for defaults and SDDL.
#include "se/acl_builder.hpp"

#include <cstring>

namespace ntio::se {

void AclBuilder::add(UCHAR type, UCHAR flags, ACCESS_MASK mask, const SID* sid)
{
    const ULONG sid_length = 8 + ULONG{sid->SubAuthorityCount} * sizeof(ULONG);
    const std::size_t offset = m_aces.size();
    const auto ace_size = static_cast<USHORT>(FIELD_OFFSET(ACCESS_ALLOWED_ACE, SidStart) + sid_length);
    m_aces.resize(offset + ace_size);
    ACE_HEADER header{type, flags, ace_size};
    std::memcpy(&m_aces[offset], &header, sizeof(header));
    std::memcpy(&m_aces[offset + sizeof(header)], &mask, sizeof(mask));
    std::memcpy(&m_aces[offset + FIELD_OFFSET(ACCESS_ALLOWED_ACE, SidStart)], sid, sid_length);
    ++m_count;
}

void AclBuilder::add_copy(const ACE_HEADER* ace, UCHAR flags)
{
    const std::size_t offset = m_aces.size();
    m_aces.resize(offset + ace->AceSize);
    std::memcpy(&m_aces[offset], ace, ace->AceSize);
    m_aces[offset + offsetof(ACE_HEADER, AceFlags)] = flags;
    ++m_count;
}

std::vector<unsigned char> AclBuilder::finish() const
{
    std::vector<unsigned char> bytes(sizeof(ACL) + m_aces.size());
    ACL acl{};
    acl.AclRevision = m_revision;
    acl.AclSize = static_cast<USHORT>(bytes.size());
    acl.AceCount = static_cast<USHORT>(m_count);
    std::memcpy(bytes.data(), &acl, sizeof(acl));
    if (!m_aces.empty()) {
        std::memcpy(bytes.data() + sizeof(ACL), m_aces.data(), m_aces.size());
    }
    return bytes;
}

}  // namespace ntio::se
