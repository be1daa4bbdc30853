/* <wdm.h> piece for the ke component: IRQL, spin locks, dispatcher objects (events, semaphores,
 * mutexes, timers, queues), waits, DPCs, APCs and time queries, with WDK spellings and Windows x64
 * layouts so that objects a driver embeds in its own structures have the sizes it expects. */
#ifndef NTIO_DDK_KE_H
#define NTIO_DDK_KE_H
#include "basetypes.h"
#include "ntstatus.h"

/* ---- Thread and process handles ------------------------------------------------------------ */
typedef struct _KTHREAD *PKTHREAD, *PRKTHREAD;
typedef struct _ETHREAD *PETHREAD;
typedef struct _EPROCESS *PEPROCESS;
typedef struct _KPROCESS *PKPROCESS, *PRKPROCESS;

/* ---- IRQL ---------------------------------------------------------------------------------- */
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define CMCI_LEVEL 5
#define CLOCK_LEVEL 13
#define IPI_LEVEL 14
#define DRS_LEVEL 14
#define POWER_LEVEL 14
#define PROFILE_LEVEL 15
#define HIGH_LEVEL 15
#define SYNCH_LEVEL 12

/* ---- Basic kernel types -------------------------------------------------------------------- */
#define MAXIMUM_WAIT_OBJECTS 64
#define THREAD_WAIT_OBJECTS 3
#define MAXIMUM_SUSPEND_COUNT MAXCHAR
#ifndef MAXCHAR
#define MAXCHAR 0x7f
#endif
#define LOW_PRIORITY 0
#define LOW_REALTIME_PRIORITY 16
#define HIGH_PRIORITY 31
#define MAXIMUM_PRIORITY 32
#define EVENT_INCREMENT 1
#define SEMAPHORE_INCREMENT 1
#define MUTANT_INCREMENT 1
/* Priority boosts drivers pass to KeSetEvent and IoCompleteRequest (accepted; ntio does not
 * change host priorities). Values as in the WDK. */
#define IO_NO_INCREMENT 0
#define IO_CD_ROM_INCREMENT 1
#define IO_DISK_INCREMENT 1
#define IO_KEYBOARD_INCREMENT 6
#define IO_MAILSLOT_INCREMENT 2
#define IO_MOUSE_INCREMENT 6
#define IO_NAMED_PIPE_INCREMENT 2
#define IO_NETWORK_INCREMENT 2
#define IO_PARALLEL_INCREMENT 1
#define IO_SERIAL_INCREMENT 2
#define IO_SOUND_INCREMENT 8
#define IO_VIDEO_INCREMENT 1
#define TIMER_TOLERABLE_DELAY_BITS 6

typedef enum _KWAIT_REASON {
    Executive, FreePage, PageIn, PoolAllocation, DelayExecution, Suspended, UserRequest,
    WrExecutive, WrFreePage, WrPageIn, WrPoolAllocation, WrDelayExecution, WrSuspended,
    WrUserRequest, WrEventPair, WrQueue, WrLpcReceive, WrLpcReply, WrVirtualMemory, WrPageOut,
    WrRendezvous, WrKeyedEvent, WrTerminated, WrProcessInSwap, WrCpuRateControl,
    WrCalloutStack, WrKernel, WrResource, WrPushLock, WrMutex, WrQuantumEnd, WrDispatchInt,
    WrPreempted, WrYieldExecution, WrFastMutex, WrGuardedMutex, WrRundown, WrAlertByThreadId,
    WrDeferredPreempt, WrPhysicalFault, WrIoRing, WrMdlCache, MaximumWaitReason
} KWAIT_REASON;

/* Values of DISPATCHER_HEADER.Type (and KDPC/KAPC Type). */
typedef enum _KOBJECTS {
    EventNotificationObject = 0, EventSynchronizationObject = 1, MutantObject = 2,
    ProcessObject = 3, QueueObject = 4, SemaphoreObject = 5, ThreadObject = 6, GateObject = 7,
    TimerNotificationObject = 8, TimerSynchronizationObject = 9, Spare2Object = 10,
    Spare3Object = 11, Spare4Object = 12, Spare5Object = 13, Spare6Object = 14,
    Spare7Object = 15, Spare8Object = 16, ProfileCallbackObject = 17, ApcObject = 18,
    DpcObject = 19, DeviceQueueObject = 20, PriQueueObject = 21, InterruptObject = 22,
    ProfileObject = 23, Timer2NotificationObject = 24, Timer2SynchronizationObject = 25,
    ThreadedDpcObject = 26, MaximumKernelObject = 27
} KOBJECTS;

typedef enum _KAPC_ENVIRONMENT {
    OriginalApcEnvironment, AttachedApcEnvironment, CurrentApcEnvironment, InsertApcEnvironment
} KAPC_ENVIRONMENT;

typedef enum _KDPC_IMPORTANCE { LowImportance, MediumImportance, HighImportance, MediumHighImportance } KDPC_IMPORTANCE;

