// RtlCaptureContext records the caller's registers as they are after the call returns: the return
// address, the stack pointer after the return, nonvolatile and volatile integer registers, SSE and
// MXCSR state, segments and flags.
// https://learn.microsoft.com/windows/win32/api/winnt/nf-winnt-rtlcapturecontext
#include <cstdint>
#include <cstring>

#include <gtest/gtest.h>

#include <wdm.h>

namespace capture_context_test {

struct Expected {
    std::uint64_t rip = 0;        // 0
    std::uint64_t rsp = 0;        // 8
    std::uint32_t mxcsr = 0;      // 16
    std::uint16_t cs = 0;         // 20
    std::uint16_t ss = 0;         // 22
    std::uint64_t saved_rsp = 0;  // 24: the caller's stack pointer, put back at the end
};

// Loads known values, calls RtlCaptureContext on a 16-byte aligned stack (below the red zone) and
// notes the address after the call and the stack pointer at that point. The CONTEXT pointer stays in
// rdi and the Expected pointer in rbx (RtlCaptureContext changes neither).
__attribute__((noinline)) void capture_known(PCONTEXT context, Expected* expected) {
    __asm__ __volatile__(
        "movq %%rsp, 24(%%rbx)\n"
        "subq $256, %%rsp\n"
        "andq $-16, %%rsp\n"
        "movq $0x1212121212121212, %%r12\n"
        "movq $0x1313131313131313, %%r13\n"
        "movq $0x1414141414141414, %%r14\n"
        "movq $0x1515151515151515, %%r15\n"
        "movq $0x0909090909090909, %%r9\n"
        "movq $0x0123456789abcdef, %%rax\n"
        "movq %%rax, %%xmm6\n"
        "movq $0x0000000000000003, %%rsi\n"
        "call RtlCaptureContext@PLT\n"
        "1:\n"
        "leaq 1b(%%rip), %%rax\n"
        "movq %%rax, 0(%%rbx)\n"
        "movq %%rsp, 8(%%rbx)\n"
        "stmxcsr 16(%%rbx)\n"
        "movw %%cs, 20(%%rbx)\n"
        "movw %%ss, 22(%%rbx)\n"
        "movq 24(%%rbx), %%rsp\n"
        :
        : "D"(context), "b"(expected)
        : "rax", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "xmm0", "xmm1",
          "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
          "xmm14", "xmm15", "memory", "cc");
}

TEST(RtlCaptureContextTest, records_the_callers_registers_after_the_return) {
    static_assert(alignof(CONTEXT) == 16);
    static_assert(sizeof(CONTEXT) == 1232);
    CONTEXT context;
    std::memset(&context, 0xcc, sizeof context);
    Expected expected;
    capture_known(&context, &expected);
    EXPECT_EQ(context.ContextFlags,
              static_cast<DWORD>(CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS | CONTEXT_FLOATING_POINT));
    EXPECT_EQ(context.Rip, expected.rip);
    EXPECT_EQ(context.Rsp, expected.rsp);
    EXPECT_EQ(context.Rdi, reinterpret_cast<DWORD64>(&context));
    EXPECT_EQ(context.Rsi, 3u);
    EXPECT_EQ(context.Rbx, reinterpret_cast<DWORD64>(&expected));
    EXPECT_EQ(context.R9, 0x0909090909090909ull);  // an argument register: kept through the PLT
    EXPECT_EQ(context.R12, 0x1212121212121212ull);
    EXPECT_EQ(context.R13, 0x1313131313131313ull);
    EXPECT_EQ(context.R14, 0x1414141414141414ull);
    EXPECT_EQ(context.R15, 0x1515151515151515ull);
    EXPECT_EQ(context.Xmm6.Low, 0x0123456789abcdefull);
    EXPECT_EQ(context.Xmm6.High, 0);
    EXPECT_EQ(context.MxCsr, expected.mxcsr);
    EXPECT_EQ(context.FltSave.MxCsr, expected.mxcsr);
    EXPECT_EQ(context.SegCs, expected.cs);
    EXPECT_EQ(context.SegSs, expected.ss);
    EXPECT_EQ(context.EFlags & 0x2u, 0x2u);  // bit 1 is always set
    EXPECT_EQ(context.P1Home, 0xccccccccccccccccull);  // not written
    EXPECT_EQ(context.Dr7, 0xccccccccccccccccull);
}

}  // namespace capture_context_test
