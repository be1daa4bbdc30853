// The KEY_*_INFORMATION and KEY_VALUE_*_INFORMATION answers of NtQueryKey, NtEnumerateKey,
// NtQueryValueKey and NtEnumerateValueKey, built in kernel memory with NT's length rules.
#pragma once

#include "config/key_node.hpp"

namespace ntio::config {

bool key_information_class_valid(KEY_INFORMATION_CLASS info_class) noexcept;
bool value_information_class_valid(KEY_VALUE_INFORMATION_CLASS info_class) noexcept;

// `out` receives what to copy to the caller: everything when `length` holds it; only the fixed part
// with STATUS_BUFFER_OVERFLOW when `length` holds that much; nothing with STATUS_BUFFER_TOO_SMALL
// otherwise. `result_length` is always the size of the whole answer. `full_name` is used by
// KeyNameInformation. Caller holds the tree lock.
NTSTATUS build_key_information(const KeyNode& node, std::u16string_view full_name, KEY_INFORMATION_CLASS info_class,
                               ULONG length, std::vector<unsigned char>& out, ULONG& result_length);
NTSTATUS build_value_information(const KeyValue& value, KEY_VALUE_INFORMATION_CLASS info_class, ULONG length,
                                 std::vector<unsigned char>& out, ULONG& result_length);

}  // namespace ntio::config
