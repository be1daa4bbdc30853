/* A minimal disk file system for the mount tests, written as a WDK file system driver: it
 * registers a control device, recognizes a volume by the signature in sector 0 (its Signature
 * parameter), keeps a flat in-memory namespace per volume, and handles CREATE with the remaining
 * name, CLEANUP, CLOSE, READ, WRITE, QUERY_VOLUME_INFORMATION, QUERY_INFORMATION (FileNameInformation),
 * FSCTL_DISMOUNT_VOLUME and
 * IRP_MN_VERIFY_VOLUME (the signature read again: a changed one dismounts the volume). It counts
 * what reaches it in TESTFS_STATS (IOCTL_TESTFS_GET_STATS on the control device).
 * Parameters: Signature (REG_SZ, 8 characters), LowPriority (DWORD: DO_LOW_PRIORITY_FILESYSTEM),
 * CdRom (DWORD: register as a CD-ROM file system instead). */
#include <ntifs.h>

#include "driver_parameters.h"
#include "testfs.h"

#define TESTFS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TESTFS_TAG 'tsfT'
#define TESTFS_MAX_FILES 8
#define TESTFS_MAX_DATA 4096
#define TESTFS_MAX_VOLUMES 16
#define TESTFS_CONTROL_MAGIC 0x4c525443 /* 'CTRL' */
#define TESTFS_VOLUME_MAGIC 0x424d4c56  /* 'VLMB' */

typedef struct _TESTFS_FILE {
    BOOLEAN InUse;
    USHORT NameLength; /* bytes */
    WCHAR Name[32];
    ULONG Size;
    UCHAR Data[TESTFS_MAX_DATA];
} TESTFS_FILE, *PTESTFS_FILE;

typedef struct _TESTFS_CONTROL {
    ULONG Magic;
    CHAR Signature[TESTFS_SIGNATURE_LENGTH];
    BOOLEAN Registered;
    TESTFS_STATS Stats;
    FAST_MUTEX Lock;                       /* volumes and spare VPBs */
    PDEVICE_OBJECT Volumes[TESTFS_MAX_VOLUMES];
    PVPB SpareVpbs[TESTFS_MAX_VOLUMES];    /* VPBs this driver allocated (it frees those it swaps out) */
} TESTFS_CONTROL, *PTESTFS_CONTROL;

typedef struct _TESTFS_VCB {
    ULONG Magic;
    PTESTFS_CONTROL Control;
    PDEVICE_OBJECT VolumeDevice;
    PDEVICE_OBJECT TargetDevice;
    PDEVICE_OBJECT RealDevice; /* referenced */
    PVPB Vpb;
    LONG OpenFiles;     /* file objects this volume opened and has not closed */
    BOOLEAN Dismounted;
    FAST_MUTEX Lock;    /* the namespace */
    TESTFS_FILE Files[TESTFS_MAX_FILES];
} TESTFS_VCB, *PTESTFS_VCB;

/* FsContext of a whole-volume open: the VCB itself. */

static PDEVICE_OBJECT TestFsControlDevice;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD TestFsUnload;
_Dispatch_type_(IRP_MJ_CREATE) DRIVER_DISPATCH TestFsCreate;
_Dispatch_type_(IRP_MJ_CLEANUP) DRIVER_DISPATCH TestFsCleanup;
_Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH TestFsClose;
_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH TestFsReadWrite;
_Dispatch_type_(IRP_MJ_WRITE) DRIVER_DISPATCH TestFsReadWrite;
_Dispatch_type_(IRP_MJ_QUERY_VOLUME_INFORMATION) DRIVER_DISPATCH TestFsQueryVolume;
_Dispatch_type_(IRP_MJ_QUERY_INFORMATION) DRIVER_DISPATCH TestFsQueryInformation;
_Dispatch_type_(IRP_MJ_FILE_SYSTEM_CONTROL) DRIVER_DISPATCH TestFsFsControl;
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) DRIVER_DISPATCH TestFsDeviceControl;

static PTESTFS_CONTROL TestFsControl(void)
{
    return (PTESTFS_CONTROL)TestFsControlDevice->DeviceExtension;
}

static BOOLEAN TestFsIsVolume(PDEVICE_OBJECT DeviceObject)
{
    return DeviceObject != TestFsControlDevice && ((PTESTFS_VCB)DeviceObject->DeviceExtension)->Magic == TESTFS_VOLUME_MAGIC;
}

