// The caller-memory access routines of user_access.hpp, in assembly so that the only stack state at
// a fault is the return address: the fix-up just returns STATUS_ACCESS_VIOLATION. They live between
// two labels; the fault handler asks user_access_fixup whether a faulting instruction is theirs.
#include "rtl/user_access.hpp"

#if !defined(__x86_64__)
#error "user_access.cpp is written for x86-64"
#endif

extern "C" {
extern const char ntio_user_access_begin[];
extern const char ntio_user_access_end[];
extern const char ntio_user_access_fault[];
}

// STATUS_ACCESS_VIOLATION is 0xC0000005. ntio_user_copy moves up to 64 bytes a word at a time:
// rep movsb's start-up costs about 10 ns here whatever the length, twice a word loop's cost for the
// 4-32 byte values the services copy (IOSBs, completion entries, offsets, timeouts).
asm(R"(
    .text
    .p2align 4
    .hidden ntio_user_access_begin, ntio_user_access_end, ntio_user_access_fault
    .hidden ntio_user_copy, ntio_user_touch_read, ntio_user_touch_write, ntio_user_write_iosb
    .globl ntio_user_copy, ntio_user_touch_read, ntio_user_touch_write, ntio_user_write_iosb
    .hidden ntio_user_load4, ntio_user_load8, ntio_user_store4, ntio_user_store8, ntio_user_store16
    .globl ntio_user_load4, ntio_user_load8, ntio_user_store4, ntio_user_store8, ntio_user_store16
    .globl ntio_user_access_begin, ntio_user_access_end, ntio_user_access_fault
ntio_user_access_begin:

    .type ntio_user_copy, @function
ntio_user_copy:
    cmp $64, %rdx
    ja 5f
    mov %rdx, %rcx
    shr $3, %rcx
    jz 2f
1:  mov (%rsi), %rax
    mov %rax, (%rdi)
    add $8, %rsi
    add $8, %rdi
    dec %rcx
    jnz 1b
2:  and $7, %edx
    jz 4f
3:  movzbl (%rsi), %eax
    mov %al, (%rdi)
    inc %rsi
    inc %rdi
    dec %edx
    jnz 3b
4:  xor %eax, %eax
    ret
5:  mov %rdx, %rcx
    rep movsb
    xor %eax, %eax
    ret
    .size ntio_user_copy, .-ntio_user_copy

    .type ntio_user_touch_read, @function
ntio_user_touch_read:
    movzbl (%rdi), %eax
    lea -1(%rdi,%rsi), %rdx
    mov %rdi, %rcx
    and $-4096, %rcx
1:  add $4096, %rcx
    cmp %rdx, %rcx
    ja 2f
    movzbl (%rcx), %eax
    jmp 1b
2:  movzbl (%rdx), %eax
    xor %eax, %eax
    ret
    .size ntio_user_touch_read, .-ntio_user_touch_read

    .type ntio_user_touch_write, @function
ntio_user_touch_write:
    movzbl (%rdi), %eax
    movb %al, (%rdi)
    lea -1(%rdi,%rsi), %rdx
    mov %rdi, %rcx
    and $-4096, %rcx
1:  add $4096, %rcx
    cmp %rdx, %rcx
    ja 2f
    movzbl (%rcx), %eax
    movb %al, (%rcx)
    jmp 1b
2:  movzbl (%rdx), %eax
    movb %al, (%rdx)
    xor %eax, %eax
    ret
    .size ntio_user_touch_write, .-ntio_user_touch_write

    .type ntio_user_write_iosb, @function
ntio_user_write_iosb:
    mov %rdx, 8(%rdi)
    mov %esi, (%rdi)
    xor %eax, %eax
    ret
    .size ntio_user_write_iosb, .-ntio_user_write_iosb

    .type ntio_user_load4, @function
ntio_user_load4:
    mov (%rdi), %eax
    mov %eax, (%rsi)
    xor %eax, %eax
    ret
    .size ntio_user_load4, .-ntio_user_load4
    .type ntio_user_load8, @function
ntio_user_load8:
    mov (%rdi), %rax
    mov %rax, (%rsi)
    xor %eax, %eax
    ret
    .size ntio_user_load8, .-ntio_user_load8
    .type ntio_user_store4, @function
ntio_user_store4:
    mov %esi, (%rdi)
    xor %eax, %eax
    ret
    .size ntio_user_store4, .-ntio_user_store4
    .type ntio_user_store8, @function
ntio_user_store8:
    mov %rsi, (%rdi)
    xor %eax, %eax
    ret
    .size ntio_user_store8, .-ntio_user_store8
    .type ntio_user_store16, @function
ntio_user_store16:
    mov %rdx, 8(%rdi)
    mov %rsi, (%rdi)
    xor %eax, %eax
    ret
    .size ntio_user_store16, .-ntio_user_store16
ntio_user_access_end:
    .type ntio_user_access_fault, @function
ntio_user_access_fault:
    mov $0xC0000005, %eax
    ret
    .size ntio_user_access_fault, .-ntio_user_access_fault
)");

namespace ntio::rtl {

bool user_access_fixup(unsigned long ip, unsigned long* fixup) noexcept {
    const auto begin = reinterpret_cast<unsigned long>(ntio_user_access_begin);
    const auto end = reinterpret_cast<unsigned long>(ntio_user_access_end);
    if (ip < begin || ip >= end) return false;
    *fixup = reinterpret_cast<unsigned long>(ntio_user_access_fault);
    return true;
}

}  // namespace ntio::rtl
