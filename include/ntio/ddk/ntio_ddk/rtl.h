/* <wdm.h> piece for the rtl component: memory macros, LIST_ENTRY routines with the Windows 8+ integrity
 * checks, the Interlocked family, counted-string routines, debug output, assertions and bugchecks.
 * Exact WDK spellings; compiles alone after basetypes.h, sal.h and ntstatus.h in C11 and C++20. */
#ifndef NTIO_DDK_RTL_H
#define NTIO_DDK_RTL_H
#include "basetypes.h"
#include "ntstatus.h"
#include "bugcodes.h"
#include <stdarg.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------------
 * Memory. Any IRQL for resident memory; the caller owns both buffers. */
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlCopyBytes RtlCopyMemory
#define RtlZeroBytes RtlZeroMemory
#define RtlFillBytes RtlFillMemory
#define RtlCopyMemoryNonTemporal RtlCopyMemory

NTIO_BEGIN_DECLS

/* Number of leading bytes that match (stops at the first difference). Any IRQL for resident memory. */
NTSYSAPI SIZE_T NTAPI RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length);

NTIO_END_DECLS

/* Zeroes memory in a way the compiler cannot elide (secrets). Returns Ptr. */
FORCEINLINE PVOID RtlSecureZeroMemory(PVOID Ptr, SIZE_T cnt)
{
    volatile char *vptr = (volatile char *)Ptr;
    while (cnt) {
        *vptr = 0;
        vptr++;
        cnt--;
    }
    return Ptr;
}

/* ---------------------------------------------------------------------------------------------------
 * Bugcheck and fail-fast. KeBugCheckEx prints the stop screen and aborts the process unless a hook
 * installed with NtioSetBugCheckHook (<ntio/ntio.h>) takes over. Any IRQL. */
NTIO_BEGIN_DECLS
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1,
                                                      ULONG_PTR BugCheckParameter2,
                                                      ULONG_PTR BugCheckParameter3,
                                                      ULONG_PTR BugCheckParameter4);
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI KeBugCheck(ULONG BugCheckCode);
/* Kernel-mode __fastfail: bugcheck KERNEL_SECURITY_CHECK_FAILURE with parameter 1 = Code. */
NTSYSAPI DECLSPEC_NORETURN VOID NTAPI RtlFailFast(ULONG Code);

/* Bug-check callbacks (Microsoft Learn: KeRegisterBugCheckCallback, KeRegisterBugCheckReasonCallback).
 * They run when a bugcheck stops the process (not when a test hook takes it), after the stop screen
 * and the dump writers, at HIGH_LEVEL in spirit: no waits, no allocation. Register / deregister at
 * IRQL <= DISPATCH_LEVEL; the record stays the caller's (nonpaged) storage while registered. */
typedef enum _KBUGCHECK_CALLBACK_REASON {
    KbCallbackInvalid,
    KbCallbackReserved1,
    KbCallbackSecondaryDumpData,
    KbCallbackDumpIo,
    KbCallbackAddPages,
    KbCallbackSecondaryMultiPartDumpData,
    KbCallbackRemovePages,
    KbCallbackTriageDumpData
} KBUGCHECK_CALLBACK_REASON;

typedef enum _KBUGCHECK_BUFFER_DUMP_STATE {
    BufferEmpty,
    BufferInserted,
    BufferStarted,
    BufferFinished,
    BufferIncomplete
} KBUGCHECK_BUFFER_DUMP_STATE;

struct _KBUGCHECK_REASON_CALLBACK_RECORD;
typedef VOID NTAPI KBUGCHECK_REASON_CALLBACK_ROUTINE(KBUGCHECK_CALLBACK_REASON Reason,
                                                     struct _KBUGCHECK_REASON_CALLBACK_RECORD *Record,
                                                     PVOID ReasonSpecificData, ULONG ReasonSpecificDataLength);
typedef KBUGCHECK_REASON_CALLBACK_ROUTINE *PKBUGCHECK_REASON_CALLBACK_ROUTINE;

typedef struct _KBUGCHECK_REASON_CALLBACK_RECORD {
    LIST_ENTRY Entry;
    PKBUGCHECK_REASON_CALLBACK_ROUTINE CallbackRoutine;
    PUCHAR Component;
    ULONG_PTR Checksum;
    KBUGCHECK_CALLBACK_REASON Reason;
    UCHAR State;
} KBUGCHECK_REASON_CALLBACK_RECORD, *PKBUGCHECK_REASON_CALLBACK_RECORD;

