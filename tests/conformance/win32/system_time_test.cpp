// kernel32's time functions: SYSTEMTIME and FILETIME agree with each other and with the clock,
// the conversions reject what their pages say they reject, local and system time differ by one
// bias both ways, and the performance counter moves forward at its frequency.
#include "win32_test_support.hpp"

namespace ntio::test {
namespace {

ULONGLONG as_u64(const FILETIME& ft) { return (ULONGLONG{ft.dwHighDateTime} << 32) | ft.dwLowDateTime; }
FILETIME from_u64(ULONGLONG value) {
    FILETIME ft;
    ft.dwLowDateTime = static_cast<DWORD>(value);
    ft.dwHighDateTime = static_cast<DWORD>(value >> 32);
    return ft;
}

TEST_F(Win32Test, system_time_and_file_time_convert_both_ways) {
    // 2024-02-29 13:45:30.250 UTC, a Thursday.
    SYSTEMTIME st{};
    st.wYear = 2024;
    st.wMonth = 2;
    st.wDay = 29;
    st.wHour = 13;
    st.wMinute = 45;
    st.wSecond = 30;
    st.wMilliseconds = 250;
    st.wDayOfWeek = 6;  // ignored
    FILETIME ft{};
    ASSERT_TRUE(SystemTimeToFileTime(&st, &ft)) << GetLastError();
    // Days from 1601-01-01 to 2024-02-29: 154,556; then the time of day.
    const ULONGLONG expected = (154556ULL * 86400 + 13 * 3600 + 45 * 60 + 30) * 10000000ULL + 250 * 10000ULL;
    EXPECT_EQ(as_u64(ft), expected);
    SYSTEMTIME back{};
    ASSERT_TRUE(FileTimeToSystemTime(&ft, &back));
    EXPECT_EQ(back.wYear, 2024);
    EXPECT_EQ(back.wMonth, 2);
    EXPECT_EQ(back.wDay, 29);
    EXPECT_EQ(back.wDayOfWeek, 4);
    EXPECT_EQ(back.wHour, 13);
    EXPECT_EQ(back.wMinute, 45);
    EXPECT_EQ(back.wSecond, 30);
    EXPECT_EQ(back.wMilliseconds, 250);

    // Out of range: no February 30th, no 24th hour, nothing before 1601.
    SYSTEMTIME bad = st;
    bad.wDay = 30;
    EXPECT_FALSE(SystemTimeToFileTime(&bad, &ft));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    bad = st;
    bad.wHour = 24;
    EXPECT_FALSE(SystemTimeToFileTime(&bad, &ft));
    bad = st;
    bad.wYear = 1600;
    EXPECT_FALSE(SystemTimeToFileTime(&bad, &ft));
    bad = st;
    bad.wMonth = 13;
    EXPECT_FALSE(SystemTimeToFileTime(&bad, &ft));
    // "This value must be less than 0x8000000000000000."
    const FILETIME too_big = from_u64(0x8000000000000000ULL);
    EXPECT_FALSE(FileTimeToSystemTime(&too_big, &back));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(FileTimeToSystemTime(nullptr, &back));
    EXPECT_FALSE(SystemTimeToFileTime(&st, nullptr));
}

TEST_F(Win32Test, the_clock_reads_the_same_through_every_form) {
    FILETIME before{}, precise{}, after{};
    GetSystemTimeAsFileTime(&before);
    SYSTEMTIME now{};
    GetSystemTime(&now);
    GetSystemTimePreciseAsFileTime(&precise);
    GetSystemTimeAsFileTime(&after);
    EXPECT_GT(as_u64(before), 0x01D0000000000000ULL);  // after 2015
    EXPECT_LE(as_u64(before), as_u64(after));
    EXPECT_LE(as_u64(before), as_u64(precise));
    FILETIME from_now{};
    ASSERT_TRUE(SystemTimeToFileTime(&now, &from_now));
    // SYSTEMTIME keeps milliseconds: the reading lies between the two FILETIME readings, cut to them.
    EXPECT_GE(as_u64(from_now) + 10000, as_u64(before));
    EXPECT_LE(as_u64(from_now), as_u64(after));

    // Local time: the system time moved by the bias, the same both ways.
    FILETIME local{}, round_trip{};
    ASSERT_TRUE(FileTimeToLocalFileTime(&before, &local));
    ASSERT_TRUE(LocalFileTimeToFileTime(&local, &round_trip));
    EXPECT_EQ(as_u64(round_trip), as_u64(before));
    SYSTEMTIME local_now{};
    GetLocalTime(&local_now);
    FILETIME local_from_now{};
    ASSERT_TRUE(SystemTimeToFileTime(&local_now, &local_from_now));
    const LONGLONG bias = static_cast<LONGLONG>(as_u64(local) - as_u64(before));
    const LONGLONG local_bias = static_cast<LONGLONG>(as_u64(local_from_now) - as_u64(from_now));
    // The two readings are milliseconds apart at most; a bias is whole minutes.
    EXPECT_LT(local_bias - bias < 0 ? bias - local_bias : local_bias - bias, 600000000LL);

    EXPECT_EQ(CompareFileTime(&before, &after), as_u64(before) < as_u64(after) ? -1 : 0);
    EXPECT_EQ(CompareFileTime(&after, &before), as_u64(before) < as_u64(after) ? 1 : 0);
    EXPECT_EQ(CompareFileTime(&before, &before), 0);
    const FILETIME high = from_u64(0x8000000000000000ULL);
    EXPECT_EQ(CompareFileTime(&high, &before), 1);  // unsigned
}

TEST_F(Win32Test, the_performance_counter_runs_forward_at_its_frequency) {
    LARGE_INTEGER frequency{}, first{}, second{};
    ASSERT_TRUE(QueryPerformanceFrequency(&frequency));
    EXPECT_GT(frequency.QuadPart, 0);
    ASSERT_TRUE(QueryPerformanceCounter(&first));
    const ULONGLONG ticks_before = GetTickCount64();
    Sleep(20);
    ASSERT_TRUE(QueryPerformanceCounter(&second));
    const ULONGLONG ticks_after = GetTickCount64();
    EXPECT_GT(second.QuadPart, first.QuadPart);
    // At least the 20 ms slept, and no more than the tick count saw pass plus a tick.
    const double seconds = static_cast<double>(second.QuadPart - first.QuadPart) / static_cast<double>(frequency.QuadPart);
    EXPECT_GE(seconds, 0.019);
    EXPECT_LE(seconds, static_cast<double>(ticks_after - ticks_before + 20) / 1000.0);
    EXPECT_FALSE(QueryPerformanceCounter(nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_NOACCESS));
}

}  // namespace
}  // namespace ntio::test
