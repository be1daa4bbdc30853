/* What the mount tests and their file system driver (testfs_driver.c) share: the control device's
 * IOCTLs and the counters the driver keeps, so the tests see which IRPs reached which device. */
#ifndef NTIO_TEST_TESTFS_H
#define NTIO_TEST_TESTFS_H

/* Sector 0 of a volume the file system recognizes starts with its 8-byte Signature parameter. */
#define TESTFS_SIGNATURE_LENGTH 8

#define IOCTL_TESTFS_GET_STATS CTL_CODE(FILE_DEVICE_DISK_FILE_SYSTEM, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_TESTFS_UNREGISTER CTL_CODE(FILE_DEVICE_DISK_FILE_SYSTEM, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _TESTFS_STATS {
    LONG MountRequests;   /* IRP_MN_MOUNT_VOLUME received */
    LONG Mounts;          /* of which recognized */
    LONG Dismounts;       /* FSCTL_DISMOUNT_VOLUME */
    LONG VolumesLive;     /* volume device objects not yet deleted */
    LONG Creates;         /* IRP_MJ_CREATE on a volume device */
    LONG Cleanups;
    LONG Closes;
    LONG StreamCleanups;  /* of file objects the file system never opened (stream files) */
    LONG StreamCloses;
    LONG Reads;
    LONG Writes;
    LONG VolumeQueries;
    ULONGLONG LastMountVpb;         /* Parameters.MountVolume.Vpb */
    ULONGLONG LastMountDevice;      /* Parameters.MountVolume.DeviceObject */
    ULONGLONG LastVolumeDevice;     /* the volume device object it created */
    ULONGLONG LastCreateDevice;     /* the device IRP_MJ_CREATE arrived at */
    ULONG LastCreateVpbReferences;  /* Vpb->ReferenceCount seen at the last create */
    USHORT LastCreateNameLength;    /* bytes */
    WCHAR LastCreateName[64];
    LONG VerifyRequests;            /* IRP_MN_VERIFY_VOLUME received */
    LONG WrongVolumes;              /* of which answered STATUS_WRONG_VOLUME (the volume dismounted) */
    ULONGLONG LastVerifyVpb;        /* Parameters.VerifyVolume.Vpb */
    ULONGLONG LastVerifyDevice;     /* Parameters.VerifyVolume.DeviceObject */
} TESTFS_STATS, *PTESTFS_STATS;

#endif
