// SIDs held by value: a fixed-size buffer big enough for any SID, so tokens and descriptors can keep
// them without heap allocation, plus the well-known SIDs the tokens, SDDL and defaults use.
#pragma once

#include "se/ddk.hpp"

namespace ntio::se {

// Byte length of a structurally valid SID that lies in `available` bytes, or 0 when the bytes do not
// hold one (bad revision, too many sub-authorities, truncated). Any IRQL.
std::size_t valid_sid_length(const void* sid, std::size_t available) noexcept;

// Two structurally valid SIDs are equal byte for byte.
bool sid_equal(const SID* a, const SID* b) noexcept;

// "S-1-5-18" form of a valid SID (authority in decimal below 2^32, else 0x-hex as Windows prints it).
std::string sid_to_string(const SID* sid);

class SidBuffer {
public:
    SidBuffer() noexcept;
    // authority is the 48-bit identifier authority value (5 = NT authority).
    SidBuffer(std::uint64_t authority, std::initializer_list<ULONG> sub_authorities) noexcept;
    // Copies a SID the caller has validated.
    explicit SidBuffer(const SID* sid) noexcept;

    const SID* get() const noexcept { return reinterpret_cast<const SID*>(m_bytes); }
    SID* get() noexcept { return reinterpret_cast<SID*>(m_bytes); }
    ULONG length() const noexcept;
    bool operator==(const SidBuffer& other) const noexcept { return sid_equal(get(), other.get()); }

private:
    alignas(4) unsigned char m_bytes[SECURITY_MAX_SID_SIZE];
};

namespace well_known {
const SID* null_sid() noexcept;             // S-1-0-0
const SID* world() noexcept;                // S-1-1-0 Everyone (WD)
const SID* creator_owner() noexcept;        // S-1-3-0 (CO)
const SID* creator_group() noexcept;        // S-1-3-1 (CG)
const SID* interactive() noexcept;          // S-1-5-4 (IU)
const SID* service() noexcept;              // S-1-5-6 (SU)
const SID* anonymous() noexcept;            // S-1-5-7 (AN)
const SID* authenticated_users() noexcept;  // S-1-5-11 (AU)
const SID* restricted_code() noexcept;      // S-1-5-12 (RC)
const SID* local_system() noexcept;         // S-1-5-18 (SY)
const SID* local_service() noexcept;        // S-1-5-19 (LS)
const SID* network_service() noexcept;      // S-1-5-20 (NS)
const SID* administrators() noexcept;       // S-1-5-32-544 (BA)
const SID* users() noexcept;                // S-1-5-32-545 (BU)
const SID* guests() noexcept;               // S-1-5-32-546 (BG)
const SID* power_users() noexcept;          // S-1-5-32-547 (PU)
}  // namespace well_known

}  // namespace ntio::se
