// Host CPU queries: which CPU the calling thread runs on, and how many the process may use.
#pragma once

namespace ntio::host {

unsigned current_cpu() noexcept;  // 0 if the host cannot tell
unsigned cpu_count() noexcept;    // at least 1
void cpu_relax() noexcept;        // spin-wait hint (pause)

}  // namespace ntio::host
