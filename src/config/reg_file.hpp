// .reg text import and export ("Windows Registry Editor Version 5.00" and "REGEDIT4"): the C++ API
// behind `ntio reg import/export` and the embedded default hive. Root names HKEY_LOCAL_MACHINE (HKLM),
// HKEY_USERS (HKU), HKEY_CLASSES_ROOT (HKCR), HKEY_CURRENT_USER (HKCU) map to \REGISTRY paths.
#pragma once

#include "config/key_node.hpp"

namespace ntio::config {

class ConfigManager;

// Applies .reg text (UTF-8, or UTF-16LE with a BOM as regedit writes it). The whole text is parsed
// first: a syntax error changes nothing and returns STATUS_INVALID_PARAMETER with "line N: why" in
// `message`. Then "[key]" creates keys (through links), "[-key]" deletes a tree, `"v"=-` deletes a
// value, the rest set values, as one store transaction. PASSIVE_LEVEL.
NTSTATUS import_reg(ConfigManager& config, std::string_view text, std::string& message);
NTSTATUS import_reg_file(ConfigManager& config, const std::string& path, std::string& message);

// NtRestoreKey's core: .reg text a save wrote (its first key the saved key, then keys below it and
// values) replaces the values and subkeys of `target`, which keeps its name, as one store
// transaction. STATUS_REGISTRY_CORRUPT (with a message) for text that is not a saved key;
// STATUS_CANNOT_DELETE while a key below the target is open, unless `force`. PASSIVE_LEVEL.
NTSTATUS restore_reg(ConfigManager& config, const NodeRef& target, std::string_view text, bool force,
                     std::string& message);

// Whether `text` is what a save wrote (STATUS_REGISTRY_CORRUPT with `message` when not).
NTSTATUS check_saved_key(std::string_view text, std::string& message);

// Writes `key_path` ("\REGISTRY\MACHINE\SOFTWARE" or "HKEY_LOCAL_MACHINE\SOFTWARE") and everything
// below it as version 5.00 text (UTF-8, CRLF line ends), volatile keys included.
NTSTATUS export_reg(ConfigManager& config, std::u16string_view key_path, std::string& out);
NTSTATUS export_reg_file(ConfigManager& config, std::u16string_view key_path, const std::string& path,
                         std::string& message);

// "HKEY_LOCAL_MACHINE\X" -> "\REGISTRY\MACHINE\X"; \REGISTRY paths pass through. Empty when the root
// is unknown.
std::u16string registry_path_from_reg(std::u16string_view name);

}  // namespace ntio::config
