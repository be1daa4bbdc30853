// RtlCaptureContext for x86-64: written in assembly because the registers must be the caller's, not
// what a compiled function body leaves in them. The C library's getcontext fills a ucontext_t of
// another layout and saves no volatile registers, so it cannot serve. The routine follows the
// System V calling convention every ntio export uses (the CONTEXT pointer in rdi).
// https://learn.microsoft.com/windows/win32/api/winnt/nf-winnt-rtlcapturecontext
#include <wdm.h>

static_assert(FIELD_OFFSET(CONTEXT, MxCsr) == 0x34 && FIELD_OFFSET(CONTEXT, SegCs) == 0x38 &&
              FIELD_OFFSET(CONTEXT, Rcx) == 0x80 && FIELD_OFFSET(CONTEXT, R8) == 0xb8 &&
              FIELD_OFFSET(CONTEXT, R15) == 0xf0, "the offsets the assembly below writes");
static_assert(CONTEXT_CONTROL + 0 == 0x100001 && (CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS |
                                                  CONTEXT_FLOATING_POINT) == 0x10000F);

// Rip is the return address and Rsp the stack pointer once the call has returned: the caller's
// state at the instruction after its call, which is what Windows records. rax is taken before
// pushfq clobbers it; fxsave needs the 16-byte alignment CONTEXT has. ContextFlags is
// CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS | CONTEXT_FLOATING_POINT (0x10000F), as
// Windows x64 sets it; the debug registers and P1Home..P6Home are not touched.
__asm__(
    ".text\n"
    ".globl RtlCaptureContext\n"
    ".type RtlCaptureContext, @function\n"
    ".p2align 4\n"
    "RtlCaptureContext:\n"
    "    .cfi_startproc\n"
    "    endbr64\n"
    "    movq %rax, 0x78(%rdi)\n"
    "    movq %rcx, 0x80(%rdi)\n"
    "    movq %rdx, 0x88(%rdi)\n"
    "    movq %rbx, 0x90(%rdi)\n"
    "    leaq 8(%rsp), %rax\n"
    "    movq %rax, 0x98(%rdi)\n"
    "    movq %rbp, 0xa0(%rdi)\n"
    "    movq %rsi, 0xa8(%rdi)\n"
    "    movq %rdi, 0xb0(%rdi)\n"
    "    movq %r8, 0xb8(%rdi)\n"
    "    movq %r9, 0xc0(%rdi)\n"
    "    movq %r10, 0xc8(%rdi)\n"
    "    movq %r11, 0xd0(%rdi)\n"
    "    movq %r12, 0xd8(%rdi)\n"
    "    movq %r13, 0xe0(%rdi)\n"
    "    movq %r14, 0xe8(%rdi)\n"
    "    movq %r15, 0xf0(%rdi)\n"
    "    movq (%rsp), %rax\n"
    "    movq %rax, 0xf8(%rdi)\n"
    "    pushfq\n"
    "    .cfi_adjust_cfa_offset 8\n"
    "    popq %rax\n"
    "    .cfi_adjust_cfa_offset -8\n"
    "    movl %eax, 0x44(%rdi)\n"
    "    movw %cs, 0x38(%rdi)\n"
    "    movw %ds, 0x3a(%rdi)\n"
    "    movw %es, 0x3c(%rdi)\n"
    "    movw %fs, 0x3e(%rdi)\n"
    "    movw %gs, 0x40(%rdi)\n"
    "    movw %ss, 0x42(%rdi)\n"
    "    fxsave64 0x100(%rdi)\n"
    "    stmxcsr 0x34(%rdi)\n"
    "    movl $0x10000F, 0x30(%rdi)\n"
    "    movq 0x78(%rdi), %rax\n"
    "    ret\n"
    "    .cfi_endproc\n"
    ".size RtlCaptureContext, .-RtlCaptureContext\n");
