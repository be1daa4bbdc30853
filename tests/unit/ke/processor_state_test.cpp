// Floating-point and extended processor state as a driver saves it around its own floating-point
// code: a rounding-mode change made after the save (in the x87 control word and in MXCSR) is undone
// by the restore; nested saves restore innermost first. The DPC watchdog reads as disabled and a DPC
// is never asked to yield.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/using-floating-point-or-mmx-in-a-wdm-driver
#include <cfenv>

#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace processor_state_test {

class ProcessorStateTest : public ntio::test::SystemTest {};

USHORT x87_control() {
    USHORT control = 0;
    __asm__ __volatile__("fnstcw %0" : "=m"(control));
    return control;
}

ULONG mxcsr() {
    ULONG value = 0;
    __asm__ __volatile__("stmxcsr %0" : "=m"(value));
    return value;
}

constexpr USHORT kX87RoundingMask = 0x0c00;
constexpr ULONG kMxcsrRoundingMask = 0x6000;

TEST_F(ProcessorStateTest, floating_point_restore_undoes_a_rounding_mode_change) {
    ASSERT_EQ(std::fegetround(), FE_TONEAREST);
    const USHORT control = x87_control();
    const ULONG csr = mxcsr();
    KFLOATING_SAVE save;
    ASSERT_EQ(KeSaveFloatingPointState(&save), STATUS_SUCCESS);
    ASSERT_EQ(std::fesetround(FE_UPWARD), 0);
    EXPECT_NE(x87_control() & kX87RoundingMask, control & kX87RoundingMask);
    EXPECT_NE(mxcsr() & kMxcsrRoundingMask, csr & kMxcsrRoundingMask);
    ASSERT_EQ(KeRestoreFloatingPointState(&save), STATUS_SUCCESS);
    EXPECT_EQ(x87_control(), control);
    EXPECT_EQ(mxcsr() & 0xffc0, csr & 0xffc0);  // masks, rounding, DAZ/FZ (not the sticky flags)
    EXPECT_EQ(std::fegetround(), FE_TONEAREST);
}

TEST_F(ProcessorStateTest, extended_restore_undoes_changes_innermost_first) {
    XSTATE_SAVE outer;
    ASSERT_EQ(KeSaveExtendedProcessorState(XSTATE_MASK_LEGACY, &outer), STATUS_SUCCESS);
    EXPECT_EQ(outer.Thread, KeGetCurrentThread());
    EXPECT_EQ(outer.XStateContext.Mask, XSTATE_MASK_LEGACY);
    ASSERT_NE(outer.XStateContext.Area, nullptr);
    EXPECT_EQ(outer.XStateContext.Area->LegacyState.MxCsr, mxcsr());
    EXPECT_EQ(outer.XStateContext.Area->LegacyState.ControlWord, x87_control());
    ASSERT_EQ(std::fesetround(FE_DOWNWARD), 0);

    XSTATE_SAVE inner;
    ASSERT_EQ(KeSaveExtendedProcessorState(XSTATE_MASK_LEGACY | XSTATE_MASK_AVX, &inner), STATUS_SUCCESS);
    EXPECT_EQ(inner.XStateContext.Mask, XSTATE_MASK_LEGACY);
    ASSERT_EQ(std::fesetround(FE_TOWARDZERO), 0);
    KeRestoreExtendedProcessorState(&inner);
    EXPECT_EQ(std::fegetround(), FE_DOWNWARD);
    KeRestoreExtendedProcessorState(&outer);
    EXPECT_EQ(std::fegetround(), FE_TONEAREST);
    EXPECT_EQ(outer.XStateContext.Area, nullptr);
    KeRestoreExtendedProcessorState(&outer);  // already restored: nothing left to do
    EXPECT_EQ(std::fegetround(), FE_TONEAREST);
}

// Only the features in the mask come back: SSE alone leaves the x87 control word as changed.
TEST_F(ProcessorStateTest, extended_restore_covers_only_the_saved_features) {
    const USHORT control = x87_control();
    const ULONG csr = mxcsr();
    XSTATE_SAVE save;
    ASSERT_EQ(KeSaveExtendedProcessorState(XSTATE_MASK_LEGACY_SSE, &save), STATUS_SUCCESS);
    ASSERT_EQ(std::fesetround(FE_UPWARD), 0);
    KeRestoreExtendedProcessorState(&save);
    EXPECT_EQ(mxcsr() & kMxcsrRoundingMask, csr & kMxcsrRoundingMask);
    EXPECT_NE(x87_control() & kX87RoundingMask, control & kX87RoundingMask);
    ASSERT_EQ(std::fesetround(FE_TONEAREST), 0);
}

TEST_F(ProcessorStateTest, the_dpc_watchdog_is_disabled_and_never_asks_to_yield) {
    KDPC_WATCHDOG_INFORMATION info;
    info.DpcTimeLimit = info.DpcTimeCount = info.DpcWatchdogLimit = info.DpcWatchdogCount = info.Reserved = 0xffffffff;
    const KIRQL old = KeRaiseIrqlToDpcLevel();
    EXPECT_EQ(KeQueryDpcWatchdogInformation(&info), STATUS_SUCCESS);
    EXPECT_FALSE(KeShouldYieldProcessor());
    KeLowerIrql(old);
    EXPECT_EQ(info.DpcTimeLimit, 0u);
    EXPECT_EQ(info.DpcTimeCount, 0u);
    EXPECT_EQ(info.DpcWatchdogLimit, 0u);
    EXPECT_EQ(info.DpcWatchdogCount, 0u);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlgetenabledextendedfeatures:
// the enabled features intersected with the mask asked. AVX is enabled exactly when the compiler's
// own check (CPUID plus the OS's XCR0) finds it usable.
TEST_F(ProcessorStateTest, enabled_extended_features_are_the_hosts_within_the_mask) {
    const ULONG64 all = RtlGetEnabledExtendedFeatures(~0ULL);
    ASSERT_NE(all, 0u);  // every x86-64 Linux host uses XSAVE
    EXPECT_EQ(all & XSTATE_MASK_LEGACY, XSTATE_MASK_LEGACY);
    EXPECT_EQ((all & XSTATE_MASK_AVX) != 0, __builtin_cpu_supports("avx") != 0);
    EXPECT_EQ(RtlGetEnabledExtendedFeatures(XSTATE_MASK_LEGACY_SSE), XSTATE_MASK_LEGACY_SSE);
    EXPECT_EQ(RtlGetEnabledExtendedFeatures(0), 0u);
    EXPECT_EQ(RtlGetEnabledExtendedFeatures(all), all);
}

}  // namespace processor_state_test
