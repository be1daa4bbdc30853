// The shell's shared helpers. Directory listings go through NtOpenDirectoryObject and
// NtQueryDirectoryObject as the calling (administrator) process, the way WinObj lists them.
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fmt/core.h>
#include <string>
#include <vector>

#include <ntio/ntapi.h>

#include "boot.hpp"
#include "rtl/status.hpp"
#include "shell_support.hpp"
#include "unicode_string.hpp"

namespace ntio::tool {

std::string status_text(std::int32_t status) {
    return fmt::format("{} (0x{:08X})", rtl::status_name(status), static_cast<std::uint32_t>(status));
}

std::optional<std::uint64_t> parse_number(const std::string& word) {
    if (word.empty() || word[0] == '-' || word[0] == '+') return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(word.c_str(), &end, 0);
    if (*end || errno) return std::nullopt;
    return value;
}

std::u16string nt_name(const std::string& typed) {
    std::string name = typed;
    if (name.starts_with("//./") || name.starts_with("//?/")) {
        for (char& c : name)
            if (c == '/') c = '\\';
    }
    if (name.starts_with("\\\\.\\") || name.starts_with("\\\\?\\")) name = "\\??\\" + name.substr(4);
    return widen(name);
}

std::string hex_dump(const unsigned char* data, std::size_t length) {
    std::string out;
    for (std::size_t line = 0; line < length; line += 16) {
        std::string hex, text;
        for (std::size_t i = line; i < line + 16; ++i) {
            if (i < length) {
                hex += fmt::format("{:02x} ", data[i]);
                text += std::isprint(data[i]) ? static_cast<char>(data[i]) : '.';
            } else {
                hex += "   ";
            }
        }
        out += fmt::format("  {:08x}  {} |{}|\n", line, hex, text);
    }
    return out;
}

std::int32_t list_directory(const std::u16string& directory, std::vector<DirectoryEntry>& entries) {
    UNICODE_STRING name = counted(directory);
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE handle = nullptr;
    NTSTATUS status = NtOpenDirectoryObject(&handle, DIRECTORY_QUERY, &attributes);
    if (!NT_SUCCESS(status)) return status;
    std::vector<unsigned char> buffer(16 * 1024);
    ULONG context = 0;
    bool restart = true;
    while (true) {
        ULONG returned = 0;
        status = NtQueryDirectoryObject(handle, buffer.data(), static_cast<ULONG>(buffer.size()), FALSE, restart,
                                        &context, &returned);
        restart = false;
        if (status == STATUS_NO_MORE_ENTRIES) {
            status = STATUS_SUCCESS;
            break;
        }
        if (status == STATUS_BUFFER_TOO_SMALL && buffer.size() < (1u << 22)) {
            buffer.resize(buffer.size() * 4);
            restart = true;
            context = 0;
            entries.clear();
            continue;
        }
        if (!NT_SUCCESS(status)) break;
        // An array of entries ended by an all-zero one, the strings after it.
        for (auto* info = reinterpret_cast<const OBJECT_DIRECTORY_INFORMATION*>(buffer.data()); info->Name.Buffer;
             ++info) {
            auto text = [](const UNICODE_STRING& s) {
                return narrow(std::u16string_view(reinterpret_cast<const char16_t*>(s.Buffer), s.Length / 2));
            };
            entries.push_back(DirectoryEntry{text(info->Name), text(info->TypeName)});
        }
        if (status != STATUS_MORE_ENTRIES) break;
    }
    (void)NtClose(handle);
    return status;
}

std::vector<std::string> complete_object_name(const std::string& typed) {
    const std::size_t slash = typed.rfind('\\');
    const std::string directory = slash == 0 ? std::string("\\") : typed.substr(0, slash);
    const std::string prefix = typed.substr(slash + 1);
    std::vector<DirectoryEntry> entries;
    std::vector<std::string> names;
    if (!NT_SUCCESS(list_directory(widen(directory), entries))) return names;
    const std::string base = slash == 0 ? std::string("\\") : directory + "\\";
    for (const DirectoryEntry& e : entries) {
        if (e.name.size() < prefix.size()) continue;
        bool match = true;
        for (std::size_t i = 0; i < prefix.size() && match; ++i)
            match = std::tolower(static_cast<unsigned char>(e.name[i])) ==
                    std::tolower(static_cast<unsigned char>(prefix[i]));
        if (match) names.push_back(base + e.name + (e.type == "Directory" ? "\\" : ""));
    }
    return names;
}

}  // namespace ntio::tool
