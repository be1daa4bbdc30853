// MmGetSystemRoutineAddress: drivers probe for optional routines by name. The answer comes from
// libntio's own dynamic symbol table, so every routine the library exports is found without a list
// to keep in step; symbols of the libraries libntio depends on (libc) and C++ names are not.
#include <wdm.h>

#include "host/image.hpp"

namespace ntio::mm {
namespace {

constexpr USHORT kMaxNameChars = 255;

// A plain C identifier, and not a C++ mangled name (which are reserved "_Z" identifiers).
bool c_identifier(PCUNICODE_STRING name, char* out) {
    const USHORT chars = name->Length / sizeof(WCHAR);
    if (chars == 0 || chars > kMaxNameChars || !name->Buffer) return false;
    for (USHORT i = 0; i < chars; ++i) {
        const WCHAR c = name->Buffer[i];
        const bool letter = (c >= L'A' && c <= L'Z') || (c >= L'a' && c <= L'z') || c == L'_';
        const bool digit = c >= L'0' && c <= L'9';
        if (!letter && !(digit && i > 0)) return false;
        out[i] = static_cast<char>(c);
    }
    out[chars] = '\0';
    return !(out[0] == '_' && out[1] == 'Z');
}

}  // namespace
}  // namespace ntio::mm

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmgetsystemroutineaddress
// PASSIVE_LEVEL. NULL for a name libntio does not export. A variable resolves to the copy every
// image uses (an executable's copy relocation moves it out of the library).
NTKERNELAPI PVOID NTAPI MmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName) {
    if (!SystemRoutineName) return nullptr;
    char name[ntio::mm::kMaxNameChars + 1];
    if (!ntio::mm::c_identifier(SystemRoutineName, name)) return nullptr;
    return ntio::host::libntio_export(name);
}

}  // extern "C"
