// The variable-size answers of NtQuerySystemInformation (system_lists.cpp), each built whole in a
// kernel buffer: the caller's length is compared with its size only once it exists.
#pragma once

#include <vector>

#include <wdm.h>

namespace ntio { class System; }

namespace ntio::nt {

// SystemProcessInformation: every process with its threads; the UNICODE_STRING image names point
// into the answer as it will sit at `destination` (the caller's buffer).
std::vector<unsigned char> process_list(System& system, PVOID destination);
// SystemModuleInformation: RTL_PROCESS_MODULES, the kernel first.
std::vector<unsigned char> module_list(System& system);
// SystemHandleInformation (extended false) and SystemExtendedHandleInformation.
std::vector<unsigned char> handle_list(System& system, bool extended);
// SystemProcessorPerformanceInformation: one entry per active processor; empty when the host
// cannot tell.
std::vector<unsigned char> processor_performance_list();

}  // namespace ntio::nt
