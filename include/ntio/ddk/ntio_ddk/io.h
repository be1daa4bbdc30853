/* The I/O manager DDIs: devices and drivers, IRPs and stack locations, completion, cancellation,
 * cancel-safe queues, device queues and StartIo, MDLs, remove locks, work items, share access and
 * the stack-location macros, with the WDK spellings. IRQL rules are the WDK's. */
#ifndef NTIO_DDK_IO_H
#define NTIO_DDK_IO_H

#include "io_types.h"

NTIO_BEGIN_DECLS

/* Pointers to the type pointers, as the WDK declares them (drivers write *IoFileObjectType). */
extern NTIO_API POBJECT_TYPE *IoFileObjectType;
extern NTIO_API POBJECT_TYPE *IoDeviceObjectType;
extern NTIO_API POBJECT_TYPE *IoDriverObjectType;

/* ---- Devices, drivers, links ---- */
NTKERNELAPI NTSTATUS NTAPI IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                                          PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                                          ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                                          PDEVICE_OBJECT *DeviceObject);
NTKERNELAPI VOID NTAPI IoDeleteDevice(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI NTSTATUS NTAPI IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName);
NTKERNELAPI NTSTATUS NTAPI IoCreateUnprotectedSymbolicLink(PUNICODE_STRING SymbolicLinkName,
                                                           PUNICODE_STRING DeviceName);
NTKERNELAPI NTSTATUS NTAPI IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName);
NTKERNELAPI NTSTATUS NTAPI IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
                                                    PFILE_OBJECT *FileObject, PDEVICE_OBJECT *DeviceObject);
NTKERNELAPI NTSTATUS NTAPI IoAttachDevice(PDEVICE_OBJECT SourceDevice, PUNICODE_STRING TargetDevice,
                                          PDEVICE_OBJECT *AttachedDevice);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoAttachDeviceToDeviceStack(PDEVICE_OBJECT SourceDevice,
                                                             PDEVICE_OBJECT TargetDevice);
NTKERNELAPI NTSTATUS NTAPI IoAttachDeviceToDeviceStackSafe(PDEVICE_OBJECT SourceDevice,
                                                           PDEVICE_OBJECT TargetDevice,
                                                           PDEVICE_OBJECT *AttachedToDeviceObject);
