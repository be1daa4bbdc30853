// GetCommandLine and CommandLineToArgvW: Learn's parsing examples, the program name's own rule, an
// empty line, and the program's arguments read back through both.
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

std::vector<std::u16string> parse(const char16_t* line) {
    int count = -1;
    LPWSTR* argv = CommandLineToArgvW(reinterpret_cast<LPCWSTR>(line), &count);
    std::vector<std::u16string> out;
    if (!argv) return out;
    for (int i = 0; i < count; ++i) out.emplace_back(reinterpret_cast<const char16_t*>(argv[i]));
    EXPECT_EQ(argv[count], nullptr);
    LocalFree(argv);
    return out;
}

using Args = std::vector<std::u16string>;

TEST_F(Win32Test, command_line_to_argv_follows_the_documented_rules) {
    // Learn's examples, each after a program name.
    EXPECT_EQ(parse(u"p \"abc\" d e"), (Args{u"p", u"abc", u"d", u"e"}));
    EXPECT_EQ(parse(u"p a\\\\b d\"e f\"g h"), (Args{u"p", u"a\\\\b", u"de fg", u"h"}));
    EXPECT_EQ(parse(u"p a\\\\\\\"b c d"), (Args{u"p", u"a\\\"b", u"c", u"d"}));
    EXPECT_EQ(parse(u"p a\\\\\\\\\"b c\" d e"), (Args{u"p", u"a\\\\b c", u"d", u"e"}));
    // The program name: quotes only delimit, backslashes stay.
    EXPECT_EQ(parse(u"\"C:\\Program Files\\x.exe\"  \t one"), (Args{u"C:\\Program Files\\x.exe", u"one"}));
    EXPECT_EQ(parse(u"C:\\dir\\\"x"), (Args{u"C:\\dir\\x"}));
    // An empty line: the program's own path.
    const Args self = parse(u"");
    ASSERT_EQ(self.size(), 1u);
    EXPECT_FALSE(self[0].empty());
    int count = 0;
    EXPECT_EQ(CommandLineToArgvW(reinterpret_cast<LPCWSTR>(u"x"), nullptr), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(CommandLineToArgvW(nullptr, &count), nullptr);
}

TEST_F(Win32Test, the_command_line_reads_back_as_the_programs_arguments) {
    std::ifstream file("/proc/self/cmdline", std::ios::binary);
    const std::string all((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    Args host;
    std::size_t start = 0;
    while (start < all.size()) {
        std::size_t end = all.find('\0', start);
        if (end == std::string::npos) end = all.size();
        std::u16string arg;
        for (char c : all.substr(start, end - start)) arg.push_back(static_cast<unsigned char>(c));  // ASCII here
        host.push_back(arg);
        start = end + 1;
    }
    const Args read = parse(reinterpret_cast<const char16_t*>(GetCommandLineW()));
    EXPECT_EQ(read, host);
    EXPECT_EQ(std::string(GetCommandLineA()).size(),
              std::u16string(reinterpret_cast<const char16_t*>(GetCommandLineW())).size());
}

}  // namespace
}  // namespace ntio::test