/* ReasonSpecificData of KbCallbackSecondaryDumpData: the routine fills OutBuffer (InBuffer, or its
 * own nonpaged buffer) with at most MaximumAllowed bytes and sets OutBufferLength and Guid. */
typedef struct _KBUGCHECK_SECONDARY_DUMP_DATA {
    PVOID InBuffer;
    ULONG InBufferLength;
    ULONG MaximumAllowed;
    GUID Guid;
    PVOID OutBuffer;
    ULONG OutBufferLength;
} KBUGCHECK_SECONDARY_DUMP_DATA, *PKBUGCHECK_SECONDARY_DUMP_DATA;

typedef VOID NTAPI KBUGCHECK_CALLBACK_ROUTINE(PVOID Buffer, ULONG Length);
typedef KBUGCHECK_CALLBACK_ROUTINE *PKBUGCHECK_CALLBACK_ROUTINE;

typedef struct _KBUGCHECK_CALLBACK_RECORD {
    LIST_ENTRY Entry;
    PKBUGCHECK_CALLBACK_ROUTINE CallbackRoutine;
    PVOID Buffer;
    ULONG Length;
    PUCHAR Component;
    ULONG_PTR Checksum;
    UCHAR State;
} KBUGCHECK_CALLBACK_RECORD, *PKBUGCHECK_CALLBACK_RECORD;

#define KeInitializeCallbackRecord(CallbackRecord) ((CallbackRecord)->State = BufferEmpty)

NTKERNELAPI BOOLEAN NTAPI KeRegisterBugCheckCallback(PKBUGCHECK_CALLBACK_RECORD CallbackRecord,
                                                     PKBUGCHECK_CALLBACK_ROUTINE CallbackRoutine, PVOID Buffer,
                                                     ULONG Length, PUCHAR Component);
NTKERNELAPI BOOLEAN NTAPI KeDeregisterBugCheckCallback(PKBUGCHECK_CALLBACK_RECORD CallbackRecord);
NTKERNELAPI BOOLEAN NTAPI KeRegisterBugCheckReasonCallback(PKBUGCHECK_REASON_CALLBACK_RECORD CallbackRecord,
                                                           PKBUGCHECK_REASON_CALLBACK_ROUTINE CallbackRoutine,
                                                           KBUGCHECK_CALLBACK_REASON Reason, PUCHAR Component);
NTKERNELAPI BOOLEAN NTAPI KeDeregisterBugCheckReasonCallback(PKBUGCHECK_REASON_CALLBACK_RECORD CallbackRecords);
NTIO_END_DECLS

#ifndef __fastfail
#define __fastfail(Code) RtlFailFast((ULONG)(Code))
#endif

/* Called by the list routines when the neighbours' links do not point back at the entry. */
FORCEINLINE DECLSPEC_NORETURN VOID FatalListEntryError(PVOID p1, PVOID p2, PVOID p3)
{
    UNREFERENCED_PARAMETER(p1);
    UNREFERENCED_PARAMETER(p2);
    UNREFERENCED_PARAMETER(p3);
    RtlFailFast(FAST_FAIL_CORRUPT_LIST_ENTRY);
}

/* ---------------------------------------------------------------------------------------------------
 * Doubly linked LIST_ENTRY lists. Not synchronised: the caller holds whatever lock protects the list.
 * Every insert/remove validates the neighbouring links first (as Windows 8 and later do unless
 * NO_KERNEL_LIST_ENTRY_CHECKS is defined); a corrupted list bugchecks KERNEL_SECURITY_CHECK_FAILURE
 * (0x139) with parameter 1 = FAST_FAIL_CORRUPT_LIST_ENTRY (3). */
FORCEINLINE VOID InitializeListHead(PLIST_ENTRY ListHead)
{
    ListHead->Flink = ListHead->Blink = ListHead;
}

FORCEINLINE BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead)
{
    return (BOOLEAN)(ListHead->Flink == ListHead);
}

/* Returns TRUE if the list is empty after the removal. */
FORCEINLINE BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
    PLIST_ENTRY PrevEntry = Entry->Blink;
    PLIST_ENTRY NextEntry = Entry->Flink;
