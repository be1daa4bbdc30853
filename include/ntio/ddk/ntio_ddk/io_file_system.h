/* <ntifs.h> contents: file system registration (IoRegisterFileSystem and the registration-change
 * notification file system filters use), the VPB spin lock, stream file objects and the volume
 * FSCTLs a disk file system handles, with their WDK names, values and signatures. */
#ifndef NTIO_DDK_IO_FILE_SYSTEM_H
#define NTIO_DDK_IO_FILE_SYSTEM_H

#include "io_types.h"

NTIO_BEGIN_DECLS

/* ---- The thread's top-level IRP (file systems tell recursive entries from top-level ones) ----
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iogettoplevelirp
 * NULL, the IRP a file system is processing at the top, or one of these: */
#define FSRTL_FSP_TOP_LEVEL_IRP ((LONG_PTR)0x01)
#define FSRTL_CACHE_TOP_LEVEL_IRP ((LONG_PTR)0x02)
#define FSRTL_MOD_WRITE_TOP_LEVEL_IRP ((LONG_PTR)0x03)
#define FSRTL_FAST_IO_TOP_LEVEL_IRP ((LONG_PTR)0x04)
#define FSRTL_NETWORK1_TOP_LEVEL_IRP ((LONG_PTR)0x05)
#define FSRTL_NETWORK2_TOP_LEVEL_IRP ((LONG_PTR)0x06)
#define FSRTL_MAX_TOP_LEVEL_IRP_FLAG ((LONG_PTR)0xFFFF)
NTKERNELAPI PIRP NTAPI IoGetTopLevelIrp(VOID);
NTKERNELAPI VOID NTAPI IoSetTopLevelIrp(PIRP Irp);
NTKERNELAPI VOID NTAPI IoSetDeviceToVerify(PETHREAD Thread, PDEVICE_OBJECT DeviceObject);

/* ---- Volume FSCTLs (FILE_DEVICE_FILE_SYSTEM, winioctl.h values) ---- */
#ifndef FSCTL_LOCK_VOLUME
#define FSCTL_LOCK_VOLUME CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 6, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define FSCTL_UNLOCK_VOLUME CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 7, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define FSCTL_DISMOUNT_VOLUME CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 8, METHOD_BUFFERED, FILE_ANY_ACCESS)
#endif
#ifndef FSCTL_IS_VOLUME_MOUNTED
#define FSCTL_IS_VOLUME_MOUNTED CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 10, METHOD_BUFFERED, FILE_ANY_ACCESS)
#endif

/* Called with TRUE when a file system registers, FALSE when it unregisters. */
typedef VOID DRIVER_FS_NOTIFICATION(_In_ struct _DEVICE_OBJECT *DeviceObject, _In_ BOOLEAN FsActive);
typedef DRIVER_FS_NOTIFICATION *PDRIVER_FS_NOTIFICATION;

/* File system control device objects: FILE_DEVICE_DISK_FILE_SYSTEM, _CD_ROM_, _TAPE_ or
 * _NETWORK_FILE_SYSTEM; each is offered the mounts of the matching volume device type. < DISPATCH_LEVEL. */
