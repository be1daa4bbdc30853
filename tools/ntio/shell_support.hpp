// Helpers the shell's command files share: status text, numbers, NT names from what the user
// types, hex dumps and object directory listings. Include after <wdm.h> or <ntio/ntapi.h>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ntio/system.hpp"

namespace ntio::tool {

// Runs one command (words[0] is its name) from the shell's table, after replacing each word
// "$NAME" by the shell variable NAME.
int dispatch(System& system, const std::vector<std::string>& words, std::string& out);

// Shell variables: `open` sets $h to the handle it printed, so scripts can use it.
void set_shell_variable(const std::string& name, const std::string& value);

// "STATUS_INVALID_HANDLE (0xC0000008)".
std::string status_text(std::int32_t status);

// Decimal or 0x hex, the whole word; nullopt otherwise.
std::optional<std::uint64_t> parse_number(const std::string& word);

// What a user types for a name, as the NT name to open: "\\.\X" and "//./X" -> "\??\X"; NT names
// pass through.
std::u16string nt_name(const std::string& typed);

// Hex dump lines: offset, 16 bytes, printable characters.
std::string hex_dump(const unsigned char* data, std::size_t length);

// The entries of an object directory (name, type name), in the directory's order.
struct DirectoryEntry {
    std::string name;
    std::string type;
};
// NTSTATUS of the open or the query; entries filled on success.
std::int32_t list_directory(const std::u16string& directory, std::vector<DirectoryEntry>& entries);

// Full names completing `typed` ("\Dev" -> "\Device\"), directories ending in '\'.
std::vector<std::string> complete_object_name(const std::string& typed);

}  // namespace ntio::tool