#ifndef NO_KERNEL_LIST_ENTRY_CHECKS
    if (NextEntry->Blink != Entry || PrevEntry->Flink != Entry) {
        FatalListEntryError(PrevEntry, Entry, NextEntry);
    }
#endif
    PrevEntry->Flink = NextEntry;
    NextEntry->Blink = PrevEntry;
    return (BOOLEAN)(PrevEntry == NextEntry);
}

/* Removing from an empty list returns the head itself (WDK behaviour). */
FORCEINLINE PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Flink;
    PLIST_ENTRY NextEntry = Entry->Flink;
#ifndef NO_KERNEL_LIST_ENTRY_CHECKS
    if (Entry->Blink != ListHead || NextEntry->Blink != Entry) {
        FatalListEntryError(ListHead, Entry, NextEntry);
    }
#endif
    ListHead->Flink = NextEntry;
    NextEntry->Blink = ListHead;
    return Entry;
}

FORCEINLINE PLIST_ENTRY RemoveTailList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Blink;
    PLIST_ENTRY PrevEntry = Entry->Blink;
#ifndef NO_KERNEL_LIST_ENTRY_CHECKS
    if (Entry->Flink != ListHead || PrevEntry->Flink != Entry) {
        FatalListEntryError(PrevEntry, Entry, ListHead);
    }
#endif
    ListHead->Blink = PrevEntry;
    PrevEntry->Flink = ListHead;
    return Entry;
}

FORCEINLINE VOID InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY PrevEntry = ListHead->Blink;
#ifndef NO_KERNEL_LIST_ENTRY_CHECKS
    if (PrevEntry->Flink != ListHead) {
        FatalListEntryError(PrevEntry, ListHead, PrevEntry->Flink);
    }
#endif
    Entry->Flink = ListHead;
    Entry->Blink = PrevEntry;
    PrevEntry->Flink = Entry;
    ListHead->Blink = Entry;
}

FORCEINLINE VOID InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY NextEntry = ListHead->Flink;
#ifndef NO_KERNEL_LIST_ENTRY_CHECKS
    if (NextEntry->Blink != ListHead) {
        FatalListEntryError(ListHead, NextEntry, NextEntry->Blink);
    }
#endif
    Entry->Flink = NextEntry;
    Entry->Blink = ListHead;
    NextEntry->Blink = Entry;
    ListHead->Flink = Entry;
}

/* Splices the headless circular list starting at ListToAppend onto the tail of ListHead. */
FORCEINLINE VOID AppendTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListToAppend)
{
    PLIST_ENTRY ListEnd = ListHead->Blink;
    ListHead->Blink->Flink = ListToAppend;
    ListHead->Blink = ListToAppend->Blink;
    ListToAppend->Blink->Flink = ListHead;
    ListToAppend->Blink = ListEnd;
}

FORCEINLINE PSINGLE_LIST_ENTRY PopEntryList(PSINGLE_LIST_ENTRY ListHead)
{
    PSINGLE_LIST_ENTRY FirstEntry = ListHead->Next;
    if (FirstEntry != NULL) {
        ListHead->Next = FirstEntry->Next;
    }
    return FirstEntry;
}

FORCEINLINE VOID PushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY Entry)
{
    Entry->Next = ListHead->Next;
    ListHead->Next = Entry;
}

/* The Interlocked family and the acquire/release loads and stores (shared with <windows.h>). */
#include "interlocked.h"

/* Compiler-only barrier. */
#define _ReadWriteBarrier() __asm__ __volatile__("" ::: "memory")
#define _ReadBarrier() _ReadWriteBarrier()
#define _WriteBarrier() _ReadWriteBarrier()
#define KeMemoryBarrierWithoutFence() _ReadWriteBarrier()

/* Full hardware barrier. ThreadSanitizer does not model stand-alone fences, so under it the barrier is
 * a locked read-modify-write, which is a full fence on x86-64 and visible to the race detector. */
#if defined(__SANITIZE_THREAD__)
#define NTIO_TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NTIO_TSAN_BUILD 1
#endif
#endif
FORCEINLINE VOID MemoryBarrier(VOID)
{
#ifdef NTIO_TSAN_BUILD
    static LONG volatile ntio_barrier_word;
    (void)__atomic_fetch_add(&ntio_barrier_word, 0, __ATOMIC_SEQ_CST);
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}
#define KeMemoryBarrier() MemoryBarrier()
#define PreFetchCacheLine(l, a) __builtin_prefetch((const void *)(a))
#define PF_TEMPORAL_LEVEL_1 0
#define PF_NON_TEMPORAL_LEVEL_ALL 0
/* The cache line size ntddk.h gives for x64. */
#define SYSTEM_CACHE_ALIGNMENT_SIZE 64

