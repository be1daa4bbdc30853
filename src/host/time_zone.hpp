// The host's time-zone rules for one year, read through the C library (TZ, else /etc/localtime):
// the standard and daylight offsets and names, and when daylight saving time begins and ends.
#pragma once

#include <cstdint>
#include <string>

namespace ntio::host {

struct TimeZoneYear {
    long standard_offset = 0;  // seconds east of UTC
    long daylight_offset = 0;  // seconds east of UTC while daylight saving time is in force
    std::string standard_name;
    std::string daylight_name;
    bool has_daylight = false;        // the clocks change in this year
    std::int64_t daylight_start = 0;  // first second (Unix time) of daylight time
    std::int64_t standard_start = 0;  // first second (Unix time) back in standard time
};

// The rules in force in `year`; false when the C library cannot tell.
bool time_zone_year(int year, TimeZoneYear& out);

// Now: 1 when daylight saving time is in force, 0 when not, -1 when the host cannot tell.
int daylight_in_force_now();

// The zone's name as the host keeps it ("Europe/Paris"): TZ without its leading ':', else what
// /etc/localtime links to under zoneinfo/; empty when there is none.
std::string time_zone_key_name();

}  // namespace ntio::host
