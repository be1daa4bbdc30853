// ExIsProcessorFeaturePresent against the compiler's own view of the processor (an oracle that
// shares no code with it), and the features an x64 Windows always or never reports.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exisprocessorfeaturepresent
#include <gtest/gtest.h>

#include <wdm.h>

#include "support/system_fixture.hpp"

namespace processor_features_test {

class ProcessorFeatureTest : public ntio::test::SystemTest {};

bool present(ULONG feature) { return ExIsProcessorFeaturePresent(feature) == TRUE; }

TEST_F(ProcessorFeatureTest, instruction_sets_match_the_processor) {
    __builtin_cpu_init();
    EXPECT_EQ(present(PF_MMX_INSTRUCTIONS_AVAILABLE), __builtin_cpu_supports("mmx") != 0);
    EXPECT_EQ(present(PF_XMMI_INSTRUCTIONS_AVAILABLE), __builtin_cpu_supports("sse") != 0);
    EXPECT_EQ(present(PF_XMMI64_INSTRUCTIONS_AVAILABLE), __builtin_cpu_supports("sse2") != 0);
    EXPECT_EQ(present(PF_SSE3_INSTRUCTIONS_AVAILABLE), __builtin_cpu_supports("sse3") != 0);
    EXPECT_EQ(present(PF_SSSE3_INSTRUCTIONS_AVAILABLE), __builtin_cpu_supports("ssse3") != 0);
    EXPECT_EQ(present(PF_SSE4_1_INSTRUCTIONS_AVAILABLE), __builtin_cpu_supports("sse4.1") != 0);
    EXPECT_EQ(present(PF_SSE4_2_INSTRUCTIONS_AVAILABLE), __builtin_cpu_supports("sse4.2") != 0);
    EXPECT_EQ(present(PF_AVX_INSTRUCTIONS_AVAILABLE), __builtin_cpu_supports("avx") != 0);
    EXPECT_EQ(present(PF_AVX2_INSTRUCTIONS_AVAILABLE), __builtin_cpu_supports("avx2") != 0);
    EXPECT_EQ(present(PF_AVX512F_INSTRUCTIONS_AVAILABLE), __builtin_cpu_supports("avx512f") != 0);
    // Every x64 processor has SSE2 and CMPXCHG8B.
    EXPECT_TRUE(present(PF_XMMI64_INSTRUCTIONS_AVAILABLE));
    EXPECT_TRUE(present(PF_COMPARE_EXCHANGE_DOUBLE));
    EXPECT_TRUE(present(PF_RDTSC_INSTRUCTION_AVAILABLE));
}

TEST_F(ProcessorFeatureTest, fixed_answers_and_unknown_features) {
    EXPECT_TRUE(present(PF_NX_ENABLED));
    EXPECT_TRUE(present(PF_PAE_ENABLED));
    EXPECT_FALSE(present(PF_FLOATING_POINT_EMULATED));
    EXPECT_FALSE(present(PF_FLOATING_POINT_PRECISION_ERRATA));
    EXPECT_FALSE(present(PF_ARM_NEON_INSTRUCTIONS_AVAILABLE));
    EXPECT_FALSE(present(PF_ALPHA_BYTE_INSTRUCTIONS));
    EXPECT_FALSE(present(1000));
    EXPECT_FALSE(present(0xFFFFFFFFu));
}

}  // namespace processor_features_test
