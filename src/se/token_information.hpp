// The answers to token information queries, built once for both forms: SeQueryInformationToken
// (a pool buffer) and NtQueryInformationToken (the caller's buffer, with ReturnLength).
#pragma once

#include "se/token.hpp"

#include <vector>

namespace ntio::se {

class TokenInformation {
public:
    // Builds the answer for `information_class`; `se_form` selects SeQueryInformationToken's
    // TokenIntegrityLevel (the RID as a ULONG) over the service's TOKEN_MANDATORY_LABEL.
    // STATUS_INVALID_INFO_CLASS for a class ntio does not answer, or TokenImpersonationLevel of a
    // primary token.
    NTSTATUS build(const Token& token, TOKEN_INFORMATION_CLASS information_class, bool se_form);

    ULONG length() const noexcept { return static_cast<ULONG>(m_bytes.size()); }
    // Copies the answer to `destination` (length() bytes) with its embedded pointers made to point
    // into the copy as it will be seen at `final_address`.
    void place(void* destination, ULONG_PTR final_address) const noexcept;

private:
    // Appends `size` zeroed bytes at a 4-aligned offset and returns that offset.
    std::size_t reserve(std::size_t size);
    std::size_t append(const void* data, std::size_t size);
    // A pointer field at `field_offset` that points to the bytes at `target_offset`.
    void point(std::size_t field_offset, std::size_t target_offset);
    void put_ulong(std::size_t offset, ULONG value);
    void sid_and_attributes(std::size_t entry_offset, const SID* sid, ULONG attributes);
    void groups(const std::vector<Token::Group>& groups);
    void sid_holder(const SID* sid);

    std::vector<unsigned char> m_bytes;
    std::vector<std::size_t> m_pointers;  // offsets of pointer fields (relative until placed)
};

}  // namespace ntio::se
