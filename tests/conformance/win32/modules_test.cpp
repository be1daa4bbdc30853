// kernel32's modules: GetModuleHandle of the program and of kernel32, GetModuleFileName with its
// truncation rule, LoadLibrary of a module by its DOS path (C:\ is the host's root for images),
// GetProcAddress of its export and of kernel32's, FreeLibrary, LoadLibraryEx's flags (search places,
// files mapped as data, the combinations it refuses), and the errors for a missing module, a missing
// export and a file that is no module.
#include <cstdio>
#include <string>

#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

std::u16string dos_path_of(const char* host) {
    std::u16string out = u"C:";
    for (const char* c = host; *c; ++c) out.push_back(*c == '/' ? u'\\' : static_cast<char16_t>(*c));
    return out;
}

const WCHAR* w(const std::u16string& s) { return reinterpret_cast<const WCHAR*>(s.c_str()); }

std::string win32_narrow(const std::u16string& s) {
    std::string out;
    for (char16_t c : s) out.push_back(static_cast<char>(c));  // the paths here are ASCII
    return out;
}

TEST_F(Win32Test, the_program_and_kernel32_are_modules) {
    HMODULE program = GetModuleHandleW(nullptr);
    ASSERT_NE(program, nullptr);
    EXPECT_EQ(GetModuleHandleA(nullptr), program);
    WCHAR name[4096] = {};
    const DWORD length = GetModuleFileNameW(nullptr, name, 4096);
    ASSERT_GT(length, 0u) << GetLastError();
    const std::u16string file(reinterpret_cast<const char16_t*>(name), length);
    EXPECT_EQ(file.substr(0, 3), u"C:\\");
    EXPECT_NE(file.find(u"ntio_conformance_win32"), std::u16string::npos);
    EXPECT_EQ(GetModuleFileNameW(program, name, 4096), length);
    // Too small: truncated with its NUL, nSize returned, ERROR_INSUFFICIENT_BUFFER.
    WCHAR small[8] = {};
    EXPECT_EQ(GetModuleFileNameW(nullptr, small, 8), 8u);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INSUFFICIENT_BUFFER));
    EXPECT_EQ(small[7], 0);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(small)), file.substr(0, 7));

    HMODULE kernel32 = GetModuleHandleW(L"KERNEL32.DLL");
    ASSERT_NE(kernel32, nullptr);
    EXPECT_EQ(GetModuleHandleA("kernel32"), kernel32);
    EXPECT_EQ(GetModuleHandleW(L"ntdll.dll"), kernel32);
    EXPECT_EQ(reinterpret_cast<void*>(GetProcAddress(kernel32, "GetTickCount")), reinterpret_cast<void*>(&GetTickCount));
    EXPECT_EQ(GetProcAddress(kernel32, "NoSuchFunctionAnywhere"), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_PROC_NOT_FOUND));
    EXPECT_EQ(GetProcAddress(kernel32, reinterpret_cast<LPCSTR>(ULONG_PTR{1})), nullptr);  // no ordinals
    EXPECT_EQ(GetProcAddress(kernel32, "strlen"), nullptr);  // the C library's, not kernel32's
    EXPECT_EQ(GetModuleHandleW(L"NotLoaded.dll"), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_MOD_NOT_FOUND));
}

TEST_F(Win32Test, load_library_finds_the_export_and_free_library_lets_go) {
    const std::u16string path = dos_path_of(NTIO_TEST_MODULE_PATH);
    HMODULE module = LoadLibraryW(w(path));
    ASSERT_NE(module, nullptr) << GetLastError();
    // Loaded: by its name, with or without ".dll".
    EXPECT_EQ(GetModuleHandleW(L"ntiotestmodule.dll"), module);
    EXPECT_EQ(GetModuleHandleA("NtioTestModule"), module);
    WCHAR name[4096] = {};
    ASSERT_GT(GetModuleFileNameW(module, name, 4096), 0u);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(name)), path);
    using Add = int (*)(int, int);
    auto add = reinterpret_cast<Add>(reinterpret_cast<void*>(GetProcAddress(module, "NtioTestModuleAdd")));
    ASSERT_NE(add, nullptr);
    EXPECT_EQ(add(2, 40), 42);
    // Twice loaded, twice freed.
    EXPECT_EQ(LoadLibraryA(win32_narrow(path).c_str()), module);
    EXPECT_TRUE(FreeLibrary(module));
    EXPECT_TRUE(FreeLibrary(module));
    EXPECT_FALSE(FreeLibrary(module));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_MOD_NOT_FOUND));

    EXPECT_EQ(LoadLibraryW(L"C:\\no\\such\\module.dll"), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_MOD_NOT_FOUND));
    EXPECT_EQ(LoadLibraryW(L"NoSuchModuleAnywhere"), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_MOD_NOT_FOUND));
    // A file that is no shared object.
    const std::string text = std::string(::testing::TempDir()) + "ntio_not_a_module.dll";
    std::FILE* f = std::fopen(text.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("not an ELF file", f);
    std::fclose(f);
    EXPECT_EQ(LoadLibraryW(w(dos_path_of(text.c_str()))), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_BAD_EXE_FORMAT));
    std::remove(text.c_str());
    // kernel32 itself is always there.
    EXPECT_EQ(LoadLibraryW(L"kernel32.dll"), GetModuleHandleW(L"kernel32.dll"));
}

