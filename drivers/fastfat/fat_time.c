/* FAT dates and times (fatgen103, "Date and Time Formats": local time, years 1980-2107, 2-second
 * resolution, creation time refined by tenths in 10 ms units) to and from NT system time (100 ns
 * units since 1601-01-01 UTC), through the volume's time-zone bias. */
#include "fat_internal.h"

#define TICKS_PER_SECOND 10000000LL
#define TICKS_PER_DAY (86400LL * TICKS_PER_SECOND)

static BOOLEAN IsLeap(ULONG Year) { return (Year % 4 == 0 && Year % 100 != 0) || Year % 400 == 0; }

static ULONG DaysInMonth(ULONG Year, ULONG Month) {
    static const UCHAR kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return Month == 2 && IsLeap(Year) ? 29 : kDays[Month - 1];
}

/* Days from 1601-01-01 to 1980-01-01: 379 years, 91 of them leap (1700, 1800 and 1900 are not). */
#define DAYS_1601_TO_1980 (379LL * 365 + 91)

static LONGLONG DaysSince1980(ULONG Year, ULONG Month, ULONG Day) {
    LONGLONG days = 0;
    for (ULONG y = 1980; y < Year; ++y) days += IsLeap(y) ? 366 : 365;
    for (ULONG m = 1; m < Month; ++m) days += DaysInMonth(Year, m);
    return days + Day - 1;
}

LARGE_INTEGER FatTimeToNtTime(const FAT_VOLUME *Volume, USHORT Date, USHORT Time, UCHAR Tenths) {
    LARGE_INTEGER result;
    result.QuadPart = 0;
    ULONG day = Date & 0x1F, month = (Date >> 5) & 0x0F, year = 1980 + (Date >> 9);
    ULONG seconds = (Time & 0x1F) * 2u, minutes = (Time >> 5) & 0x3F, hours = Time >> 11;
    if (Date == 0 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return result;
    if (hours > 23 || minutes > 59 || seconds > 59 || Tenths > 199) return result;
    LONGLONG local = (DAYS_1601_TO_1980 + DaysSince1980(year, month, day)) * TICKS_PER_DAY +
                     ((LONGLONG)hours * 3600 + minutes * 60 + seconds) * TICKS_PER_SECOND +
                     (LONGLONG)Tenths * (TICKS_PER_SECOND / 100);
    /* local = system - bias, as ExSystemTimeToLocalTime. */
    result.QuadPart = local + (Volume ? Volume->TimeZoneBias : 0);
    return result;
}

VOID FatNtTimeToFatTime(const FAT_VOLUME *Volume, LARGE_INTEGER NtTime, PUSHORT Date, PUSHORT Time, PUCHAR Tenths) {
    LONGLONG local = NtTime.QuadPart - (Volume ? Volume->TimeZoneBias : 0);
    LONGLONG first = DAYS_1601_TO_1980 * TICKS_PER_DAY;
    if (local < first) {
        *Date = (USHORT)((1 << 5) | 1); /* 1980-01-01 00:00:00 */
        *Time = 0;
        if (Tenths) *Tenths = 0;
        return;
    }
    LONGLONG since = local - first;
    LONGLONG days = since / TICKS_PER_DAY;
    LONGLONG rest = since % TICKS_PER_DAY;
    ULONG year = 1980;
    for (;;) {
        ULONG length = IsLeap(year) ? 366 : 365;
        if (days < length) break;
        days -= length;
        if (++year > 2107) {
            *Date = (USHORT)((127 << 9) | (12 << 5) | 31);
            *Time = (USHORT)((23 << 11) | (59 << 5) | 29);
            if (Tenths) *Tenths = 199;
            return;
        }
    }
    ULONG month = 1;
    while (days >= DaysInMonth(year, month)) days -= DaysInMonth(year, month++);
    ULONG total_seconds = (ULONG)(rest / TICKS_PER_SECOND);
    ULONG hundredths = (ULONG)((rest % TICKS_PER_SECOND) / (TICKS_PER_SECOND / 100));
    *Date = (USHORT)(((year - 1980) << 9) | (month << 5) | (ULONG)(days + 1));
    /* Seconds are stored halved; the odd second and the hundredths go to the tenths field. */
    *Time = (USHORT)(((total_seconds / 3600) << 11) | (((total_seconds / 60) % 60) << 5) | ((total_seconds % 60) / 2));
    if (Tenths) *Tenths = (UCHAR)((total_seconds % 2) * 100 + hundredths);
}

LARGE_INTEGER FatCurrentTime(VOID) {
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    return now;
}
