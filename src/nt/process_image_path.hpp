// The image file path NtQueryInformationProcess reports for a process (ProcessImageFileName and
// ProcessImageFileNameWin32).
#pragma once

#include <string>

#include "ob/process.hpp"

namespace ntio::nt {

// NT deviation: ntio's processes all run in the host process, so every one but the System process
// reports the host program, named through C:\ (the host's root, as GetModuleFileName and the loaded
// module list name host images): "C:\usr\bin\app" in the Win32 form, "\??\C:\usr\bin\app" in the NT
// form, where Windows gives the volume's device path. The System process has no image file: empty.
std::u16string process_image_path(PEPROCESS process, bool win32_form);

}  // namespace ntio::nt
