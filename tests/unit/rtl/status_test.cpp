// NTSTATUS names table completeness, severity predicates, ntio::Status and ntio::Result.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>

#include "ntio_test_config.h"  // NTIO_NTSTATUS_HEADER, NTIO_BUGCODES_HEADER
#include "rtl/bugcheck.hpp"
#include "rtl/result.hpp"
#include "rtl/status.hpp"

namespace {

struct Define {
    std::string name;
    unsigned long value;
};

std::vector<Define> read_defines(const char* path, const std::regex& pattern) {
    std::ifstream in(path);
    std::vector<Define> out;
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
        if (std::regex_match(line, m, pattern)) out.push_back({m[1], std::stoul(m[2], nullptr, 16)});
    }
    return out;
}

TEST(StatusNames, EveryMacroInTheHeaderHasItsName) {
    const auto defines = read_defines(NTIO_NTSTATUS_HEADER,
                                      std::regex(R"(#define (STATUS_[A-Z0-9_]+) \(\(NTSTATUS\)0x([0-9A-F]{8})L\))"));
    ASSERT_GT(defines.size(), 300u);
    for (const auto& d : defines) {
        const auto status = static_cast<NTSTATUS>(d.value);
        ASSERT_TRUE(ntio::rtl::status_known(status)) << d.name;
        // Aliases (STATUS_WAIT_0 == STATUS_SUCCESS) resolve to the first spelling of the value.
        const std::string name = ntio::rtl::status_name(status);
        bool same_value = false;
        for (const auto& other : defines) same_value |= other.name == name && other.value == d.value;
        EXPECT_TRUE(same_value) << d.name << " -> " << name;
    }
}

TEST(StatusNames, KnownValues) {
    EXPECT_STREQ(ntio::rtl::status_name(STATUS_SUCCESS), "STATUS_SUCCESS");
    EXPECT_STREQ(ntio::rtl::status_name(STATUS_PENDING), "STATUS_PENDING");
    EXPECT_STREQ(ntio::rtl::status_name(STATUS_ACCESS_VIOLATION), "STATUS_ACCESS_VIOLATION");
    EXPECT_STREQ(ntio::rtl::status_name(STATUS_PIPE_BROKEN), "STATUS_PIPE_BROKEN");
    EXPECT_STREQ(ntio::rtl::status_name(STATUS_BUFFER_OVERFLOW), "STATUS_BUFFER_OVERFLOW");
    EXPECT_EQ(STATUS_TOO_MANY_NAMES, static_cast<NTSTATUS>(0xC00000CD));
    EXPECT_EQ(STATUS_CANCELLED, static_cast<NTSTATUS>(0xC0000120));
    EXPECT_FALSE(ntio::rtl::status_known(static_cast<NTSTATUS>(0xC0FFEE00)));
    EXPECT_STREQ(ntio::rtl::status_name(static_cast<NTSTATUS>(0xC0FFEE00)), "<unknown NTSTATUS>");
}

TEST(BugcheckNames, EveryCodeInTheHeaderHasItsName) {
    const auto defines = read_defines(NTIO_BUGCODES_HEADER, std::regex(R"(#define ([A-Z][A-Z0-9_]+) 0x([0-9A-F]+)L)"));
    ASSERT_GT(defines.size(), 100u);
    for (const auto& d : defines) {
        const char* name = ntio::rtl::bugcheck_name(static_cast<ULONG>(d.value));
        ASSERT_NE(name, nullptr) << d.name;
        EXPECT_EQ(std::string(name), d.name);
    }
    EXPECT_NE(ntio::rtl::bugcheck_meaning(DRIVER_IRQL_NOT_LESS_OR_EQUAL), nullptr);
}

TEST(Status, SeverityPredicates) {
    EXPECT_TRUE(NT_SUCCESS(STATUS_PENDING));
    EXPECT_TRUE(NT_INFORMATION(STATUS_OBJECT_NAME_EXISTS));
    EXPECT_TRUE(NT_WARNING(STATUS_BUFFER_OVERFLOW));
    EXPECT_FALSE(NT_SUCCESS(STATUS_BUFFER_OVERFLOW));
    EXPECT_TRUE(NT_ERROR(STATUS_ACCESS_DENIED));

    const ntio::Status ok = STATUS_SUCCESS;
    const ntio::Status pending = STATUS_PENDING;
    const ntio::Status warning = STATUS_NO_MORE_FILES;
    const ntio::Status error = STATUS_INVALID_HANDLE;
    EXPECT_TRUE(ok.ok());
    EXPECT_TRUE(pending.ok() && pending.is_pending());
    EXPECT_TRUE(warning.is_warning() && !warning.ok());
    EXPECT_TRUE(error.is_error() && !error.ok());
    EXPECT_STREQ(error.name(), "STATUS_INVALID_HANDLE");
    const NTSTATUS raw = error;
    EXPECT_EQ(raw, STATUS_INVALID_HANDLE);
}

ntio::Result<int> parse_positive(int v) {
    if (v <= 0) return ntio::Status(STATUS_INVALID_PARAMETER);
    return v * 2;
}

ntio::Result<ULONG> size_of(bool ok) {
    if (!ok) return STATUS_NOT_FOUND;  // a bare NTSTATUS is a failure when T is not NTSTATUS
    return 4u;
}

TEST(Result, ValueOrStatus) {
    EXPECT_EQ(size_of(false).status().value(), STATUS_NOT_FOUND);
    EXPECT_EQ(*size_of(true), 4u);
    auto good = parse_positive(21);
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(*good, 42);
    EXPECT_EQ(good.status().value(), STATUS_SUCCESS);
    auto bad = parse_positive(-1);
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().value(), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(bad.value_or(7), 7);
    // A "failure" built from a success status is a bug and is reported as an internal error.
    ntio::Result<int> odd{ntio::Status(STATUS_SUCCESS)};
    EXPECT_EQ(odd.status().value(), STATUS_INTERNAL_ERROR);
}

}  // namespace
