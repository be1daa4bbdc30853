// FsRtlDissectName: splits a path into its first component and the rest, both pointing into the
// caller's buffer.
#include <ntifs.h>

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtldissectname
// One leading backslash is skipped; the first name runs to the next backslash, and the rest starts
// after it (so "A\\\\B" leaves "\\B"). No character is checked.
NTKERNELAPI VOID NTAPI FsRtlDissectName(UNICODE_STRING Path, PUNICODE_STRING FirstName, PUNICODE_STRING RemainingName) {
    const USHORT count = Path.Length / sizeof(WCHAR);
    FirstName->Length = FirstName->MaximumLength = 0;
    FirstName->Buffer = nullptr;
    RemainingName->Length = RemainingName->MaximumLength = 0;
    RemainingName->Buffer = nullptr;
    if (count == 0) return;
    USHORT start = Path.Buffer[0] == L'\\' ? 1 : 0;
    USHORT end = start;
    while (end < count && Path.Buffer[end] != L'\\') ++end;
    FirstName->Buffer = Path.Buffer + start;
    FirstName->Length = FirstName->MaximumLength = static_cast<USHORT>((end - start) * sizeof(WCHAR));
    if (end + 1 < count) {
        RemainingName->Buffer = Path.Buffer + end + 1;
        RemainingName->Length = RemainingName->MaximumLength = static_cast<USHORT>((count - end - 1) * sizeof(WCHAR));
    }
}

}  // extern "C"
