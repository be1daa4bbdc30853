// FsRtlAreNamesEqual: whether two file names (no wildcards) are the same name, exactly or without
// regard to case. The comparison walks both names once and allocates nothing, so it never raises
// the STATUS_NO_MEMORY Microsoft Learn allows for a failed pool allocation.
#include <ntifs.h>

namespace {

WCHAR upcase(WCHAR c, PCWCH table) noexcept {
    return table ? table[static_cast<USHORT>(c)] : RtlUpcaseUnicodeChar(c);
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlarenamesequal
// PASSIVE_LEVEL. With IgnoreCase both names are upcased (UpcaseTable, indexed by the character,
// else the system's upcase rule) before they are compared; UpcaseTable is used only then. A guess
// where Learn is silent: a NULL name is equal to nothing (FALSE), where NT would fault.
NTKERNELAPI BOOLEAN NTAPI FsRtlAreNamesEqual(PCUNICODE_STRING ConstantNameA, PCUNICODE_STRING ConstantNameB,
                                             BOOLEAN IgnoreCase, PCWCH UpcaseTable) {
    if (!ConstantNameA || !ConstantNameB) return FALSE;
    if (ConstantNameA->Length != ConstantNameB->Length) return FALSE;
    const USHORT n = ConstantNameA->Length / sizeof(WCHAR);
    const WCHAR* a = ConstantNameA->Buffer;
    const WCHAR* b = ConstantNameB->Buffer;
    if (n != 0 && (!a || !b)) return FALSE;
    for (USHORT i = 0; i < n; ++i) {
        if (a[i] == b[i]) continue;
        if (!IgnoreCase || upcase(a[i], UpcaseTable) != upcase(b[i], UpcaseTable)) return FALSE;
    }
    return TRUE;
}

}  // extern "C"
