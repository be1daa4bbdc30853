// Turning the verifier on the Windows way (VerifyDrivers / VerifyDriverLevel read at driver load)
// and through the Ntio API; the stop screen of a verifier bugcheck and the bugcheck dump writers.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "inspect/dump.hpp"
#include "inspect/kd_commands.hpp"
#include "rtl/bugcheck.hpp"
#include "verifier_test_driver.hpp"

#include <ntio_ddk/rtl_registry.h>

namespace ntio::verifier::test {
namespace {


void set_verify_drivers(const wchar_t* names, const ULONG* level) {
    ULONG chars = 0;  // WCHAR is 16 bits here (-fshort-wchar): no libc wcslen
    while (names[chars]) ++chars;
    ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, kMemoryManagement, L"VerifyDrivers", REG_SZ,
                                    const_cast<wchar_t*>(names), (chars + 1) * sizeof(WCHAR)),
              STATUS_SUCCESS);
    if (level) {
        ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, kMemoryManagement, L"VerifyDriverLevel", REG_DWORD,
                                        const_cast<ULONG*>(level), sizeof(ULONG)),
                  STATUS_SUCCESS);
    }
}

void clear_verify_drivers() {
    (void)RtlDeleteRegistryValue(RTL_REGISTRY_CONTROL, kMemoryManagement, L"VerifyDrivers");
    (void)RtlDeleteRegistryValue(RTL_REGISTRY_CONTROL, kMemoryManagement, L"VerifyDriverLevel");
}

TEST_F(VerifierTest, verify_drivers_image_name_and_level_take_effect_at_load) {
    const ULONG level = NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_FORCE_IRQL_CHECKING;
    set_verify_drivers(L"other.sys VerBuggy.sys", &level);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerBuggy");
    ASSERT_EQ(NtioCreateDriver(&name, VerBuggyDriverEntry, &m_buggy), STATUS_SUCCESS);
    EXPECT_EQ(NtioVerifierQueryFlags(m_buggy), level);
    clear_verify_drivers();
}

TEST_F(VerifierTest, verify_drivers_star_without_level_means_the_standard_flags) {
    set_verify_drivers(L"*", nullptr);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerBuggy");
    ASSERT_EQ(NtioCreateDriver(&name, VerBuggyDriverEntry, &m_buggy), STATUS_SUCCESS);
    EXPECT_EQ(NtioVerifierQueryFlags(m_buggy), NTIO_VERIFIER_STANDARD_FLAGS);
    clear_verify_drivers();
}

TEST_F(VerifierTest, a_driver_not_listed_is_not_verified) {
    set_verify_drivers(L"other.sys", nullptr);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerBuggy");
    ASSERT_EQ(NtioCreateDriver(&name, VerBuggyDriverEntry, &m_buggy), STATUS_SUCCESS);
    EXPECT_EQ(NtioVerifierQueryFlags(m_buggy), 0u);
    clear_verify_drivers();
}

TEST_F(VerifierTest, registry_verified_driver_trips_rules) {
    set_verify_drivers(L"VERBUGGY", nullptr);
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerBuggy");
    ASSERT_EQ(NtioCreateDriver(&name, VerBuggyDriverEntry, &m_buggy), STATUS_SUCCESS);
    clear_verify_drivers();
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kPendWithoutMark, outcome);
    expect_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x23D);
    EXPECT_EQ(BuggyTakeParked(buggy_device()), irp);
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, set_flags_validates_and_clears) {
    EXPECT_EQ(NtioVerifierSetFlags(nullptr, 1), STATUS_INVALID_PARAMETER);
    load_buggy(NTIO_VERIFIER_IO_CHECKING);
    EXPECT_EQ(NtioVerifierQueryFlags(m_buggy), NTIO_VERIFIER_IO_CHECKING);
    EXPECT_EQ(NtioVerifierSetFlags(m_buggy, 0), STATUS_SUCCESS);
    EXPECT_EQ(NtioVerifierQueryFlags(m_buggy), 0u);
    // Not verified any more: the bug goes unnoticed, as on Windows without Driver Verifier.
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kStatusMismatch, outcome);
    ntio::test::expect_no_bugcheck([&] { (void)IoCallDriver(buggy_device(), irp); });
    IoFreeIrp(irp);
}

TEST_F(VerifierTest, mode_round_trips) {
    EXPECT_EQ(NtioVerifierSetMode(NtioVerifierCompat), NtioVerifierStrict);
    EXPECT_EQ(NtioVerifierQueryMode(), NtioVerifierCompat);
    EXPECT_EQ(NtioVerifierSetMode(static_cast<NTIO_VERIFIER_MODE>(7)), NtioVerifierCompat);
    EXPECT_EQ(NtioVerifierSetMode(NtioVerifierStrict), NtioVerifierCompat);
}

// ---- Stop screen and dump writers (the process dies: death tests) ----

using VerifierDeathTest = VerifierTest;

TEST_F(VerifierDeathTest, stop_screen_shows_name_parameters_driver_and_irp_path) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            load_buggy();
            Outcome outcome;
            PIRP irp = make_read(buggy_device(), kPendWithoutMark, outcome);
            (void)IoCallDriver(buggy_device(), irp);
        },
        "STOP: 0x000000C9 \\(0x000000000000023D.*\n"
        "DRIVER_VERIFIER_IOMANAGER_VIOLATION\n(.*\n)*"
        "WDM DRIVER ERROR 0x23d \\(rule MarkIrpPending2\\).*\n(.*\n)*"
        "Driver: .Driver.VerBuggy(.*\n)*.*IRP_MJ_READ\\(0x03\\)");
}