NTKERNELAPI VOID NTAPI IoDetachDevice(PDEVICE_OBJECT TargetDevice);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetAttachedDevice(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetAttachedDeviceReference(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetLowerDeviceObject(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetDeviceAttachmentBaseRef(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetRelatedDeviceObject(PFILE_OBJECT FileObject);
NTKERNELAPI NTSTATUS NTAPI IoRegisterDeviceInterface(PDEVICE_OBJECT PhysicalDeviceObject,
                                                     const GUID *InterfaceClassGuid, PUNICODE_STRING ReferenceString,
                                                     PUNICODE_STRING SymbolicLinkName);
NTKERNELAPI NTSTATUS NTAPI IoSetDeviceInterfaceState(PUNICODE_STRING SymbolicLinkName, BOOLEAN Enable);
NTKERNELAPI NTSTATUS NTAPI IoGetDeviceInterfaces(const GUID *InterfaceClassGuid, PDEVICE_OBJECT PhysicalDeviceObject,
                                                 ULONG Flags, PWSTR *SymbolicLinkList);
NTKERNELAPI NTSTATUS NTAPI IoGetDeviceInterfaceAlias(PUNICODE_STRING SymbolicLinkName,
                                                     const GUID *AliasInterfaceClassGuid,
                                                     PUNICODE_STRING AliasSymbolicLinkName);
NTKERNELAPI PEPROCESS NTAPI IoGetCurrentProcess(VOID);
NTKERNELAPI PEPROCESS NTAPI IoGetRequestorProcess(PIRP Irp);
/* The initial stack pointer of the current thread's stack (its highest address). IRQL <= APC_LEVEL. */
NTKERNELAPI PVOID NTAPI IoGetInitialStack(VOID);
/* The current thread's stack: LowLimit its lowest address, HighLimit one past its highest (its
 * initial stack pointer). Any IRQL. */
NTKERNELAPI VOID NTAPI IoGetStackLimits(PULONG_PTR LowLimit, PULONG_PTR HighLimit);
/* Whether the current thread's stack wholly holds RegionSize bytes from RegionStart. Any IRQL. */
NTKERNELAPI LOGICAL NTAPI IoWithinStackLimits(ULONG_PTR RegionStart, SIZE_T RegionSize);
/* The bytes of the current thread's stack below the caller's frame. */
FORCEINLINE ULONG_PTR IoGetRemainingStackSize(VOID) {
    ULONG_PTR low;
    ULONG_PTR high;
    IoGetStackLimits(&low, &high);
    return (ULONG_PTR)&low - low;
}
NTKERNELAPI ULONG NTAPI IoGetRequestorProcessId(PIRP Irp);
/* IRQL <= APC_LEVEL. The session ID of the process that issued the IRP (its primary token's);
 * STATUS_UNSUCCESSFUL and -1 for an IRP without a thread. */
NTKERNELAPI NTSTATUS NTAPI IoGetRequestorSessionId(_In_ PIRP Irp, _Out_ PULONG pSessionId);
/* The process a thread belongs to. */
NTKERNELAPI PEPROCESS NTAPI IoThreadToProcess(_In_ PETHREAD Thread);
/* Whether the request's originator (the current process for NULL) is a 32-bit application: never
 * here, every emulated process is 64-bit. */
NTKERNELAPI BOOLEAN NTAPI IoIs32bitProcess(_In_opt_ PIRP Irp);
NTKERNELAPI BOOLEAN NTAPI IoIsSystemThread(PETHREAD Thread);
NTKERNELAPI BOOLEAN NTAPI IoIsOperationSynchronous(PIRP Irp);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetDeviceToVerify(PETHREAD Thread);
NTKERNELAPI VOID NTAPI IoRegisterDriverReinitialization(PDRIVER_OBJECT DriverObject,
                                                        PDRIVER_REINITIALIZE DriverReinitializationRoutine,
                                                        PVOID Context);
/* A boot driver's routine, called once every boot-start driver is loaded (before the system-start
 * ones), with Count 1. Registered after that (a driver loaded later): called once its DriverEntry
 * returned, as IoRegisterDriverReinitialization's routines are. PASSIVE_LEVEL. */
NTKERNELAPI VOID NTAPI IoRegisterBootDriverReinitialization(PDRIVER_OBJECT DriverObject,
                                                            PDRIVER_REINITIALIZE DriverReinitializationRoutine,
                                                            PVOID Context);
/* IRP_MJ_SHUTDOWN for a device when the System shuts down: before the file systems are flushed, or
 * (LastChance) after. One IRP per registered device, to the top of its stack. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoRegisterShutdownNotification(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI NTSTATUS NTAPI IoRegisterLastChanceShutdownNotification(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI VOID NTAPI IoUnregisterShutdownNotification(PDEVICE_OBJECT DeviceObject);
/* One IoTimer routine per device object, called about once a second at DISPATCH_LEVEL in an
 * arbitrary thread while started. IoInitializeTimer: PASSIVE_LEVEL, once per device (a second call
 * fails with STATUS_INVALID_DEVICE_STATE). Start and stop: IRQL <= DISPATCH_LEVEL. The timer stops
 * when the device is deleted and goes with the device object. */
NTKERNELAPI NTSTATUS NTAPI IoInitializeTimer(PDEVICE_OBJECT DeviceObject, PIO_TIMER_ROUTINE TimerRoutine,
                                            PVOID Context);
NTKERNELAPI VOID NTAPI IoStartTimer(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI VOID NTAPI IoStopTimer(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI NTSTATUS NTAPI IoAllocateDriverObjectExtension(PDRIVER_OBJECT DriverObject, PVOID ClientIdentificationAddress,
                                                           ULONG DriverObjectExtensionSize,
                                                           PVOID *DriverObjectExtension);
NTKERNELAPI PVOID NTAPI IoGetDriverObjectExtension(PDRIVER_OBJECT DriverObject, PVOID ClientIdentificationAddress);

/* ---- IRPs ---- */
NTKERNELAPI PIRP NTAPI IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota);
NTKERNELAPI PIRP NTAPI IoAllocateIrpEx(PDEVICE_OBJECT DeviceObject, CCHAR StackSize, BOOLEAN ChargeQuota);
NTKERNELAPI VOID NTAPI IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize);
NTKERNELAPI VOID NTAPI IoReuseIrp(PIRP Irp, NTSTATUS Iostatus);

/* The I/O priority hint an IRP carries (IoPriorityNormal until set). Any IRQL. */
typedef enum _IO_PRIORITY_HINT {
    IoPriorityVeryLow = 0,
    IoPriorityLow,
    IoPriorityNormal,
    IoPriorityHigh,
    IoPriorityCritical,
    MaxIoPriorityTypes
} IO_PRIORITY_HINT;
NTKERNELAPI IO_PRIORITY_HINT NTAPI IoGetIoPriorityHint(PIRP Irp);
/* The priority of a paging I/O IRP (IoGetPagingIoPriority, <ntddk.h>). */
typedef enum _IO_PAGING_PRIORITY {
    IoPagingPriorityInvalid,
    IoPagingPriorityNormal,
    IoPagingPriorityHigh,
    IoPagingPriorityReserved1,
    IoPagingPriorityReserved2
} IO_PAGING_PRIORITY;
/* STATUS_INVALID_PARAMETER for a hint outside the enumeration; STATUS_INSUFFICIENT_RESOURCES for an
 * IRP IoAllocateIrp did not hand out (ntio has nowhere to keep the hint of one). Any IRQL. */
NTKERNELAPI NTSTATUS NTAPI IoSetIoPriorityHint(PIRP Irp, IO_PRIORITY_HINT PriorityHint);
/* Whether the sender of an IRP_MJ_DEVICE_CONTROL / IRP_MJ_FILE_SYSTEM_CONTROL request holds
 * RequiredAccess (FILE_READ_ACCESS, FILE_WRITE_ACCESS) on its handle: STATUS_SUCCESS (always for a
 * KernelMode requestor), STATUS_ACCESS_DENIED, or STATUS_INVALID_PARAMETER for another major function
 * or other access bits. Any IRQL. */
NTKERNELAPI NTSTATUS NTAPI IoValidateDeviceIoControlAccess(PIRP Irp, ULONG RequiredAccess);
NTKERNELAPI VOID NTAPI IoFreeIrp(PIRP Irp);
NTKERNELAPI PIRP NTAPI IoMakeAssociatedIrp(PIRP Irp, CCHAR StackSize);
#define IoSizeOfIrp(StackSize) ((USHORT)(sizeof(IRP) + ((StackSize) * (sizeof(IO_STACK_LOCATION)))))
NTKERNELAPI NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp);
NTKERNELAPI VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost);
#define IoCallDriver(a, b) IofCallDriver(a, b)
#define IoCompleteRequest(a, b) IofCompleteRequest(a, b)
/* The WDK's stack-safe call for a caller that has no stack budget of its own: the default budget
 * (that is, a plain IoCallDriver). ntio's dispatch runs on host thread stacks whose size the
 * caller does not choose, so no stack switch is ever needed. */
#define IoCallDriverStackSafeDefault(a, b) IoCallDriver(a, b)
NTKERNELAPI PIRP NTAPI IoBuildAsynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer,
                                                     ULONG Length, PLARGE_INTEGER StartingOffset,
                                                     PIO_STATUS_BLOCK IoStatusBlock);
NTKERNELAPI PIRP NTAPI IoBuildSynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer,
                                                    ULONG Length, PLARGE_INTEGER StartingOffset, PKEVENT Event,
                                                    PIO_STATUS_BLOCK IoStatusBlock);
