// Checksums, GUID strings, string hashes, byte order and stack back traces (rtl_data.h).
#include <array>
#include <cstdint>

#include <wdm.h>

#include "host/image.hpp"
#include "rtl/string_pool.hpp"

namespace {

// CRC-32 as IEEE 802.3 and zlib compute it (reflected polynomial 0xEDB88320), one table lookup per
// byte; the table is built at compile time.
constexpr std::array<ULONG, 256> make_crc_table() {
    std::array<ULONG, 256> table{};
    for (ULONG i = 0; i < 256; ++i) {
        ULONG value = i;
        for (int bit = 0; bit < 8; ++bit) value = (value & 1) ? (value >> 1) ^ 0xEDB88320u : value >> 1;
        table[i] = value;
    }
    return table;
}
constexpr std::array<ULONG, 256> kCrcTable = make_crc_table();

constexpr USHORT kGuidChars = 38;  // {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}

int hex_value(WCHAR c) noexcept {
    if (c >= L'0' && c <= L'9') return c - L'0';
    if (c >= L'a' && c <= L'f') return c - L'a' + 10;
    if (c >= L'A' && c <= L'F') return c - L'A' + 10;
    return -1;
}

// `digits` hex digits at text[at], into *value; false if any is not one.
bool parse_hex(const WCHAR* text, int at, int digits, std::uint64_t* value) noexcept {
    std::uint64_t result = 0;
    for (int i = 0; i < digits; ++i) {
        const int digit = hex_value(text[at + i]);
        if (digit < 0) return false;
        result = result << 4 | static_cast<unsigned>(digit);
    }
    *value = result;
    return true;
}

void put_hex(WCHAR* text, int at, int digits, std::uint64_t value) noexcept {
    static const char kDigits[] = "0123456789ABCDEF";
    for (int i = digits - 1; i >= 0; --i, value >>= 4) text[at + i] = static_cast<WCHAR>(kDigits[value & 0xF]);
}

// Where each of the GUID's 16 bytes (Data1..Data4 in order, as numbers) sits in its string form:
// the start of its digits and how many digits the field has.
struct GuidField {
    int at;
    int digits;
};
constexpr GuidField kGuidFields[] = {{1, 8}, {10, 4}, {15, 4}, {20, 2}, {22, 2}, {25, 2}, {27, 2},
                                     {29, 2}, {31, 2}, {33, 2}, {35, 2}};
constexpr int kGuidDashes[] = {9, 14, 19, 24};

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlcomputecrc32
// PartialCrc is the result of the previous call (0 to start), so a buffer may be checked in pieces.
NTSYSAPI ULONG NTAPI RtlComputeCrc32(ULONG PartialCrc, PCVOID Buffer, ULONG Length) {
    const auto* bytes = static_cast<const UCHAR*>(Buffer);
    ULONG crc = ~PartialCrc;
    for (ULONG i = 0; i < Length; ++i) crc = kCrcTable[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlguidfromstring
// Only the braced registry form, in either case; anything else is STATUS_INVALID_PARAMETER.
NTSYSAPI NTSTATUS NTAPI RtlGUIDFromString(PCUNICODE_STRING GuidString, GUID* Guid) {
    if (!GuidString || !Guid || !GuidString->Buffer || GuidString->Length != kGuidChars * sizeof(WCHAR))
        return STATUS_INVALID_PARAMETER;
    const WCHAR* text = GuidString->Buffer;
    if (text[0] != L'{' || text[kGuidChars - 1] != L'}') return STATUS_INVALID_PARAMETER;
    for (int dash : kGuidDashes)
        if (text[dash] != L'-') return STATUS_INVALID_PARAMETER;
    std::uint64_t values[11];
    for (int i = 0; i < 11; ++i)
        if (!parse_hex(text, kGuidFields[i].at, kGuidFields[i].digits, &values[i])) return STATUS_INVALID_PARAMETER;
    Guid->Data1 = static_cast<ULONG>(values[0]);
    Guid->Data2 = static_cast<USHORT>(values[1]);
    Guid->Data3 = static_cast<USHORT>(values[2]);
    for (int i = 0; i < 8; ++i) Guid->Data4[i] = static_cast<UCHAR>(values[3 + i]);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlstringfromguid
// Upper-case digits in braces, NUL-terminated; the caller frees the buffer with RtlFreeUnicodeString.
NTSYSAPI NTSTATUS NTAPI RtlStringFromGUID(REFGUID Guid, PUNICODE_STRING GuidString) {
    const GUID& guid = Guid;
    if (!GuidString) return STATUS_INVALID_PARAMETER;
    auto* text = static_cast<WCHAR*>(ntio::rtl::string_alloc((kGuidChars + 1) * sizeof(WCHAR)));
    if (!text) return STATUS_NO_MEMORY;
    text[0] = L'{';
    for (int dash : kGuidDashes) text[dash] = L'-';
    text[kGuidChars - 1] = L'}';
    text[kGuidChars] = 0;
    const std::uint64_t values[11] = {guid.Data1,    guid.Data2,    guid.Data3,    guid.Data4[0],
                                      guid.Data4[1], guid.Data4[2], guid.Data4[3], guid.Data4[4],
                                      guid.Data4[5], guid.Data4[6], guid.Data4[7]};
    for (int i = 0; i < 11; ++i) put_hex(text, kGuidFields[i].at, kGuidFields[i].digits, values[i]);
    GuidString->Buffer = text;
    GuidString->Length = kGuidChars * sizeof(WCHAR);
    GuidString->MaximumLength = (kGuidChars + 1) * sizeof(WCHAR);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlhashunicodestring
// x65599 (the default): hash = hash * 65599 + character, over the string's characters, upper-cased
// first when CaseInSensitive.
NTSYSAPI NTSTATUS NTAPI RtlHashUnicodeString(PCUNICODE_STRING String, BOOLEAN CaseInSensitive, ULONG HashAlgorithm,
                                             PULONG HashValue) {
    if (!String || !HashValue) return STATUS_INVALID_PARAMETER;
    if (HashAlgorithm != HASH_STRING_ALGORITHM_DEFAULT && HashAlgorithm != HASH_STRING_ALGORITHM_X65599)
        return STATUS_INVALID_PARAMETER;
    ULONG hash = 0;
    const ULONG count = String->Length / sizeof(WCHAR);
    for (ULONG i = 0; i < count; ++i) {
        const WCHAR c = CaseInSensitive ? RtlUpcaseUnicodeChar(String->Buffer[i]) : String->Buffer[i];
        hash = hash * 65599u + c;
    }
    *HashValue = hash;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlushortbyteswap (and the
// ULONG and ULONGLONG forms).
NTSYSAPI USHORT FASTCALL RtlUshortByteSwap(USHORT Source) { return __builtin_bswap16(Source); }
NTSYSAPI ULONG FASTCALL RtlUlongByteSwap(ULONG Source) { return __builtin_bswap32(Source); }
NTSYSAPI ULONGLONG FASTCALL RtlUlonglongByteSwap(ULONGLONG Source) { return __builtin_bswap64(Source); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlcapturestackbacktrace
// The return addresses on the stack, innermost first: with FramesToSkip 0, BackTrace[0] is the
// address in the caller that this call returns to.
// BackTraceHash: the sum of the captured addresses (Learn: a value computed from them, for hash
// tables). Frames are found with the host's unwinder, so every frame needs unwind information (C
// and C++ code has it by default).
[[gnu::noinline]] NTSYSAPI USHORT NTAPI RtlCaptureStackBackTrace(ULONG FramesToSkip, ULONG FramesToCapture,
                                                                 PVOID* BackTrace, PULONG BackTraceHash) {
    if (!BackTrace || FramesToCapture == 0) return 0;
    const ULONG wanted = FramesToCapture < 0xFFFF ? FramesToCapture : 0xFFFF;
    const auto captured = static_cast<ULONG>(ntio::host::stack_return_addresses(BackTrace, wanted, FramesToSkip));
    ULONG hash = 0;
    for (ULONG i = 0; i < captured; ++i) hash += static_cast<ULONG>(reinterpret_cast<ULONG_PTR>(BackTrace[i]));
    if (BackTraceHash) *BackTraceHash = hash;
    return static_cast<USHORT>(captured);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlwalkframechain (the
// kernel-mode stack; a user-mode walk, Flags 1, finds none: ntio's threads have one stack)
[[gnu::noinline]] NTSYSAPI ULONG NTAPI RtlWalkFrameChain(PVOID* Callers, ULONG Count, ULONG Flags) {
    if (!Callers || Count == 0 || (Flags & 1)) return 0;
    const ULONG captured = RtlCaptureStackBackTrace(1, Count, Callers, nullptr);  // 1: this routine
    asm volatile("" ::: "memory");  // not a tail call: the frame skipped must be this one
    return captured;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlgetcallersaddress
// The address in the caller's caller where it called the caller, and the next one up; NULL where
// the stack has no such frame.
[[gnu::noinline]] NTSYSAPI VOID NTAPI RtlGetCallersAddress(PVOID* CallersAddress, PVOID* CallersCaller) {
    PVOID frames[2] = {nullptr, nullptr};
    // Skipped: the return into this routine and the one into its caller; then the caller's caller.
    RtlCaptureStackBackTrace(2, 2, frames, nullptr);
    if (CallersAddress) *CallersAddress = frames[0];
    if (CallersCaller) *CallersCaller = frames[1];
}

}  // extern "C"
