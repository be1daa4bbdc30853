// GetCommandLineA/W and CommandLineToArgvW. The command line is the host's argument vector written
// the way CommandLineToArgvW reads it back (each argument that needs it quoted, backslashes before a
// quote doubled), so that the program sees the same arguments through either.
// https://learn.microsoft.com/windows/win32/api/shellapi/nf-shellapi-commandlinetoargvw
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "win32/win32.hpp"

using namespace ntio;

namespace {

std::vector<std::string> host_arguments() {
    std::ifstream file("/proc/self/cmdline", std::ios::binary);
    const std::string all((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < all.size()) {
        const std::size_t end = all.find('\0', start);
        out.push_back(all.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

// One argument as CommandLineToArgvW reads it back: quoted when it is empty or holds a space, tab or
// quote; inside, a quote is escaped by a backslash and the backslashes before it (or before the
// closing quote) are doubled.
void append_argument(std::u16string& line, const std::u16string& arg) {
    if (!line.empty()) line.push_back(u' ');
    if (!arg.empty() && arg.find_first_of(u" \t\"") == std::u16string::npos) {
        line += arg;
        return;
    }
    line.push_back(u'"');
    std::size_t backslashes = 0;
    for (char16_t c : arg) {
        if (c == u'\\') {
            ++backslashes;
            continue;
        }
        if (c == u'"') line.append(backslashes * 2 + 1, u'\\');
        else line.append(backslashes, u'\\');
        backslashes = 0;
        line.push_back(c);
    }
    line.append(backslashes * 2, u'\\');
    line.push_back(u'"');
}

const std::u16string& command_line() {
    static const std::u16string* line = [] {
        auto* out = new std::u16string();
        for (const std::string& arg : host_arguments()) append_argument(*out, win32::ansi_to_utf16(arg));
        return out;
    }();
    return *line;
}

// The arguments of `line` by CommandLineToArgvW's rules. The first, the program name, ends at the
// first space or tab outside quotes, and its quotes are only delimiters. In the others "2n
// backslashes followed by a quotation mark produce n backslashes followed by begin/end quote", "(2n)
// + 1 backslashes followed by a quotation mark again produce n backslashes followed by a quotation
// mark literal", and "n backslashes not followed by a quotation mark simply produce n backslashes".
std::vector<std::u16string> split(std::u16string_view line) {
    std::vector<std::u16string> args;
    std::size_t i = 0;
    std::u16string first;
    bool quoted = false;
    for (; i < line.size(); ++i) {
        const char16_t c = line[i];
        if (c == u'"') quoted = !quoted;
        else if ((c == u' ' || c == u'\t') && !quoted) break;
        else first.push_back(c);
    }
    args.push_back(first);
    for (;;) {
        while (i < line.size() && (line[i] == u' ' || line[i] == u'\t')) ++i;
        if (i >= line.size()) break;
        std::u16string arg;
        quoted = false;
        for (; i < line.size(); ++i) {
            const char16_t c = line[i];
            if (c == u'\\') {
                std::size_t n = 0;
                while (i < line.size() && line[i] == u'\\') ++n, ++i;
                if (i < line.size() && line[i] == u'"') {
                    arg.append(n / 2, u'\\');
                    if (n % 2) arg.push_back(u'"');
                    else quoted = !quoted;
                } else {
                    arg.append(n, u'\\');
                    --i;
                }
                continue;
            }
            if (c == u'"') {
                quoted = !quoted;
                continue;
            }
            if ((c == u' ' || c == u'\t') && !quoted) break;
            arg.push_back(c);
        }
        args.push_back(std::move(arg));
    }
    return args;
}

}  // namespace

extern "C" {

LPWSTR WINAPI GetCommandLineW(VOID) { return reinterpret_cast<LPWSTR>(const_cast<char16_t*>(command_line().c_str())); }

LPSTR WINAPI GetCommandLineA(VOID) {
    static const std::string* line = new std::string(win32::utf16_to_ansi(command_line()));
    return const_cast<LPSTR>(line->c_str());
}

// "If this parameter is an empty string the function returns the path to the current executable
// file." NULL pNumArgs (or lpCmdLine) fails with ERROR_INVALID_PARAMETER.
LPWSTR* WINAPI CommandLineToArgvW(LPCWSTR lpCmdLine, int* pNumArgs) {
    if (!pNumArgs || !lpCmdLine) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return nullptr;
    }
    const auto* text = reinterpret_cast<const char16_t*>(lpCmdLine);
    std::vector<std::u16string> args;
    if (*text == 0) {
        const std::vector<std::string> host = host_arguments();
        args.push_back(host.empty() ? std::u16string() : win32::ansi_to_utf16(host.front()));
    } else {
        args = split(text);
    }
    std::size_t chars = 0;
    for (const std::u16string& a : args) chars += a.size() + 1;
    const std::size_t table = (args.size() + 1) * sizeof(LPWSTR);
    auto* block = static_cast<unsigned char*>(LocalAlloc(LMEM_FIXED, table + chars * sizeof(WCHAR)));
    if (!block) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return nullptr;
    }
    auto* argv = reinterpret_cast<LPWSTR*>(block);
    auto* strings = reinterpret_cast<WCHAR*>(block + table);
    for (std::size_t n = 0; n < args.size(); ++n) {
        argv[n] = strings;
        std::memcpy(strings, args[n].data(), args[n].size() * sizeof(WCHAR));
        strings[args[n].size()] = 0;
        strings += args[n].size() + 1;
    }
    argv[args.size()] = nullptr;
    *pNumArgs = static_cast<int>(args.size());
    return argv;
}

}  // extern "C"