NTKERNELAPI PIRP NTAPI IoBuildDeviceIoControlRequest(ULONG IoControlCode, PDEVICE_OBJECT DeviceObject,
                                                     PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer,
                                                     ULONG OutputBufferLength, BOOLEAN InternalDeviceIoControl,
                                                     PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock);
NTKERNELAPI VOID NTAPI IoQueueThreadIrp(PIRP Irp);
NTKERNELAPI BOOLEAN NTAPI IoIsErrorUserInduced(NTSTATUS Status);
NTKERNELAPI NTSTATUS NTAPI IoSetCompletionRoutineEx(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                                    PIO_COMPLETION_ROUTINE CompletionRoutine, PVOID Context,
                                                    BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError,
                                                    BOOLEAN InvokeOnCancel);
NTKERNELAPI BOOLEAN NTAPI IoForwardIrpSynchronously(PDEVICE_OBJECT DeviceObject, PIRP Irp);
#define IoForwardAndCatchIrp IoForwardIrpSynchronously
NTKERNELAPI NTSTATUS NTAPI IoCheckEaBufferValidity(PVOID EaBuffer, ULONG EaLength, PULONG ErrorOffset);

/* ---- Cancellation ---- */
NTKERNELAPI BOOLEAN NTAPI IoCancelIrp(PIRP Irp);
NTKERNELAPI VOID NTAPI IoAcquireCancelSpinLock(PKIRQL Irql);
NTKERNELAPI VOID NTAPI IoReleaseCancelSpinLock(KIRQL Irql);
NTKERNELAPI PDRIVER_CANCEL NTAPI IoSetCancelRoutineCheck(PIRP Irp, PDRIVER_CANCEL CancelRoutine);

/* ---- Cancel-safe queues ---- */
NTKERNELAPI NTSTATUS NTAPI IoCsqInitialize(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP CsqInsertIrp, PIO_CSQ_REMOVE_IRP CsqRemoveIrp,
                                           PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp, PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock,
                                           PIO_CSQ_RELEASE_LOCK CsqReleaseLock,
                                           PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp);
