/* SEH from C11 with the lower-case MSVC spellings (NT fact S23), compiled with -fshort-wchar.
 * Called from seh_c_test_driver.cpp. */
#include <wdm.h>

/* Faults on purpose; UBSan would report the null store before the fault happens. */
__attribute__((no_sanitize("null"), noinline)) static void store_through(volatile int *p)
{
    *p = 1;
}

/* try/except inside a switch with break in the handler, as real drivers write it. */
int ntio_c_seh_switch(int selector, volatile int *fault_at)
{
    int result = 0;
    switch (selector) {
    case 1:
        try {
            store_through(fault_at);
            result = 1;
        } except (EXCEPTION_EXECUTE_HANDLER) {
            result = (GetExceptionCode() == STATUS_ACCESS_VIOLATION) ? 2 : 3;
            break;
        }
        result += 10;
        break;
    case 2:
        try {
            result = 5;
            leave;
            result = 6;
        } finally {
            result += AbnormalTermination() ? 100 : 20;
        }
        break;
    default:
        result = -1;
        break;
    }
    return result;
}

NTSTATUS ntio_c_seh_nested(void)
{
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        __try {
            ExRaiseStatus(STATUS_OBJECT_NAME_NOT_FOUND);
        } __except (EXCEPTION_CONTINUE_SEARCH) {
            status = STATUS_UNSUCCESSFUL;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

int ntio_c_wchar_size(void)
{
    return (int)sizeof(WCHAR) * 10 + (int)sizeof(ULONG);
}

/* Null through a volatile, so that the compiler cannot see it and emit a trap instead of the store. */
static volatile int *volatile ntio_c_null = 0;

/* Overwrites every callee-saved register but rbp and leaves without restoring them: the raise or
 * the fault skips this function's epilogue. */
__attribute__((no_sanitize("null"), noinline)) static void clobber_and_leave(int how)
{
    __asm__ volatile("mov $-1, %%rbx\n\tmov $-1, %%r12\n\tmov $-1, %%r13\n\tmov $-1, %%r14\n\t"
                     "mov $-1, %%r15" ::: "rbx", "r12", "r13", "r14", "r15");
    if (how == 0) ExRaiseStatus(STATUS_TIMEOUT);
    *ntio_c_null = 1;
}

__attribute__((noinline)) static NTSTATUS guarded_clobber(int how)
{
    NTSTATUS code = STATUS_SUCCESS;
    __try {
        clobber_and_leave(how);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    return code;
}

/* Five values live across the call sit in callee-saved registers, which the function that caught
 * the exception must hand back intact. Returns the mix seh_jump_test.cpp expects, 0 on a wrong code. */
unsigned long long ntio_c_seh_registers(int how, unsigned long long seed)
{
    unsigned long long a = seed + 1, b = seed * 2 + 3, c = seed * 5 + 7, d = seed * 9 + 11, e = seed * 13 + 17;
    __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e));
    NTSTATUS code = guarded_clobber(how);
    __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e));
    if (code != (how == 0 ? STATUS_TIMEOUT : STATUS_ACCESS_VIOLATION)) return 0;
    return a * 3 + b * 5 + c * 7 + d * 11 + e * 13;
}
