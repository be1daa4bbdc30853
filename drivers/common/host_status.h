/* The one errno to NTSTATUS mapping of the in-box drivers that call the host (the RAM disk's backing
 * image, the host file system), shared as a source file each compiles into its image. Plain C types:
 * the caller's host-side file includes it without the DDK. */
#ifndef NTIO_HOST_STATUS_H
#define NTIO_HOST_STATUS_H

/* The NTSTATUS (as a 32-bit value) a failed host call's -errno stands for, as a Windows file system
 * reports the same condition; 0 for 0, STATUS_IO_DEVICE_ERROR for what has no counterpart. */
unsigned int DrvHostStatus(int negative_errno);

#endif