NTKERNELAPI NTSTATUS NTAPI IoCsqInitializeEx(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP_EX CsqInsertIrp,
                                             PIO_CSQ_REMOVE_IRP CsqRemoveIrp, PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp,
                                             PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock, PIO_CSQ_RELEASE_LOCK CsqReleaseLock,
                                             PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp);
NTKERNELAPI VOID NTAPI IoCsqInsertIrp(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context);
NTKERNELAPI NTSTATUS NTAPI IoCsqInsertIrpEx(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context, PVOID InsertContext);
NTKERNELAPI PIRP NTAPI IoCsqRemoveIrp(PIO_CSQ Csq, PIO_CSQ_IRP_CONTEXT Context);
NTKERNELAPI PIRP NTAPI IoCsqRemoveNextIrp(PIO_CSQ Csq, PVOID PeekContext);

/* ---- Device queues and StartIo ---- */
NTKERNELAPI VOID NTAPI KeInitializeDeviceQueue(PKDEVICE_QUEUE DeviceQueue);
NTKERNELAPI BOOLEAN NTAPI KeInsertDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry);
NTKERNELAPI BOOLEAN NTAPI KeInsertByKeyDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry,
                                                   ULONG SortKey);
NTKERNELAPI PKDEVICE_QUEUE_ENTRY NTAPI KeRemoveDeviceQueue(PKDEVICE_QUEUE DeviceQueue);
NTKERNELAPI PKDEVICE_QUEUE_ENTRY NTAPI KeRemoveByKeyDeviceQueue(PKDEVICE_QUEUE DeviceQueue, ULONG SortKey);
NTKERNELAPI PKDEVICE_QUEUE_ENTRY NTAPI KeRemoveByKeyDeviceQueueIfBusy(PKDEVICE_QUEUE DeviceQueue, ULONG SortKey);
NTKERNELAPI BOOLEAN NTAPI KeRemoveEntryDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry);
NTKERNELAPI VOID NTAPI IoStartPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp, PULONG Key, PDRIVER_CANCEL CancelFunction);
NTKERNELAPI VOID NTAPI IoStartNextPacket(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable);
NTKERNELAPI VOID NTAPI IoStartNextPacketByKey(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable, ULONG Key);
NTKERNELAPI VOID NTAPI IoSetStartIoAttributes(PDEVICE_OBJECT DeviceObject, BOOLEAN DeferredStartIo,
                                              BOOLEAN NonCancelable);

/* ---- Remove locks ---- */
NTKERNELAPI VOID NTAPI IoInitializeRemoveLockEx(PIO_REMOVE_LOCK Lock, ULONG AllocateTag, ULONG MaxLockedMinutes,
                                                ULONG HighWatermark, ULONG RemlockSize);
NTKERNELAPI NTSTATUS NTAPI IoAcquireRemoveLockEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, PCSTR File, ULONG Line,
                                                 ULONG RemlockSize);
NTKERNELAPI VOID NTAPI IoReleaseRemoveLockEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, ULONG RemlockSize);
NTKERNELAPI VOID NTAPI IoReleaseRemoveLockAndWaitEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, ULONG RemlockSize);
#define IoInitializeRemoveLock(Lock, Tag, Maxmin, HighWater) \
    IoInitializeRemoveLockEx(Lock, Tag, Maxmin, HighWater, sizeof(IO_REMOVE_LOCK))
#define IoAcquireRemoveLock(RemoveLock, Tag) \
    IoAcquireRemoveLockEx(RemoveLock, Tag, __FILE__, __LINE__, sizeof(IO_REMOVE_LOCK))
#define IoReleaseRemoveLock(RemoveLock, Tag) IoReleaseRemoveLockEx(RemoveLock, Tag, sizeof(IO_REMOVE_LOCK))
#define IoReleaseRemoveLockAndWait(RemoveLock, Tag) \
    IoReleaseRemoveLockAndWaitEx(RemoveLock, Tag, sizeof(IO_REMOVE_LOCK))

/* ---- Work items ---- */
NTKERNELAPI PIO_WORKITEM NTAPI IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI VOID NTAPI IoFreeWorkItem(PIO_WORKITEM IoWorkItem);
NTKERNELAPI VOID NTAPI IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine,
                                       WORK_QUEUE_TYPE QueueType, PVOID Context);
NTKERNELAPI VOID NTAPI IoQueueWorkItemEx(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE_EX WorkerRoutine,
                                         WORK_QUEUE_TYPE QueueType, PVOID Context);
NTKERNELAPI ULONG NTAPI IoSizeofWorkItem(VOID);
NTKERNELAPI VOID NTAPI IoInitializeWorkItem(PVOID IoObject, PIO_WORKITEM IoWorkItem);
NTKERNELAPI VOID NTAPI IoUninitializeWorkItem(PIO_WORKITEM IoWorkItem);