static void TestFsCount(PLONG Counter)
{
    InterlockedIncrement(Counter);
}

static NTSTATUS TestFsComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/* ---- Mount ---- */

static NTSTATUS TestFsReadSector0(PDEVICE_OBJECT Target, PUCHAR Sector)
{
    KEVENT event;
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER offset;
    PIRP irp;
    NTSTATUS status;

    offset.QuadPart = 0;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    irp = IoBuildSynchronousFsdRequest(IRP_MJ_READ, Target, Sector, 512, &offset, &event, &iosb);
    if (!irp) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = IoCallDriver(Target, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    return status;
}

static NTSTATUS TestFsMount(PTESTFS_CONTROL Control, PIO_STACK_LOCATION Stack)
{
    PVPB vpb = Stack->Parameters.MountVolume.Vpb;
    PDEVICE_OBJECT target = Stack->Parameters.MountVolume.DeviceObject;
    PDEVICE_OBJECT volume = NULL;
    PTESTFS_VCB vcb;
    PUCHAR sector;
    NTSTATUS status;
    ULONG i;

    TestFsCount(&Control->Stats.MountRequests);
    Control->Stats.LastMountVpb = (ULONGLONG)(ULONG_PTR)vpb;
    Control->Stats.LastMountDevice = (ULONGLONG)(ULONG_PTR)target;

    sector = (PUCHAR)ExAllocatePoolWithTag(NonPagedPoolNx, 512, TESTFS_TAG);
    if (!sector) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = TestFsReadSector0(target, sector);
    if (NT_SUCCESS(status) && RtlCompareMemory(sector, Control->Signature, TESTFS_SIGNATURE_LENGTH) != TESTFS_SIGNATURE_LENGTH) {
        status = STATUS_UNRECOGNIZED_VOLUME;
    } else if (!NT_SUCCESS(status)) {
        status = STATUS_UNRECOGNIZED_VOLUME;
    }
    ExFreePoolWithTag(sector, TESTFS_TAG);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    /* Volume device objects are unnamed (IoRegisterFileSystem's remarks). */
    status = IoCreateDevice(TestFsControlDevice->DriverObject, sizeof(TESTFS_VCB), NULL, FILE_DEVICE_DISK_FILE_SYSTEM, 0,
                            FALSE, &volume);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    vcb = (PTESTFS_VCB)volume->DeviceExtension;
    RtlZeroMemory(vcb, sizeof(*vcb));
    vcb->Magic = TESTFS_VOLUME_MAGIC;
    vcb->Control = Control;
    vcb->VolumeDevice = volume;
    vcb->TargetDevice = target;
    vcb->Vpb = vpb;
    /* The volume keeps the disk's device object (and the VPB in it) until the volume goes, even if
     * the disk's driver deletes it first. */
    ObReferenceObject(vpb->RealDevice);
    vcb->RealDevice = vpb->RealDevice;
    ExInitializeFastMutex(&vcb->Lock);
    volume->StackSize = (CCHAR)(target->StackSize + 1);
    volume->Flags |= DO_BUFFERED_IO;

    vpb->DeviceObject = volume;
    vpb->SerialNumber = 0x7e57f500;
    for (i = 0; i < TESTFS_SIGNATURE_LENGTH; ++i) {
        vpb->VolumeLabel[i] = (WCHAR)(UCHAR)Control->Signature[i];
    }
    vpb->VolumeLabelLength = TESTFS_SIGNATURE_LENGTH * sizeof(WCHAR);

    ExAcquireFastMutex(&Control->Lock);
    for (i = 0; i < TESTFS_MAX_VOLUMES; ++i) {
        if (!Control->Volumes[i]) {
            Control->Volumes[i] = volume;
            break;
        }
    }
    ExReleaseFastMutex(&Control->Lock);
    TestFsCount(&Control->Stats.Mounts);
    TestFsCount(&Control->Stats.VolumesLive);
    Control->Stats.LastVolumeDevice = (ULONGLONG)(ULONG_PTR)volume;
    volume->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

/* Deletes a volume no file holds any more; frees its VPB when this driver allocated it (a spare
 * swapped in by an earlier dismount and swapped out again). */
static void TestFsDeleteVolume(PTESTFS_VCB Vcb)
{
    PTESTFS_CONTROL control = Vcb->Control;
    PVPB vpb = Vcb->Vpb;
    BOOLEAN ownVpb = FALSE;
    PDEVICE_OBJECT realDevice;
    ULONG i;

    ExAcquireFastMutex(&control->Lock);
    for (i = 0; i < TESTFS_MAX_VOLUMES; ++i) {
        if (control->Volumes[i] == Vcb->VolumeDevice) {
            control->Volumes[i] = NULL;
        }
        if (control->SpareVpbs[i] == vpb && vpb->RealDevice->Vpb != vpb) {
            control->SpareVpbs[i] = NULL;
            ownVpb = TRUE;
        }
    }
    ExReleaseFastMutex(&control->Lock);
    InterlockedDecrement(&control->Stats.VolumesLive);
    realDevice = Vcb->RealDevice;
    IoDeleteDevice(Vcb->VolumeDevice);
    if (ownVpb) {
        ExFreePoolWithTag(vpb, TESTFS_TAG);
    }
    ObDereferenceObject(realDevice);
}

/* FSCTL_DISMOUNT_VOLUME: the volume stops serving new opens; the real device gets a fresh VPB so
 * the next open mounts again, while the files still open keep this VPB (and this volume device)
 * until they close. The last close deletes the volume. */
static NTSTATUS TestFsDismount(PTESTFS_VCB Vcb)
{
    PVPB spare;
    KIRQL irql;
    ULONG i;

    spare = (PVPB)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(VPB), TESTFS_TAG);
    if (!spare) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlZeroMemory(spare, sizeof(VPB));
    spare->Type = IO_TYPE_VPB;
    spare->Size = sizeof(VPB);
    spare->RealDevice = Vcb->Vpb->RealDevice;

    ExAcquireFastMutex(&Vcb->Control->Lock);
    for (i = 0; i < TESTFS_MAX_VOLUMES; ++i) {
        if (!Vcb->Control->SpareVpbs[i]) {
            Vcb->Control->SpareVpbs[i] = spare;
            break;
        }
    }
    ExReleaseFastMutex(&Vcb->Control->Lock);
    if (i == TESTFS_MAX_VOLUMES) {
        ExFreePoolWithTag(spare, TESTFS_TAG);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    IoAcquireVpbSpinLock(&irql);
    Vcb->Dismounted = TRUE;
    Vcb->Vpb->Flags &= ~VPB_MOUNTED;
    Vcb->Vpb->RealDevice->Vpb = spare;
    IoReleaseVpbSpinLock(irql);
    TestFsCount(&Vcb->Control->Stats.Dismounts);
    return STATUS_SUCCESS;
}

/* IRP_MN_VERIFY_VOLUME: sector 0 still carries this file system's signature, or the medium changed
 * and the volume is dismounted as FSCTL_DISMOUNT_VOLUME dismounts it (STATUS_WRONG_VOLUME). */
static NTSTATUS TestFsVerify(PTESTFS_VCB Vcb, PIO_STACK_LOCATION Stack)
{
    PTESTFS_CONTROL control = Vcb->Control;
    PUCHAR sector;
    NTSTATUS status;

    TestFsCount(&control->Stats.VerifyRequests);
    control->Stats.LastVerifyVpb = (ULONGLONG)(ULONG_PTR)Stack->Parameters.VerifyVolume.Vpb;
    control->Stats.LastVerifyDevice = (ULONGLONG)(ULONG_PTR)Stack->Parameters.VerifyVolume.DeviceObject;
    if (Vcb->Dismounted) {
        return STATUS_WRONG_VOLUME;
    }
    sector = (PUCHAR)ExAllocatePoolWithTag(NonPagedPoolNx, 512, TESTFS_TAG);
    if (!sector) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = TestFsReadSector0(Vcb->TargetDevice, sector);
    if (NT_SUCCESS(status) &&
        RtlCompareMemory(sector, control->Signature, TESTFS_SIGNATURE_LENGTH) != TESTFS_SIGNATURE_LENGTH) {
        status = STATUS_WRONG_VOLUME;
    }
    ExFreePoolWithTag(sector, TESTFS_TAG);
    if (status == STATUS_WRONG_VOLUME) {
        NTSTATUS dismount = TestFsDismount(Vcb);
        if (!NT_SUCCESS(dismount)) {
            return dismount;
        }
        TestFsCount(&control->Stats.WrongVolumes);
    }
    return status;
}

/* ---- Dispatch ---- */

static PTESTFS_FILE TestFsLookup(PTESTFS_VCB Vcb, PCUNICODE_STRING Name)
{
    ULONG i;
    for (i = 0; i < TESTFS_MAX_FILES; ++i) {
        UNICODE_STRING entry;
        if (!Vcb->Files[i].InUse) {
            continue;
        }
        entry.Buffer = Vcb->Files[i].Name;
        entry.Length = entry.MaximumLength = Vcb->Files[i].NameLength;
        if (RtlEqualUnicodeString(&entry, Name, TRUE)) {
            return &Vcb->Files[i];
        }
    }
    return NULL;
}

NTSTATUS TestFsCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT file = stack->FileObject;
    PTESTFS_VCB vcb;
    PTESTFS_CONTROL control;
    PTESTFS_FILE entry;
    ULONG disposition = stack->Parameters.Create.Options >> 24;
    ULONG_PTR information = FILE_OPENED;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG i;

    if (!TestFsIsVolume(DeviceObject)) {
        /* The control device opens for its IOCTLs. */
        return TestFsComplete(Irp, STATUS_SUCCESS, FILE_OPENED);
    }
    vcb = (PTESTFS_VCB)DeviceObject->DeviceExtension;
    control = vcb->Control;
    TestFsCount(&control->Stats.Creates);
    control->Stats.LastCreateDevice = (ULONGLONG)(ULONG_PTR)DeviceObject;
    control->Stats.LastCreateVpbReferences = file->Vpb ? file->Vpb->ReferenceCount : 0;
    control->Stats.LastCreateNameLength = TESTFS_MIN(file->FileName.Length, (USHORT)sizeof(control->Stats.LastCreateName));
    if (control->Stats.LastCreateNameLength) {
        RtlCopyMemory(control->Stats.LastCreateName, file->FileName.Buffer, control->Stats.LastCreateNameLength);
    }

    if (vcb->Dismounted) {
        return TestFsComplete(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    if (file->FileName.Length == 0 && !file->RelatedFileObject) {
        file->FsContext = vcb;
        InterlockedIncrement(&vcb->OpenFiles);
        return TestFsComplete(Irp, STATUS_SUCCESS, FILE_OPENED);
    }
    if (file->RelatedFileObject || file->FileName.Length < 2 * sizeof(WCHAR) || file->FileName.Buffer[0] != L'\\' ||
        file->FileName.Length > sizeof(entry->Name)) {
        return TestFsComplete(Irp, STATUS_OBJECT_NAME_INVALID, 0);
    }

    ExAcquireFastMutex(&vcb->Lock);
    entry = TestFsLookup(vcb, &file->FileName);
    if (entry) {
        if (disposition == FILE_CREATE) {
            status = STATUS_OBJECT_NAME_COLLISION;
        }
    } else if (disposition == FILE_CREATE || disposition == FILE_OPEN_IF) {
        for (i = 0; i < TESTFS_MAX_FILES && vcb->Files[i].InUse; ++i) {
        }
        if (i == TESTFS_MAX_FILES) {
            status = STATUS_DISK_FULL;
        } else {
            entry = &vcb->Files[i];
            RtlZeroMemory(entry, sizeof(*entry));
            entry->InUse = TRUE;
            entry->NameLength = file->FileName.Length;
            RtlCopyMemory(entry->Name, file->FileName.Buffer, file->FileName.Length);
            information = FILE_CREATED;
        }
    } else {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    }
    ExReleaseFastMutex(&vcb->Lock);
    if (!NT_SUCCESS(status)) {
        return TestFsComplete(Irp, status, 0);
    }
    file->FsContext = entry;
    file->FsContext2 = vcb;
    InterlockedIncrement(&vcb->OpenFiles);
    return TestFsComplete(Irp, STATUS_SUCCESS, information);
}

NTSTATUS TestFsCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    if (TestFsIsVolume(DeviceObject)) {
        PTESTFS_CONTROL control = ((PTESTFS_VCB)DeviceObject->DeviceExtension)->Control;
        TestFsCount(file->FsContext ? &control->Stats.Cleanups : &control->Stats.StreamCleanups);
    }
    return TestFsComplete(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS TestFsClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    PTESTFS_VCB vcb;
    BOOLEAN last;

    if (!TestFsIsVolume(DeviceObject)) {
        return TestFsComplete(Irp, STATUS_SUCCESS, 0);
    }
    vcb = (PTESTFS_VCB)DeviceObject->DeviceExtension;
    if (!file->FsContext) {
        TestFsCount(&vcb->Control->Stats.StreamCloses);
        return TestFsComplete(Irp, STATUS_SUCCESS, 0);
    }
    TestFsCount(&vcb->Control->Stats.Closes);
    last = InterlockedDecrement(&vcb->OpenFiles) == 0;
    TestFsComplete(Irp, STATUS_SUCCESS, 0);
    /* The I/O manager dropped this file's VPB reference before the close. */
    if (last && vcb->Dismounted && vcb->Vpb->ReferenceCount == 0) {
        TestFsDeleteVolume(vcb);
    }
    return STATUS_SUCCESS;
}

NTSTATUS TestFsReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PTESTFS_VCB vcb;
    PTESTFS_FILE entry;
    ULONG length;
    LONGLONG offset;
    BOOLEAN write = stack->MajorFunction == IRP_MJ_WRITE;

    if (!TestFsIsVolume(DeviceObject)) {
        return TestFsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    vcb = (PTESTFS_VCB)DeviceObject->DeviceExtension;
    TestFsCount(write ? &vcb->Control->Stats.Writes : &vcb->Control->Stats.Reads);
    entry = (PTESTFS_FILE)stack->FileObject->FsContext;
    if (vcb->Dismounted) {
        return TestFsComplete(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    if ((PVOID)entry == (PVOID)vcb || !entry) {
        return TestFsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    length = write ? stack->Parameters.Write.Length : stack->Parameters.Read.Length;
    offset = write ? stack->Parameters.Write.ByteOffset.QuadPart : stack->Parameters.Read.ByteOffset.QuadPart;
    if (offset < 0 || offset > TESTFS_MAX_DATA) {
        return TestFsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    ExAcquireFastMutex(&vcb->Lock);
    if (write) {
        if (length > TESTFS_MAX_DATA - (ULONG)offset) {
            ExReleaseFastMutex(&vcb->Lock);
            return TestFsComplete(Irp, STATUS_DISK_FULL, 0);
        }
        RtlCopyMemory(entry->Data + offset, Irp->AssociatedIrp.SystemBuffer, length);
        if ((ULONG)offset + length > entry->Size) {
            entry->Size = (ULONG)offset + length;
        }
    } else {
        if ((ULONG)offset >= entry->Size) {
            ExReleaseFastMutex(&vcb->Lock);
            return TestFsComplete(Irp, STATUS_END_OF_FILE, 0);
        }
        length = TESTFS_MIN(length, entry->Size - (ULONG)offset);
        RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, entry->Data + offset, length);
    }
    ExReleaseFastMutex(&vcb->Lock);
    return TestFsComplete(Irp, STATUS_SUCCESS, length);
}

NTSTATUS TestFsQueryVolume(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_FS_VOLUME_INFORMATION info = (PFILE_FS_VOLUME_INFORMATION)Irp->AssociatedIrp.SystemBuffer;
    PTESTFS_VCB vcb;
    ULONG needed;

    if (!TestFsIsVolume(DeviceObject)) {
        return TestFsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    vcb = (PTESTFS_VCB)DeviceObject->DeviceExtension;
    TestFsCount(&vcb->Control->Stats.VolumeQueries);
    if (stack->Parameters.QueryVolume.FsInformationClass != FileFsVolumeInformation) {
        return TestFsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    needed = FIELD_OFFSET(FILE_FS_VOLUME_INFORMATION, VolumeLabel) + vcb->Vpb->VolumeLabelLength;
    if (stack->Parameters.QueryVolume.Length < needed) {
        return TestFsComplete(Irp, STATUS_BUFFER_OVERFLOW, 0);
    }
    RtlZeroMemory(info, needed);
    info->VolumeSerialNumber = vcb->Vpb->SerialNumber;
    info->VolumeLabelLength = vcb->Vpb->VolumeLabelLength;
    RtlCopyMemory(info->VolumeLabel, vcb->Vpb->VolumeLabel, vcb->Vpb->VolumeLabelLength);
    return TestFsComplete(Irp, STATUS_SUCCESS, needed);
}

/* FileNameInformation of a named file: its name on the volume ("\\name"). */
NTSTATUS TestFsQueryInformation(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PFILE_NAME_INFORMATION info = (PFILE_NAME_INFORMATION)Irp->AssociatedIrp.SystemBuffer;
    PTESTFS_FILE entry;
    ULONG length = stack->Parameters.QueryFile.Length;
    ULONG copy;

    if (!TestFsIsVolume(DeviceObject) || stack->Parameters.QueryFile.FileInformationClass != FileNameInformation) {
        return TestFsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    entry = (PTESTFS_FILE)stack->FileObject->FsContext;
    if (!entry || (PVOID)entry == DeviceObject->DeviceExtension) {
        return TestFsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    if (length < FIELD_OFFSET(FILE_NAME_INFORMATION, FileName)) {
        return TestFsComplete(Irp, STATUS_INFO_LENGTH_MISMATCH, 0);
    }
    info->FileNameLength = entry->NameLength;
    copy = TESTFS_MIN(entry->NameLength, length - FIELD_OFFSET(FILE_NAME_INFORMATION, FileName));
    RtlCopyMemory(info->FileName, entry->Name, copy);
    return TestFsComplete(Irp, copy < entry->NameLength ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS,
                          FIELD_OFFSET(FILE_NAME_INFORMATION, FileName) + copy);
}

NTSTATUS TestFsFsControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);

    if (!TestFsIsVolume(DeviceObject)) {
        if (stack->MinorFunction == IRP_MN_MOUNT_VOLUME) {
            return TestFsComplete(Irp, TestFsMount(TestFsControl(), stack), 0);
        }
        return TestFsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    if (stack->MinorFunction == IRP_MN_VERIFY_VOLUME) {
        return TestFsComplete(Irp, TestFsVerify((PTESTFS_VCB)DeviceObject->DeviceExtension, stack), 0);
    }
    if (stack->MinorFunction == IRP_MN_USER_FS_REQUEST &&
        stack->Parameters.FileSystemControl.FsControlCode == FSCTL_DISMOUNT_VOLUME) {
        return TestFsComplete(Irp, TestFsDismount((PTESTFS_VCB)DeviceObject->DeviceExtension), 0);
    }
    return TestFsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}

NTSTATUS TestFsDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PTESTFS_CONTROL control = TestFsControl();

    if (DeviceObject != TestFsControlDevice) {
        return TestFsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_TESTFS_GET_STATS:
        if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(TESTFS_STATS)) {
            return TestFsComplete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        }
        RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, &control->Stats, sizeof(TESTFS_STATS));
        return TestFsComplete(Irp, STATUS_SUCCESS, sizeof(TESTFS_STATS));
    case IOCTL_TESTFS_UNREGISTER:
        if (control->Registered) {
            control->Registered = FALSE;
            IoUnregisterFileSystem(TestFsControlDevice);
        }
        return TestFsComplete(Irp, STATUS_SUCCESS, 0);
    default:
        return TestFsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

/* ---- Load and unload ---- */

/* Volumes still mounted when the driver goes (no file holds them, or the unload would have waited):
 * the VPB is left unmounted, so the next open mounts whatever file system is there then. */
VOID TestFsUnload(PDRIVER_OBJECT DriverObject)
{
    PTESTFS_CONTROL control = TestFsControl();
    ULONG i;
    UNREFERENCED_PARAMETER(DriverObject);

    if (control->Registered) {
        control->Registered = FALSE;
        IoUnregisterFileSystem(TestFsControlDevice);
    }
    for (i = 0; i < TESTFS_MAX_VOLUMES; ++i) {
        PDEVICE_OBJECT volume = control->Volumes[i];
        if (volume) {
            PTESTFS_VCB vcb = (PTESTFS_VCB)volume->DeviceExtension;
            KIRQL irql;
            IoAcquireVpbSpinLock(&irql);
            if (vcb->Vpb->DeviceObject == volume) {
                vcb->Vpb->Flags &= ~VPB_MOUNTED;
                vcb->Vpb->DeviceObject = NULL;
            }
            IoReleaseVpbSpinLock(irql);
            control->Volumes[i] = NULL;
            {
                PDEVICE_OBJECT realDevice = vcb->RealDevice;
                IoDeleteDevice(volume);
                ObDereferenceObject(realDevice);
            }
        }
    }
    for (i = 0; i < TESTFS_MAX_VOLUMES; ++i) {
        PVPB spare = control->SpareVpbs[i];
        /* A spare still serving as a device's VPB goes with that device. */
        if (spare && spare->RealDevice->Vpb != spare) {
            ExFreePoolWithTag(spare, TESTFS_TAG);
        }
    }
    IoDeleteDevice(TestFsControlDevice);
}

static NTSTATUS TestFsReadParameters(PUNICODE_STRING RegistryPath, PTESTFS_CONTROL Control, PBOOLEAN LowPriority,
                                     PBOOLEAN CdRom)
{
    UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + 64];
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    ULONGLONG number = 0;
    HANDLE key;
    NTSTATUS status;
    ULONG i;

    status = DrvOpenParameters(RegistryPath, &key);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = DrvQueryValue(key, L"Signature", info, sizeof(buffer));
    if (NT_SUCCESS(status) && (info->Type != REG_SZ || info->DataLength < TESTFS_SIGNATURE_LENGTH * sizeof(WCHAR))) {
        status = STATUS_INVALID_PARAMETER;
    }
    if (NT_SUCCESS(status)) {
        for (i = 0; i < TESTFS_SIGNATURE_LENGTH; ++i) {
            Control->Signature[i] = (CHAR)((PWCHAR)info->Data)[i];
        }
        *LowPriority = NT_SUCCESS(DrvQueryNumber(key, L"LowPriority", info, sizeof(buffer), &number)) && number != 0;
        number = 0;
        *CdRom = NT_SUCCESS(DrvQueryNumber(key, L"CdRom", info, sizeof(buffer), &number)) && number != 0;
    }
    ZwClose(key);
    return status;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WCHAR nameBuffer[64];
    UNICODE_STRING name;
    UNICODE_STRING service = DriverObject->DriverName;
    PTESTFS_CONTROL control;
    BOOLEAN lowPriority = FALSE;
    BOOLEAN cdRom = FALSE;
    TESTFS_CONTROL settings;
    NTSTATUS status;
    USHORT skip = 8 * sizeof(WCHAR); /* "\Driver\" */

    RtlZeroMemory(&settings, sizeof(settings));
    status = TestFsReadParameters(RegistryPath, &settings, &lowPriority, &cdRom);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* The control device is named \Device\<service>: file system control devices are always named. */
    if (service.Length <= skip) {
        return STATUS_INVALID_PARAMETER;
    }
    name.Buffer = nameBuffer;
    name.Length = 0;
    name.MaximumLength = sizeof(nameBuffer);
    RtlAppendUnicodeToString(&name, L"\\Device\\");
    service.Buffer += skip / sizeof(WCHAR);
    service.Length -= skip;
    status = RtlAppendUnicodeStringToString(&name, &service);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = IoCreateDevice(DriverObject, sizeof(TESTFS_CONTROL), &name,
                            cdRom ? FILE_DEVICE_CD_ROM_FILE_SYSTEM : FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE,
                            &TestFsControlDevice);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    control = TestFsControl();
    RtlZeroMemory(control, sizeof(*control));
    control->Magic = TESTFS_CONTROL_MAGIC;
    RtlCopyMemory(control->Signature, settings.Signature, TESTFS_SIGNATURE_LENGTH);
    ExInitializeFastMutex(&control->Lock);

    DriverObject->DriverUnload = TestFsUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = TestFsCreate;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = TestFsCleanup;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = TestFsClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = TestFsReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = TestFsReadWrite;
    DriverObject->MajorFunction[IRP_MJ_QUERY_VOLUME_INFORMATION] = TestFsQueryVolume;
    DriverObject->MajorFunction[IRP_MJ_QUERY_INFORMATION] = TestFsQueryInformation;
    DriverObject->MajorFunction[IRP_MJ_FILE_SYSTEM_CONTROL] = TestFsFsControl;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = TestFsDeviceControl;

    if (lowPriority) {
        TestFsControlDevice->Flags |= DO_LOW_PRIORITY_FILESYSTEM;
    }
    TestFsControlDevice->Flags &= ~DO_DEVICE_INITIALIZING;
    control->Registered = TRUE;
    IoRegisterFileSystem(TestFsControlDevice);
    return STATUS_SUCCESS;
}
