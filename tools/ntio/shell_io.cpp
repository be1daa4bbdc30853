// The shell's I/O commands: open, read, write, ioctl and close, each one Nt* system service called
// as the shell's process (user mode: handles are checked, buffers probed), so what they print is
// what an application would get, STATUS_INVALID_HANDLE for a handle that is not one included.
#include <fmt/core.h>
#include <string>
#include <vector>

#include <ntio/ntapi.h>

#include "shell.hpp"
#include "shell_support.hpp"
#include "unicode_string.hpp"

namespace ntio::tool {
namespace {

constexpr std::uint64_t kMaxTransfer = 16u << 20;

int usage(std::string& out, const char* text) {
    out += fmt::format("usage: {}\n", text);
    return 1;
}

int status_only(std::string& out, NTSTATUS status) {
    out += status_text(status) + "\n";
    return NT_SUCCESS(status) ? 0 : 1;
}

std::optional<HANDLE> parse_handle(const std::string& word) {
    auto value = parse_number(word);
    if (!value) return std::nullopt;
    return reinterpret_cast<HANDLE>(static_cast<ULONG_PTR>(*value));
}

// Hex digits, optionally spaced or prefixed with "hex:"; nullopt when not hex.
std::optional<std::vector<unsigned char>> parse_hex(std::string text) {
    if (text.starts_with("hex:")) text = text.substr(4);
    std::string digits;
    for (char c : text)
        if (c != ' ' && c != ',') digits += c;
    if (digits.size() % 2) return std::nullopt;
    std::vector<unsigned char> bytes;
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        auto value = parse_number("0x" + digits.substr(i, 2));
        if (!value || digits[i] == 'x' || digits[i + 1] == 'x') return std::nullopt;
        bytes.push_back(static_cast<unsigned char>(*value));
    }
    return bytes;
}

// r, w, rw or a number: the desired access; "r", "w", "d" letters or a number: the share mode.
std::optional<ACCESS_MASK> parse_access(const std::string& word) {
    if (word == "r") return GENERIC_READ;
    if (word == "w") return GENERIC_WRITE;
    if (word == "rw") return GENERIC_READ | GENERIC_WRITE;
    auto value = parse_number(word);
    if (value && *value <= 0xFFFFFFFFu) return static_cast<ACCESS_MASK>(*value);
    return std::nullopt;
}

std::optional<ULONG> parse_share(const std::string& word) {
    if (word == "none") return 0u;
    if (auto value = parse_number(word)) return *value <= 7 ? std::optional<ULONG>(static_cast<ULONG>(*value)) : std::nullopt;
    ULONG share = 0;
    for (char c : word) {
        if (c == 'r') share |= FILE_SHARE_READ;
        else if (c == 'w') share |= FILE_SHARE_WRITE;
        else if (c == 'd') share |= FILE_SHARE_DELETE;
        else return std::nullopt;
    }
    return share;
}

// A synchronous-mode handle completes inside the call; another handle's request may pend, and
// then the file object is signalled when it completes.
NTSTATUS finish(HANDLE handle, NTSTATUS status, IO_STATUS_BLOCK& iosb) {
    if (status == STATUS_PENDING) {
        NTSTATUS wait = NtWaitForSingleObject(handle, FALSE, nullptr);
        if (!NT_SUCCESS(wait)) return wait;
        status = iosb.Status;
    }
    return status;
}

int open_command(System&, const std::vector<std::string>& args, std::string& out) {
    if (args.size() < 2 || args.size() > 4) return usage(out, "open PATH [r|w|rw|ACCESS] [rwd|none|SHARE]");
    const auto access = args.size() > 2 ? parse_access(args[2]) : std::optional<ACCESS_MASK>(GENERIC_READ | GENERIC_WRITE);
    if (!access) return usage(out, "open PATH [r|w|rw|ACCESS] [rwd|none|SHARE]");
    const auto share = args.size() > 3 ? parse_share(args[3]) : std::optional<ULONG>(FILE_SHARE_READ | FILE_SHARE_WRITE);
    if (!share) return usage(out, "open PATH [r|w|rw|ACCESS] [rwd|none|SHARE]");
    const std::u16string path = nt_name(args[1]);
    UNICODE_STRING name = counted(path);
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    HANDLE handle = nullptr;
    NTSTATUS status = NtCreateFile(&handle, *access | SYNCHRONIZE, &attributes, &iosb, nullptr, FILE_ATTRIBUTE_NORMAL,
                                   *share, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
    if (!NT_SUCCESS(status)) return status_only(out, status);
    const std::string value = fmt::format("0x{:x}", reinterpret_cast<ULONG_PTR>(handle));
    set_shell_variable("h", value);
    out += "handle " + value + "\n";
    return 0;
}

int read_command(System&, const std::vector<std::string>& args, std::string& out) {
    const char* text = "read HANDLE LENGTH [OFFSET]";
    if (args.size() < 3 || args.size() > 4) return usage(out, text);
    const auto handle = parse_handle(args[1]);
    const auto length = parse_number(args[2]);
    const auto offset = args.size() > 3 ? parse_number(args[3]) : std::optional<std::uint64_t>(0);
    if (!handle || !length || !offset || *length > kMaxTransfer) return usage(out, text);
    std::vector<unsigned char> buffer(*length ? *length : 1);
    LARGE_INTEGER position;
    position.QuadPart = static_cast<LONGLONG>(*offset);
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = NtReadFile(*handle, nullptr, nullptr, nullptr, &iosb, buffer.data(), static_cast<ULONG>(*length),
                                 args.size() > 3 ? &position : nullptr, nullptr);
    status = finish(*handle, status, iosb);
    if (!NT_SUCCESS(status)) return status_only(out, status);
    const std::size_t got = std::min<std::size_t>(iosb.Information, *length);
    out += fmt::format("{}, {} bytes\n", status_text(status), got);
    out += hex_dump(buffer.data(), got);
    return 0;
}

int write_command(System&, const std::vector<std::string>& args, std::string& out) {
    const char* text = "write HANDLE OFFSET|- TEXT|hex:BYTES";
    if (args.size() < 4) return usage(out, text);
    const auto handle = parse_handle(args[1]);
    const bool at_current = args[2] == "-";
    const auto offset = at_current ? std::optional<std::uint64_t>(0) : parse_number(args[2]);
    if (!handle || !offset) return usage(out, text);
    std::string data = args[3];
    for (std::size_t i = 4; i < args.size(); ++i) data += " " + args[i];
    std::vector<unsigned char> bytes(data.begin(), data.end());
    if (data.starts_with("hex:")) {
        auto hex = parse_hex(data);
        if (!hex) return usage(out, text);
        bytes = std::move(*hex);
    }
    LARGE_INTEGER position;
    position.QuadPart = static_cast<LONGLONG>(*offset);
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = NtWriteFile(*handle, nullptr, nullptr, nullptr, &iosb, bytes.data(), static_cast<ULONG>(bytes.size()),
                                  at_current ? nullptr : &position, nullptr);
    status = finish(*handle, status, iosb);
    if (!NT_SUCCESS(status)) return status_only(out, status);
    out += fmt::format("{}, {} bytes written\n", status_text(status), iosb.Information);
    return 0;
}

int ioctl_command(System&, const std::vector<std::string>& args, std::string& out) {
    const char* text = "ioctl HANDLE CODE [IN-HEX|-] [OUTLEN]";
    if (args.size() < 3 || args.size() > 5) return usage(out, text);
    const auto handle = parse_handle(args[1]);
    const auto code = parse_number(args[2]);
    std::optional<std::vector<unsigned char>> input = std::vector<unsigned char>();
    if (args.size() > 3 && args[3] != "-") input = parse_hex(args[3]);
    const auto out_length = args.size() > 4 ? parse_number(args[4]) : std::optional<std::uint64_t>(0);
    if (!handle || !code || *code > 0xFFFFFFFFu || !input || !out_length || *out_length > kMaxTransfer)
        return usage(out, text);
    std::vector<unsigned char> output(*out_length ? *out_length : 1);
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = NtDeviceIoControlFile(*handle, nullptr, nullptr, nullptr, &iosb, static_cast<ULONG>(*code),
                                            input->empty() ? nullptr : input->data(), static_cast<ULONG>(input->size()),
                                            *out_length ? output.data() : nullptr, static_cast<ULONG>(*out_length));
    status = finish(*handle, status, iosb);
    if (NT_ERROR(status)) return status_only(out, status);
    const std::size_t got = std::min<std::size_t>(iosb.Information, *out_length);
    out += fmt::format("{}, {} bytes returned\n", status_text(status), got);
    out += hex_dump(output.data(), got);
    return NT_SUCCESS(status) ? 0 : 1;
}

int close_command(System&, const std::vector<std::string>& args, std::string& out) {
    if (args.size() != 2) return usage(out, "close HANDLE");
    const auto handle = parse_handle(args[1]);
    if (!handle) return usage(out, "close HANDLE");
    return status_only(out, NtClose(*handle));
}

}  // namespace

void register_io_commands() {
    register_shell_command("open", "open PATH [r|w|rw|ACCESS] [rwd|none|SHARE] - NtCreateFile (\\\\.\\X means \\??\\X); "
                                   "prints the handle",
                           open_command);
    register_shell_command("read", "read HANDLE LENGTH [OFFSET] - NtReadFile, hex dump of what came back", read_command);
    register_shell_command("write", "write HANDLE OFFSET|- TEXT|hex:BYTES - NtWriteFile (- = current position)",
                           write_command);
    register_shell_command("ioctl", "ioctl HANDLE CODE [IN-HEX|-] [OUTLEN] - NtDeviceIoControlFile", ioctl_command);
    register_shell_command("close", "close HANDLE - NtClose", close_command);
}

}  // namespace ntio::tool