/* ---- Share access ---- */
NTKERNELAPI NTSTATUS NTAPI IoCheckShareAccess(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess,
                                              PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess, BOOLEAN Update);
NTKERNELAPI VOID NTAPI IoSetShareAccess(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess, PFILE_OBJECT FileObject,
                                        PSHARE_ACCESS ShareAccess);
NTKERNELAPI VOID NTAPI IoUpdateShareAccess(PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess);
NTKERNELAPI VOID NTAPI IoRemoveShareAccess(PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess);
/* WritePermission FALSE: an open that reads without sharing reads is made to share them. */
NTKERNELAPI VOID NTAPI IoSetShareAccessEx(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess, PFILE_OBJECT FileObject,
                                          PSHARE_ACCESS ShareAccess, PBOOLEAN WritePermission);
NTKERNELAPI NTSTATUS NTAPI IoCheckShareAccessEx(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess,
                                                PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess, BOOLEAN Update,
                                                PBOOLEAN WritePermission);
/* IoShareAccessFlags of IoCheckLinkShareAccess. */
#define IO_CHECK_SHARE_ACCESS_UPDATE_SHARE_ACCESS 0x00000001
#define IO_CHECK_SHARE_ACCESS_DONT_UPDATE_FILE_OBJECT 0x00000002
#define IO_CHECK_SHARE_ACCESS_DONT_CHECK_READ 0x00000004
#define IO_CHECK_SHARE_ACCESS_DONT_CHECK_WRITE 0x00000008
#define IO_CHECK_SHARE_ACCESS_DONT_CHECK_DELETE 0x00000010
#define IO_CHECK_SHARE_ACCESS_FORCE_CHECK 0x00000020
#define IO_SHARE_ACCESS_NON_PRIMARY_STREAM 0x00000080
#define IO_SHARE_ACCESS_NO_WRITE_PERMISSION 0x80000000
/* Read and write are checked against ShareAccess, delete against LinkShareAccess (the link the
 * open names) when one is given. */
NTKERNELAPI NTSTATUS NTAPI IoCheckLinkShareAccess(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess,
                                                  PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess,
                                                  PLINK_SHARE_ACCESS LinkShareAccess, ULONG IoShareAccessFlags);
NTKERNELAPI VOID NTAPI IoSetLinkShareAccess(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess,
                                            PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess,
                                            PLINK_SHARE_ACCESS LinkShareAccess, ULONG IoShareAccessFlags);
NTKERNELAPI VOID NTAPI IoUpdateLinkShareAccess(PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess,
                                               PLINK_SHARE_ACCESS LinkShareAccess);
NTKERNELAPI VOID NTAPI IoRemoveLinkShareAccess(PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess,
                                               PLINK_SHARE_ACCESS LinkShareAccess);
NTKERNELAPI VOID NTAPI IoRemoveLinkShareAccessEx(PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess,
                                                 PLINK_SHARE_ACCESS LinkShareAccess, ULONG IoShareAccessFlags);

/* ---- MDLs ---- */
NTKERNELAPI PMDL NTAPI IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota,
                                     PIRP Irp);
NTKERNELAPI VOID NTAPI IoFreeMdl(PMDL Mdl);
NTKERNELAPI VOID NTAPI IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length);
NTKERNELAPI VOID NTAPI MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                           LOCK_OPERATION Operation);
NTKERNELAPI VOID NTAPI MmUnlockPages(PMDL MemoryDescriptorList);
/* <= APC_LEVEL. MmProbeAndLockPages in Process's address space; the MDL's pages then belong to it. */
NTKERNELAPI VOID NTAPI MmProbeAndLockProcessPages(_Inout_ PMDL MemoryDescriptorList, _In_ PEPROCESS Process,
                                                  _In_ KPROCESSOR_MODE AccessMode, _In_ LOCK_OPERATION Operation);
/* <= DISPATCH_LEVEL. Moves the start of the MDL's range forward; STATUS_INVALID_PARAMETER_2 when that
 * would reach or pass its end. */
NTKERNELAPI NTSTATUS NTAPI MmAdvanceMdl(_Inout_ PMDL Mdl, _In_ ULONG NumberOfBytes);
NTKERNELAPI VOID NTAPI MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList);
NTKERNELAPI PVOID NTAPI MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                                     MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                                     ULONG BugCheckOnFailure, ULONG Priority);
NTKERNELAPI PVOID NTAPI MmMapLockedPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode);
NTKERNELAPI VOID NTAPI MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList);
NTKERNELAPI PMDL NTAPI MmCreateMdl(PMDL MemoryDescriptorList, PVOID Base, SIZE_T Length);
NTKERNELAPI SIZE_T NTAPI MmSizeOfMdl(PVOID Base, SIZE_T Length);
NTKERNELAPI BOOLEAN NTAPI MmIsAddressValid(PVOID VirtualAddress);
/* Reserved mappings: a range of system addresses set aside up front so that a later mapping of an
 * MDL into it cannot fail for lack of address space. */
