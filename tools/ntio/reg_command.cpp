// `ntio reg` over the Zw*Key services (the tool acts as a kernel-mode caller, as reg.exe run by an
// administrator would be allowed to) and the configuration manager's .reg import and export. Output
// follows reg.exe: the key's full name, then one indented line per value (name, type, data).
#include "reg_command.hpp"

#include <strings.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/core.h>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/reg_file.hpp"
#include <wdm.h>
#include <CLI/CLI.hpp>

#include "progress.hpp"
#include "registry_key.hpp"
#include "unicode_string.hpp"

namespace ntio::tool {
// Named, not anonymous: the tool's command files compile as one unit (tools/ntio/CMakeLists.txt).
namespace reg_impl {

struct RegArgs {
    std::string key;
    std::string value;
    bool value_given = false;
    std::string type = "REG_SZ";
    std::string data;
    bool recurse = false;
    std::string file;
};

struct TypeName {
    ULONG type;
    const char* name;
};
constexpr TypeName kTypes[] = {
    {REG_NONE, "REG_NONE"},     {REG_SZ, "REG_SZ"},         {REG_EXPAND_SZ, "REG_EXPAND_SZ"},
    {REG_BINARY, "REG_BINARY"}, {REG_DWORD, "REG_DWORD"},   {REG_DWORD_BIG_ENDIAN, "REG_DWORD_BIG_ENDIAN"},
    {REG_LINK, "REG_LINK"},     {REG_MULTI_SZ, "REG_MULTI_SZ"}, {REG_QWORD, "REG_QWORD"},
};

std::string type_name(ULONG type) {
    for (const TypeName& t : kTypes)
        if (t.type == type) return t.name;
    return fmt::format("0x{:x}", type);
}

bool parse_type(const std::string& name, ULONG& type) {
    for (const TypeName& t : kTypes) {
        if (name == t.name) {
            type = t.type;
            return true;
        }
    }
    return false;
}

// "HKLM\X" -> "\REGISTRY\MACHINE\X"; the display form turns it back into the long root name.
std::u16string nt_path(const std::string& key) { return config::registry_path_from_reg(widen(key)); }

std::string display_path(std::u16string_view nt) {
    std::string path = narrow(nt);
    const std::pair<const char*, const char*> roots[] = {{"\\REGISTRY\\MACHINE", "HKEY_LOCAL_MACHINE"},
                                                        {"\\REGISTRY\\USER", "HKEY_USERS"}};
    for (auto [from, to] : roots) {
        const std::size_t n = std::char_traits<char>::length(from);
        if (path.size() >= n && strncasecmp(path.c_str(), from, n) == 0 && (path.size() == n || path[n] == '\\'))
            return to + path.substr(n);
    }
    return path;
}

std::string format_data(ULONG type, const UCHAR* data, ULONG length) {
    auto text = [&](std::size_t bytes) {
        return narrow(std::u16string_view(reinterpret_cast<const char16_t*>(data), bytes / 2));
    };
    switch (type) {
    case REG_SZ:
    case REG_EXPAND_SZ:
    case REG_LINK: {
        std::string s = text(length);
        while (!s.empty() && s.back() == '\0') s.pop_back();
        return s;
    }
    case REG_MULTI_SZ: {
        std::string s = text(length);
        while (!s.empty() && s.back() == '\0') s.pop_back();
        std::string out;
        for (char c : s) out += c == '\0' ? std::string("\\0") : std::string(1, c);
        return out;
    }
    case REG_DWORD:
        if (length == 4) return fmt::format("0x{:x}", *reinterpret_cast<const std::uint32_t*>(data));
        break;
    case REG_QWORD:
        if (length == 8) return fmt::format("0x{:x}", *reinterpret_cast<const std::uint64_t*>(data));
        break;
    default: break;
    }
    std::string hex;
    for (ULONG i = 0; i < length; ++i) hex += fmt::format("{:02X}", data[i]);
    return hex;
}

// reg.exe's /d forms: numbers in decimal or 0x hex, binary as hex digits, REG_MULTI_SZ items
// separated by the two characters \0.
bool encode_data(ULONG type, const std::string& data, std::vector<UCHAR>& out) {
    auto put_text = [&](const std::u16string& s) {
        const auto* bytes = reinterpret_cast<const UCHAR*>(s.c_str());
        out.assign(bytes, bytes + (s.size() + 1) * sizeof(char16_t));
    };
    switch (type) {
    case REG_SZ:
    case REG_EXPAND_SZ: put_text(widen(data)); return true;
    case REG_MULTI_SZ: {
        std::u16string all;
        std::size_t start = 0;
        while (true) {
            const std::size_t sep = data.find("\\0", start);
            all += widen(data.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
            all += u'\0';
            if (sep == std::string::npos) break;
            start = sep + 2;
        }
        put_text(all);  // the extra NUL ends the list
        return true;
    }
    case REG_DWORD:
    case REG_DWORD_BIG_ENDIAN:
    case REG_QWORD: {
        char* end = nullptr;
        errno = 0;
        const unsigned long long v = std::strtoull(data.c_str(), &end, 0);
        if (data.empty() || *end || errno) return false;
        if (type == REG_QWORD) {
            out.resize(8);
            std::memcpy(out.data(), &v, 8);
            return true;
        }
        if (v > 0xFFFFFFFFull) return false;
        std::uint32_t d = static_cast<std::uint32_t>(v);
        if (type == REG_DWORD_BIG_ENDIAN) d = __builtin_bswap32(d);
        out.resize(4);
        std::memcpy(out.data(), &d, 4);
        return true;
    }
    default: {
        if (data.size() % 2) return false;
        out.clear();
        for (std::size_t i = 0; i < data.size(); i += 2) {
            char* end = nullptr;
            const std::string byte = data.substr(i, 2);
            const unsigned long b = std::strtoul(byte.c_str(), &end, 16);
            if (*end) return false;
            out.push_back(static_cast<UCHAR>(b));
        }
        return true;
    }
    }
}

int fail(const std::string& what, NTSTATUS status) {
    fmt::print(stderr, "ntio reg: {} (status 0x{:08X})\n", what, static_cast<std::uint32_t>(status));
    return 1;
}

void print_value(const KEY_VALUE_FULL_INFORMATION* info) {
    const std::u16string_view name(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / 2);
    const auto* data = reinterpret_cast<const UCHAR*>(info) + info->DataOffset;
    fmt::print("    {}    {}    {}\n", name.empty() ? std::string("(Default)") : narrow(name), type_name(info->Type),
               format_data(info->Type, data, info->DataLength));
}

NTSTATUS query_key(const std::u16string& path, const RegArgs& args) {
    RegistryKey key;
    NTSTATUS status = key.open(path, KEY_READ, false);
    if (!NT_SUCCESS(status)) return status;
    fmt::print("{}\n", display_path(path));
    std::vector<UCHAR> buffer(64 * 1024 + 512);
    ULONG length = 0;
    for (ULONG i = 0;; ++i) {
        status = ZwEnumerateValueKey(key.get(), i, KeyValueFullInformation, buffer.data(),
                                     static_cast<ULONG>(buffer.size()), &length);
        if (status == STATUS_BUFFER_OVERFLOW || status == STATUS_BUFFER_TOO_SMALL) {
            buffer.resize(length);
            --i;
            continue;
        }
        if (status == STATUS_NO_MORE_ENTRIES) break;
        if (!NT_SUCCESS(status)) return status;
        auto* info = reinterpret_cast<KEY_VALUE_FULL_INFORMATION*>(buffer.data());
        if (args.value_given) {
            const std::u16string_view name(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / 2);
            if (narrow(name) != args.value) continue;
        }
        print_value(info);
    }
    fmt::print("\n");
    if (args.value_given && !args.recurse) return STATUS_SUCCESS;
    for (ULONG i = 0;; ++i) {
        status = ZwEnumerateKey(key.get(), i, KeyBasicInformation, buffer.data(), static_cast<ULONG>(buffer.size()),
                                &length);
        if (status == STATUS_NO_MORE_ENTRIES) break;
        if (!NT_SUCCESS(status)) return status;
        auto* info = reinterpret_cast<KEY_BASIC_INFORMATION*>(buffer.data());
        const std::u16string child = path + u"\\" +
                                     std::u16string(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / 2);
        if (args.recurse) {
            status = query_key(child, args);
            if (!NT_SUCCESS(status)) return status;
        } else {
            fmt::print("{}\n", display_path(child));
        }
    }
    return STATUS_SUCCESS;
}

// reg delete removes the whole tree; NtDeleteKey takes one key without subkeys at a time.
NTSTATUS delete_tree(const std::u16string& path) {
    RegistryKey key;
    NTSTATUS status = key.open(path, KEY_READ | DELETE, false);
    if (!NT_SUCCESS(status)) return status;
    std::vector<UCHAR> buffer(4096);
    ULONG length = 0;
    while ((status = ZwEnumerateKey(key.get(), 0, KeyBasicInformation, buffer.data(), static_cast<ULONG>(buffer.size()),
                                    &length)) == STATUS_SUCCESS) {
        auto* info = reinterpret_cast<KEY_BASIC_INFORMATION*>(buffer.data());
        status = delete_tree(path + u"\\" +
                             std::u16string(reinterpret_cast<const char16_t*>(info->Name), info->NameLength / 2));
        if (!NT_SUCCESS(status)) return status;
    }
    if (status != STATUS_NO_MORE_ENTRIES) return status;
    return ZwDeleteKey(key.get());
}

int run_reg_on(System& system, const std::string& verb, const RegArgs& args) {
    if (verb == "import") {
        std::string message;
        std::error_code size_error;
        const std::uintmax_t size = std::filesystem::file_size(args.file, size_error);
        NTSTATUS status;
        {
            Progress progress(fmt::format("ntio reg: importing {}{}", args.file,
                                          size_error ? std::string() : " (" + human_size(size) + ")"));
            status = config::import_reg_file(system.config(), args.file, message);
        }
        if (!NT_SUCCESS(status)) return fail(message, status);
        fmt::print("ntio reg: imported {}\n", args.file);
        return 0;
    }
    const std::u16string path = nt_path(args.key);
    if (path.empty()) return fail("unknown root key in " + args.key, STATUS_OBJECT_PATH_SYNTAX_BAD);
    if (verb == "export") {
        std::string message;
        NTSTATUS status;
        {
            Progress progress(fmt::format("ntio reg: exporting {}", args.key));
            status = config::export_reg_file(system.config(), path, args.file, message);
        }
        if (!NT_SUCCESS(status)) return fail(message.empty() ? "cannot export " + args.key : message, status);
        return 0;
    }
    if (verb == "query") {
        NTSTATUS status = query_key(path, args);
        return NT_SUCCESS(status) ? 0 : fail("cannot query " + args.key, status);
    }
    if (verb == "add") {
        RegistryKey key;
        NTSTATUS status = key.open(path, KEY_WRITE, true);
        if (!NT_SUCCESS(status)) return fail("cannot create " + args.key, status);
        if (!args.value_given) return 0;
        ULONG type = REG_SZ;
        if (!parse_type(args.type, type)) return fail("unknown type " + args.type, STATUS_INVALID_PARAMETER);
        std::vector<UCHAR> data;
        if (!encode_data(type, args.data, data)) return fail("data does not fit " + args.type, STATUS_INVALID_PARAMETER);
        const std::u16string name = widen(args.value);
        UNICODE_STRING value_name = counted(name);
        status = ZwSetValueKey(key.get(), &value_name, 0, type, data.data(), static_cast<ULONG>(data.size()));
        return NT_SUCCESS(status) ? 0 : fail("cannot set " + args.value, status);
    }
    // delete
    if (args.value_given) {
        RegistryKey key;
        NTSTATUS status = key.open(path, KEY_SET_VALUE, false);
        if (!NT_SUCCESS(status)) return fail("cannot open " + args.key, status);
        const std::u16string name = widen(args.value);
        UNICODE_STRING value_name = counted(name);
        status = ZwDeleteValueKey(key.get(), &value_name);
        return NT_SUCCESS(status) ? 0 : fail("cannot delete " + args.value, status);
    }
    NTSTATUS status = delete_tree(path);
    return NT_SUCCESS(status) ? 0 : fail("cannot delete " + args.key, status);
}

// The reg verbs and their options on `reg`; each verb's callback hands its name to `run`.
void build_reg(CLI::App* reg, const std::shared_ptr<RegArgs>& args, const std::function<void(const std::string&)>& run) {
    reg->require_subcommand(1);
    auto key_option = [&](CLI::App* sub) {
        sub->add_option("key", args->key, "key path, e.g. HKLM\\SOFTWARE\\Vendor")->required();
    };
    auto value_option = [&](CLI::App* sub) {
        sub->add_option("-v,--value", args->value, "value name (empty: the default value)")
            ->each([args](const std::string&) { args->value_given = true; });
    };
    CLI::App* query = reg->add_subcommand("query", "print a key's values and subkeys");
    key_option(query);
    value_option(query);
    query->add_flag("-s,--recurse", args->recurse, "all subkeys and their values");
    CLI::App* add = reg->add_subcommand("add", "create a key, or set a value");
    key_option(add);
    value_option(add);
    add->add_option("-t,--type", args->type, "REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ (items split by \\0), REG_DWORD, "
                                             "REG_QWORD, REG_BINARY (hex digits), REG_NONE");
    add->add_option("-d,--data", args->data, "the data");
    CLI::App* del = reg->add_subcommand("delete", "delete a key with everything below it, or one value");
    key_option(del);
    value_option(del);
    CLI::App* import = reg->add_subcommand("import", "apply a .reg file");
    import->add_option("file", args->file, ".reg file")->required();
    CLI::App* export_ = reg->add_subcommand("export", "write a key and everything below it as a .reg file");
    key_option(export_);
    export_->add_option("file", args->file, ".reg file to write")->required();
    for (CLI::App* sub : {query, add, del, import, export_}) {
        sub->callback([sub, run] { run(sub->get_name()); });
    }
}

}  // namespace reg_impl

void add_reg_command(CLI::App& app, const GlobalOptions& options, int& exit_code) {
    using namespace reg_impl;
    auto args = std::make_shared<RegArgs>();
    CLI::App* reg = app.add_subcommand("reg", "query, add, delete, import and export registry keys (like reg.exe)");
    build_reg(reg, args, [args, &options, &exit_code](const std::string& verb) {
        std::unique_ptr<System> system = boot(options);
        exit_code = system ? run_reg_on(*system, verb, *args) : 1;
    });
}

int run_reg_words(System& system, const std::vector<std::string>& words) {
    using namespace reg_impl;
    auto args = std::make_shared<RegArgs>();
    CLI::App reg{"query, add, delete, import and export registry keys (like reg.exe)", "reg"};
    int exit_code = 0;
    build_reg(&reg, args, [&](const std::string& verb) { exit_code = run_reg_on(system, verb, *args); });
    std::vector<std::string> reversed(words.rbegin(), words.rend());
    try {
        reg.parse(reversed);
    } catch (const CLI::ParseError& error) {
        const int status = reg.exit(error);
        return status == 0 && error.get_exit_code() == 0 ? 0 : 1;
    }
    return exit_code;
}

}  // namespace ntio::tool