typedef struct _DISPATCHER_HEADER {
    union {
        volatile LONG Lock;
        LONG LockNV;
        struct { UCHAR Type; UCHAR Signalling; UCHAR Size; UCHAR Reserved1; };
        struct { UCHAR TimerType; UCHAR TimerControlFlags; UCHAR Hand; UCHAR TimerMiscFlags; };
        struct { UCHAR QueueType; UCHAR QueueControlFlags; UCHAR QueueSize; UCHAR QueueReserved; };
        struct { UCHAR ThreadType; UCHAR ThreadReserved; UCHAR ThreadControlFlags; UCHAR DebugActive; };
        struct { UCHAR MutantType; UCHAR MutantSize; BOOLEAN DpcActive; UCHAR MutantReserved; };
    };
    LONG SignalState;
    LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER, *PDISPATCHER_HEADER;
C_ASSERT(sizeof(DISPATCHER_HEADER) == 0x18);
C_ASSERT(FIELD_OFFSET(DISPATCHER_HEADER, SignalState) == 0x4);
C_ASSERT(FIELD_OFFSET(DISPATCHER_HEADER, WaitListHead) == 0x8);

typedef struct _KEVENT {
    DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT, *PRKEVENT;
C_ASSERT(sizeof(KEVENT) == 0x18);

typedef struct _KSEMAPHORE {
    DISPATCHER_HEADER Header;
    LONG Limit;
} KSEMAPHORE, *PKSEMAPHORE, *PRKSEMAPHORE;
C_ASSERT(sizeof(KSEMAPHORE) == 0x20);

typedef struct _KMUTANT {
    DISPATCHER_HEADER Header;
    LIST_ENTRY MutantListEntry;
    struct _KTHREAD *OwnerThread;
    union {
        UCHAR MutantFlags;
        struct { UCHAR Abandoned : 1; UCHAR Spare1 : 7; };
        UCHAR Abandoned2;
    };
    UCHAR ApcDisable;
} KMUTANT, *PKMUTANT, *PRKMUTANT, KMUTEX, *PKMUTEX, *PRKMUTEX;
C_ASSERT(sizeof(KMUTANT) == 0x38);
C_ASSERT(FIELD_OFFSET(KMUTANT, OwnerThread) == 0x28);

struct _KDPC;
typedef struct _KTIMER {
    DISPATCHER_HEADER Header;
    ULARGE_INTEGER DueTime;
    LIST_ENTRY TimerListEntry;
    struct _KDPC *Dpc;
    USHORT Processor;
    USHORT TimerType;
    ULONG Period;
} KTIMER, *PKTIMER, *PRKTIMER;
C_ASSERT(sizeof(KTIMER) == 0x40);
C_ASSERT(FIELD_OFFSET(KTIMER, Dpc) == 0x30);

typedef VOID KDEFERRED_ROUTINE(struct _KDPC *Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                               PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;

typedef struct _KDPC {
    union {
        ULONG TargetInfoAsUlong;
        struct { UCHAR Type; UCHAR Importance; volatile USHORT Number; };
    };
    SINGLE_LIST_ENTRY DpcListEntry;
    KAFFINITY ProcessorHistory;
    PKDEFERRED_ROUTINE DeferredRoutine;
    PVOID DeferredContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
    volatile PVOID DpcData;
} KDPC, *PKDPC, *PRKDPC;
C_ASSERT(sizeof(KDPC) == 0x40);
C_ASSERT(FIELD_OFFSET(KDPC, DeferredRoutine) == 0x18);

typedef struct _KWAIT_BLOCK {
    LIST_ENTRY WaitListEntry;
    UCHAR WaitType;
    volatile UCHAR BlockState;
    USHORT WaitKey;
    LONG SpareLong;
    union {
        struct _KTHREAD *Thread;
        struct _KQUEUE *NotificationQueue;
    };
    PVOID Object;
    PVOID SparePtr;
} KWAIT_BLOCK, *PKWAIT_BLOCK, *PRKWAIT_BLOCK;
C_ASSERT(sizeof(KWAIT_BLOCK) == 0x30);

typedef struct _KQUEUE {
    DISPATCHER_HEADER Header;
    LIST_ENTRY EntryListHead;
    volatile ULONG CurrentCount;
    ULONG MaximumCount;
    LIST_ENTRY ThreadListHead;
} KQUEUE, *PKQUEUE, *PRKQUEUE;
C_ASSERT(sizeof(KQUEUE) == 0x40);

struct _KAPC;
typedef VOID KNORMAL_ROUTINE(PVOID NormalContext, PVOID SystemArgument1, PVOID SystemArgument2);
typedef KNORMAL_ROUTINE *PKNORMAL_ROUTINE;
typedef VOID KKERNEL_ROUTINE(struct _KAPC *Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext,
                             PVOID *SystemArgument1, PVOID *SystemArgument2);
typedef KKERNEL_ROUTINE *PKKERNEL_ROUTINE;
typedef VOID KRUNDOWN_ROUTINE(struct _KAPC *Apc);
typedef KRUNDOWN_ROUTINE *PKRUNDOWN_ROUTINE;

typedef struct _KAPC {
    UCHAR Type;
    UCHAR SpareByte0;
    UCHAR Size;
    UCHAR SpareByte1;
    ULONG SpareLong0;
    struct _KTHREAD *Thread;
    LIST_ENTRY ApcListEntry;
    union {
        PVOID Reserved[3];
        struct {
            PKKERNEL_ROUTINE KernelRoutine;
            PKRUNDOWN_ROUTINE RundownRoutine;
            PKNORMAL_ROUTINE NormalRoutine;
        };
    };
    PVOID NormalContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
    CCHAR ApcStateIndex;
    KPROCESSOR_MODE ApcMode;
    BOOLEAN Inserted;
} KAPC, *PKAPC, *PRKAPC;
C_ASSERT(sizeof(KAPC) == 0x58);
C_ASSERT(FIELD_OFFSET(KAPC, NormalContext) == 0x38);
C_ASSERT(FIELD_OFFSET(KAPC, Inserted) == 0x52);

typedef struct _KSPIN_LOCK_QUEUE {
    struct _KSPIN_LOCK_QUEUE *volatile Next;
    PKSPIN_LOCK volatile Lock;
} KSPIN_LOCK_QUEUE, *PKSPIN_LOCK_QUEUE;

typedef struct _KLOCK_QUEUE_HANDLE {
    KSPIN_LOCK_QUEUE LockQueue;
    KIRQL OldIrql;
} KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;
C_ASSERT(sizeof(KLOCK_QUEUE_HANDLE) == 0x18);

/* The numbered system queued spin locks of KeAcquireQueuedSpinLock: on x64 the WDK makes the number a
 * ULONG64 with one macro per lock. */
typedef ULONG64 KSPIN_LOCK_QUEUE_NUMBER;
#define LockQueueUnusedSpare0 0
#define LockQueueUnusedSpare1 1
#define LockQueueUnusedSpare2 2
#define LockQueueUnusedSpare3 3
#define LockQueueVacbLock 4
#define LockQueueMasterLock 5
#define LockQueueNonPagedPoolLock 6
#define LockQueueIoCancelLock 7
#define LockQueueUnusedSpare8 8
#define LockQueueIoVpbLock 9
#define LockQueueIoDatabaseLock 10
#define LockQueueIoCompletionLock 11
#define LockQueueNtfsStructLock 12
#define LockQueueAfdWorkQueueLock 13
#define LockQueueBcbLock 14
#define LockQueueUnusedSpare15 15
#define LockQueueUnusedSpare16 16
#define LockQueueMaximumLock 17

/* Hardware counters for thread profiling (KeSetHardwareCounterConfiguration). */
#define MAX_HW_COUNTERS 16
#ifndef NTIO_HARDWARE_COUNTER_TYPE_DEFINED
#define NTIO_HARDWARE_COUNTER_TYPE_DEFINED
typedef enum _HARDWARE_COUNTER_TYPE {
    PMCCounter,
    MaxHardwareCounterType
} HARDWARE_COUNTER_TYPE, *PHARDWARE_COUNTER_TYPE;
#endif
typedef struct _HARDWARE_COUNTER {
    HARDWARE_COUNTER_TYPE Type;
    ULONG Reserved;
    ULONG64 Index;
} HARDWARE_COUNTER, *PHARDWARE_COUNTER;
C_ASSERT(sizeof(HARDWARE_COUNTER) == 16);

typedef VOID KSTART_ROUTINE(PVOID StartContext);
typedef KSTART_ROUTINE *PKSTART_ROUTINE;

typedef struct _PROCESSOR_NUMBER {
    USHORT Group;
    UCHAR Number;
    UCHAR Reserved;
} PROCESSOR_NUMBER, *PPROCESSOR_NUMBER;

typedef USHORT GROUP_AFFINITY_GROUP;
#define ALL_PROCESSOR_GROUPS 0xffff

/* ---- Processor topology (KeQueryLogicalProcessorRelationship) ------------------------------- */
typedef struct _GROUP_AFFINITY {
    KAFFINITY Mask;
    USHORT Group;
    USHORT Reserved[3];
} GROUP_AFFINITY, *PGROUP_AFFINITY;
C_ASSERT(sizeof(GROUP_AFFINITY) == 16);

typedef enum _LOGICAL_PROCESSOR_RELATIONSHIP {
    RelationProcessorCore,
    RelationNumaNode,
    RelationCache,
    RelationProcessorPackage,
    RelationGroup,
    RelationProcessorDie,
    RelationNumaNodeEx,
    RelationProcessorModule,
    RelationAll = 0xffff
} LOGICAL_PROCESSOR_RELATIONSHIP;

#define LTP_PC_SMT 0x1

typedef enum _PROCESSOR_CACHE_TYPE { CacheUnified, CacheInstruction, CacheData, CacheTrace } PROCESSOR_CACHE_TYPE;

typedef struct _PROCESSOR_RELATIONSHIP {
    BYTE Flags;
    BYTE EfficiencyClass;
    BYTE Reserved[20];
    WORD GroupCount;
    GROUP_AFFINITY GroupMask[ANYSIZE_ARRAY];
} PROCESSOR_RELATIONSHIP, *PPROCESSOR_RELATIONSHIP;

typedef struct _NUMA_NODE_RELATIONSHIP {
    DWORD NodeNumber;
    BYTE Reserved[18];
    WORD GroupCount;
    union {
        GROUP_AFFINITY GroupMask;
        GROUP_AFFINITY GroupMasks[ANYSIZE_ARRAY];
    };
} NUMA_NODE_RELATIONSHIP, *PNUMA_NODE_RELATIONSHIP;

typedef struct _CACHE_RELATIONSHIP {
    BYTE Level;
    BYTE Associativity;
    WORD LineSize;
    DWORD CacheSize;
    PROCESSOR_CACHE_TYPE Type;
    BYTE Reserved[18];
    WORD GroupCount;
    union {
        GROUP_AFFINITY GroupMask;
        GROUP_AFFINITY GroupMasks[ANYSIZE_ARRAY];
    };
} CACHE_RELATIONSHIP, *PCACHE_RELATIONSHIP;
#define CACHE_FULLY_ASSOCIATIVE 0xFF

typedef struct _PROCESSOR_GROUP_INFO {
    BYTE MaximumProcessorCount;
    BYTE ActiveProcessorCount;
    BYTE Reserved[38];
    KAFFINITY ActiveProcessorMask;
} PROCESSOR_GROUP_INFO, *PPROCESSOR_GROUP_INFO;

typedef struct _GROUP_RELATIONSHIP {
    WORD MaximumGroupCount;
    WORD ActiveGroupCount;
    BYTE Reserved[20];
    PROCESSOR_GROUP_INFO GroupInfo[ANYSIZE_ARRAY];
} GROUP_RELATIONSHIP, *PGROUP_RELATIONSHIP;

typedef struct _SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX {
    LOGICAL_PROCESSOR_RELATIONSHIP Relationship;
    DWORD Size;
    union {
        PROCESSOR_RELATIONSHIP Processor;
        NUMA_NODE_RELATIONSHIP NumaNode;
        CACHE_RELATIONSHIP Cache;
        GROUP_RELATIONSHIP Group;
    };
} SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX, *PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX;
C_ASSERT(sizeof(PROCESSOR_RELATIONSHIP) == 40);
C_ASSERT(sizeof(NUMA_NODE_RELATIONSHIP) == 40);
C_ASSERT(sizeof(CACHE_RELATIONSHIP) == 48);
C_ASSERT(sizeof(GROUP_RELATIONSHIP) == 72);
C_ASSERT(sizeof(SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX) == 80);

NTIO_BEGIN_DECLS

/* ---- IRQL (any IRQL) ----------------------------------------------------------------------- */
NTKERNELAPI KIRQL KeGetCurrentIrql(VOID);
/* Bugchecks IRQL_NOT_GREATER_OR_EQUAL when NewIrql is below the current IRQL. */
NTKERNELAPI VOID KeRaiseIrql(_In_ KIRQL NewIrql, _Out_ PKIRQL OldIrql);
/* Bugchecks IRQL_NOT_LESS_OR_EQUAL when NewIrql is above the current IRQL. Delivers the APCs and
 * DPC work that became deliverable at the new level. */
NTKERNELAPI VOID KeLowerIrql(_In_ KIRQL NewIrql);
NTKERNELAPI KIRQL KeRaiseIrqlToDpcLevel(VOID);
NTKERNELAPI KIRQL KeRaiseIrqlToSynchLevel(VOID);
NTKERNELAPI KIRQL KfRaiseIrql(_In_ KIRQL NewIrql);
NTKERNELAPI VOID KfLowerIrql(_In_ KIRQL NewIrql);

/* ---- Spin locks ---------------------------------------------------------------------------- */
NTKERNELAPI VOID KeInitializeSpinLock(_Out_ PKSPIN_LOCK SpinLock);
/* IRQL <= DISPATCH_LEVEL; raises to DISPATCH_LEVEL. */
NTKERNELAPI VOID KeAcquireSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKIRQL OldIrql);
NTKERNELAPI KIRQL KeAcquireSpinLockRaiseToDpc(_Inout_ PKSPIN_LOCK SpinLock);
NTKERNELAPI VOID KeReleaseSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _In_ KIRQL NewIrql);
/* IRQL >= DISPATCH_LEVEL. */
NTKERNELAPI VOID KeAcquireSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);
NTKERNELAPI VOID KeReleaseSpinLockFromDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);
NTKERNELAPI BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);
NTKERNELAPI BOOLEAN KeTestSpinLock(_In_ PKSPIN_LOCK SpinLock);
/* IRQL <= SYNCH_LEVEL; raises to SYNCH_LEVEL. Released with KeReleaseSpinLock and the IRQL returned. */
NTKERNELAPI KIRQL KeAcquireSpinLockRaiseToSynch(_Inout_ PKSPIN_LOCK SpinLock);
NTKERNELAPI VOID KeAcquireInStackQueuedSpinLock(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI VOID KeReleaseInStackQueuedSpinLock(_In_ PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(_In_ PKLOCK_QUEUE_HANDLE LockHandle);
/* <ntifs.h>, reserved for system use (Learn documents nothing but the signature). The numbered
 * system locks: raise to DISPATCH_LEVEL and take lock Number; LockQueueIoCancelLock is the lock
 * IoAcquireCancelSpinLock takes and LockQueueIoVpbLock IoAcquireVpbSpinLock's. The try form
 * returns FALSE, at the IRQL it was called at, when the lock is held. A Number of LockQueueMaximumLock
 * or above stops the system (KERNEL_SECURITY_CHECK_FAILURE, FAST_FAIL_INVALID_ARG).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-keacquirequeuedspinlock */
NTKERNELAPI KIRQL FASTCALL KeAcquireQueuedSpinLock(_In_ KSPIN_LOCK_QUEUE_NUMBER Number);
NTKERNELAPI VOID FASTCALL KeReleaseQueuedSpinLock(_In_ KSPIN_LOCK_QUEUE_NUMBER Number, _In_ KIRQL OldIrql);
NTKERNELAPI LOGICAL FASTCALL KeTryToAcquireQueuedSpinLock(_In_ KSPIN_LOCK_QUEUE_NUMBER Number, _Out_ PKIRQL OldIrql);
/* For DPC routines that may run threaded (below DISPATCH_LEVEL): raise to DISPATCH_LEVEL only when
 * below it; the release restores the IRQL the acquire returned (or stored in the handle). */
NTKERNELAPI KIRQL KeAcquireSpinLockForDpc(_Inout_ PKSPIN_LOCK SpinLock);
NTKERNELAPI VOID KeReleaseSpinLockForDpc(_Inout_ PKSPIN_LOCK SpinLock, _In_ KIRQL OldIrql);
NTKERNELAPI VOID KeAcquireInStackQueuedSpinLockForDpc(_Inout_ PKSPIN_LOCK SpinLock, _Out_ PKLOCK_QUEUE_HANDLE LockHandle);
NTKERNELAPI VOID KeReleaseInStackQueuedSpinLockForDpc(_In_ PKLOCK_QUEUE_HANDLE LockHandle);

/* ---- Threads -------------------------------------------------------------------------------- */
NTKERNELAPI PKTHREAD KeGetCurrentThread(VOID);
NTKERNELAPI KPROCESSOR_MODE KeGetPreviousMode(VOID);
NTKERNELAPI KPROCESSOR_MODE ExGetPreviousMode(VOID);
NTKERNELAPI BOOLEAN KeAlertThread(_Inout_ PKTHREAD Thread, _In_ KPROCESSOR_MODE AlertMode);
NTKERNELAPI BOOLEAN KeTestAlertThread(_In_ KPROCESSOR_MODE AlertMode);
NTKERNELAPI KPRIORITY KeQueryPriorityThread(_In_ PKTHREAD Thread);
NTKERNELAPI KPRIORITY KeSetPriorityThread(_Inout_ PKTHREAD Thread, _In_ KPRIORITY Priority);
/* PASSIVE_LEVEL. Base priority = the process's (8) + Increment, within 1..LOW_REALTIME_PRIORITY-1;
 * returns the previous increment. https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-kesetbaseprioritythread */
NTKERNELAPI LONG KeSetBasePriorityThread(_Inout_ PKTHREAD Thread, _In_ LONG Increment);
NTKERNELAPI BOOLEAN KeIsExecutingDpc(VOID);
/* PASSIVE_LEVEL. The thread's run time in clock ticks (KeQueryTimeIncrement units): kernel time
 * returned, user time in *UserTime. ntio counts a system thread's CPU time as kernel time and an
 * application thread's as user time (the host cannot tell the two apart).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequeryruntimethread */
NTKERNELAPI ULONG KeQueryRuntimeThread(_In_ PKTHREAD Thread, _Out_ PULONG UserTime);
/* The thread's CPU time in processor cycles; *CycleTimeStamp gets the cycle counter now.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerytotalcycletimethread */
NTKERNELAPI ULONG64 KeQueryTotalCycleTimeThread(_Inout_ PKTHREAD Thread, _Out_ PULONG64 CycleTimeStamp);
/* The cycle time of every thread the process has had (those that ended included), as above. */
NTKERNELAPI ULONG64 KeQueryTotalCycleTimeProcess(_Inout_ PKPROCESS Process, _Out_ PULONG64 CycleTimeStamp);
/* <ntifs.h>. Returns the previous ideal processor; a processor the system does not have changes
 * nothing. Recorded only: the host scheduler places threads. */
NTKERNELAPI UCHAR KeSetIdealProcessorThread(_Inout_ PKTHREAD Thread, _In_ UCHAR Processor);
/* <ntifs.h>. Returns the calling thread's previous setting (TRUE at first); stacks never swap here. */
NTKERNELAPI BOOLEAN KeSetKernelStackSwapEnable(_In_ BOOLEAN Enable);

/* Critical regions disable normal kernel APCs; guarded regions disable all APCs (PASSIVE/APC). */
NTKERNELAPI VOID KeEnterCriticalRegion(VOID);
NTKERNELAPI VOID KeLeaveCriticalRegion(VOID);
NTKERNELAPI VOID KeEnterGuardedRegion(VOID);
NTKERNELAPI VOID KeLeaveGuardedRegion(VOID);
NTKERNELAPI BOOLEAN KeAreApcsDisabled(VOID);
NTKERNELAPI BOOLEAN KeAreAllApcsDisabled(VOID);

/* ---- Dispatcher objects (Initialize: any IRQL; Set/Release with Wait FALSE: <= DISPATCH) ---- */
NTKERNELAPI VOID KeInitializeEvent(_Out_ PRKEVENT Event, _In_ EVENT_TYPE Type, _In_ BOOLEAN State);
NTKERNELAPI LONG KeSetEvent(_Inout_ PRKEVENT Event, _In_ KPRIORITY Increment, _In_ BOOLEAN Wait);
NTKERNELAPI LONG KeResetEvent(_Inout_ PRKEVENT Event);
NTKERNELAPI VOID KeClearEvent(_Inout_ PRKEVENT Event);
NTKERNELAPI LONG KeReadStateEvent(_In_ PRKEVENT Event);
NTKERNELAPI LONG KePulseEvent(_Inout_ PRKEVENT Event, _In_ KPRIORITY Increment, _In_ BOOLEAN Wait);

NTKERNELAPI VOID KeInitializeSemaphore(_Out_ PRKSEMAPHORE Semaphore, _In_ LONG Count, _In_ LONG Limit);
/* Raises STATUS_SEMAPHORE_LIMIT_EXCEEDED when the count would pass the limit. */
NTKERNELAPI LONG KeReleaseSemaphore(_Inout_ PRKSEMAPHORE Semaphore, _In_ KPRIORITY Increment,
                                    _In_ LONG Adjustment, _In_ BOOLEAN Wait);
NTKERNELAPI LONG KeReadStateSemaphore(_In_ PRKSEMAPHORE Semaphore);

NTKERNELAPI VOID KeInitializeMutex(_Out_ PRKMUTEX Mutex, _In_ ULONG Level);
/* Bugchecks THREAD_NOT_MUTEX_OWNER when the caller does not own the mutex. */
NTKERNELAPI LONG KeReleaseMutex(_Inout_ PRKMUTEX Mutex, _In_ BOOLEAN Wait);
NTKERNELAPI LONG KeReadStateMutex(_In_ PRKMUTEX Mutex);
NTKERNELAPI VOID KeInitializeMutant(_Out_ PRKMUTANT Mutant, _In_ BOOLEAN InitialOwner);
NTKERNELAPI LONG KeReleaseMutant(_Inout_ PRKMUTANT Mutant, _In_ KPRIORITY Increment, _In_ BOOLEAN Abandoned,
                                 _In_ BOOLEAN Wait);
NTKERNELAPI LONG KeReadStateMutant(_In_ PRKMUTANT Mutant);

/* Waits: IRQL <= APC_LEVEL with a non-zero timeout, <= DISPATCH_LEVEL with a zero timeout.
 * Timeout: NULL = forever, negative = relative, positive = absolute (100 ns since 1601). */
NTKERNELAPI NTSTATUS KeWaitForSingleObject(_In_ PVOID Object, _In_ KWAIT_REASON WaitReason,
                                           _In_ KPROCESSOR_MODE WaitMode, _In_ BOOLEAN Alertable,
                                           _In_opt_ PLARGE_INTEGER Timeout);
NTKERNELAPI NTSTATUS KeWaitForMultipleObjects(_In_ ULONG Count, _In_ PVOID Object[], _In_ WAIT_TYPE WaitType,
                                              _In_ KWAIT_REASON WaitReason, _In_ KPROCESSOR_MODE WaitMode,
                                              _In_ BOOLEAN Alertable, _In_opt_ PLARGE_INTEGER Timeout,
                                              _Out_opt_ PKWAIT_BLOCK WaitBlockArray);
#define KeWaitForMutexObject KeWaitForSingleObject
NTKERNELAPI NTSTATUS KeDelayExecutionThread(_In_ KPROCESSOR_MODE WaitMode, _In_ BOOLEAN Alertable,
                                            _In_ PLARGE_INTEGER Interval);

/* ---- Timers and DPCs ------------------------------------------------------------------------ */
NTKERNELAPI VOID KeInitializeTimer(_Out_ PKTIMER Timer);
NTKERNELAPI VOID KeInitializeTimerEx(_Out_ PKTIMER Timer, _In_ TIMER_TYPE Type);
NTKERNELAPI BOOLEAN KeSetTimer(_Inout_ PKTIMER Timer, _In_ LARGE_INTEGER DueTime, _In_opt_ PKDPC Dpc);
NTKERNELAPI BOOLEAN KeSetTimerEx(_Inout_ PKTIMER Timer, _In_ LARGE_INTEGER DueTime, _In_ LONG Period,
                                 _In_opt_ PKDPC Dpc);
/* <= DISPATCH_LEVEL. KeSetTimerEx with a tolerance: each expiration may come up to TolerableDelay ms
 * late (ntio fires at the due time, as TolerableDelay 0 would). Period is in milliseconds, at most
 * MAXLONG. https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesetcoalescabletimer */
NTKERNELAPI BOOLEAN KeSetCoalescableTimer(_Inout_ PKTIMER Timer, _In_ LARGE_INTEGER DueTime, _In_ ULONG Period,
                                          _In_ ULONG TolerableDelay, _In_opt_ PKDPC Dpc);
NTKERNELAPI BOOLEAN KeCancelTimer(_Inout_ PKTIMER Timer);
NTKERNELAPI BOOLEAN KeReadStateTimer(_In_ PKTIMER Timer);

NTKERNELAPI VOID KeInitializeDpc(_Out_ PRKDPC Dpc, _In_ PKDEFERRED_ROUTINE DeferredRoutine,
                                 _In_opt_ PVOID DeferredContext);
NTKERNELAPI VOID KeInitializeThreadedDpc(_Out_ PRKDPC Dpc, _In_ PKDEFERRED_ROUTINE DeferredRoutine,
                                         _In_opt_ PVOID DeferredContext);
NTKERNELAPI BOOLEAN KeInsertQueueDpc(_Inout_ PRKDPC Dpc, _In_opt_ PVOID SystemArgument1,
                                     _In_opt_ PVOID SystemArgument2);
NTKERNELAPI BOOLEAN KeRemoveQueueDpc(_Inout_ PRKDPC Dpc);
NTKERNELAPI VOID KeSetImportanceDpc(_Inout_ PRKDPC Dpc, _In_ KDPC_IMPORTANCE Importance);
NTKERNELAPI VOID KeSetTargetProcessorDpc(_Inout_ PRKDPC Dpc, _In_ CCHAR Number);
/* STATUS_INVALID_PARAMETER for a processor the system does not have. */
NTKERNELAPI NTSTATUS KeSetTargetProcessorDpcEx(_Inout_ PKDPC Dpc, _In_ PPROCESSOR_NUMBER ProcNumber);
/* PASSIVE_LEVEL: returns once every DPC queued before the call has run. */
NTKERNELAPI VOID KeFlushQueuedDpcs(VOID);

/* <= APC_LEVEL. Runs Routine(Dpc, Context, SystemArgument1, SystemArgument2) once on every processor
 * at DISPATCH_LEVEL, all at the same time, and returns when each has called KeSignalCallDpcDone
 * (SystemArgument1). KeSignalCallDpcSynchronize(SystemArgument2) is a barrier between them: it
 * returns once every processor reached it, TRUE on exactly one of them.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kegenericcalldpc */
NTKERNELAPI VOID KeGenericCallDpc(_In_ PKDEFERRED_ROUTINE Routine, _In_opt_ PVOID Context);
NTKERNELAPI VOID KeSignalCallDpcDone(_In_ PVOID SystemArgument1);
NTKERNELAPI LOGICAL KeSignalCallDpcSynchronize(_In_ PVOID SystemArgument2);

/* <= DISPATCH_LEVEL. Runs BroadcastFunction(Context) on every processor at IPI_LEVEL at the same
 * time; returns what it returned on the calling processor. */
typedef ULONG_PTR KIPI_BROADCAST_WORKER(_In_ ULONG_PTR Argument);
typedef KIPI_BROADCAST_WORKER *PKIPI_BROADCAST_WORKER;
NTKERNELAPI ULONG_PTR KeIpiGenericCall(_In_ PKIPI_BROADCAST_WORKER BroadcastFunction, _In_ ULONG_PTR Context);

/* Calls Callout(Parameter) on the current thread with at least Size bytes of stack; Size above
 * MAXIMUM_EXPANSION_SIZE gets STATUS_INVALID_PARAMETER_2. <= APC_LEVEL (the Ex form: <= DISPATCH_LEVEL,
 * Wait FALSE at DISPATCH_LEVEL, Context NULL). */
#define KERNEL_STACK_SIZE 0x6000
#define KERNEL_LARGE_STACK_SIZE 0x12000
#define KERNEL_LARGE_STACK_COMMIT KERNEL_STACK_SIZE
#define MAXIMUM_EXPANSION_SIZE (KERNEL_LARGE_STACK_SIZE - (PAGE_SIZE / 2))
typedef VOID EXPAND_STACK_CALLOUT(_In_opt_ PVOID Parameter);
typedef EXPAND_STACK_CALLOUT *PEXPAND_STACK_CALLOUT;
NTKERNELAPI NTSTATUS KeExpandKernelStackAndCallout(_In_ PEXPAND_STACK_CALLOUT Callout, _In_opt_ PVOID Parameter,
                                                   _In_ SIZE_T Size);
NTKERNELAPI NTSTATUS KeExpandKernelStackAndCalloutEx(_In_ PEXPAND_STACK_CALLOUT Callout, _In_opt_ PVOID Parameter,
                                                     _In_ SIZE_T Size, _In_ BOOLEAN Wait, _In_opt_ PVOID Context);

/* ---- Time and processors -------------------------------------------------------------------- */
NTKERNELAPI VOID KeQuerySystemTime(_Out_ PLARGE_INTEGER CurrentTime);
NTKERNELAPI VOID KeQuerySystemTimePrecise(_Out_ PLARGE_INTEGER CurrentTime);
NTKERNELAPI ULONGLONG KeQueryInterruptTime(VOID);
NTKERNELAPI ULONGLONG KeQueryInterruptTimePrecise(_Out_ PULONG64 QpcTimeStamp);
NTKERNELAPI VOID KeQueryTickCount(_Out_ PLARGE_INTEGER CurrentCount);
NTKERNELAPI ULONG KeQueryTimeIncrement(VOID);
NTKERNELAPI LARGE_INTEGER KeQueryPerformanceCounter(_Out_opt_ PLARGE_INTEGER PerformanceFrequency);
NTKERNELAPI VOID KeStallExecutionProcessor(_In_ ULONG MicroSeconds);
NTKERNELAPI ULONG KeGetCurrentProcessorNumber(VOID);
NTKERNELAPI ULONG KeGetCurrentProcessorNumberEx(_Out_opt_ PPROCESSOR_NUMBER ProcNumber);
NTKERNELAPI ULONG KeQueryActiveProcessorCount(_Out_opt_ PKAFFINITY ActiveProcessors);
NTKERNELAPI ULONG KeQueryActiveProcessorCountEx(_In_ USHORT GroupNumber);
NTKERNELAPI ULONG KeQueryMaximumProcessorCount(VOID);
NTKERNELAPI KAFFINITY KeQueryActiveProcessors(VOID);
/* The interrupt time without the time the machine spent asleep. Any IRQL. */
NTKERNELAPI ULONGLONG KeQueryUnbiasedInterruptTime(VOID);
/* One processor group (group 0): the processor index is its number. STATUS_INVALID_PARAMETER /
 * INVALID_PROCESSOR_INDEX for a processor the system does not have. */
#define INVALID_PROCESSOR_INDEX 0xffffffff
NTKERNELAPI NTSTATUS KeGetProcessorNumberFromIndex(_In_ ULONG ProcIndex, _Out_ PPROCESSOR_NUMBER ProcNumber);
NTKERNELAPI ULONG KeGetProcessorIndexFromNumber(_In_ PPROCESSOR_NUMBER ProcNumber);
/* Any IRQL. The processors group GroupNumber can hold (ALL_PROCESSOR_GROUPS: all groups); 0 for a
 * group the system does not have. */
NTKERNELAPI ULONG KeQueryMaximumProcessorCountEx(_In_ USHORT GroupNumber);
/* Any IRQL. ntio has one processor group: one active group, at most one group, and group 0's
 * affinity is every processor (0 for a group the system does not have). */
NTKERNELAPI USHORT KeQueryActiveGroupCount(VOID);
NTKERNELAPI USHORT KeQueryMaximumGroupCount(VOID);
NTKERNELAPI KAFFINITY KeQueryGroupAffinity(_In_ USHORT GroupNumber);
/* <= APC_LEVEL. Records of every relationship of the given kind (RelationAll: every kind) that
 * includes ProcessorNumber (NULL: every processor). *Length in: the buffer's size; out: the bytes
 * written, or the bytes needed with STATUS_INFO_LENGTH_MISMATCH. */
NTKERNELAPI NTSTATUS KeQueryLogicalProcessorRelationship(
    _In_opt_ PPROCESSOR_NUMBER ProcessorNumber, _In_ LOGICAL_PROCESSOR_RELATIONSHIP RelationshipType,
    _Out_writes_bytes_opt_(*Length) PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX Information, _Inout_ PULONG Length);
/* Any IRQL. The processors of NUMA node NodeNumber and their count (mask 0, count 0 for a node the
 * system does not have). */
/* <= DISPATCH_LEVEL. The calling thread's system affinity (one group): the processor number it
 * reports stays inside the mask. Invalid masks change nothing.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesetsystemaffinitythreadex
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesetsystemgroupaffinitythread */
NTKERNELAPI KAFFINITY KeSetSystemAffinityThreadEx(_In_ KAFFINITY Affinity);
NTKERNELAPI VOID KeRevertToUserAffinityThreadEx(_In_ KAFFINITY Affinity);
/* The older pair: the revert always returns to the user affinity. */
NTKERNELAPI VOID KeSetSystemAffinityThread(_In_ KAFFINITY Affinity);
NTKERNELAPI VOID KeRevertToUserAffinityThread(VOID);
NTKERNELAPI VOID KeSetSystemGroupAffinityThread(_In_ PGROUP_AFFINITY Affinity,
                                                _Out_opt_ PGROUP_AFFINITY PreviousAffinity);
NTKERNELAPI VOID KeRevertToUserGroupAffinityThread(_In_ PGROUP_AFFINITY PreviousAffinity);
NTKERNELAPI VOID KeQueryNodeActiveAffinity(_In_ USHORT NodeNumber, _Out_opt_ PGROUP_AFFINITY Affinity,
                                           _Out_opt_ PUSHORT Count);
/* NUMA nodes: ntio has one (node 0, every processor). Any IRQL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-kequeryhighestnodenumber
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kegetcurrentnodenumber
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kequerynodemaximumprocessorcount
 * (0 for a node number that does not exist). */
NTKERNELAPI USHORT KeQueryHighestNodeNumber(VOID);
NTKERNELAPI USHORT KeGetCurrentNodeNumber(VOID);
NTKERNELAPI USHORT KeQueryNodeMaximumProcessorCount(_In_ USHORT NodeNumber);

/* Processor change notification (PASSIVE_LEVEL). ntio never adds a processor to a running System:
 * a callback is called only at registration, for the existing processors, with
 * KE_PROCESSOR_CHANGE_ADD_EXISTING (start notifications, then complete ones, or failure ones for
 * those started when a start notification set an error in *OperationStatus).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keregisterprocessorchangecallback */
typedef enum {
    KeProcessorAddStartNotify = 0,
    KeProcessorAddCompleteNotify,
    KeProcessorAddFailureNotify
} KE_PROCESSOR_CHANGE_NOTIFY_STATE;
typedef struct _KE_PROCESSOR_CHANGE_NOTIFY_CONTEXT {
    KE_PROCESSOR_CHANGE_NOTIFY_STATE State;
    ULONG NtNumber;
    NTSTATUS Status;
    PROCESSOR_NUMBER ProcNumber;
} KE_PROCESSOR_CHANGE_NOTIFY_CONTEXT, *PKE_PROCESSOR_CHANGE_NOTIFY_CONTEXT;
C_ASSERT(sizeof(KE_PROCESSOR_CHANGE_NOTIFY_CONTEXT) == 16);
typedef VOID PROCESSOR_CALLBACK_FUNCTION(_In_ PVOID CallbackContext,
                                         _In_ PKE_PROCESSOR_CHANGE_NOTIFY_CONTEXT ChangeContext,
                                         _Inout_ PNTSTATUS OperationStatus);
typedef PROCESSOR_CALLBACK_FUNCTION *PPROCESSOR_CALLBACK_FUNCTION;
#define KE_PROCESSOR_CHANGE_ADD_EXISTING 1
NTKERNELAPI PVOID KeRegisterProcessorChangeCallback(_In_ PPROCESSOR_CALLBACK_FUNCTION CallbackFunction,
                                                    _In_opt_ PVOID CallbackContext, _In_ ULONG Flags);
NTKERNELAPI VOID KeDeregisterProcessorChangeCallback(_In_ PVOID CallbackHandle);

/* Caches and write ordering (any IRQL). The recommended alignment of data processors share is the
 * widest cache line; KeGetDcacheFillSize is the WDK's x64 macro (deprecated: GetDmaAlignment). */
NTHALAPI VOID KeFlushWriteBuffer(VOID);
NTKERNELAPI ULONG KeGetRecommendedSharedDataAlignment(VOID);
#define KeGetDcacheFillSize() 1L
/* x64 caches are coherent with DMA: the WDK's x64 KeFlushIoBuffers does nothing (its arguments are
 * still evaluated here, so a driver's variables used only there stay "used").
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keflushiobuffers */
#define KeFlushIoBuffers(Mdl, ReadOperation, DmaOperation) \
    ((void)(Mdl), (void)(ReadOperation), (void)(DmaOperation))
/* <ntddk.h>, IRQL <= DISPATCH_LEVEL. Write back and invalidate the lines of [BaseAddress,
 * BaseAddress + Length) in every processor's caches (clflush reaches every cache of the coherence
 * domain). https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-keinvalidaterangeallcaches */
NTKERNELAPI VOID FASTCALL KeInvalidateRangeAllCaches(_In_ PVOID BaseAddress, _In_ ULONG Length);
/* <ntddk.h>, IRQL <= DISPATCH_LEVEL; the result is reserved (treat as VOID). ntio cannot write back
 * a whole cache from user mode: see docs/nt-deviations.md.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-keinvalidateallcaches */
NTKERNELAPI BOOLEAN KeInvalidateAllCaches(VOID);
/* The number of processors of the system booted last in this host process (every System of one
 * process normally has the host's count). Deprecated for KeQueryActiveProcessorCountEx; Learn has no
 * page of its own for this variable. */
extern NTSYSAPI volatile CCHAR KeNumberProcessors;
/* <ntddk.h>, IRQL <= APC_LEVEL. ntio has no performance monitoring unit to profile threads with:
 * both answer STATUS_NOT_IMPLEMENTED, as Learn documents for an architecture without support (after
 * STATUS_INVALID_PARAMETER for a Count above MAX_HW_COUNTERS).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-kesethardwarecounterconfiguration
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-kequeryhardwarecounterconfiguration */
NTKERNELAPI NTSTATUS KeSetHardwareCounterConfiguration(_In_ PHARDWARE_COUNTER CounterArray, _In_ ULONG Count);
NTKERNELAPI NTSTATUS KeQueryHardwareCounterConfiguration(_Out_ PHARDWARE_COUNTER CounterArray,
                                                         _In_ ULONG MaximumCount, _Out_ PULONG Count);

/* ---- APCs (undocumented in the WDK, well-known signatures) --------------------------------- */
NTKERNELAPI VOID KeInitializeApc(_Out_ PRKAPC Apc, _In_ PRKTHREAD Thread, _In_ KAPC_ENVIRONMENT Environment,
                                 _In_ PKKERNEL_ROUTINE KernelRoutine, _In_opt_ PKRUNDOWN_ROUTINE RundownRoutine,
                                 _In_opt_ PKNORMAL_ROUTINE NormalRoutine, _In_opt_ KPROCESSOR_MODE ApcMode,
                                 _In_opt_ PVOID NormalContext);
/* FALSE when the APC is already queued or the thread has terminated (or stopped taking APCs). */
NTKERNELAPI BOOLEAN KeInsertQueueApc(_Inout_ PRKAPC Apc, _In_opt_ PVOID SystemArgument1,
                                     _In_opt_ PVOID SystemArgument2, _In_ KPRIORITY Increment);
NTKERNELAPI BOOLEAN KeRemoveQueueApc(_Inout_ PKAPC Apc);
NTKERNELAPI BOOLEAN KeAreApcsQueued(_In_ PKTHREAD Thread);

/* ---- Queues (the engine of I/O completion ports) -------------------------------------------- */
NTKERNELAPI VOID KeInitializeQueue(_Out_ PRKQUEUE Queue, _In_ ULONG Count);
NTKERNELAPI LONG KeInsertQueue(_Inout_ PRKQUEUE Queue, _Inout_ PLIST_ENTRY Entry);
NTKERNELAPI LONG KeInsertHeadQueue(_Inout_ PRKQUEUE Queue, _Inout_ PLIST_ENTRY Entry);
/* Returns the entry, or (PLIST_ENTRY)(LONG_PTR)STATUS_TIMEOUT / STATUS_USER_APC / STATUS_ABANDONED. */
NTKERNELAPI PLIST_ENTRY KeRemoveQueue(_Inout_ PRKQUEUE Queue, _In_ KPROCESSOR_MODE WaitMode,
                                      _In_opt_ PLARGE_INTEGER Timeout);
/* KeRemoveQueue for up to Count entries (alertable if asked): waits for the first, then takes those
 * already queued. Returns the number of EntryArray slots filled; a wait that ends without an entry
 * fills one slot with its status, as KeRemoveQueue returns it. */
NTKERNELAPI ULONG KeRemoveQueueEx(_Inout_ PKQUEUE Queue, _In_ KPROCESSOR_MODE WaitMode, _In_ BOOLEAN Alertable,
                                  _In_opt_ PLARGE_INTEGER Timeout,
                                  _Out_writes_to_(Count, return) PLIST_ENTRY *EntryArray, _In_ ULONG Count);
/* Returns the remaining entries (a circular list without a head) or NULL; waiters get
 * STATUS_ABANDONED and associated threads are disassociated. */
NTKERNELAPI PLIST_ENTRY KeRundownQueue(_Inout_ PRKQUEUE Queue);
NTKERNELAPI LONG KeReadStateQueue(_In_ PRKQUEUE Queue);

NTIO_END_DECLS


/* PAGED_CODE(): pageable code must run at IRQL <= APC_LEVEL. Checked (DBG) builds assert it, as
 * Windows' do. Nothing is paged out in ntio; instead, while some driver is verified with Force IRQL
 * checking, PAGED_CODE() asks the verifier, which stops a verified driver's pageable code above
 * APC_LEVEL with DRIVER_IRQL_NOT_LESS_OR_EQUAL as Windows' trimming of pageable sections would. Off,
 * it is one load and an untaken branch. */
NTIO_BEGIN_DECLS
extern NTIO_API volatile LONG NtioPagedCodeChecks;
NTIO_API VOID NTAPI NtioPagedCodeCheck(VOID);
NTIO_END_DECLS
#if defined(DBG) && DBG
#define PAGED_CODE()                                                           \
    do {                                                                       \
        NT_ASSERT(KeGetCurrentIrql() <= APC_LEVEL);                            \
        if (__atomic_load_n(&NtioPagedCodeChecks, __ATOMIC_RELAXED)) NtioPagedCodeCheck(); \
    } while (0)
#else
#define PAGED_CODE()                                                           \
    do {                                                                       \
        if (__atomic_load_n(&NtioPagedCodeChecks, __ATOMIC_RELAXED)) NtioPagedCodeCheck(); \
    } while (0)
#endif
#define PAGED_CODE_LOCKED() ((void)0)
#endif /* NTIO_DDK_KE_H */