#define MM_MAPPING_ADDRESS_DIVISIBLE 0x1
NTKERNELAPI PVOID NTAPI MmAllocateMappingAddress(SIZE_T NumberOfBytes, ULONG PoolTag);
NTKERNELAPI PVOID NTAPI MmAllocateMappingAddressEx(SIZE_T NumberOfBytes, ULONG PoolTag, ULONG Flags);
NTKERNELAPI VOID NTAPI MmFreeMappingAddress(PVOID BaseAddress, ULONG PoolTag);
NTKERNELAPI PVOID NTAPI MmMapLockedPagesWithReservedMapping(PVOID MappingAddress, ULONG PoolTag,
                                                            PMDL MemoryDescriptorList, MEMORY_CACHING_TYPE CacheType);
NTKERNELAPI VOID NTAPI MmUnmapReservedMapping(PVOID BaseAddress, ULONG PoolTag, PMDL MemoryDescriptorList);

#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size) \
    ((ULONG)((((ULONG_PTR)(Size)) >> PAGE_SHIFT) + \
             ((BYTE_OFFSET(Va) + ((ULONG_PTR)(Size) & (PAGE_SIZE - 1)) + (PAGE_SIZE - 1)) >> PAGE_SHIFT)))
#define COMPUTE_PAGES_SPANNED(Va, Size) ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size)
#define MmGetMdlPfnArray(Mdl) ((PPFN_NUMBER)((Mdl) + 1))
#define MmGetMdlVirtualAddress(Mdl) ((PVOID)((PCHAR)((Mdl)->StartVa) + (Mdl)->ByteOffset))
#define MmGetMdlByteCount(Mdl) ((Mdl)->ByteCount)
#define MmGetMdlByteOffset(Mdl) ((Mdl)->ByteOffset)
#define MmGetMdlBaseVa(Mdl) ((Mdl)->StartVa)
#define MmInitializeMdl(MemoryDescriptorList, BaseVa, Length) \
    do { \
        (MemoryDescriptorList)->Next = (PMDL)NULL; \
        (MemoryDescriptorList)->Size = (CSHORT)(sizeof(MDL) + \
            (sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES((BaseVa), (Length)))); \
        (MemoryDescriptorList)->MdlFlags = 0; \
        (MemoryDescriptorList)->StartVa = (PVOID)PAGE_ALIGN((BaseVa)); \
        (MemoryDescriptorList)->ByteOffset = BYTE_OFFSET((BaseVa)); \
        (MemoryDescriptorList)->ByteCount = (ULONG)(Length); \
    } while (0)
#define MmPrepareMdlForReuse(Mdl) \
    do { \
        if (((Mdl)->MdlFlags & MDL_PARTIAL_HAS_BEEN_MAPPED) != 0) { \
            MmUnmapLockedPages((Mdl)->MappedSystemVa, (Mdl)); \
        } else if (((Mdl)->MdlFlags & MDL_PARTIAL) == 0) { \
        } \
    } while (0)
FORCEINLINE PVOID MmGetSystemAddressForMdlSafe(PMDL Mdl, ULONG Priority) {
    if (Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) return Mdl->MappedSystemVa;
    return MmMapLockedPagesSpecifyCache(Mdl, 0 /* KernelMode */, MmCached, NULL, FALSE, Priority);
}
#define MmGetSystemAddressForMdl(Mdl) \
    (((Mdl)->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) \
         ? ((Mdl)->MappedSystemVa) \
         : (MmMapLockedPages((Mdl), 0)))

/* Completion routine return values (wdm.h). */
#define STATUS_CONTINUE_COMPLETION STATUS_SUCCESS

/* ---- Stack-location macros ---- */
#define IoGetCurrentIrpStackLocation(Irp) ((Irp)->Tail.Overlay.CurrentStackLocation)
#define IoGetNextIrpStackLocation(Irp) ((Irp)->Tail.Overlay.CurrentStackLocation - 1)
#define IoSkipCurrentIrpStackLocation(Irp) \
    do { \
        (Irp)->CurrentLocation++; \
        (Irp)->Tail.Overlay.CurrentStackLocation++; \
    } while (0)
