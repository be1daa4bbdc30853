// Helpers for the Win32 registry conformance tests: the per-test System fixture, an HKEY that closes
// itself, and a scratch key under HKEY_CURRENT_USER that each test starts from.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "support/system_fixture.hpp"

#include <windows.h>
#include <ntio/ntapi.h>

namespace ntio::test {

class Key {
public:
    Key() = default;
    explicit Key(HKEY key) : m_key(key) {}
    Key(const Key&) = delete;
    Key& operator=(const Key&) = delete;
    ~Key() { reset(); }
    void reset() {
        if (m_key) RegCloseKey(m_key);
        m_key = nullptr;
    }
    HKEY* out() { reset(); return &m_key; }
    HKEY get() const { return m_key; }
    operator HKEY() const { return m_key; }

private:
    HKEY m_key = nullptr;
};

// Every test works below HKEY_CURRENT_USER\Software\ntio-regapi (created fresh: each test boots a
// System from the embedded default hive).
class RegistryTest : public SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        ASSERT_EQ(RegCreateKeyExW(HKEY_CURRENT_USER, L"Software\\ntio-regapi", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr,
                                  m_scratch.out(), nullptr),
                  ERROR_SUCCESS);
    }
    void TearDown() override {
        m_scratch.reset();
        SystemTest::TearDown();
    }
    HKEY scratch() const { return m_scratch.get(); }

    // Sets a value of any type with raw bytes through the W entry point.
    void set(HKEY key, const wchar_t* name, DWORD type, const void* data, DWORD size) {
        ASSERT_EQ(RegSetValueExW(key, name, 0, type, static_cast<const BYTE*>(data), size), ERROR_SUCCESS);
    }
    void set_string(HKEY key, const wchar_t* name, DWORD type, std::u16string_view text_with_nuls) {
        set(key, name, type, text_with_nuls.data(), static_cast<DWORD>(text_with_nuls.size() * sizeof(char16_t)));
    }

private:
    Key m_scratch;
};

inline std::vector<unsigned char> bytes_of(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    return std::vector<unsigned char>(p, p + size);
}

// std::wstring and gtest's wchar_t printing assume a 32-bit wchar_t: 16-bit text goes through
// char16_t views, and names are compared as ASCII.
inline std::vector<unsigned char> wide_bytes(std::u16string_view text_with_nuls) {
    return bytes_of(text_with_nuls.data(), text_with_nuls.size() * sizeof(char16_t));
}

inline std::string narrow(const wchar_t* text) {
    std::string out;
    for (const auto* p = reinterpret_cast<const char16_t*>(text); *p; ++p) out.push_back(static_cast<char>(*p));
    return out;
}

}  // namespace ntio::test
