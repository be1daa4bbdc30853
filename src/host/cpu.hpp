// Host CPU queries: which CPU the calling thread runs on, and how many the process may use.
#pragma once

namespace ntio::host {

unsigned current_cpu() noexcept;  // 0 if the host cannot tell
unsigned cpu_count() noexcept;    // at least 1
void cpu_relax() noexcept;        // spin-wait hint (pause)
// Step `step` (0, 1, ...) of a spin-wait: a pause for the first `pauses` steps, then the CPU given
// up, so that a preempted thread the spinner waits for gets it back (two vCPUs shared with other
// work).
void spin_step(unsigned step, unsigned pauses = 128) noexcept;

}  // namespace ntio::host