FORCEINLINE VOID YieldProcessor(VOID)
{
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}
#define _mm_pause() YieldProcessor()

/* ---------------------------------------------------------------------------------------------------
 * Counted strings. Length and MaximumLength are in bytes; Buffer need not be NUL-terminated. */
#ifdef __cplusplus
inline PWCH NTIO_RTL_CONST_BUFFER(const wchar_t *s) { return const_cast<PWCH>(s); }
inline PCHAR NTIO_RTL_CONST_BUFFER(const char *s) { return const_cast<PCHAR>(s); }
#define RTL_CONSTANT_STRING(s) \
    { (USHORT)(sizeof(s) - sizeof((s)[0])), (USHORT)sizeof(s), NTIO_RTL_CONST_BUFFER(s) }
#else
#define RTL_CONSTANT_STRING(s) { (USHORT)(sizeof(s) - sizeof((s)[0])), (USHORT)sizeof(s), (s) }
#endif

#define DECLARE_CONST_UNICODE_STRING(_var, _string)                                       \
    const WCHAR _var##_buffer[] = _string;                                                \
    const UNICODE_STRING _var = { (USHORT)(sizeof(_string) - sizeof(WCHAR)),              \
                                  (USHORT)sizeof(_string), (PWCH)_var##_buffer }
#define DECLARE_GLOBAL_CONST_UNICODE_STRING(_var, _str) \
    extern const UNICODE_STRING _var = RTL_CONSTANT_STRING(_str)
#define DECLARE_UNICODE_STRING_SIZE(_var, _size) \
    WCHAR _var##_buffer[_size];                  \
    UNICODE_STRING _var = { 0, (USHORT)((_size) * sizeof(WCHAR)), _var##_buffer }

#define UNICODE_NULL ((WCHAR)0)
#define ANSI_NULL ((CHAR)0)
#define UNICODE_STRING_MAX_BYTES ((USHORT)65534)
#define UNICODE_STRING_MAX_CHARS (32767)

NTIO_BEGIN_DECLS

/* Initialisation: point the string at a NUL-terminated source (no copy). Any IRQL for resident data.
 * A source longer than the counted string can hold is cut to the maximum (RtlInitUnicodeString) or
 * rejected with STATUS_NAME_TOO_LONG (RtlInitUnicodeStringEx). */
NTSYSAPI VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);
NTSYSAPI NTSTATUS NTAPI RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString);
NTSYSAPI VOID NTAPI RtlInitString(PSTRING DestinationString, PCSZ SourceString);
NTSYSAPI VOID NTAPI RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString);

/* Copy and append into caller-owned buffers; copies truncate to the destination's MaximumLength,
 * appends fail with STATUS_BUFFER_TOO_SMALL. PASSIVE_LEVEL for pageable data, else any IRQL. */
NTSYSAPI VOID NTAPI RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString);
NTSYSAPI VOID NTAPI RtlCopyString(PSTRING DestinationString, const STRING *SourceString);
NTSYSAPI NTSTATUS NTAPI RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source);
NTSYSAPI NTSTATUS NTAPI RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source);
NTSYSAPI NTSTATUS NTAPI RtlAppendStringToString(PSTRING Destination, const STRING *Source);

/* Comparison; CaseInSensitive upcases each UTF-16 code unit (no locale, like NT). */
NTSYSAPI LONG NTAPI RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                            BOOLEAN CaseInSensitive);
NTSYSAPI BOOLEAN NTAPI RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                             BOOLEAN CaseInSensitive);
NTSYSAPI BOOLEAN NTAPI RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                              BOOLEAN CaseInSensitive);
NTSYSAPI LONG NTAPI RtlCompareString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive);
NTSYSAPI BOOLEAN NTAPI RtlEqualString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive);

/* Case mapping. With AllocateDestinationString the buffer comes from paged pool and is released with
 * RtlFreeUnicodeString; otherwise the caller's destination must be large enough
 * (STATUS_BUFFER_OVERFLOW). PASSIVE_LEVEL when allocating. */
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                               BOOLEAN AllocateDestinationString);
NTSYSAPI NTSTATUS NTAPI RtlDowncaseUnicodeString(PUNICODE_STRING DestinationString,
                                                 PCUNICODE_STRING SourceString,
                                                 BOOLEAN AllocateDestinationString);