NTKERNELAPI VOID NTAPI IoRegisterFileSystem(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI VOID NTAPI IoUnregisterFileSystem(PDEVICE_OBJECT DeviceObject);
NTKERNELAPI NTSTATUS NTAPI IoEnumerateDeviceObjectList(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT *DeviceObjectList,
                                                       ULONG DeviceObjectListSize, PULONG ActualNumberDeviceObjects);
NTKERNELAPI NTSTATUS NTAPI IoRegisterFsRegistrationChange(PDRIVER_OBJECT DriverObject,
                                                          PDRIVER_FS_NOTIFICATION DriverNotificationRoutine);
NTKERNELAPI VOID NTAPI IoUnregisterFsRegistrationChange(PDRIVER_OBJECT DriverObject,
                                                        PDRIVER_FS_NOTIFICATION DriverNotificationRoutine);
/* As IoRegisterFsRegistrationChange (ntio has no RAW device objects to leave out); MountAware with
 * SynchronizeWithMounts: no mount runs while the routine hears of the registered file systems. */
NTKERNELAPI NTSTATUS NTAPI IoRegisterFsRegistrationChangeEx(PDRIVER_OBJECT DriverObject,
                                                            PDRIVER_FS_NOTIFICATION DriverNotificationRoutine);
NTKERNELAPI NTSTATUS NTAPI IoRegisterFsRegistrationChangeMountAware(PDRIVER_OBJECT DriverObject,
                                                                    PDRIVER_FS_NOTIFICATION DriverNotificationRoutine,
                                                                    BOOLEAN SynchronizeWithMounts);
/* The drivers with a registration-change routine, last registered (farthest from the file system)
 * first, each referenced; too small a list: STATUS_BUFFER_TOO_SMALL with those that fit. */
NTKERNELAPI NTSTATUS NTAPI IoEnumerateRegisteredFiltersList(PDRIVER_OBJECT *DriverObjectList,
                                                            ULONG DriverObjectListSize,
                                                            PULONG ActualNumberDriverObjects);

/* A mounted volume and the devices around it.
 * IoGetDiskDeviceObject: the storage device under a file system's volume device object, referenced
 * (ObDereferenceObject it); STATUS_INVALID_PARAMETER for a device that is not a mounted volume
 * device (or is attached over another), STATUS_VOLUME_DISMOUNTED once the volume is dismounted and
 * no file holds it. <= DISPATCH_LEVEL.
 * IoGetBaseFileSystemDeviceObject: the volume device at the bottom of the file system stack a file
 * is on (no filter), or the file's device when no volume is mounted.
 * IoVerifyVolume: IRP_MN_VERIFY_VOLUME to the volume mounted on DeviceObject; a changed volume
 * (STATUS_WRONG_VOLUME) or one not mounted is offered to the file systems again. < DISPATCH_LEVEL.
 * IoQueryFileDosDeviceName: the file's MS-DOS path ("X:\dir\file") in an OBJECT_NAME_INFORMATION
 * allocated from paged pool (ExFreePool it). PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoGetDiskDeviceObject(_In_ PDEVICE_OBJECT FileSystemDeviceObject,
                                                 _Out_ PDEVICE_OBJECT *DiskDeviceObject);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetBaseFileSystemDeviceObject(_In_ PFILE_OBJECT FileObject);
NTKERNELAPI NTSTATUS NTAPI IoVerifyVolume(_In_ PDEVICE_OBJECT DeviceObject, _In_ BOOLEAN AllowRawMount);
NTKERNELAPI NTSTATUS NTAPI IoQueryFileDosDeviceName(_In_ PFILE_OBJECT FileObject,
                                                    _Out_ POBJECT_NAME_INFORMATION *ObjectNameInformation);

/* The VPB spin lock guards Vpb->Flags, DeviceObject and ReferenceCount. */
NTKERNELAPI VOID NTAPI IoAcquireVpbSpinLock(PKIRQL Irql);
NTKERNELAPI VOID NTAPI IoReleaseVpbSpinLock(KIRQL Irql);

/* Stream file objects (FO_STREAM_FILE) for a file system's metadata streams. < DISPATCH_LEVEL. */
NTKERNELAPI PFILE_OBJECT NTAPI IoCreateStreamFileObject(PFILE_OBJECT FileObject, PDEVICE_OBJECT DeviceObject);
NTKERNELAPI PFILE_OBJECT NTAPI IoCreateStreamFileObjectLite(PFILE_OBJECT FileObject, PDEVICE_OBJECT DeviceObject);
NTKERNELAPI PFILE_OBJECT NTAPI IoCreateStreamFileObjectEx(PFILE_OBJECT FileObject, PDEVICE_OBJECT DeviceObject,
                                                          PHANDLE FileHandle);

/* A thread's priorities a file system saves and restores around work it does for another.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioinitializepriorityinfo
 * Learn only says the routine initializes the structure before first use; it is given the WDK's
 * "nothing saved yet" values: its Size, ThreadPriority 0xffff, no page priority, IoPriorityNormal.
 * <= DISPATCH_LEVEL. */
typedef struct _IO_PRIORITY_INFO {
    ULONG Size;
    ULONG ThreadPriority;
    ULONG PagePriority;
    IO_PRIORITY_HINT IoPriority;
} IO_PRIORITY_INFO, *PIO_PRIORITY_INFO;
FORCEINLINE VOID IoInitializePriorityInfo(PIO_PRIORITY_INFO PriorityInfo) {
    PriorityInfo->Size = (ULONG)sizeof(IO_PRIORITY_INFO);
    PriorityInfo->ThreadPriority = 0xffff;
    PriorityInfo->PagePriority = 0;
    PriorityInfo->IoPriority = IoPriorityNormal;
}

/* Query and set information on a file object the caller holds, as ZwQueryInformationFile,
 * ZwSetInformationFile and ZwQueryVolumeInformationFile do on a handle (no access check).
 * PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoQueryFileInformation(PFILE_OBJECT FileObject, FILE_INFORMATION_CLASS FileInformationClass,
                                                  ULONG Length, PVOID FileInformation, PULONG ReturnedLength);
NTKERNELAPI NTSTATUS NTAPI IoQueryVolumeInformation(PFILE_OBJECT FileObject, FS_INFORMATION_CLASS FsInformationClass,
                                                    ULONG Length, PVOID FsInformation, PULONG ReturnedLength);
NTKERNELAPI NTSTATUS NTAPI IoSetInformation(PFILE_OBJECT FileObject, FILE_INFORMATION_CLASS FileInformationClass,
                                            ULONG Length, PVOID FileInformation);

/* Replaces FileObject->FileName; the I/O manager owns the name's buffer (it reuses it when the new
 * name fits, else allocates a new one and frees the old). STATUS_INVALID_PARAMETER when the file
 * object has no name to replace. PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioreplacefileobjectname */
NTKERNELAPI NTSTATUS NTAPI IoReplaceFileObjectName(_In_ PFILE_OBJECT FileObject, _In_reads_bytes_(FileNameLength) PWSTR NewFileName,
                                                   _In_ USHORT FileNameLength);

/* The network-open attributes (FileNetworkOpenInformation) of the file ObjectAttributes names,
 * opened with DesiredAccess and OpenOptions and closed again: TRUE when IoStatus holds the outcome
 * (ntio always answers), with Buffer filled on success. PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iofastquerynetworkattributes */
NTKERNELAPI BOOLEAN NTAPI IoFastQueryNetworkAttributes(_In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                       _In_ ACCESS_MASK DesiredAccess, _In_ ULONG OpenOptions,
                                                       _Out_ PIO_STATUS_BLOCK IoStatus,
                                                       _Out_ PFILE_NETWORK_OPEN_INFORMATION Buffer);

NTIO_END_DECLS

#endif
