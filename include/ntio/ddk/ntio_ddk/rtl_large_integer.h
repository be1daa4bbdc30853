/* <wdm.h> piece for the old LARGE_INTEGER arithmetic helpers. On x64 the WDK defines them all as
 * inline functions over 64-bit arithmetic (they are deprecated in favour of plain QuadPart
 * arithmetic), so they are inline here too and nothing is exported. A zero divisor faults as the WDK's
 * inline division does. Any IRQL. Compiles alone in C11 and C++20.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtllargeintegeradd */
#ifndef NTIO_DDK_RTL_LARGE_INTEGER_H
#define NTIO_DDK_RTL_LARGE_INTEGER_H
#include "basetypes.h"
#include "sal.h"

__extension__ typedef unsigned __int128 NTIO_UINT128;

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlconvertlongtolargeinteger */
FORCEINLINE LARGE_INTEGER RtlConvertLongToLargeInteger(_In_ LONG SignedInteger)
{
    LARGE_INTEGER r;
    r.QuadPart = SignedInteger;
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlconvertulongtolargeinteger */
FORCEINLINE LARGE_INTEGER RtlConvertUlongToLargeInteger(_In_ ULONG UnsignedInteger)
{
    LARGE_INTEGER r;
    r.QuadPart = UnsignedInteger;
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlenlargedintegermultiply */
FORCEINLINE LARGE_INTEGER RtlEnlargedIntegerMultiply(_In_ LONG Multiplicand, _In_ LONG Multiplier)
{
    LARGE_INTEGER r;
    r.QuadPart = (LONGLONG)Multiplicand * (LONGLONG)Multiplier;
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlenlargedunsignedmultiply */
FORCEINLINE LARGE_INTEGER RtlEnlargedUnsignedMultiply(_In_ ULONG Multiplicand, _In_ ULONG Multiplier)
{
    LARGE_INTEGER r;
    r.QuadPart = (LONGLONG)((ULONGLONG)Multiplicand * (ULONGLONG)Multiplier);
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlenlargedunsigneddivide
 * The quotient is truncated to 32 bits. */
FORCEINLINE ULONG RtlEnlargedUnsignedDivide(_In_ ULARGE_INTEGER Dividend, _In_ ULONG Divisor,
                                            _Out_opt_ PULONG Remainder)
{
    ULONG quotient = (ULONG)(Dividend.QuadPart / Divisor);
    if (Remainder != NULL) *Remainder = (ULONG)(Dividend.QuadPart % Divisor);
    return quotient;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlextendedintegermultiply */
FORCEINLINE LARGE_INTEGER RtlExtendedIntegerMultiply(_In_ LARGE_INTEGER Multiplicand, _In_ LONG Multiplier)
{
    LARGE_INTEGER r;
    r.QuadPart = (LONGLONG)((ULONGLONG)Multiplicand.QuadPart * (ULONGLONG)(LONGLONG)Multiplier);
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlextendedlargeintegerdivide
 * The dividend is taken as unsigned, as the WDK's x64 inline does. */
FORCEINLINE LARGE_INTEGER RtlExtendedLargeIntegerDivide(_In_ LARGE_INTEGER Dividend, _In_ ULONG Divisor,
                                                        _Out_opt_ PULONG Remainder)
{
    LARGE_INTEGER r;
    r.QuadPart = (LONGLONG)((ULONGLONG)Dividend.QuadPart / Divisor);
    if (Remainder != NULL) *Remainder = (ULONG)((ULONGLONG)Dividend.QuadPart % Divisor);
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlextendedmagicdivide
 * Divides by multiplying the magnitude with the 64-bit reciprocal MagicDivisor, keeping the high
 * 64 bits of the product shifted right by ShiftCount; the sign of Dividend is kept. */
FORCEINLINE LARGE_INTEGER RtlExtendedMagicDivide(_In_ LARGE_INTEGER Dividend, _In_ LARGE_INTEGER MagicDivisor,
                                                 _In_ CCHAR ShiftCount)
{
    LARGE_INTEGER r;
    BOOLEAN negative = Dividend.QuadPart < 0;
    ULONGLONG magnitude = negative ? (ULONGLONG)0 - (ULONGLONG)Dividend.QuadPart : (ULONGLONG)Dividend.QuadPart;
    ULONGLONG high = (ULONGLONG)(((NTIO_UINT128)magnitude * (ULONGLONG)MagicDivisor.QuadPart) >> 64);
    high >>= ShiftCount;
    r.QuadPart = negative ? (LONGLONG)((ULONGLONG)0 - high) : (LONGLONG)high;
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtllargeintegeradd */
FORCEINLINE LARGE_INTEGER RtlLargeIntegerAdd(_In_ LARGE_INTEGER Addend1, _In_ LARGE_INTEGER Addend2)
{
    LARGE_INTEGER r;
    r.QuadPart = (LONGLONG)((ULONGLONG)Addend1.QuadPart + (ULONGLONG)Addend2.QuadPart);
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtllargeintegersubtract */
FORCEINLINE LARGE_INTEGER RtlLargeIntegerSubtract(_In_ LARGE_INTEGER Minuend, _In_ LARGE_INTEGER Subtrahend)
{
    LARGE_INTEGER r;
    r.QuadPart = (LONGLONG)((ULONGLONG)Minuend.QuadPart - (ULONGLONG)Subtrahend.QuadPart);
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtllargeintegernegate */
FORCEINLINE LARGE_INTEGER RtlLargeIntegerNegate(_In_ LARGE_INTEGER Subtrahend)
{
    LARGE_INTEGER r;
    r.QuadPart = (LONGLONG)((ULONGLONG)0 - (ULONGLONG)Subtrahend.QuadPart);
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtllargeintegershiftleft
 * ShiftCount is taken modulo 64, as the x64 shift instruction does. */
FORCEINLINE LARGE_INTEGER RtlLargeIntegerShiftLeft(_In_ LARGE_INTEGER LargeInteger, _In_ CCHAR ShiftCount)
{
    LARGE_INTEGER r;
    r.QuadPart = (LONGLONG)((ULONGLONG)LargeInteger.QuadPart << (ShiftCount & 63));
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtllargeintegershiftright
 * A logical shift: zeros come in at the top. */
FORCEINLINE LARGE_INTEGER RtlLargeIntegerShiftRight(_In_ LARGE_INTEGER LargeInteger, _In_ CCHAR ShiftCount)
{
    LARGE_INTEGER r;
    r.QuadPart = (LONGLONG)((ULONGLONG)LargeInteger.QuadPart >> (ShiftCount & 63));
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtllargeintegerarithmeticshift
 * An arithmetic right shift: the sign bit comes in at the top. */
FORCEINLINE LARGE_INTEGER RtlLargeIntegerArithmeticShift(_In_ LARGE_INTEGER LargeInteger, _In_ CCHAR ShiftCount)
{
    LARGE_INTEGER r;
    r.QuadPart = LargeInteger.QuadPart >> (ShiftCount & 63);
    return r;
}

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtllargeintegerdivide
 * (an <ntddk.h> routine, inline on x64): the signed quotient, truncated toward zero, and optionally
 * the remainder, which takes the dividend's sign. A zero divisor faults as the division does. */
FORCEINLINE LARGE_INTEGER RtlLargeIntegerDivide(_In_ LARGE_INTEGER Dividend, _In_ LARGE_INTEGER Divisor,
                                                _Out_opt_ PLARGE_INTEGER Remainder)
{
    LARGE_INTEGER q;
    q.QuadPart = Dividend.QuadPart / Divisor.QuadPart;
    if (Remainder) Remainder->QuadPart = Dividend.QuadPart % Divisor.QuadPart;
    return q;
}

/* The <wdm.h> macros over LARGE_INTEGER values (not pointers), each a signed 64-bit operation:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtllargeintegerand and the
 * comparison pages (RtlLargeIntegerEqualTo, ...GreaterThan, ...LessThanOrEqualToZero, ...). */
#define RtlLargeIntegerAnd(Result, Source, Mask) ((Result).QuadPart = (Source).QuadPart & (Mask).QuadPart)
#define RtlLargeIntegerEqualTo(X, Y) ((X).QuadPart == (Y).QuadPart)
#define RtlLargeIntegerNotEqualTo(X, Y) ((X).QuadPart != (Y).QuadPart)
#define RtlLargeIntegerGreaterThan(X, Y) ((X).QuadPart > (Y).QuadPart)
#define RtlLargeIntegerGreaterThanOrEqualTo(X, Y) ((X).QuadPart >= (Y).QuadPart)
#define RtlLargeIntegerLessThan(X, Y) ((X).QuadPart < (Y).QuadPart)
#define RtlLargeIntegerLessThanOrEqualTo(X, Y) ((X).QuadPart <= (Y).QuadPart)
#define RtlLargeIntegerEqualToZero(X) ((X).QuadPart == 0)
#define RtlLargeIntegerNotEqualToZero(X) ((X).QuadPart != 0)
#define RtlLargeIntegerGreaterThanZero(X) ((X).QuadPart > 0)
#define RtlLargeIntegerGreaterOrEqualToZero(X) ((X).QuadPart >= 0)
#define RtlLargeIntegerLessThanZero(X) ((X).QuadPart < 0)
#define RtlLargeIntegerLessOrEqualToZero(X) ((X).QuadPart <= 0)

#endif /* NTIO_DDK_RTL_LARGE_INTEGER_H */
