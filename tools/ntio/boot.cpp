// The ntio command's boot and its text conversions.
#include "boot.hpp"

#include <cstdlib>
#include <fmt/core.h>

#include "rtl/utf.hpp"

namespace ntio::tool {

std::unique_ptr<System> boot(const GlobalOptions& options) {
    BootOptions boot_options;
    boot_options.hive_path = options.hive;
    if (boot_options.hive_path.empty()) {
        if (const char* hive = std::getenv("NTIO_HIVE")) boot_options.hive_path = hive;
    }
    try {
        auto system = std::make_unique<System>(boot_options);
        system->make_current();
        return system;
    } catch (const BootError& error) {
        const std::string_view what = error.what();
        fmt::print(stderr, "{}{} (status 0x{:08X})\n", what.starts_with("ntio") ? "" : "ntio: ", what,
                   static_cast<std::uint32_t>(error.status()));
        return nullptr;
    }
}

std::u16string widen(std::string_view text) {
    std::u16string out(rtl::utf16_size(text.data(), text.size()), u'\0');
    out.resize(rtl::utf8_to_utf16(text.data(), text.size(), out.data(), out.size()));
    return out;
}

std::string narrow(std::u16string_view text) {
    std::string out(rtl::utf8_size(text.data(), text.size()), '\0');
    out.resize(rtl::utf16_to_utf8(text.data(), text.size(), out.data(), out.size()));
    return out;
}

}  // namespace ntio::tool
