// MmGetSystemRoutineAddress: drivers probe for optional routines by name. The answer comes from
// libntio's own dynamic symbol table, so every routine the library exports is found without a list
// to keep in step; symbols of the libraries libntio depends on (libc) and C++ names are not.
#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <wdm.h>

namespace ntio::mm {
namespace {

struct OwnImage {
    void* handle = nullptr;
    void* base = nullptr;
};

// libntio's handle and load address, found through one of its own routines.
const OwnImage& own_image() {
    static const OwnImage image = [] {
        OwnImage img;
        Dl_info info{};
        if (dladdr(reinterpret_cast<void*>(&MmGetSystemRoutineAddress), &info) && info.dli_fname) {
            img.base = info.dli_fbase;
            img.handle = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
        }
        return img;
    }();
    return image;
}

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
    const ntio::mm::OwnImage& self = ntio::mm::own_image();
    if (!self.handle) return nullptr;
    void* address = dlsym(self.handle, name);
    if (!address) return nullptr;
    Dl_info info{};
    void* entry = nullptr;
    if (!dladdr1(address, &info, &entry, RTLD_DL_SYMENT)) return nullptr;
    const auto* symbol = static_cast<const ElfW(Sym)*>(entry);
    if (info.dli_fbase != self.base || !symbol) return nullptr;  // found in a library libntio uses
    if (ELF64_ST_TYPE(symbol->st_info) == STT_OBJECT) {
        void* canonical = dlsym(RTLD_DEFAULT, name);
        return canonical ? canonical : address;
    }
    return address;
}

}  // extern "C"
