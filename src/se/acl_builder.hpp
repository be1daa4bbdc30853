// Builds ACL bytes (header + ACEs) in memory for token default DACLs and SDDL, without going
// through the caller-buffer Rtl routines.
#pragma once

#include "se/sid.hpp"

#include <vector>

namespace ntio::se {

class AclBuilder {
public:
    // ACL_REVISION unless an object ACE forces ACL_REVISION_DS.
    explicit AclBuilder(UCHAR revision = ACL_REVISION) : m_revision(revision) {}

    // Appends a mask+SID ACE (allowed, denied, audit, alarm, mandatory label).
    void add(UCHAR type, UCHAR flags, ACCESS_MASK mask, const SID* sid);
    // Appends a copy of any ACE (object ACEs included) with its AceFlags replaced by `flags`.
    void add_copy(const ACE_HEADER* ace, UCHAR flags);
    // The ACL takes at least this revision (an object ACE copied from an ACL_REVISION_DS list).
    void raise_revision(UCHAR revision) noexcept { m_revision = revision > m_revision ? revision : m_revision; }
    std::size_t ace_count() const noexcept { return m_count; }
    // ACL header followed by the ACEs, AclSize = exact length.
    std::vector<unsigned char> finish() const;

private:
    UCHAR m_revision;
    std::size_t m_count = 0;
    std::vector<unsigned char> m_aces;
};

}  // namespace ntio::se