NTSYSAPI WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR SourceCharacter);
NTSYSAPI WCHAR NTAPI RtlDowncaseUnicodeChar(WCHAR SourceCharacter);
NTSYSAPI CHAR NTAPI RtlUpperChar(CHAR Character);
NTSYSAPI VOID NTAPI RtlUpperString(PSTRING DestinationString, const STRING *SourceString);

/* Conversion between UTF-16 and the ANSI code page (ntio's ANSI code page is UTF-8). */
NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString,
                                                     PCUNICODE_STRING SourceString,
                                                     BOOLEAN AllocateDestinationString);
NTSYSAPI NTSTATUS NTAPI RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString,
                                                     PCANSI_STRING SourceString,
                                                     BOOLEAN AllocateDestinationString);
NTSYSAPI ULONG NTAPI RtlxUnicodeStringToAnsiSize(PCUNICODE_STRING UnicodeString);
NTSYSAPI ULONG NTAPI RtlxAnsiStringToUnicodeSize(PCANSI_STRING AnsiString);
#define RtlUnicodeStringToAnsiSize(s) RtlxUnicodeStringToAnsiSize(s)
#define RtlAnsiStringToUnicodeSize(s) RtlxAnsiStringToUnicodeSize(s)

/* UTF-16 <-> UTF-8, sizes in bytes. A NULL destination asks for the size the whole output needs.
 * Invalid input (unpaired surrogates, ill-formed UTF-8) becomes U+FFFD with STATUS_SOME_NOT_MAPPED;
 * a destination too small receives the whole characters that fit, with STATUS_BUFFER_TOO_SMALL.
 * STATUS_INVALID_PARAMETER when destination and count are both NULL, _4 for a NULL source, and
 * (UnicodeToUTF8N) _5 for an odd source byte count. PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI RtlUnicodeToUTF8N(PCHAR UTF8StringDestination, ULONG UTF8StringMaxByteCount,
                                          PULONG UTF8StringActualByteCount, PCWCH UnicodeStringSource,
                                          ULONG UnicodeStringByteCount);
NTSYSAPI NTSTATUS NTAPI RtlUTF8ToUnicodeN(PWSTR UnicodeStringDestination, ULONG UnicodeStringMaxByteCount,
                                          PULONG UnicodeStringActualByteCount, PCCH UTF8StringSource,
                                          ULONG UTF8StringByteCount);

/* Allocation and release of string buffers (pool-backed). PASSIVE_LEVEL. */
NTSYSAPI BOOLEAN NTAPI RtlCreateUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);
NTSYSAPI VOID NTAPI RtlFreeUnicodeString(PUNICODE_STRING UnicodeString);
NTSYSAPI VOID NTAPI RtlFreeAnsiString(PANSI_STRING AnsiString);

/* Integers. Base 0 means decimal (or the 0x/0o/0b prefix when parsing). */
NTSYSAPI NTSTATUS NTAPI RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String);
NTSYSAPI NTSTATUS NTAPI RtlInt64ToUnicodeString(ULONGLONG Value, ULONG Base, PUNICODE_STRING String);
/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlintptrtounicodestring
 * A ULONG_PTR in the given base: on x64 the 64-bit conversion. */
#define RtlIntPtrToUnicodeString(Value, Base, String) RtlInt64ToUnicodeString((ULONGLONG)(Value), Base, String)
NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value);
NTSYSAPI NTSTATUS NTAPI RtlCharToInteger(PCSZ String, ULONG Base, PULONG Value);
NTSYSAPI NTSTATUS NTAPI RtlIntegerToChar(ULONG Value, ULONG Base, LONG OutputLength, PSZ String);

/* ---------------------------------------------------------------------------------------------------
 * Debug output. DbgPrint writes to stderr; DbgPrintEx prints errors (level 0) unless the
 * NTIO_DBGPRINT environment variable is "all". Formats follow the kernel's printf (%wZ, %ws, %Z, %I64x).
 * Any IRQL. DbgBreakPoint is a logged no-op (no debugger is ever attached). */
