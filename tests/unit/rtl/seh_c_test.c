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
