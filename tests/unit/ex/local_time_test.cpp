// Local time through the host's time zone, with the bias of the instant converted (daylight saving
// time in summer, standard time in winter), and random version 4 UUIDs.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exsystemtimetolocaltime
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exlocaltimetosystemtime
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-exuuidcreate
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include <wdm.h>

namespace local_time_test {

constexpr LONGLONG kHour = 36000000000LL;

// Sets TZ for one test and restores it after.
class ZoneGuard {
public:
    explicit ZoneGuard(const char* zone) {
        if (const char* old = std::getenv("TZ")) m_old = old;
        setenv("TZ", zone, 1);
        tzset();
    }
    ~ZoneGuard() {
        if (m_old) setenv("TZ", m_old->c_str(), 1);
        else unsetenv("TZ");
        tzset();
    }

private:
    std::optional<std::string> m_old;
};

LONGLONG utc(CSHORT year, CSHORT month, CSHORT day, CSHORT hour) {
    TIME_FIELDS f{year, month, day, hour, 0, 0, 0, 0};
    LARGE_INTEGER t;
    EXPECT_TRUE(RtlTimeFieldsToTime(&f, &t));
    return t.QuadPart;
}

TEST(ExLocalTimeTest, the_bias_is_the_one_in_force_at_that_instant) {
    ZoneGuard zone("EST5EDT,M3.2.0,M11.1.0");
    LARGE_INTEGER system, local, back;
    system.QuadPart = utc(2024, 1, 15, 12);
    ExSystemTimeToLocalTime(&system, &local);
    EXPECT_EQ(local.QuadPart, system.QuadPart - 5 * kHour);
    ExLocalTimeToSystemTime(&local, &back);
    EXPECT_EQ(back.QuadPart, system.QuadPart);

    system.QuadPart = utc(2024, 7, 15, 12) + 1234567;  // with a fraction of a second
    ExSystemTimeToLocalTime(&system, &local);
    EXPECT_EQ(local.QuadPart, system.QuadPart - 4 * kHour);
    ExLocalTimeToSystemTime(&local, &back);
    EXPECT_EQ(back.QuadPart, system.QuadPart);
}

TEST(ExLocalTimeTest, utc_has_no_bias_and_zones_east_are_ahead) {
    {
        ZoneGuard zone("UTC0");
        LARGE_INTEGER system, local;
        system.QuadPart = utc(2024, 7, 15, 12);
        ExSystemTimeToLocalTime(&system, &local);
        EXPECT_EQ(local.QuadPart, system.QuadPart);
    }
    ZoneGuard zone("JST-9");
    LARGE_INTEGER system, local, back;
    system.QuadPart = utc(2024, 7, 15, 20);
    ExSystemTimeToLocalTime(&system, &local);
    TIME_FIELDS f;
    RtlTimeToTimeFields(&local, &f);
    EXPECT_EQ(f.Day, 16);
    EXPECT_EQ(f.Hour, 5);
    ExLocalTimeToSystemTime(&local, &back);
    EXPECT_EQ(back.QuadPart, system.QuadPart);
}

TEST(ExUuidCreateTest, uuids_are_random_version_4) {
    std::set<std::tuple<ULONG, USHORT, USHORT, ULONGLONG>> seen;
    for (int i = 0; i < 1000; ++i) {
        UUID id;
        ASSERT_EQ(ExUuidCreate(&id), STATUS_SUCCESS);
        EXPECT_EQ(id.Data3 >> 12, 4);
        EXPECT_EQ(id.Data4[0] & 0xC0, 0x80);
        ULONGLONG tail;
        __builtin_memcpy(&tail, id.Data4, sizeof(tail));
        seen.emplace(id.Data1, id.Data2, id.Data3, tail);
    }
    EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace local_time_test