NTSYSAPI ULONG __cdecl DbgPrint(PCSTR Format, ...);
NTSYSAPI ULONG __cdecl DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);
NTSYSAPI ULONG __cdecl vDbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, va_list arglist);
NTSYSAPI VOID NTAPI DbgBreakPoint(VOID);
/* As vDbgPrintEx, with Prefix written before the message. */
NTSYSAPI ULONG NTAPI vDbgPrintExWithPrefix(_In_z_ PCCH Prefix, _In_ ULONG ComponentId, _In_ ULONG Level,
                                           _In_z_ PCCH Format, _In_ va_list arglist);
/* As DbgPrint; no debugger can ask for a break, so it never returns STATUS_BREAKPOINT. */
NTSYSAPI ULONG __cdecl DbgPrintReturnControlC(_In_z_ PCCH Format, ...);
/* The DbgPrintEx filter: a Level of 0..31 is that bit, a larger Level a mask. Query returns TRUE or
 * FALSE (as an NTSTATUS) for whether a message of that component and level is printed; Set adds or
 * removes the levels for the component. STATUS_INVALID_PARAMETER_1 for an unknown component. The
 * filter is the host process's (the kernel's on Windows), shared by every System in it. */
NTSYSAPI NTSTATUS NTAPI DbgQueryDebugFilterState(_In_ ULONG ComponentId, _In_ ULONG Level);
NTSYSAPI NTSTATUS NTAPI DbgSetDebugFilterState(_In_ ULONG ComponentId, _In_ ULONG Level, _In_ BOOLEAN State);

/* Kernel debugger controls. No kernel debugger is ever attached to ntio, as on a Windows machine
 * booted without debug controls: *KdDebuggerEnabled is FALSE, *KdDebuggerNotPresent is TRUE,
 * KdDisableDebugger, KdEnableDebugger and KdChangeOption return STATUS_DEBUGGER_INACTIVE,
 * KdRefreshDebuggerNotPresent returns TRUE. Any IRQL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kddisabledebugger */
typedef enum _KD_OPTION {
    KD_OPTION_SET_BLOCK_ENABLE
} KD_OPTION;
extern NTKERNELAPI PBOOLEAN KdDebuggerNotPresent;
extern NTKERNELAPI PBOOLEAN KdDebuggerEnabled;
#define KD_DEBUGGER_ENABLED *KdDebuggerEnabled
#define KD_DEBUGGER_NOT_PRESENT *KdDebuggerNotPresent
NTKERNELAPI NTSTATUS NTAPI KdDisableDebugger(VOID);
NTKERNELAPI NTSTATUS NTAPI KdEnableDebugger(VOID);
NTKERNELAPI BOOLEAN NTAPI KdRefreshDebuggerNotPresent(VOID);
NTKERNELAPI NTSTATUS NTAPI KdChangeOption(_In_ KD_OPTION Option, _In_opt_ ULONG InBufferBytes, _In_ PVOID InBuffer,
                                          _In_opt_ ULONG OutBufferBytes, _Out_ PVOID OutBuffer,
                                          _Out_opt_ PULONG OutBufferNeeded);
NTSYSAPI VOID NTAPI DbgBreakPointWithStatus(ULONG Status);
/* Receives each DbgPrint(Ex) output that passes the component filter, as the debugger would.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-dbgsetdebugprintcallback */
typedef VOID (*PDEBUG_PRINT_CALLBACK)(_In_ PSTRING Output, _In_ ULONG ComponentId, _In_ ULONG Level);
/* Adds (Enable TRUE) or removes DebugPrintCallback. STATUS_SUCCESS; STATUS_INVALID_PARAMETER without
 * a callback; adding one already there or removing one that is not is STATUS_UNSUCCESSFUL. */
NTSYSAPI NTSTATUS NTAPI DbgSetDebugPrintCallback(_In_ PDEBUG_PRINT_CALLBACK DebugPrintCallback, _In_ BOOLEAN Enable);
/* The assertion-failure breakpoint (int 2c): with no debugger attached it raises STATUS_ASSERTION_FAILURE,
 * which a __try/__except can handle and which otherwise stops the system.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-dbgraiseassertionfailure */
#define DbgRaiseAssertionFailure() RtlRaiseStatus(STATUS_ASSERTION_FAILURE)
NTSYSAPI DECLSPEC_NORETURN VOID NTAPI RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber,
                                                PSTR MutableMessage);