/* The WDK's copy of every field before CompletionRoutine, Control then cleared, made field by field
   rather than as one block. The layer above wrote this location's Control on its own
   (IoSetCompletionRoutine) and IoCallDriver its DeviceObject just before the copy runs: a 16-byte
   load over those bytes and their neighbours cannot take its data from the store buffer and waits
   for the stores to reach the cache, which was most of a pass-through filter's dispatch time on the
   development machine. Loads as wide and where the writes before them were (this same copy, one
   layer up, and IoCallDriver) are served from the store buffer. The empty asm statements keep the
   compiler from merging the pointer-sized copies into vector moves again. */
#if defined(__GNUC__) || defined(__clang__)
#define NTIO_SEPARATE_COPIES() __asm__ __volatile__("" ::: "memory")
#else
#define NTIO_SEPARATE_COPIES() ((void)0)
#endif
/* Parameters is four pointers, followed by DeviceObject and FileObject: the copy below is all of it. */
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Others.Argument4) + sizeof(PVOID) ==
         FIELD_OFFSET(IO_STACK_LOCATION, DeviceObject));
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, FileObject) + sizeof(PVOID) == FIELD_OFFSET(IO_STACK_LOCATION, CompletionRoutine));
FORCEINLINE VOID NtioCopyStackLocationToNext(PIO_STACK_LOCATION Next, const IO_STACK_LOCATION *Current) {
    Next->MajorFunction = Current->MajorFunction;
    Next->MinorFunction = Current->MinorFunction;
    Next->Flags = Current->Flags;
    Next->Control = 0;
    Next->Parameters.Others.Argument1 = Current->Parameters.Others.Argument1;
    NTIO_SEPARATE_COPIES();
    Next->Parameters.Others.Argument2 = Current->Parameters.Others.Argument2;
    NTIO_SEPARATE_COPIES();
    Next->Parameters.Others.Argument3 = Current->Parameters.Others.Argument3;
    NTIO_SEPARATE_COPIES();
    Next->Parameters.Others.Argument4 = Current->Parameters.Others.Argument4;
    NTIO_SEPARATE_COPIES();
    Next->DeviceObject = Current->DeviceObject;
    NTIO_SEPARATE_COPIES();
    Next->FileObject = Current->FileObject;
}
#define IoCopyCurrentIrpStackLocationToNext(Irp) \
    NtioCopyStackLocationToNext(IoGetNextIrpStackLocation(Irp), IoGetCurrentIrpStackLocation(Irp))
#define IoSetNextIrpStackLocation(Irp) \
    do { \
        (Irp)->CurrentLocation--; \
        (Irp)->Tail.Overlay.CurrentStackLocation--; \
    } while (0)
#define IoMarkIrpPending(Irp) (IoGetCurrentIrpStackLocation((Irp))->Control |= SL_PENDING_RETURNED)
#define IoGetFunctionCodeFromCtlCode(ControlCode) (((ULONG)((ControlCode) & 0x00003FFC)) >> 2)
#define IoIsFileOpenedExclusively(FileObject) \
    ((BOOLEAN)!((FileObject)->SharedRead || (FileObject)->SharedWrite || (FileObject)->SharedDelete))
#define IoAssignArcName(ArcName, DeviceName) (IoCreateSymbolicLink((ArcName), (DeviceName)))
#define IoDeassignArcName IoDeleteSymbolicLink
#define IoRequestDpc(DeviceObject, Irp, Context) KeInsertQueueDpc(&(DeviceObject)->Dpc, (Irp), (Context))
#define IoInitializeDpcRequest(DeviceObject, DpcRoutine) \
    KeInitializeDpc(&(DeviceObject)->Dpc, (PKDEFERRED_ROUTINE)(DpcRoutine), (DeviceObject))
/* The device's DPC as a threaded DPC (IoRequestDpc queues it the same way). */
#define IoInitializeThreadedDpcRequest(DeviceObject, DpcRoutine) \
    KeInitializeThreadedDpc(&(DeviceObject)->Dpc, (PKDEFERRED_ROUTINE)(DpcRoutine), (DeviceObject))
/* A driver's count of paging files (or the like) on its device, moved by one atomically. */
#define IoAdjustPagingPathCount(_Count, _Increment) \
    do { \
        if (_Increment) { \
            InterlockedIncrement(_Count); \
        } else { \
            InterlockedDecrement(_Count); \
        } \
    } while (0)

FORCEINLINE VOID IoSetCompletionRoutine(PIRP Irp, PIO_COMPLETION_ROUTINE CompletionRoutine, PVOID Context,
                                        BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError, BOOLEAN InvokeOnCancel) {
    PIO_STACK_LOCATION irpSp = IoGetNextIrpStackLocation(Irp);
    irpSp->CompletionRoutine = CompletionRoutine;
    irpSp->Context = Context;
    irpSp->Control = 0;
    if (InvokeOnSuccess) irpSp->Control = SL_INVOKE_ON_SUCCESS;
    if (InvokeOnError) irpSp->Control |= SL_INVOKE_ON_ERROR;
    if (InvokeOnCancel) irpSp->Control |= SL_INVOKE_ON_CANCEL;
}

