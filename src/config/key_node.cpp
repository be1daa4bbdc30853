// Name comparison and lookups inside one key node.
#include "config/key_node.hpp"

namespace ntio::config {

std::u16string upcase(std::u16string_view name)
{
    std::u16string out(name);
    for (char16_t& c : out) {
        if (c < 0x80) {
            if (c >= u'a' && c <= u'z') c = static_cast<char16_t>(c - 32);
        } else {
            c = static_cast<char16_t>(RtlUpcaseUnicodeChar(static_cast<WCHAR>(c)));
        }
    }
    return out;
}

bool names_equal(std::u16string_view a, std::u16string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] == b[i]) continue;
        if (RtlUpcaseUnicodeChar(static_cast<WCHAR>(a[i])) != RtlUpcaseUnicodeChar(static_cast<WCHAR>(b[i])))
            return false;
    }
    return true;
}

KeyValue* KeyNode::find_value(std::u16string_view value_name) noexcept
{
    for (KeyValue& value : values)
        if (names_equal(value.name, value_name)) return &value;
    return nullptr;
}

KeyNode* KeyNode::find_child(std::u16string_view child_name) const noexcept
{
    auto it = children.find(upcase(child_name));
    return it == children.end() ? nullptr : it->second.get();
}

}  // namespace ntio::config
