// The image file path of a process, in the NT or the Win32 form, from the host program's path.
#include "nt/process_image_path.hpp"

#include "host/process.hpp"
#include "rtl/utf.hpp"

namespace ntio::nt {

std::u16string process_image_path(PEPROCESS process, bool win32_form) {
    if (process->m_is_system) return {};
    const std::string host = host::program_path();
    if (host.empty()) return {};
    std::u16string path(rtl::utf16_size(host.data(), host.size()), u'\0');
    path.resize(rtl::utf8_to_utf16(host.data(), host.size(), path.data(), path.size()));
    for (char16_t& c : path)
        if (c == u'/') c = u'\\';
    return (win32_form ? u"C:" : u"\\??\\C:") + path;
}

}  // namespace ntio::nt
