// FsRtlDissectName and FsRtlDissectDbcs: split a path into its first component and the rest, both
// pointing into the caller's buffer. The ANSI code page is UTF-8 here, which has no DBCS lead bytes,
// so a backslash byte always separates.
#include <ntifs.h>

#include <type_traits>

namespace {

// The split over a counted string of any width (UNICODE_STRING, ANSI_STRING).
template <class String>
void dissect(const String& path, String* first, String* remaining) {
    using Char = std::remove_pointer_t<decltype(path.Buffer)>;
    const USHORT count = path.Length / sizeof(Char);
    first->Length = first->MaximumLength = 0;
    first->Buffer = nullptr;
    remaining->Length = remaining->MaximumLength = 0;
    remaining->Buffer = nullptr;
    if (count == 0) return;
    USHORT start = path.Buffer[0] == Char('\\') ? 1 : 0;
    USHORT end = start;
    while (end < count && path.Buffer[end] != Char('\\')) ++end;
    first->Buffer = path.Buffer + start;
    first->Length = first->MaximumLength = static_cast<USHORT>((end - start) * sizeof(Char));
    if (end + 1 < count) {
        remaining->Buffer = path.Buffer + end + 1;
        remaining->Length = remaining->MaximumLength = static_cast<USHORT>((count - end - 1) * sizeof(Char));
    }
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtldissectname
// One leading backslash is skipped; the first name runs to the next backslash, and the rest starts
// after it (so "A\\\\B" leaves "\\B"). No character is checked.
NTKERNELAPI VOID NTAPI FsRtlDissectName(UNICODE_STRING Path, PUNICODE_STRING FirstName, PUNICODE_STRING RemainingName) {
    dissect(Path, FirstName, RemainingName);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtldissectdbcs
// The same split as FsRtlDissectName, over bytes.
NTKERNELAPI VOID NTAPI FsRtlDissectDbcs(ANSI_STRING Path, PANSI_STRING FirstName, PANSI_STRING RemainingName) {
    dissect(Path, FirstName, RemainingName);
}

}  // extern "C"