// The dump the stop writes carries the verifier's report: !analyze shows the violation explained and
// names the driver it blames.
TEST_F(VerifierDeathTest, the_dump_of_a_violation_analyzes_to_the_report_and_its_driver) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // The threadsafe style runs the test again in the child: it finds the parent's directory in the
    // environment it inherits.
    std::string dir;
    if (const char* inherited = std::getenv("NTIO_ANALYZE_TEST_DIR")) {
        dir = inherited;
    } else {
        char pattern[] = "/tmp/ntio-analyze-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir = pattern;
        ::setenv("NTIO_ANALYZE_TEST_DIR", dir.c_str(), 1);
    }
    EXPECT_DEATH(
        {
            ::setenv("NTIO_DUMP_DIR", dir.c_str(), 1);
            load_buggy();
            Outcome outcome;
            PIRP irp = make_read(buggy_device(), kPendWithoutMark, outcome);
            (void)IoCallDriver(buggy_device(), irp);
        },
        "Dump file: ");
    ::unsetenv("NTIO_ANALYZE_TEST_DIR");
    std::string dump;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".dmp") dump = entry.path().string();
    ASSERT_FALSE(dump.empty());
    ntio::inspect::Snapshot snapshot;
    std::string error;
    ASSERT_TRUE(ntio::inspect::load_dump(dump, snapshot, error)) << error;
    std::filesystem::remove_all(dir);
    std::string out;
    ASSERT_EQ(ntio::inspect::run_kd_command(snapshot, "!analyze -v", out), 0) << out;
    for (const char* expected : {"                        Bugcheck Analysis", "DRIVER_VERIFIER_IOMANAGER_VIOLATION (c9)\n",
                                 "\nArguments:\nArg1: 000000000000023d, WDM DRIVER ERROR code\n",
                                 "\nVerifier report:\n  WDM DRIVER ERROR 0x23d (rule MarkIrpPending2)",
                                 "\nBUGCHECK_CODE:  c9\n", "\nBUGCHECK_P1: 23d\n",
                                 "\nDRIVER_OBJECT_NAME:  \\Driver\\VerBuggy\n"})
        EXPECT_NE(out.find(expected), std::string::npos) << expected << "\n" << out;
    ASSERT_EQ(ntio::inspect::run_kd_command(snapshot, "!analyze", out), 0) << out;
    EXPECT_NE(out.find("\nProbably caused by : VerBuggy\n"), std::string::npos) << out;
}

void write_marker(ULONG code, const ULONG_PTR params[4], int fd, void* context) {
    char line[128];
    std::snprintf(line, sizeof line, "dump writer %s ran for 0x%X/0x%llX\n", static_cast<const char*>(context),
                  static_cast<unsigned>(code), static_cast<unsigned long long>(params[0]));
    (void)!::write(fd, line, std::strlen(line));
}

TEST(BugCheckDumpWriterDeathTest, writers_run_after_the_stop_screen_in_order) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            static char first[] = "one";
            static char second[] = "two";
            ASSERT_NE(ntio::rtl::add_bugcheck_dump_writer(write_marker, first), 0u);
            ASSERT_NE(ntio::rtl::add_bugcheck_dump_writer(write_marker, second), 0u);
            KeBugCheckEx(0xE2, 0x1234, 0, 0, 0);
        },
        "STOP: 0x000000E2(.*\n)*dump writer one ran for 0xE2/0x1234\ndump writer two ran for 0xE2/0x1234");
}

TEST(BugCheckDumpWriter, removed_writers_free_their_slot_and_a_hooked_bugcheck_runs_none) {
    static int calls = 0;
    auto counting = [](ULONG, const ULONG_PTR*, int, void*) { ++calls; };
    unsigned token = ntio::rtl::add_bugcheck_dump_writer(counting, nullptr);
    ASSERT_NE(token, 0u);
    auto bc = ntio::test::catch_bugcheck([] { KeBugCheckEx(0xE2, 1, 2, 3, 4); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(calls, 0);
    ntio::rtl::remove_bugcheck_dump_writer(token);
    // Fill every free slot (other components may hold some), then one removal makes room again.
    std::vector<unsigned> tokens;
    for (unsigned t; (t = ntio::rtl::add_bugcheck_dump_writer(counting, nullptr)) != 0;) tokens.push_back(t);
    ASSERT_FALSE(tokens.empty());
    EXPECT_LE(tokens.size(), std::size_t{ntio::rtl::kMaxBugCheckDumpWriters});
    ntio::rtl::remove_bugcheck_dump_writer(tokens.back());
    tokens.back() = ntio::rtl::add_bugcheck_dump_writer(counting, nullptr);
    EXPECT_NE(tokens.back(), 0u);
    for (unsigned t : tokens) ntio::rtl::remove_bugcheck_dump_writer(t);
    EXPECT_EQ(ntio::rtl::add_bugcheck_dump_writer(nullptr, nullptr), 0u);
}

}  // namespace
}  // namespace ntio::verifier::test
