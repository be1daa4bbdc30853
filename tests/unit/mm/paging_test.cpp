// The paging routines as a driver calls them: a lock of a code or data address hands out a handle
// that names the image holding it (one handle per image, another image gets another), the lock and
// unlock routines take it back, MmPageEntireDriver returns the start of the image in memory;
// MmIsDriverVerifying follows the verifier's setting for the driver; the machine is a large
// workstation.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/making-drivers-pageable
#include <cstring>

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

TEST_F(PagingTest, the_machine_is_a_large_workstation) {
    EXPECT_EQ(MmQuerySystemSize(), MmLargeSystem);
    EXPECT_FALSE(MmIsThisAnNtAsSystem());
    RTL_OSVERSIONINFOEXW version{};
    version.dwOSVersionInfoSize = sizeof(version);
    ASSERT_EQ(RtlGetVersion(reinterpret_cast<PRTL_OSVERSIONINFOW>(&version)), STATUS_SUCCESS);
    EXPECT_EQ(version.wProductType, VER_NT_WORKSTATION);  // the two answers agree
}

}  // namespace paging_test
