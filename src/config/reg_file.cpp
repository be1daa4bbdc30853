// .reg text: a parser that turns the whole text into operations first (so a syntax error changes
// nothing), the application of those operations to the key tree in one store transaction, and the
// writer regedit's format describes (quoted strings, dword:, hex:, hex(N): with continuation lines).
// https://support.microsoft.com/topic/how-to-add-modify-or-delete-registry-subkeys-and-values-by-using-a-reg-file-9c7f37cf-a5e9-e1cd-c4fa-2a26218a1a23
#include "config/reg_file.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "config/config_manager.hpp"
#include "rtl/utf.hpp"
#include "se/sid.hpp"
#include "se/token.hpp"

namespace ntio::config {
namespace {

constexpr std::u16string_view kRegistryRoot = u"\\REGISTRY";

struct RegOperation {
    enum Kind { CreateKey, DeleteKey, SetValue, DeleteValue } kind;
    std::u16string key;          // \REGISTRY path
    std::u16string value_name;
    ULONG type = REG_NONE;
    std::vector<unsigned char> data;
    std::size_t line = 0;
};

std::u16string to_utf16(std::string_view text)
{
    std::u16string out(rtl::utf16_size(text.data(), text.size()), u'\0');
    out.resize(rtl::utf8_to_utf16(text.data(), text.size(), out.data(), out.size()));
    return out;
}

std::string to_utf8(std::u16string_view text)
{
    std::string out(rtl::utf8_size(text.data(), text.size()), '\0');
    out.resize(rtl::utf16_to_utf8(text.data(), text.size(), out.data(), out.size()));
    return out;
}

bool is_space(char16_t c) { return c == u' ' || c == u'\t' || c == u'\r'; }

std::u16string_view trim(std::u16string_view s)
{
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

int hex_digit(char16_t c)
{
    if (c >= u'0' && c <= u'9') return c - u'0';
    if (c >= u'a' && c <= u'f') return c - u'a' + 10;
    if (c >= u'A' && c <= u'F') return c - u'A' + 10;
    return -1;
}

std::u16string current_user_path()
{
    const std::string sid = se::sid_to_string(se::Token::create_user(false)->user());
    return u"\\REGISTRY\\USER\\" + std::u16string(sid.begin(), sid.end());
}

// Parses a quoted string starting at s[pos] == '"'; leaves pos after the closing quote.
bool parse_quoted(std::u16string_view s, std::size_t& pos, std::u16string& out)
{
    out.clear();
    for (++pos; pos < s.size(); ++pos) {
        char16_t c = s[pos];
        if (c == u'"') {
            ++pos;
            return true;
        }
        if (c == u'\\' && pos + 1 < s.size()) c = s[++pos];
        out.push_back(c);
    }
    return false;
}

bool parse_hex_bytes(std::u16string_view s, std::vector<unsigned char>& out)
{
    out.clear();
    s = trim(s);
    if (s.empty()) return true;
    for (;;) {
        std::size_t comma = s.find(u',');
        std::u16string_view item = trim(s.substr(0, comma));
        if (item.empty() || item.size() > 2) return false;
        int value = 0;
        for (char16_t c : item) {
            const int d = hex_digit(c);
            if (d < 0) return false;
            value = value * 16 + d;
        }
        out.push_back(static_cast<unsigned char>(value));
        if (comma == std::u16string_view::npos) return true;
        s.remove_prefix(comma + 1);
    }
}

void append_utf16(std::vector<unsigned char>& out, std::u16string_view text, bool terminate)
{
    const std::size_t at = out.size();
    out.resize(at + (text.size() + (terminate ? 1 : 0)) * sizeof(char16_t), 0);
    if (!text.empty()) std::memcpy(out.data() + at, text.data(), text.size() * sizeof(char16_t));
}

// The whole text into operations; "line N: why" on the first error.
NTSTATUS parse_reg(std::u16string_view text, std::vector<RegOperation>& ops, std::string& message)
{
    auto fail = [&](std::size_t line, const std::string& why) {
        message = "line " + std::to_string(line) + ": " + why;
        return STATUS_INVALID_PARAMETER;
    };
    if (!text.empty() && text.front() == u'\xFEFF') text.remove_prefix(1);

    // Logical lines: a data line ending in '\' continues on the next.
    std::vector<std::pair<std::size_t, std::u16string>> lines;
    std::size_t number = 0;
    bool continuing = false;
    for (std::size_t pos = 0;;) {
        const std::size_t nl = text.find(u'\n', pos);
        std::u16string_view line =
            trim(text.substr(pos, nl == std::u16string_view::npos ? std::u16string_view::npos : nl - pos));
        ++number;
        if (continuing)
            lines.back().second.append(line);
        else
            lines.emplace_back(number, std::u16string(line));
        std::u16string& current = lines.back().second;
        continuing = !current.empty() && current.back() == u'\\' && current[0] != u'[' && current[0] != u';';
        if (continuing) current.pop_back();
        if (nl == std::u16string_view::npos) break;
        pos = nl + 1;
    }

    bool header = false, version4 = false;
    bool in_delete = false, in_key = false;
    std::u16string key;
    for (auto& [line_number, line] : lines) {
        if (line.empty() || line[0] == u';') continue;
        if (!header) {
            if (line == u"Windows Registry Editor Version 5.00") {
                header = true;
            } else if (line == u"REGEDIT4") {
                header = version4 = true;
            } else {
                return fail(line_number, "expected \"Windows Registry Editor Version 5.00\" or \"REGEDIT4\"");
            }
            continue;
        }
        if (line[0] == u'[') {
            if (line.back() != u']') return fail(line_number, "a key line must end with ']'");
            std::u16string_view name(line);
            name = name.substr(1, name.size() - 2);
            in_delete = !name.empty() && name[0] == u'-';
            if (in_delete) name.remove_prefix(1);
            key = registry_path_from_reg(name);
            if (key.empty()) return fail(line_number, "unknown root key in [" + to_utf8(name) + "]");
            ops.push_back({in_delete ? RegOperation::DeleteKey : RegOperation::CreateKey, key, {}, 0, {}, line_number});
            in_key = !in_delete;
            continue;
        }
        if (line[0] != u'"' && line[0] != u'@') return fail(line_number, "expected [key], \"name\"=data or @=data");
        if (!in_key) return fail(line_number, "a value outside a key section");
        RegOperation op{RegOperation::SetValue, key, {}, REG_NONE, {}, line_number};
        std::size_t pos = 0;
        if (line[0] == u'@') {
            pos = 1;
        } else if (!parse_quoted(line, pos, op.value_name)) {
            return fail(line_number, "unterminated value name");
        }
        while (pos < line.size() && is_space(line[pos])) ++pos;
        if (pos >= line.size() || line[pos] != u'=') return fail(line_number, "expected '=' after the value name");
        std::u16string_view data = trim(std::u16string_view(line).substr(pos + 1));
        if (data == u"-") {
            op.kind = RegOperation::DeleteValue;
        } else if (!data.empty() && data[0] == u'"') {
            std::size_t p = 0;
            std::u16string text_value;
            if (!parse_quoted(data, p, text_value) || !trim(data.substr(p)).empty())
                return fail(line_number, "malformed string data");
            op.type = REG_SZ;
            append_utf16(op.data, text_value, true);
        } else if (data.substr(0, 6) == u"dword:") {
            std::u16string_view digits = data.substr(6);
            if (digits.empty() || digits.size() > 8) return fail(line_number, "dword: takes 1 to 8 hex digits");
            ULONG value = 0;
            for (char16_t c : digits) {
                const int d = hex_digit(c);
                if (d < 0) return fail(line_number, "dword: takes hex digits");
                value = value * 16 + static_cast<ULONG>(d);
            }
            op.type = REG_DWORD;
            op.data.resize(sizeof(ULONG));
            std::memcpy(op.data.data(), &value, sizeof(ULONG));
        } else if (data.substr(0, 3) == u"hex") {
            std::size_t colon = data.find(u':');
            if (colon == std::u16string_view::npos) return fail(line_number, "hex data needs ':'");
            std::u16string_view kind = data.substr(3, colon - 3);
            op.type = REG_BINARY;
            if (!kind.empty()) {
                if (kind.size() < 3 || kind.front() != u'(' || kind.back() != u')')
                    return fail(line_number, "expected hex: or hex(type):");
                ULONG type = 0;
                for (char16_t c : kind.substr(1, kind.size() - 2)) {
                    const int d = hex_digit(c);
                    if (d < 0 || type > 0x0FFFFFFF) return fail(line_number, "bad type in hex(type):");
                    type = type * 16 + static_cast<ULONG>(d);
                }
                op.type = type;
            }
            if (!parse_hex_bytes(data.substr(colon + 1), op.data)) return fail(line_number, "malformed hex bytes");
            // REGEDIT4 files hold strings as 8-bit text (ntio's ANSI code page is UTF-8).
            if (version4 && (op.type == REG_SZ || op.type == REG_EXPAND_SZ || op.type == REG_MULTI_SZ)) {
                std::u16string wide = to_utf16(std::string_view(reinterpret_cast<const char*>(op.data.data()), op.data.size()));
                op.data.clear();
                append_utf16(op.data, wide, false);
            }
        } else {
            return fail(line_number, "unknown data form (expected \"string\", dword:, hex: or hex(type):)");
        }
        ops.push_back(std::move(op));
    }
    if (!header) return fail(1, "empty file: expected \"Windows Registry Editor Version 5.00\"");
    return STATUS_SUCCESS;
}

std::string reg_name_of(std::u16string_view path)
{
    constexpr std::u16string_view kMachine = u"\\REGISTRY\\MACHINE";
    constexpr std::u16string_view kUser = u"\\REGISTRY\\USER";
    auto starts = [&](std::u16string_view prefix) {
        return path.size() >= prefix.size() && names_equal(path.substr(0, prefix.size()), prefix) &&
               (path.size() == prefix.size() || path[prefix.size()] == u'\\');
    };
    if (starts(kMachine)) return "HKEY_LOCAL_MACHINE" + to_utf8(path.substr(kMachine.size()));
    if (starts(kUser)) return "HKEY_USERS" + to_utf8(path.substr(kUser.size()));
    return to_utf8(path);
}

std::string quote(std::u16string_view text)
{
    std::string out = "\"";
    for (char c : to_utf8(text)) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

void write_value(const KeyValue& value, std::string& out)
{
    std::string line = value.name.empty() ? "@=" : quote(value.name) + "=";
    const auto& data = value.data;
    if (value.type == REG_SZ && data.size() >= 2 && data.size() % 2 == 0 && data[data.size() - 1] == 0 &&
        data[data.size() - 2] == 0) {
        std::u16string text(data.size() / 2 - 1, u'\0');
        std::memcpy(text.data(), data.data(), text.size() * sizeof(char16_t));
        if (text.find(u'\0') == std::u16string::npos && text.find(u'\n') == std::u16string::npos &&
            text.find(u'\r') == std::u16string::npos) {
            out += line + quote(text) + "\r\n";
            return;
        }
    }
    if (value.type == REG_DWORD && data.size() == sizeof(ULONG)) {
        ULONG dword = 0;
        std::memcpy(&dword, data.data(), sizeof(ULONG));
        char buffer[16];
        std::snprintf(buffer, sizeof(buffer), "dword:%08x", dword);
        out += line + buffer + "\r\n";
        return;
    }
    char prefix[24];
    if (value.type == REG_BINARY)
        std::snprintf(prefix, sizeof(prefix), "hex:");
    else
        std::snprintf(prefix, sizeof(prefix), "hex(%x):", value.type);
    line += prefix;
    for (std::size_t i = 0; i < data.size(); ++i) {
        char byte[4];
        std::snprintf(byte, sizeof(byte), "%02x", data[i]);
        line += byte;
        if (i + 1 < data.size()) {
            line += ',';
            // regedit wraps hex data before column 80 with a '\' continuation.
            if (line.size() > 76) {
                out += line + "\\\r\n";
                line = "  ";
            }
        }
    }
    out += line + "\r\n";
}

void write_tree(ConfigManager& config, const KeyNode& node, const std::u16string& path, std::string& out)
{
    if (node.is_link()) return;  // a link's target is exported where it lives
    if (path != kRegistryRoot) {
        out += "[" + reg_name_of(path) + "]\r\n";
        for (const KeyValue& value : node.values) write_value(value, out);
        out += "\r\n";
    }
    for (const auto& [key, child] : node.children) write_tree(config, *child, path + u"\\" + child->name, out);
}

}  // namespace

std::u16string registry_path_from_reg(std::u16string_view name)
{
    const std::size_t sep = name.find(u'\\');
    std::u16string_view root = name.substr(0, sep);
    std::u16string_view rest = sep == std::u16string_view::npos ? std::u16string_view() : name.substr(sep);
    std::u16string base;
    if (root.empty() && names_equal(name.substr(0, std::min(name.size(), kRegistryRoot.size())), kRegistryRoot)) {
        return std::u16string(name);
    }
    if (names_equal(root, u"HKEY_LOCAL_MACHINE") || names_equal(root, u"HKLM"))
        base = u"\\REGISTRY\\MACHINE";
    else if (names_equal(root, u"HKEY_USERS") || names_equal(root, u"HKU"))
        base = u"\\REGISTRY\\USER";
    else if (names_equal(root, u"HKEY_CLASSES_ROOT") || names_equal(root, u"HKCR"))
        base = u"\\REGISTRY\\MACHINE\\SOFTWARE\\Classes";
    else if (names_equal(root, u"HKEY_CURRENT_USER") || names_equal(root, u"HKCU"))
        base = current_user_path();
    else if (names_equal(root, u"HKEY_CURRENT_CONFIG") || names_equal(root, u"HKCC"))
        base = u"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Hardware Profiles\\Current";
    else
        return {};
    return base + std::u16string(rest);
}

namespace {

// .reg bytes as text: UTF-16LE after its BOM, else UTF-8 (a BOM skipped).
std::u16string decode_reg_text(std::string_view text)
{
    std::u16string wide;
    if (text.size() >= 2 && static_cast<unsigned char>(text[0]) == 0xFF && static_cast<unsigned char>(text[1]) == 0xFE) {
        wide.resize((text.size() - 2) / 2);
        std::memcpy(wide.data(), text.data() + 2, wide.size() * sizeof(char16_t));
    } else {
        if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
        wide = to_utf16(text);
    }
    return wide;
}

// `path` is `root` or below it: the part after root ("" or "\A\B").
bool below_root(std::u16string_view path, std::u16string_view root, std::u16string_view& rest)
{
    if (path.size() < root.size() || !names_equal(path.substr(0, root.size()), root)) return false;
    rest = path.substr(root.size());
    return rest.empty() || rest.front() == u'\\';
}

}  // namespace

NTSTATUS import_reg(ConfigManager& config, std::string_view text, std::string& message)
{
    const std::u16string wide = decode_reg_text(text);
    std::vector<RegOperation> ops;
    NTSTATUS status = parse_reg(wide, ops, message);
    if (!NT_SUCCESS(status)) return status;
    return config.batch([&]() -> NTSTATUS {
        NodeRef current;
        for (RegOperation& op : ops) {
            NTSTATUS s = STATUS_SUCCESS;
            switch (op.kind) {
            case RegOperation::CreateKey:
                s = config.create_path(op.key, 0, current);
                break;
            case RegOperation::DeleteKey: {
                NodeRef victim;
                current.reset();
                if (NT_SUCCESS(config.open_path(op.key, victim))) s = config.delete_tree(*victim);
                break;
            }
            case RegOperation::SetValue:
                s = config.set_value(*current, op.value_name, op.type, op.data.data(), static_cast<ULONG>(op.data.size()));
                break;
            case RegOperation::DeleteValue:
                s = config.delete_value(*current, op.value_name);
                if (s == STATUS_OBJECT_NAME_NOT_FOUND) s = STATUS_SUCCESS;
                break;
            }
            if (!NT_SUCCESS(s)) {
                char code[16];
                std::snprintf(code, sizeof(code), "0x%08X", static_cast<unsigned>(s));
                message = "line " + std::to_string(op.line) + ": " + reg_name_of(op.key) + ": failed with status " + code;
                return s;
            }
        }
        return STATUS_SUCCESS;
    });
}

namespace {
// The operations of a saved key's text: its top key, then keys below it and values; nothing
// deleted, nothing elsewhere. STATUS_REGISTRY_CORRUPT (with `message`) for other text.
NTSTATUS saved_key_operations(std::string_view text, std::vector<RegOperation>& ops, std::string& message)
{
    if (!NT_SUCCESS(parse_reg(decode_reg_text(text), ops, message)) || ops.empty() ||
        ops.front().kind != RegOperation::CreateKey) {
        if (message.empty()) message = "not a saved key";
        return STATUS_REGISTRY_CORRUPT;
    }
    for (const RegOperation& op : ops) {
        std::u16string_view rest;
        if (op.kind == RegOperation::DeleteKey || op.kind == RegOperation::DeleteValue ||
            !below_root(op.key, ops.front().key, rest)) {
            message = "line " + std::to_string(op.line) + ": not part of the saved key";
            return STATUS_REGISTRY_CORRUPT;
        }
    }
    return STATUS_SUCCESS;
}
}  // namespace

NTSTATUS check_saved_key(std::string_view text, std::string& message)
{
    std::vector<RegOperation> ops;
    return saved_key_operations(text, ops, message);
}

NTSTATUS restore_reg(ConfigManager& config, const NodeRef& target, std::string_view text, bool force,
                     std::string& message)
{
    std::vector<RegOperation> ops;
    if (NTSTATUS status = saved_key_operations(text, ops, message); !NT_SUCCESS(status)) return status;
    const std::u16string saved_root = ops.front().key;
    std::u16string target_path;
    NTSTATUS status = config.full_path(*target, target_path);
    if (!NT_SUCCESS(status)) return status;
    // Learn (RegRestoreKey): the restore fails while a key below the target is open.
    if (!force && config.keys_open_below(*target)) return STATUS_CANNOT_DELETE;
    return config.batch([&]() -> NTSTATUS {
        // The target keeps its name (and security); its values and subkeys are the saved key's.
        std::vector<NodeRef> children;
        std::vector<std::u16string> values;
        config.read_locked([&] {
            for (const auto& [name, child] : target->children) children.push_back(child);
            for (const KeyValue& value : target->values) values.push_back(value.name);
        });
        for (const NodeRef& child : children)
            if (NTSTATUS s = config.delete_tree(*child); !NT_SUCCESS(s)) return s;
        for (const std::u16string& name : values)
            if (NTSTATUS s = config.delete_value(*target, name); !NT_SUCCESS(s)) return s;
        NodeRef current;
        for (const RegOperation& op : ops) {
            std::u16string_view rest;
            (void)below_root(op.key, saved_root, rest);
            NTSTATUS s = STATUS_SUCCESS;
            if (op.kind == RegOperation::CreateKey) {
                if (rest.empty()) current = target;
                else s = config.create_path(target_path + std::u16string(rest), 0, current);
            } else {
                s = config.set_value(*current, op.value_name, op.type, op.data.data(), static_cast<ULONG>(op.data.size()));
            }
            if (!NT_SUCCESS(s)) {
                message = "line " + std::to_string(op.line) + ": " + reg_name_of(op.key) + ": restore failed";
                return s;
            }
        }
        return STATUS_SUCCESS;
    });
}

NTSTATUS import_reg_file(ConfigManager& config, const std::string& path, std::string& message)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        message = "cannot read '" + path + "'";
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    NTSTATUS status = import_reg(config, text, message);
    if (!NT_SUCCESS(status)) message = path + ": " + message;
    return status;
}

NTSTATUS export_reg(ConfigManager& config, std::u16string_view key_path, std::string& out)
{
    std::u16string path = registry_path_from_reg(key_path);
    if (path.empty()) return STATUS_OBJECT_PATH_SYNTAX_BAD;
    NodeRef node;
    NTSTATUS status = config.open_path(path, node);
    if (!NT_SUCCESS(status)) return status;
    std::u16string full;
    status = config.full_path(*node, full);
    if (!NT_SUCCESS(status)) return status;
    out = "Windows Registry Editor Version 5.00\r\n\r\n";
    config.read_locked([&] { write_tree(config, *node, full, out); });
    return STATUS_SUCCESS;
}

NTSTATUS export_reg_file(ConfigManager& config, std::u16string_view key_path, const std::string& path,
                         std::string& message)
{
    std::string text;
    NTSTATUS status = export_reg(config, key_path, text);
    if (!NT_SUCCESS(status)) {
        message = "cannot export " + to_utf8(key_path);
        return status;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
        message = "cannot write '" + path + "'";
        return STATUS_REGISTRY_IO_FAILED;
    }
    return STATUS_SUCCESS;
}

}  // namespace ntio::config
