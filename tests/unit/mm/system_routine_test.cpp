// MmGetSystemRoutineAddress as drivers use it to probe for optional routines: every exported routine
// and variable resolves to the address the driver would link against; unknown names, the C library's
// symbols and C++ names do not.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmgetsystemroutineaddress
#include <gtest/gtest.h>

#include <wdm.h>

namespace system_routine_test {

PVOID lookup(const wchar_t* name) {
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, name);
    return MmGetSystemRoutineAddress(&s);
}

TEST(MmGetSystemRoutineAddressTest, exported_routines_resolve_to_their_addresses) {
    EXPECT_EQ(lookup(L"KeSetEvent"), reinterpret_cast<PVOID>(&KeSetEvent));
    EXPECT_EQ(lookup(L"IoAllocateIrp"), reinterpret_cast<PVOID>(&IoAllocateIrp));
    EXPECT_EQ(lookup(L"ExAcquireRundownProtection"), reinterpret_cast<PVOID>(&ExAcquireRundownProtection));
    EXPECT_EQ(lookup(L"MmGetSystemRoutineAddress"), reinterpret_cast<PVOID>(&MmGetSystemRoutineAddress));
    auto* get_version = reinterpret_cast<decltype(&RtlGetVersion)>(lookup(L"RtlGetVersion"));
    ASSERT_NE(get_version, nullptr);
    RTL_OSVERSIONINFOW info{};
    info.dwOSVersionInfoSize = sizeof(info);
    EXPECT_EQ(get_version(&info), STATUS_SUCCESS);
    EXPECT_EQ(info.dwMajorVersion, 10u);
}

TEST(MmGetSystemRoutineAddressTest, exported_variables_resolve_to_the_copy_drivers_use) {
    EXPECT_EQ(lookup(L"ExEventObjectType"), reinterpret_cast<PVOID>(&ExEventObjectType));
    EXPECT_EQ(lookup(L"IoFileObjectType"), reinterpret_cast<PVOID>(&IoFileObjectType));
}

TEST(MmGetSystemRoutineAddressTest, names_the_kernel_does_not_export_are_null) {
    EXPECT_EQ(lookup(L"KeNoSuchRoutine"), nullptr);
    EXPECT_EQ(lookup(L"kesetevent"), nullptr);  // names are case-sensitive
    EXPECT_EQ(lookup(L"malloc"), nullptr);      // the C library's, not libntio's
    EXPECT_EQ(lookup(L"pthread_create"), nullptr);
    EXPECT_EQ(lookup(L"_ZN4ntio2cc12CacheManager4scanEv"), nullptr);  // C++ internals
    EXPECT_EQ(lookup(L"KeSetEvent@12"), nullptr);
    EXPECT_EQ(lookup(L"Ke SetEvent"), nullptr);
    EXPECT_EQ(lookup(L"1KeSetEvent"), nullptr);
    EXPECT_EQ(lookup(L""), nullptr);
    EXPECT_EQ(MmGetSystemRoutineAddress(nullptr), nullptr);
    // A counted string: only Length characters are the name.
    UNICODE_STRING prefix;
    RtlInitUnicodeString(&prefix, L"KeSetEventX");
    prefix.Length -= sizeof(WCHAR);
    EXPECT_EQ(MmGetSystemRoutineAddress(&prefix), reinterpret_cast<PVOID>(&KeSetEvent));
}

}  // namespace system_routine_test
