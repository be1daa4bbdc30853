// The paging routines as a driver calls them: a lock of a code or data address hands out a handle
// that names the image holding it (one handle per image, another image gets another), the lock and
// unlock routines take it back, MmPageEntireDriver returns the start of the image in memory;
// MmIsDriverVerifying follows the verifier's setting for the driver; the machine is a large
// workstation.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/making-drivers-pageable
#include <cstring>
#include <memory>

#include <gtest/gtest.h>

#include <ntddk.h>
#include <ntio/ntio.h>
#include <ntio/ntio_verifier.h>

#include "support/system_fixture.hpp"

namespace paging_test {

int g_pageable_data = 42;

VOID NTAPI paging_unload(PDRIVER_OBJECT) {}
NTSTATUS NTAPI paging_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = paging_unload;
    return STATUS_SUCCESS;
}
VOID NTAPI pageable_routine() {}

class PagingTest : public ntio::test::SystemTest {};

TEST_F(PagingTest, a_locked_section_has_one_handle_per_image_and_unlocks) {
    PVOID code = MmLockPagableCodeSection(reinterpret_cast<PVOID>(&pageable_routine));
    PVOID data = MmLockPagableDataSection(&g_pageable_data);
    ASSERT_NE(code, nullptr);
    EXPECT_EQ(data, code);  // one image: this test's
    PVOID other = MmLockPagableCodeSection(reinterpret_cast<PVOID>(&KeGetCurrentIrql));
    ASSERT_NE(other, nullptr);
    EXPECT_NE(other, code);  // ntio's own image
    MmLockPagableSectionByHandle(code);
    MmUnlockPagableImageSection(code);
    MmUnlockPagableImageSection(code);
    MmUnlockPagableImageSection(other);
    MmLockPagableSectionByHandle(code);  // valid whatever the count
    MmUnlockPagableImageSection(code);
    EXPECT_EQ(g_pageable_data, 42);  // still resident
    pageable_routine();
}

TEST_F(PagingTest, paging_the_entire_driver_returns_the_start_of_its_image) {
    auto* base = static_cast<const unsigned char*>(MmPageEntireDriver(reinterpret_cast<PVOID>(&paging_entry)));
    ASSERT_NE(base, nullptr);
    EXPECT_EQ(std::memcmp(base, "\x7f" "ELF", 4), 0);
    EXPECT_EQ(static_cast<const void*>(base), MmLockPagableDataSection(&g_pageable_data));
    MmUnlockPagableImageSection(const_cast<unsigned char*>(base));
    MmResetDriverPaging(reinterpret_cast<PVOID>(&paging_entry));
    EXPECT_EQ(g_pageable_data, 42);
}

TEST_F(PagingTest, a_driver_is_verifying_while_the_verifier_verifies_it) {
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"MmPagingVerified");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&name, paging_entry, &driver), STATUS_SUCCESS);
    EXPECT_FALSE(MmIsDriverVerifying(driver));
    ASSERT_EQ(NtioVerifierSetFlags(driver, NTIO_VERIFIER_IO_CHECKING), STATUS_SUCCESS);
    EXPECT_TRUE(MmIsDriverVerifying(driver));
    ASSERT_EQ(NtioVerifierSetFlags(driver, 0), STATUS_SUCCESS);
    EXPECT_FALSE(MmIsDriverVerifying(driver));
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
}

TEST_F(PagingTest, a_driver_is_suspect_while_the_verifier_verifies_it) {
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"MmPagingSuspect");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&name, paging_entry, &driver), STATUS_SUCCESS);
    EXPECT_FALSE(MmIsDriverSuspectForVerifier(driver));
    ASSERT_EQ(NtioVerifierSetFlags(driver, NTIO_VERIFIER_IO_CHECKING), STATUS_SUCCESS);
    EXPECT_TRUE(MmIsDriverSuspectForVerifier(driver));
    ASSERT_EQ(NtioVerifierSetFlags(driver, 0), STATUS_SUCCESS);
    EXPECT_FALSE(MmIsDriverSuspectForVerifier(driver));
    EXPECT_FALSE(MmIsDriverSuspectForVerifier(nullptr));
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
}

