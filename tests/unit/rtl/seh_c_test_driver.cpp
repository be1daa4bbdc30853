// Runs the C11 SEH checks in seh_c_test.c.
#include <gtest/gtest.h>

#include <ntio/ntio.h>

extern "C" int ntio_c_seh_switch(int selector, volatile int* fault_at);
extern "C" NTSTATUS ntio_c_seh_nested(void);
extern "C" int ntio_c_wchar_size(void);

namespace {

TEST(SehC, LowerCaseTryExceptInSwitchWithBreak) {
    volatile int target = 0;
    EXPECT_EQ(ntio_c_seh_switch(1, &target), 11);   // no fault: body, then code after the try
    EXPECT_EQ(ntio_c_seh_switch(1, nullptr), 2);    // fault: handler's break leaves the switch
    EXPECT_EQ(ntio_c_seh_switch(2, &target), 25);   // leave, then finally (normal termination)
    EXPECT_EQ(ntio_c_seh_switch(3, &target), -1);
    EXPECT_EQ(NtioSehCurrentFrame(), nullptr);
}

TEST(SehC, ContinueSearchInC) { EXPECT_EQ(ntio_c_seh_nested(), STATUS_OBJECT_NAME_NOT_FOUND); }

TEST(SehC, TypesAreLlp64) { EXPECT_EQ(ntio_c_wchar_size(), 24); }

}  // namespace