/* A function rather than the WDK's macro: drivers write `IoSetCancelRoutine(Irp, Routine);` as a
   statement, and the macro's cast result then trips -Wunused-value under -Werror. Same semantics:
   atomically swaps Irp->CancelRoutine and returns the previous routine.
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetcancelroutine */
FORCEINLINE PDRIVER_CANCEL IoSetCancelRoutine(PIRP Irp, PDRIVER_CANCEL NewCancelRoutine) {
    return (PDRIVER_CANCEL)(ULONG_PTR)InterlockedExchangePointer((PVOID volatile *)&Irp->CancelRoutine,
                                                                 (PVOID)(ULONG_PTR)NewCancelRoutine);
}

/* ---- Kernel-mode file handles ---- */
NTKERNELAPI NTSTATUS NTAPI IoCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                        PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize,
                                        ULONG FileAttributes, ULONG ShareAccess, ULONG Disposition,
                                        ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength, ULONG CreateFileType,
                                        PVOID InternalParameters, ULONG Options);
typedef enum _CREATE_FILE_TYPE { CreateFileTypeNone, CreateFileTypeNamedPipe, CreateFileTypeMailslot } CREATE_FILE_TYPE;

/* IoCreateFileEx's optional context (ntddk.h). ExtraCreateParameter is an ECP list from
   FsRtlAllocateExtraCreateParameterList (<ntifs.h>); ntio has no transactions: TxnParameters must
   stay NULL. */
typedef struct _TXN_PARAMETER_BLOCK *PTXN_PARAMETER_BLOCK;
typedef struct _EJOB *PESILO;
#define IO_USE_AMBIENT_SILO ((PESILO)1)
typedef struct _IO_DRIVER_CREATE_CONTEXT {
    CSHORT Size;
    struct _ECP_LIST *ExtraCreateParameter;
    PVOID DeviceObjectHint;
    PTXN_PARAMETER_BLOCK TxnParameters;
    PESILO SiloContext;
} IO_DRIVER_CREATE_CONTEXT, *PIO_DRIVER_CREATE_CONTEXT;

/* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioinitializedrivercreatecontext */
FORCEINLINE VOID IoInitializeDriverCreateContext(PIO_DRIVER_CREATE_CONTEXT DriverContext) {
    RtlZeroMemory(DriverContext, sizeof(IO_DRIVER_CREATE_CONTEXT));
    DriverContext->Size = (CSHORT)sizeof(IO_DRIVER_CREATE_CONTEXT);
    DriverContext->SiloContext = IO_USE_AMBIENT_SILO;
}

NTKERNELAPI NTSTATUS NTAPI IoCreateFileEx(PHANDLE FileHandle, ACCESS_MASK DesiredAccess,
                                          POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock,
                                          PLARGE_INTEGER AllocationSize, ULONG FileAttributes, ULONG ShareAccess,
                                          ULONG Disposition, ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength,
                                          CREATE_FILE_TYPE CreateFileType, PVOID InternalParameters, ULONG Options,
                                          PIO_DRIVER_CREATE_CONTEXT DriverContext);
NTKERNELAPI NTSTATUS NTAPI IoCreateFileSpecifyDeviceObjectHint(
    PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock,
    PLARGE_INTEGER AllocationSize, ULONG FileAttributes, ULONG ShareAccess, ULONG Disposition, ULONG CreateOptions,
    PVOID EaBuffer, ULONG EaLength, CREATE_FILE_TYPE CreateFileType, PVOID InternalParameters, ULONG Options,
    PVOID DeviceObject);
NTKERNELAPI VOID NTAPI IoCancelFileOpen(PDEVICE_OBJECT DeviceObject, PFILE_OBJECT FileObject);
NTKERNELAPI PGENERIC_MAPPING NTAPI IoGetFileObjectGenericMapping(VOID);
NTKERNELAPI NTSTATUS NTAPI IoGetRelatedTargetDevice(PFILE_OBJECT FileObject, PDEVICE_OBJECT *DeviceObject);
NTKERNELAPI NTSTATUS NTAPI IoGetDeviceNumaNode(PDEVICE_OBJECT Pdo, PUSHORT NodeNumber);

/* ---- WDM version: 6.00, the latest Microsoft Learn lists (Windows 7 and later) ---- */
#define WDM_MAJORVERSION 0x06
#define WDM_MINORVERSION 0x00
NTKERNELAPI BOOLEAN NTAPI IoIsWdmVersionAvailable(UCHAR MajorVersion, UCHAR MinorVersion);

NTIO_END_DECLS

#endif