TEST_F(PagingTest, an_address_is_verifying_while_the_driver_holding_it_is_verified) {
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"MmPagingByAddress");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&name, paging_entry, &driver), STATUS_SUCCESS);
    PVOID in_driver = reinterpret_cast<PVOID>(&pageable_routine);  // this test's image holds the driver
    EXPECT_FALSE(MmIsDriverVerifyingByAddress(in_driver));
    ASSERT_EQ(NtioVerifierSetFlags(driver, NTIO_VERIFIER_IO_CHECKING), STATUS_SUCCESS);
    EXPECT_TRUE(MmIsDriverVerifyingByAddress(in_driver));
    EXPECT_TRUE(MmIsDriverVerifyingByAddress(&g_pageable_data));
    // Addresses no verified driver's image holds: ntio's own code, the heap, NULL.
    EXPECT_FALSE(MmIsDriverVerifyingByAddress(reinterpret_cast<PVOID>(&KeGetCurrentIrql)));
    auto heap = std::make_unique<int>(7);
    EXPECT_FALSE(MmIsDriverVerifyingByAddress(heap.get()));
    EXPECT_FALSE(MmIsDriverVerifyingByAddress(nullptr));
    ASSERT_EQ(NtioVerifierSetFlags(driver, 0), STATUS_SUCCESS);
    EXPECT_FALSE(MmIsDriverVerifyingByAddress(in_driver));
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
}

TEST_F(PagingTest, the_verifier_reports_the_options_of_the_drivers_it_verifies) {
    ULONG before = 0xFFFFFFFFu;
    const NTSTATUS before_status = MmIsVerifierEnabled(&before);
    if (before_status == STATUS_NOT_SUPPORTED) EXPECT_EQ(before, 0u);
    else EXPECT_EQ(before_status, STATUS_SUCCESS);

    UNICODE_STRING name = RTL_CONSTANT_STRING(L"MmPagingVerifierEnabled");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&name, paging_entry, &driver), STATUS_SUCCESS);
    ASSERT_EQ(NtioVerifierSetFlags(driver, NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_DMA_CHECKING |
                                               NTIO_VERIFIER_IO_LEVEL1_ONLY),
              STATUS_SUCCESS);
    ULONG flags = 0;
    EXPECT_EQ(MmIsVerifierEnabled(&flags), STATUS_SUCCESS);
    EXPECT_EQ(flags & (NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_DMA_CHECKING),
              NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_DMA_CHECKING);
    EXPECT_EQ(flags & NTIO_VERIFIER_IO_LEVEL1_ONLY, 0u);  // ntio's own bit is no Driver Verifier option

    const NTIO_VERIFIER_MODE mode = NtioVerifierSetMode(NtioVerifierOff);
    ULONG off = 0xFFFFFFFFu;
    EXPECT_EQ(MmIsVerifierEnabled(&off), STATUS_NOT_SUPPORTED);
    EXPECT_EQ(off, 0u);
    NtioVerifierSetMode(mode);

    ASSERT_EQ(NtioVerifierSetFlags(driver, 0), STATUS_SUCCESS);
    ULONG after = 0xFFFFFFFFu;
    EXPECT_EQ(MmIsVerifierEnabled(&after), before_status);
    EXPECT_EQ(after, before);
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
}

TEST_F(PagingTest, the_verifier_query_refuses_a_null_output) {
    EXPECT_EQ(MmIsVerifierEnabled(nullptr), STATUS_INVALID_PARAMETER);
}

TEST_F(PagingTest, the_machine_is_a_large_workstation) {
    EXPECT_EQ(MmQuerySystemSize(), MmLargeSystem);
    EXPECT_FALSE(MmIsThisAnNtAsSystem());
    RTL_OSVERSIONINFOEXW version{};
    version.dwOSVersionInfoSize = sizeof(version);
    ASSERT_EQ(RtlGetVersion(reinterpret_cast<PRTL_OSVERSIONINFOW>(&version)), STATUS_SUCCESS);
    EXPECT_EQ(version.wProductType, VER_NT_WORKSTATION);  // the two answers agree
}

}  // namespace paging_test
