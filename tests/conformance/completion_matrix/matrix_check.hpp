// Helpers shared by the Nt and Win32 matrix tests: the per-cell mismatch collector (one failure per
// cell, naming the cell and every field that differs) and waiting for a deferred completer.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "matrix_oracle.hpp"

namespace ntio::test::completion_matrix {

// The completion key both matrices associate their handles with.
inline constexpr ULONG_PTR kKey = 0x4b;

class CellCheck {
public:
    template <class E, class A>
    void expect(bool ok, const char* what, const E& expected, const A& actual) {
        if (ok) return;
        m_text << "\n    " << what << ": expected " << std::hex << std::showbase << expected << ", got " << actual;
    }
    void expect_true(bool ok, const char* what) {
        if (!ok) m_text << "\n    " << what;
    }
    bool failed() const { return !m_text.str().empty(); }
    std::string text() const { return m_text.str(); }

private:
    std::ostringstream m_text;
};

// Counts failing cells of one surface and reports the first few in full.
class SurfaceReport {
public:
    explicit SurfaceReport(const char* surface) : m_surface(surface) {}
    void add(const Cell& cell, const CellCheck& check) {
        ++m_cells;
        if (!check.failed()) return;
        if (++m_failed <= 12) ADD_FAILURE() << m_surface << ", " << describe(cell) << ":" << check.text();
    }
    ~SurfaceReport() {
        EXPECT_EQ(m_failed, 0) << m_surface << ": " << m_failed << " of " << m_cells << " cells differ";
        EXPECT_EQ(m_cells, kCellCount) << m_surface;
    }

private:
    const char* m_surface;
    std::size_t m_cells = 0;
    std::size_t m_failed = 0;
};

// Waits (bounded: a lost completion fails the cell instead of hanging) until `count` work items or
// DPCs of the driver have finished.
inline bool wait_deferred(int count) {
    for (int i = 0; i < 100000; ++i) {
        if (g_log.deferred_done.load() >= count) return true;
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    return false;
}

}  // namespace ntio::test::completion_matrix
