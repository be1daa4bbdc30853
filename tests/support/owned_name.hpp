// OwnedName: a UNICODE_STRING over an owned copy of its text, for tests that pass names to the
// Nt/Io/Ob routines.
#pragma once

#include <string>
#include <string_view>

#include <wdm.h>

namespace ntio::test {

class OwnedName {
public:
    explicit OwnedName(std::u16string_view text) : m_text(text) {
        m_string.Length = static_cast<USHORT>(m_text.size() * sizeof(WCHAR));
        m_string.MaximumLength = m_string.Length;
        m_string.Buffer = reinterpret_cast<PWCH>(m_text.data());
    }
    OwnedName(const OwnedName&) = delete;
    OwnedName& operator=(const OwnedName&) = delete;
    PUNICODE_STRING get() { return &m_string; }
    operator PUNICODE_STRING() { return &m_string; }

private:
    std::u16string m_text;
    UNICODE_STRING m_string{};
};

}  // namespace ntio::test
