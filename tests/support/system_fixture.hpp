// SystemTest: boots a fresh ntio::System for every test and fails the test if objects or handles
// leaked (more live objects or handles at teardown than right after boot).
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "ntio/system.hpp"

namespace ntio::test {

class SystemTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;
    System& system() { return *m_system; }

    // Tests that leak on purpose (or hand objects to a later check) can opt out.
    bool m_check_leaks = true;

private:
    std::unique_ptr<System> m_system;
    std::size_t m_objects_at_boot = 0;
    std::size_t m_handles_at_boot = 0;
    std::size_t m_workers_at_boot = 0;
};

}  // namespace ntio::test
