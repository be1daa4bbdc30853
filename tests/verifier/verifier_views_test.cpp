// The verifier's views in the inspector (!verifier, !iovirp) and the drivers'
// bug-check callbacks (KeRegisterBugCheckCallback, KeRegisterBugCheckReasonCallback).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "inspect/kd_commands.hpp"
#include "rtl/bugcheck.hpp"
#include "verifier_test_driver.hpp"

#include <aux_klib.h>
#include <ntio/ntio_verifier.h>

namespace ntio::verifier::test {
namespace {

TEST_F(VerifierTest, bang_verifier_lists_the_verified_drivers_and_the_stress_state) {
    load_buggy(NTIO_VERIFIER_STANDARD_FLAGS | NTIO_VERIFIER_IRP_LOGGING);
    std::string out;
    ASSERT_EQ(ntio::inspect::run_kd_command(system(), "!verifier", out), 0) << out;
    EXPECT_NE(out.find("Verify Mode: strict"), std::string::npos) << out;
    EXPECT_NE(out.find("\\Driver\\VerBuggy"), std::string::npos) << out;
    EXPECT_NE(out.find("Injected failures:"), std::string::npos) << out;
}

TEST_F(VerifierTest, bang_iovirp_shows_a_parked_irp_and_its_path) {
    load_buggy(NTIO_VERIFIER_STANDARD_FLAGS | NTIO_VERIFIER_IRP_LOGGING);
    Outcome outcome;
    PIRP irp = make_read(buggy_device(), kMarkAndPark, outcome);
    EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING);
    char address[32];
    std::snprintf(address, sizeof address, "%llx", static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(irp)));
    std::string out;
    ASSERT_EQ(ntio::inspect::run_kd_command(system(), std::string("!iovirp ") + address, out), 0) << out;
    EXPECT_NE(out.find("TrackedIrp"), std::string::npos) << out;
    EXPECT_NE(out.find("dispatch loc 1 IRP_MJ_READ"), std::string::npos) << out;
    ASSERT_EQ(ntio::inspect::run_kd_command(system(), "!iovirp", out), 0) << out;
    EXPECT_NE(out.find("IovPacket for IRP"), std::string::npos) << out;
    complete_read(BuggyTakeParked(buggy_device()), STATUS_SUCCESS);
    EXPECT_EQ(outcome.completions.load(), 1);
    IoFreeIrp(irp);
    ASSERT_NE(ntio::inspect::run_kd_command(system(), std::string("!iovirp ") + address, out), 0);
    EXPECT_NE(out.find("not tracked"), std::string::npos) << out;
}

ULONG g_callback_calls = 0;
PVOID g_callback_buffer = nullptr;
VOID NTAPI BugCheckCallback(PVOID Buffer, ULONG Length) {
    ++g_callback_calls;
    g_callback_buffer = Buffer;
    static_cast<UCHAR*>(Buffer)[Length - 1] = 0x5A;
}

const char kSecondary[] = "driver state at the crash";
VOID NTAPI SecondaryCallback(KBUGCHECK_CALLBACK_REASON Reason, PKBUGCHECK_REASON_CALLBACK_RECORD, PVOID Data, ULONG Length) {
    ASSERT_EQ(Reason, KbCallbackSecondaryDumpData);
    ASSERT_EQ(Length, sizeof(KBUGCHECK_SECONDARY_DUMP_DATA));
    auto* d = static_cast<PKBUGCHECK_SECONDARY_DUMP_DATA>(Data);
    std::memcpy(d->InBuffer, kSecondary, sizeof kSecondary);
    d->Guid = {0x12345678, 0x9abc, 0xdef0, {1, 2, 3, 4, 5, 6, 7, 8}};
    d->OutBuffer = d->InBuffer;
    d->OutBufferLength = sizeof kSecondary;
}