TEST_F(Win32Test, load_library_ex_flags_choose_how_and_where) {
    const std::u16string path = dos_path_of(NTIO_TEST_MODULE_PATH);
    // No flag, or DONT_RESOLVE_DLL_REFERENCES: a module whose exports can be called.
    HMODULE plain = LoadLibraryExW(w(path), nullptr, 0);
    ASSERT_NE(plain, nullptr) << GetLastError();
    HMODULE unresolved = LoadLibraryExA(win32_narrow(path).c_str(), nullptr, DONT_RESOLVE_DLL_REFERENCES);
    EXPECT_EQ(unresolved, plain);
    EXPECT_NE(GetProcAddress(plain, "NtioTestModuleAdd"), nullptr);
    EXPECT_TRUE(FreeLibrary(unresolved));
    EXPECT_TRUE(FreeLibrary(plain));

    // The search flags: the module sits in the program's directory.
    HMODULE found = LoadLibraryExW(L"NtioTestModule.dll", nullptr, LOAD_LIBRARY_SEARCH_APPLICATION_DIR);
    ASSERT_NE(found, nullptr) << GetLastError();
    EXPECT_TRUE(FreeLibrary(found));
    found = LoadLibraryExW(L"NtioTestModule", nullptr, LOAD_LIBRARY_SEARCH_DEFAULT_DIRS);
    ASSERT_NE(found, nullptr) << GetLastError();
    EXPECT_TRUE(FreeLibrary(found));
    EXPECT_EQ(LoadLibraryExW(L"NtioTestModule.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_MOD_NOT_FOUND));
    found = LoadLibraryExW(w(path), nullptr, LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_SYSTEM32);
    ASSERT_NE(found, nullptr) << GetLastError();
    EXPECT_TRUE(FreeLibrary(found));

    // As data: mapped, not loaded; the handle says so and frees the mapping.
    HMODULE data = LoadLibraryExW(w(path), nullptr, LOAD_LIBRARY_AS_DATAFILE);
    ASSERT_NE(data, nullptr) << GetLastError();
    EXPECT_TRUE(LDR_IS_DATAFILE(data));
    EXPECT_FALSE(LDR_IS_IMAGEMAPPING(data));
    const auto* bytes = reinterpret_cast<const unsigned char*>(reinterpret_cast<ULONG_PTR>(data) & ~ULONG_PTR{3});
    EXPECT_EQ(bytes[0], 0x7F);
    EXPECT_EQ(bytes[1], 'E');
    EXPECT_EQ(GetProcAddress(data, "NtioTestModuleAdd"), nullptr);
    EXPECT_TRUE(FreeLibrary(data));
    EXPECT_FALSE(FreeLibrary(data));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_MOD_NOT_FOUND));
    HMODULE image =
        LoadLibraryExW(w(path), nullptr, LOAD_LIBRARY_AS_IMAGE_RESOURCE | LOAD_LIBRARY_AS_DATAFILE_EXCLUSIVE);
    ASSERT_NE(image, nullptr) << GetLastError();
    EXPECT_TRUE(LDR_IS_IMAGEMAPPING(image));
    EXPECT_TRUE(LDR_IS_RESOURCE(image));
    EXPECT_TRUE(FreeLibrary(image));

    // Refused before any search.
    const DWORD module_flags[] = {LOAD_WITH_ALTERED_SEARCH_PATH | LOAD_LIBRARY_SEARCH_SYSTEM32,
                                  LOAD_WITH_ALTERED_SEARCH_PATH | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS, 0x10000000};
    for (DWORD flags : module_flags) {
        EXPECT_EQ(LoadLibraryExW(w(path), nullptr, flags), nullptr) << flags;
        EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    }
    Win32Handle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    EXPECT_EQ(LoadLibraryExW(w(path), event, 0), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(LoadLibraryExW(L"NtioTestModule.dll", nullptr, LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(LoadLibraryExA(nullptr, nullptr, 0), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

}  // namespace
}  // namespace ntio::test
