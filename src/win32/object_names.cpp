// Win32 object names -> NT object attributes: names live in \BaseNamedObjects, whose "Global" and
// "Local" symbolic links (created at boot) resolve the "Global\" and "Local\" prefixes (one session).
// Also the ANSI <-> UTF-16 conversions the A entry points use.
#include <string>
#include <string_view>

#include "win32/win32.hpp"

namespace ntio::win32 {
namespace {
constexpr std::u16string_view kBaseNamedObjects = u"\\BaseNamedObjects\\";

std::u16string_view wide_view(LPCWSTR name) {
    if (!name) return {};
    return std::u16string_view(reinterpret_cast<const char16_t*>(name));
}
}  // namespace

std::u16string ansi_to_utf16(std::string_view text) {
    // NT deviation: the ANSI code page is UTF-8 (CP_UTF8), not a legacy code page.
    std::u16string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        char32_t cp = 0xFFFD;
        std::size_t len = 1;
        if (c < 0x80) {
            cp = c;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
        }
        if (len > 1) {
            if (i + len > text.size()) {
                len = 1;
            } else {
                char32_t v = c & (0x7F >> len);
                bool ok = true;
                for (std::size_t k = 1; k < len; ++k) {
                    const auto cc = static_cast<unsigned char>(text[i + k]);
                    if ((cc & 0xC0) != 0x80) { ok = false; break; }
                    v = (v << 6) | (cc & 0x3F);
                }
                if (ok && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF)) cp = v; else len = 1;
            }
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
            out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
        } else {
            out.push_back(static_cast<char16_t>(cp));
        }
        i += len;
    }
    return out;
}

std::string utf16_to_ansi(std::u16string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char32_t cp = text[i];
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < text.size() && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (text[i + 1] - 0xDC00);
            ++i;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }
    return out;
}

NamedObjectAttributes::NamedObjectAttributes(LPCWSTR name, LPSECURITY_ATTRIBUTES sa, BOOL inherit,
                                             ULONG extra_attributes) {
    build(wide_view(name), sa, inherit, extra_attributes);
}

NamedObjectAttributes::NamedObjectAttributes(LPCSTR name, LPSECURITY_ATTRIBUTES sa, BOOL inherit,
                                             ULONG extra_attributes) {
    std::u16string wide = name ? ansi_to_utf16(name) : std::u16string();
    build(wide, sa, inherit, extra_attributes);
}

void NamedObjectAttributes::build(std::u16string_view name, LPSECURITY_ATTRIBUTES sa, BOOL inherit,
                                  ULONG extra_attributes) {
    ULONG attributes = extra_attributes;
    if (inherit || (sa && sa->bInheritHandle)) attributes |= OBJ_INHERIT;
    PVOID security = sa ? sa->lpSecurityDescriptor : nullptr;
    PUNICODE_STRING object_name = nullptr;
    if (!name.empty()) {
        m_named = true;
        m_path.reserve(kBaseNamedObjects.size() + name.size());
        m_path.append(kBaseNamedObjects).append(name);
        if (m_path.size() * sizeof(char16_t) > MAXUSHORT - 1) {
            m_status = STATUS_NAME_TOO_LONG;
            return;
        }
        m_name.Buffer = reinterpret_cast<PWCH>(m_path.data());
        m_name.Length = static_cast<USHORT>(m_path.size() * sizeof(char16_t));
        m_name.MaximumLength = m_name.Length;
        object_name = &m_name;
    } else {
        attributes &= ~static_cast<ULONG>(OBJ_OPENIF);
    }
    InitializeObjectAttributes(&m_attributes, object_name, attributes, nullptr, security);
}

}  // namespace ntio::win32
