// Short (8.3) names: RtlGenerate8dot3Name, RtlIsNameLegalDOS8Dot3 and RtlIsValidOemCharacter.
// NT deviation: ntio's OEM code page holds U+0000..U+007F only (NT uses the system's OEM code page,
// often 437), so a character above U+007F has no OEM form: it makes a name illegal as an 8.3 name and
// becomes '_' in a generated one, whatever AllowExtendedCharacters says.
#include <ntifs.h>

namespace {

constexpr USHORT kMaxShortName = 12;  // 8 + '.' + 3
constexpr UCHAR kBasisLength = 6;     // the basis kept for "~N" tails, which take at least 2 of the 8
constexpr ULONG kLastIndex = 999999;  // about a million names per long name, as Learn says

// The upper-case OEM form of c, if it has one.
bool to_oem(WCHAR c, UCHAR* oem) {
    const WCHAR upper = RtlUpcaseUnicodeChar(c);
    if (upper > 0x7F) return false;
    *oem = static_cast<UCHAR>(upper);
    return true;
}

// What c contributes to a generated short name: nothing (0) for spaces and periods, '_' for the
// characters an 8.3 name cannot hold, else its upper-case form.
WCHAR short_name_char(WCHAR c, bool allow_extended) {
    if (c == L' ' || c == L'.') return 0;
    if (!allow_extended && c > 0x7F) return L'_';
    UCHAR oem;
    if (!to_oem(c, &oem)) return L'_';
    if (oem < 0x20) return L'_';
    switch (oem) {
    case ':': case ';': case ',': case '+': case '=': case '[': case ']':
    case '"': case '*': case '/': case '<': case '>': case '?': case '\\': case '|': return L'_';
    default: return oem;
    }
}

// A checksum of the long name, upper-cased, for the basis once the plain ~1..~4 are used up.
USHORT checksum(const WCHAR* name, USHORT length) {
    ULONG hash = 2166136261u;  // FNV-1a
    for (USHORT i = 0; i < length; ++i) {
        hash = (hash ^ RtlUpcaseUnicodeChar(name[i])) * 16777619u;
    }
    return static_cast<USHORT>(hash ^ (hash >> 16));
}

// Fills the context's basis name, extension and checksum from the long name.
void start(const WCHAR* name, USHORT length, bool allow_extended, PGENERATE_NAME_CONTEXT context) {
    context->Checksum = checksum(name, length);
    USHORT first = 0;
    while (first < length && name[first] == L'.') ++first;  // leading periods are skipped
    USHORT dot = length;
    for (USHORT i = first; i < length; ++i) {
        if (name[i] == L'.') dot = i;
    }
    context->NameLength = 0;
    for (USHORT i = first; i < dot && context->NameLength < kBasisLength; ++i) {
        const WCHAR c = short_name_char(name[i], allow_extended);
        if (c != 0) context->NameBuffer[context->NameLength++] = c;
    }
    context->ExtensionLength = 0;
    if (dot < length) {
        ULONG n = 1;
        for (USHORT i = static_cast<USHORT>(dot + 1); i < length && n < 4; ++i) {
            const WCHAR c = short_name_char(name[i], allow_extended);
            if (c != 0) context->ExtensionBuffer[n++] = c;
        }
        if (n > 1) {
            context->ExtensionBuffer[0] = L'.';
            context->ExtensionLength = n;
        }
    }
    // Nothing usable in the name: the checksum is the basis from the start.
    context->ChecksumInserted = context->NameLength == 0;
    context->LastIndexValue = 0;
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlisvalidoemcharacter
// Whether *Char, upper-cased, has an OEM form that converts back to it; *Char receives that
// upper-case character when it does.
BOOLEAN NTAPI RtlIsValidOemCharacter(PWCHAR Char) {
    UCHAR oem;
    if (!to_oem(*Char, &oem)) return FALSE;
    *Char = oem;
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlisnamelegaldos8dot3
// Converts Name to upper-case OEM (into OemName when given) and checks it with the FAT 8.3 rules of
// FsRtlIsFatDbcsLegal (no wildcards, no path); "." and ".." are legal too.
BOOLEAN NTAPI RtlIsNameLegalDOS8Dot3(PCUNICODE_STRING Name, POEM_STRING OemName, PBOOLEAN NameContainsSpaces) {
    const USHORT length = Name->Length / sizeof(WCHAR);
    if (length == 0 || length > kMaxShortName) return FALSE;
    CHAR local[kMaxShortName];
    OEM_STRING oem{0, kMaxShortName, local};
    POEM_STRING target = OemName ? OemName : &oem;
    if (target->MaximumLength < length) return FALSE;
    bool spaces = false;
    for (USHORT i = 0; i < length; ++i) {
        UCHAR c;
        if (!to_oem(Name->Buffer[i], &c)) return FALSE;
        spaces = spaces || c == ' ';
        target->Buffer[i] = static_cast<CHAR>(c);
    }
    target->Length = length;
    const bool dots = target->Buffer[0] == '.' && (length == 1 || (length == 2 && target->Buffer[1] == '.'));
    if (!dots && !FsRtlIsFatDbcsLegal(*target, FALSE, FALSE, FALSE)) return FALSE;
    if (NameContainsSpaces) *NameContainsSpaces = spaces ? TRUE : FALSE;
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlgenerate8dot3name
// Upper-cases the long name, drops spaces, periods but the last and leading periods, turns what an 8.3
// name cannot hold into '_', and takes up to 6 characters of basis and 3 of extension. Successive
// calls with the same context give BASIS~1 to BASIS~4, then two characters of the basis and 4 hex
// digits of a checksum of the long name, with ~1, ~2, ... (the basis shortened as the tail grows).
// Name8dot3's buffer must hold 12 characters (STATUS_BUFFER_TOO_SMALL rather than an overrun).
NTSTATUS NTAPI RtlGenerate8dot3Name(PCUNICODE_STRING Name, BOOLEAN AllowExtendedCharacters,
                                    PGENERATE_NAME_CONTEXT Context, PUNICODE_STRING Name8dot3) {
    if (Name8dot3->MaximumLength < kMaxShortName * sizeof(WCHAR)) return STATUS_BUFFER_TOO_SMALL;
    const bool fresh = Context->NameLength == 0 && Context->ExtensionLength == 0 && Context->LastIndexValue == 0 &&
                       !Context->ChecksumInserted;
    if (fresh) start(Name->Buffer, Name->Length / sizeof(WCHAR), AllowExtendedCharacters != FALSE, Context);
    if (Context->NameLength > kBasisLength || Context->ExtensionLength > 4) return STATUS_INVALID_PARAMETER;

    ++Context->LastIndexValue;
    if (!Context->ChecksumInserted && Context->LastIndexValue > 4) {
        Context->ChecksumInserted = TRUE;
        Context->LastIndexValue = 1;
    }
    if (Context->LastIndexValue > kLastIndex) return STATUS_FILE_SYSTEM_LIMITATION;

    WCHAR tail[8];
    USHORT tail_length = 0;
    for (ULONG v = Context->LastIndexValue; v != 0; v /= 10) tail[tail_length++] = static_cast<WCHAR>(L'0' + v % 10);
    tail[tail_length++] = L'~';

    WCHAR prefix[8];
    USHORT prefix_length = 0;
    if (Context->ChecksumInserted) {
        for (UCHAR i = 0; i < Context->NameLength && i < 2; ++i) prefix[prefix_length++] = Context->NameBuffer[i];
        for (int shift = 12; shift >= 0; shift -= 4) {
            prefix[prefix_length++] = static_cast<WCHAR>(L"0123456789ABCDEF"[(Context->Checksum >> shift) & 0xF]);
        }
    } else {
        for (UCHAR i = 0; i < Context->NameLength; ++i) prefix[prefix_length++] = Context->NameBuffer[i];
    }
    if (prefix_length > 8 - tail_length) prefix_length = static_cast<USHORT>(8 - tail_length);

    PWCHAR out = Name8dot3->Buffer;
    USHORT n = 0;
    for (USHORT i = 0; i < prefix_length; ++i) out[n++] = prefix[i];
    while (tail_length != 0) out[n++] = tail[--tail_length];
    for (ULONG i = 0; i < Context->ExtensionLength; ++i) out[n++] = Context->ExtensionBuffer[i];
    Name8dot3->Length = static_cast<USHORT>(n * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

}  // extern "C"
