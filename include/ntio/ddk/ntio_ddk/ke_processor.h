/* <wdm.h> piece for the processor state a driver may touch: floating-point and extended (XSAVE)
 * state saved around its own use of them, and the DPC watchdog queries, with WDK spellings and
 * Windows x64 layouts.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/using-floating-point-or-mmx-in-a-wdm-driver */
#ifndef NTIO_DDK_KE_PROCESSOR_H
#define NTIO_DDK_KE_PROCESSOR_H
#include "basetypes.h"
#include "ntstatus.h"
#include "ke.h"

NTIO_BEGIN_DECLS

/* ---- Floating point ----------------------------------------------------------------------------
 * On x64 the WDK makes these inline: the kernel keeps the thread's floating-point state itself.
 * NT deviation: here they save and restore the host thread's x87 control word and MXCSR (rounding,
 * precision, exception masks), so that a driver's changes to them are undone on restore. The save
 * packs both into KFLOATING_SAVE (x87 control word high, MXCSR low half). IRQL <= DISPATCH_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesavefloatingpointstate
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kerestorefloatingpointstate */
typedef struct _KFLOATING_SAVE {
    ULONG Dummy;
} KFLOATING_SAVE, *PKFLOATING_SAVE;

FORCEINLINE NTSTATUS KeSaveFloatingPointState(_Out_ PKFLOATING_SAVE FloatSave)
{
    USHORT control = 0;
    ULONG mxcsr = 0;
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("fnstcw %0" : "=m"(control));
    __asm__ __volatile__("stmxcsr %0" : "=m"(mxcsr));
#endif
    FloatSave->Dummy = ((ULONG)control << 16) | (mxcsr & 0xffff);
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS KeRestoreFloatingPointState(_In_ PKFLOATING_SAVE FloatSave)
{
#if defined(__x86_64__) || defined(__i386__)
    USHORT control = (USHORT)(FloatSave->Dummy >> 16);
    ULONG mxcsr = FloatSave->Dummy & 0xffff;
    __asm__ __volatile__("fldcw %0" : : "m"(control));
    __asm__ __volatile__("ldmxcsr %0" : : "m"(mxcsr));
#else
    (void)FloatSave;
#endif
    return STATUS_SUCCESS;
}

/* ---- Extended processor state -------------------------------------------------------------- */
#define XSTATE_LEGACY_FLOATING_POINT 0
#define XSTATE_LEGACY_SSE 1
#define XSTATE_GSSE 2
#define XSTATE_AVX XSTATE_GSSE
#define XSTATE_MASK_LEGACY_FLOATING_POINT (1ULL << XSTATE_LEGACY_FLOATING_POINT)
#define XSTATE_MASK_LEGACY_SSE (1ULL << XSTATE_LEGACY_SSE)
#define XSTATE_MASK_LEGACY (XSTATE_MASK_LEGACY_FLOATING_POINT | XSTATE_MASK_LEGACY_SSE)
#define XSTATE_MASK_GSSE (1ULL << XSTATE_GSSE)
#define XSTATE_MASK_AVX XSTATE_MASK_GSSE
#define XSTATE_MASK_MPX ((1ULL << 3) | (1ULL << 4))
#define XSTATE_MASK_AVX512 ((1ULL << 5) | (1ULL << 6) | (1ULL << 7))
#define XSTATE_MASK_AMX_TILE_CONFIG (1ULL << 17)
#define XSTATE_MASK_AMX_TILE_DATA (1ULL << 18)

#ifndef NTIO_DDK_XSAVE_DEFINED
#define NTIO_DDK_XSAVE_DEFINED
typedef struct DECLSPEC_ALIGN(16) _M128A {
    ULONGLONG Low;
    LONGLONG High;
} M128A, *PM128A;

/* The FXSAVE image (x87, MMX and SSE state). */
typedef struct DECLSPEC_ALIGN(16) _XSAVE_FORMAT {
    USHORT ControlWord;
    USHORT StatusWord;
    UCHAR TagWord;
    UCHAR Reserved1;
    USHORT ErrorOpcode;
    ULONG ErrorOffset;
    USHORT ErrorSelector;
    USHORT Reserved2;
    ULONG DataOffset;
    USHORT DataSelector;
    USHORT Reserved3;
    ULONG MxCsr;
    ULONG MxCsr_Mask;
    M128A FloatRegisters[8];
    M128A XmmRegisters[16];
    UCHAR Reserved4[96];
} XSAVE_FORMAT, *PXSAVE_FORMAT;
C_ASSERT(sizeof(XSAVE_FORMAT) == 512);
C_ASSERT(FIELD_OFFSET(XSAVE_FORMAT, MxCsr) == 24);

typedef struct DECLSPEC_ALIGN(8) _XSAVE_AREA_HEADER {
    ULONG64 Mask;
    ULONG64 CompactionMask;
    ULONG64 Reserved2[6];
} XSAVE_AREA_HEADER, *PXSAVE_AREA_HEADER;

typedef struct DECLSPEC_ALIGN(16) _XSAVE_AREA {
    XSAVE_FORMAT LegacyState;
    XSAVE_AREA_HEADER Header;
} XSAVE_AREA, *PXSAVE_AREA;
C_ASSERT(sizeof(XSAVE_AREA) == 576);
#endif

typedef struct _XSTATE_CONTEXT {
    ULONG64 Mask;
    ULONG Length;
    ULONG Reserved1;
    PXSAVE_AREA Area;
    PVOID Buffer;
} XSTATE_CONTEXT, *PXSTATE_CONTEXT;
C_ASSERT(sizeof(XSTATE_CONTEXT) == 0x20);

typedef struct _XSTATE_SAVE {
    struct _XSTATE_SAVE *Prev;
    struct _KTHREAD *Thread;
    UCHAR Level;
    XSTATE_CONTEXT XStateContext;
} XSTATE_SAVE, *PXSTATE_SAVE;
C_ASSERT(sizeof(XSTATE_SAVE) == 0x38);

/* IRQL <= DISPATCH_LEVEL. Saves the state of the features in Mask (the legacy x87 and SSE state
 * here) into a block it allocates; STATUS_INSUFFICIENT_RESOURCES when it cannot. Every successful
 * save is matched by one restore on the same thread, innermost first, which frees the block. */
NTKERNELAPI NTSTATUS KeSaveExtendedProcessorState(_In_ ULONG64 Mask, _Out_ PXSTATE_SAVE XStateSave);
NTKERNELAPI VOID KeRestoreExtendedProcessorState(_In_ PXSTATE_SAVE XStateSave);
/* <ntddk.h>, PASSIVE_LEVEL. The features the host enabled in XCR0 that FeatureMask asks about
 * (0 when the host does not use XSAVE). Pass (ULONG64)-1 for all of them.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlgetenabledextendedfeatures */
NTSYSAPI ULONG64 NTAPI RtlGetEnabledExtendedFeatures(_In_ ULONG64 FeatureMask);

/* ---- DPC watchdog -------------------------------------------------------------------------- */
typedef struct _KDPC_WATCHDOG_INFORMATION {
    ULONG DpcTimeLimit;
    ULONG DpcTimeCount;
    ULONG DpcWatchdogLimit;
    ULONG DpcWatchdogCount;
    ULONG Reserved;
} KDPC_WATCHDOG_INFORMATION, *PKDPC_WATCHDOG_INFORMATION;

/* IRQL <= DISPATCH_LEVEL. ntio has no DPC watchdog: both limits read 0 (disabled). */
NTKERNELAPI NTSTATUS KeQueryDpcWatchdogInformation(_Out_ PKDPC_WATCHDOG_INFORMATION WatchdogInformation);
/* Any IRQL. TRUE when a DPC routine should yield the processor soon; never here (no watchdog). */
NTKERNELAPI LOGICAL KeShouldYieldProcessor(VOID);

NTIO_END_DECLS

#endif /* NTIO_DDK_KE_PROCESSOR_H */