/* ---- The operating system's version ---- */
#include "os_version_info.h"
/* dwOSVersionInfoSize must be the size of one of the two structures (else STATUS_INVALID_PARAMETER).
 * Any IRQL. */
NTSYSAPI NTSTATUS NTAPI RtlGetVersion(PRTL_OSVERSIONINFOW lpVersionInformation);
/* Version comparisons: VerSetConditionMask records, per field of RTL_OSVERSIONINFOEXW named in
 * TypeMask, how RtlVerifyVersionInfo compares it with the running system. Major, minor and the
 * service pack numbers are compared as one version (the condition of the most significant field
 * given applies); STATUS_REVISION_MISMATCH when the system does not satisfy the request,
 * STATUS_INVALID_PARAMETER for an empty TypeMask or a field without a condition. Any IRQL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlverifyversioninfo */
#define VER_EQUAL 1
#define VER_GREATER 2
#define VER_GREATER_EQUAL 3
#define VER_LESS 4
#define VER_LESS_EQUAL 5
#define VER_AND 6
#define VER_OR 7
#define VER_CONDITION_MASK 7
#define VER_NUM_BITS_PER_CONDITION_MASK 3
#define VER_MINORVERSION 0x0000001
#define VER_MAJORVERSION 0x0000002
#define VER_BUILDNUMBER 0x0000004
#define VER_PLATFORMID 0x0000008
#define VER_SERVICEPACKMINOR 0x0000010
#define VER_SERVICEPACKMAJOR 0x0000020
#define VER_SUITENAME 0x0000040
#define VER_PRODUCT_TYPE 0x0000080
NTSYSAPI ULONGLONG NTAPI VerSetConditionMask(_In_ ULONGLONG ConditionMask, _In_ ULONG TypeMask, _In_ UCHAR Condition);
#define VER_SET_CONDITION(_m_, _t_, _c_) ((_m_) = VerSetConditionMask((_m_), (_t_), (_c_)))
NTSYSAPI NTSTATUS NTAPI RtlVerifyVersionInfo(_In_ PRTL_OSVERSIONINFOEXW VersionInfo, _In_ ULONG TypeMask,
                                             _In_ ULONGLONG ConditionMask);
/* <sdkddkver.h>: the NTDDI_* versions drivers test for. */
#ifndef NTDDI_WIN7
#define NTDDI_WIN2K 0x05000000
#define NTDDI_WINXP 0x05010000
#define NTDDI_WS03 0x05020000
#define NTDDI_VISTA 0x06000000
#define NTDDI_WS08 0x06000100
#define NTDDI_WIN7 0x06010000
#define NTDDI_WIN8 0x06020000
#define NTDDI_WINBLUE 0x06030000
#define NTDDI_WINTHRESHOLD 0x0A000000
#define NTDDI_WIN10 0x0A000000
#define NTDDI_WIN10_TH2 0x0A000001
#define NTDDI_WIN10_RS1 0x0A000002
#define NTDDI_WIN10_RS2 0x0A000003
#define NTDDI_WIN10_RS3 0x0A000004
#define NTDDI_WIN10_RS4 0x0A000005
#define NTDDI_WIN10_RS5 0x0A000006
#define NTDDI_WIN10_19H1 0x0A000007
#define NTDDI_WIN10_VB 0x0A000008
#define NTDDI_WIN10_MN 0x0A000009
#define NTDDI_WIN10_FE 0x0A00000A
#define NTDDI_WIN10_CO 0x0A00000B
#define NTDDI_WIN10_NI 0x0A00000C
#endif
/* Any IRQL. TRUE when the system is at least the NTDDI version asked for. */
NTSYSAPI BOOLEAN NTAPI RtlIsNtDdiVersionAvailable(_In_ ULONG Version);
/* Any IRQL. TRUE when the system is the version's operating system with at least its service pack. */
NTSYSAPI BOOLEAN NTAPI RtlIsServicePackVersionInstalled(_In_ ULONG Version);

/* ---- Calendar time and pseudo-random numbers ---- */
/* A system time (100 ns units since 1601-01-01) split into its calendar fields. Weekday: 0 is
 * Sunday. */