TEST(BugCheckCallbacks, registered_callbacks_run_at_a_bugcheck_and_deregistered_ones_do_not) {
    g_callback_calls = 0;  // counts this test's calls only (the test may run more than once per process)
    g_callback_buffer = nullptr;
    char dir[] = "/tmp/ntio-bccb-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const char* previous = std::getenv("NTIO_DUMP_DIR");
    const std::string saved = previous ? previous : "";
    setenv("NTIO_DUMP_DIR", dir, 1);

    UCHAR buffer[16] = {};
    KBUGCHECK_CALLBACK_RECORD record;
    KeInitializeCallbackRecord(&record);
    ASSERT_TRUE(KeRegisterBugCheckCallback(&record, BugCheckCallback, buffer, sizeof buffer, (PUCHAR) "test"));
    EXPECT_FALSE(KeRegisterBugCheckCallback(&record, BugCheckCallback, buffer, sizeof buffer, (PUCHAR) "test"));
    KBUGCHECK_REASON_CALLBACK_RECORD reason;
    KeInitializeCallbackRecord(&reason);
    EXPECT_FALSE(KeRegisterBugCheckReasonCallback(&reason, SecondaryCallback, KbCallbackAddPages, (PUCHAR) "test"));
    ASSERT_TRUE(KeRegisterBugCheckReasonCallback(&reason, SecondaryCallback, KbCallbackSecondaryDumpData, (PUCHAR) "test"));

    const ULONG_PTR params[4] = {1, 2, 3, 4};
    int null_fd = ::open("/dev/null", O_WRONLY);
    ntio::rtl::run_bugcheck_callbacks(0xE2, params, null_fd);
    EXPECT_EQ(g_callback_calls, 1u);
    EXPECT_EQ(g_callback_buffer, buffer);
    EXPECT_EQ(buffer[15], 0x5A);
    EXPECT_EQ(record.State, BufferFinished);

    char path[256];
    std::snprintf(path, sizeof path, "%s/ntio-%d-123456789abcdef0.secondary", dir, static_cast<int>(::getpid()));
    FILE* f = std::fopen(path, "rb");
    ASSERT_NE(f, nullptr) << path;
    char text[64] = {};
    EXPECT_EQ(std::fread(text, 1, sizeof text, f), sizeof kSecondary);
    std::fclose(f);
    EXPECT_STREQ(text, kSecondary);
    std::remove(path);

    EXPECT_TRUE(KeDeregisterBugCheckCallback(&record));
    EXPECT_FALSE(KeDeregisterBugCheckCallback(&record));
    EXPECT_TRUE(KeDeregisterBugCheckReasonCallback(&reason));
    ntio::rtl::run_bugcheck_callbacks(0xE2, params, null_fd);
    EXPECT_EQ(g_callback_calls, 1u);
    ::close(null_fd);
    ::rmdir(dir);
    if (previous) setenv("NTIO_DUMP_DIR", saved.c_str(), 1);
    else unsetenv("NTIO_DUMP_DIR");
}

// AuxKlibGetBugCheckData from a bug check callback: the code and parameters of the bug check whose
// callbacks run; a KBUGCHECK_DATA of another size is STATUS_INFO_LENGTH_MISMATCH.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/aux_klib/nf-aux_klib-auxklibgetbugcheckdata
KBUGCHECK_DATA g_aux_data{};
NTSTATUS g_aux_status = STATUS_PENDING;
NTSTATUS g_aux_short_status = STATUS_PENDING;
VOID NTAPI AuxDataCallback(PVOID, ULONG) {
    KBUGCHECK_DATA data{};
    data.BugCheckDataSize = sizeof data;
    g_aux_status = AuxKlibGetBugCheckData(&data);
    g_aux_data = data;
    KBUGCHECK_DATA short_data{};
    short_data.BugCheckDataSize = sizeof short_data - 1;
    g_aux_short_status = AuxKlibGetBugCheckData(&short_data);
}

TEST(BugCheckCallbacks, aux_klib_gives_a_callback_the_data_of_the_bug_check) {
    ASSERT_EQ(AuxKlibInitialize(), STATUS_SUCCESS);
    KBUGCHECK_CALLBACK_RECORD record;
    KeInitializeCallbackRecord(&record);
    ASSERT_TRUE(KeRegisterBugCheckCallback(&record, AuxDataCallback, nullptr, 0, (PUCHAR) "aux"));
    const ULONG_PTR params[4] = {5, 6, 7, 8};
    int null_fd = ::open("/dev/null", O_WRONLY);
    ntio::rtl::run_bugcheck_callbacks(0xE3, params, null_fd);
    ::close(null_fd);
    EXPECT_TRUE(KeDeregisterBugCheckCallback(&record));
    EXPECT_EQ(g_aux_status, STATUS_SUCCESS);
    EXPECT_EQ(g_aux_data.BugCheckCode, 0xE3u);
    EXPECT_EQ(g_aux_data.Parameter1, 5u);
    EXPECT_EQ(g_aux_data.Parameter2, 6u);
    EXPECT_EQ(g_aux_data.Parameter3, 7u);
    EXPECT_EQ(g_aux_data.Parameter4, 8u);
    EXPECT_EQ(g_aux_short_status, STATUS_INFO_LENGTH_MISMATCH);
}

}  // namespace
}  // namespace ntio::verifier::test
