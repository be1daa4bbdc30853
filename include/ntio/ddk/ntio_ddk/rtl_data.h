/* <wdm.h> piece for the rtl component: checksums, GUID strings, string hashes, byte order and stack
 * back traces. Exact WDK spellings; compiles alone after basetypes.h, sal.h, ntstatus.h and rtl.h in
 * C11 and C++20. */
#ifndef NTIO_DDK_RTL_DATA_H
#define NTIO_DDK_RTL_DATA_H
#include "basetypes.h"
#include "rtl.h"

#define HASH_STRING_ALGORITHM_DEFAULT 0
#define HASH_STRING_ALGORITHM_X65599 1
#define HASH_STRING_ALGORITHM_INVALID 0xffffffff

NTIO_BEGIN_DECLS

NTSYSAPI ULONG NTAPI RtlComputeCrc32(ULONG PartialCrc, PCVOID Buffer, ULONG Length);
NTSYSAPI NTSTATUS NTAPI RtlGUIDFromString(PCUNICODE_STRING GuidString, GUID *Guid);
NTSYSAPI NTSTATUS NTAPI RtlStringFromGUID(REFGUID Guid, PUNICODE_STRING GuidString);
NTSYSAPI NTSTATUS NTAPI RtlHashUnicodeString(PCUNICODE_STRING String, BOOLEAN CaseInSensitive, ULONG HashAlgorithm,
                                             PULONG HashValue);
NTSYSAPI USHORT FASTCALL RtlUshortByteSwap(USHORT Source);
NTSYSAPI ULONG FASTCALL RtlUlongByteSwap(ULONG Source);
NTSYSAPI ULONGLONG FASTCALL RtlUlonglongByteSwap(ULONGLONG Source);
NTSYSAPI USHORT NTAPI RtlCaptureStackBackTrace(ULONG FramesToSkip, ULONG FramesToCapture, PVOID *BackTrace,
                                               PULONG BackTraceHash);
NTSYSAPI ULONG NTAPI RtlWalkFrameChain(PVOID *Callers, ULONG Count, ULONG Flags);
NTSYSAPI VOID NTAPI RtlGetCallersAddress(PVOID *CallersAddress, PVOID *CallersCaller);

NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_DATA_H */