typedef struct _TIME_FIELDS {
    CSHORT Year;         /* 1601... */
    CSHORT Month;        /* 1..12 */
    CSHORT Day;          /* 1..31 */
    CSHORT Hour;         /* 0..23 */
    CSHORT Minute;       /* 0..59 */
    CSHORT Second;       /* 0..59 */
    CSHORT Milliseconds; /* 0..999 */
    CSHORT Weekday;      /* 0..6 */
} TIME_FIELDS, *PTIME_FIELDS;
C_ASSERT(sizeof(TIME_FIELDS) == 16);
/* Any IRQL. */
NTSYSAPI VOID NTAPI RtlTimeToTimeFields(_In_ PLARGE_INTEGER Time, _Out_ PTIME_FIELDS TimeFields);
/* Any IRQL. FALSE (and *Time untouched) when a field is out of range; Weekday is ignored. */
NTSYSAPI BOOLEAN NTAPI RtlTimeFieldsToTime(_In_ PTIME_FIELDS TimeFields, _Out_ PLARGE_INTEGER Time);
/* Any IRQL. Whole seconds since 1970-01-01 / 1980-01-01 (fractions dropped); FALSE (and
 * *ElapsedSeconds untouched) when Time is before the epoch or too late for a ULONG. */
NTSYSAPI BOOLEAN NTAPI RtlTimeToSecondsSince1970(_In_ PLARGE_INTEGER Time, _Out_ PULONG ElapsedSeconds);
NTSYSAPI VOID NTAPI RtlSecondsSince1970ToTime(_In_ ULONG ElapsedSeconds, _Out_ PLARGE_INTEGER Time);
NTSYSAPI BOOLEAN NTAPI RtlTimeToSecondsSince1980(_In_ PLARGE_INTEGER Time, _Out_ PULONG ElapsedSeconds);
NTSYSAPI VOID NTAPI RtlSecondsSince1980ToTime(_In_ ULONG ElapsedSeconds, _Out_ PLARGE_INTEGER Time);
/* < DISPATCH_LEVEL. A pseudo-random number in [0, MAXLONG - 1]; *Seed is updated for the next call. */
NTSYSAPI ULONG NTAPI RtlRandom(_Inout_ PULONG Seed);
NTSYSAPI ULONG NTAPI RtlRandomEx(_Inout_ PULONG Seed);

NTIO_END_DECLS

#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define DPFLTR_MASK 0x80000000
#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_IHVVIDEO_ID 78
#define DPFLTR_IHVAUDIO_ID 79
#define DPFLTR_IHVNETWORK_ID 80
#define DPFLTR_IHVSTREAMING_ID 81
#define DPFLTR_IHVBUS_ID 82
#define DPFLTR_DEFAULT_ID 101

#if defined(DBG) && DBG
#define KdPrint(_x_) DbgPrint _x_
#define KdPrintEx(_x_) DbgPrintEx _x_
#define vKdPrintEx(_x_) vDbgPrintEx _x_
#define KdBreakPoint() DbgBreakPoint()
#define KdBreakPointWithStatus(s) DbgBreakPointWithStatus(s)
#define ASSERT(exp) \
    ((!(exp)) ? (RtlAssert((PVOID) #exp, (PVOID)__FILE__, __LINE__, NULL), FALSE) : TRUE)
#define ASSERTMSG(msg, exp) \
    ((!(exp)) ? (RtlAssert((PVOID) #exp, (PVOID)__FILE__, __LINE__, (PSTR)(msg)), FALSE) : TRUE)
#define NT_ASSERT(exp) ASSERT(exp)
#define NT_ASSERTMSG(msg, exp) ASSERTMSG(msg, exp)
#define NT_VERIFY(exp) ASSERT(exp)
#define RTL_SOFT_ASSERT(exp) \
    ((!(exp)) ? (DbgPrint("%s(%d): Soft assertion failed\n   Expression: %s\n", __FILE__, __LINE__, #exp), FALSE) : TRUE)
#else
#define KdPrint(_x_)
#define KdPrintEx(_x_)
#define vKdPrintEx(_x_)
#define KdBreakPoint()
#define KdBreakPointWithStatus(s)
#define ASSERT(exp) ((void)0)
#define ASSERTMSG(msg, exp) ((void)0)
#define NT_ASSERT(exp) ((void)0)
#define NT_ASSERTMSG(msg, exp) ((void)0)
#define NT_VERIFY(exp) ((exp) ? TRUE : FALSE)
#define RTL_SOFT_ASSERT(exp) ((void)0)
#endif
#define NT_ANALYSIS_ASSUME(exp) ((void)0)

#endif /* NTIO_DDK_RTL_H */
