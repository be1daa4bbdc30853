// Helpers for the Win32 conformance tests: the per-test System fixture and a handle that closes itself.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "support/system_fixture.hpp"

#include <windows.h>

namespace ntio::test {

using Win32Test = SystemTest;

class Win32Handle {
public:
    Win32Handle() = default;
    explicit Win32Handle(HANDLE h) : m_handle(h) {}
    Win32Handle(const Win32Handle&) = delete;
    Win32Handle& operator=(const Win32Handle&) = delete;
    ~Win32Handle() { reset(); }
    void reset() {
        if (m_handle) CloseHandle(m_handle);
        m_handle = nullptr;
    }
    HANDLE get() const { return m_handle; }
    operator HANDLE() const { return m_handle; }

private:
    HANDLE m_handle = nullptr;
};

}  // namespace ntio::test
