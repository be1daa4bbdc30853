// NtDisplayString / ZwDisplayString: a string for the boot display. NT checks SeTcbPrivilege
// against the previous mode, then probes and captures the UNICODE_STRING. ntio has no boot screen;
// the string goes to the debug output (stderr, where DbgPrint writes) as UTF-8, whole and unchanged
// (listed in docs/nt-deviations.md).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-zwdisplaystring (prototype)
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include <string>

#include "host/output.hpp"
#include "nt/previous_mode.hpp"
#include "nt/user_memory.hpp"
#include "rtl/utf.hpp"

using namespace ntio;
using namespace ntio::nt;

extern "C" {

NTSTATUS NTAPI NtDisplayString(PUNICODE_STRING String) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (mode != KernelMode && !SeSinglePrivilegeCheck(RtlConvertLongToLuid(SE_TCB_PRIVILEGE), mode))
        return STATUS_PRIVILEGE_NOT_HELD;
    if (!String && mode == KernelMode) return STATUS_INVALID_PARAMETER;
    std::u16string text;
    const NTSTATUS status = capture_string(mode, String, text);
    if (!NT_SUCCESS(status)) return status;
    std::string utf8(rtl::utf8_size(text.data(), text.size()), '\0');
    rtl::utf16_to_utf8(text.data(), text.size(), utf8.data(), utf8.size());
    (void)host::write_all(host::kStandardError, utf8.data(), utf8.size());
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ZwDisplayString(PUNICODE_STRING String) {
    KernelModeCall kernel;
    return NtDisplayString(String);
}

}  // extern "C"
