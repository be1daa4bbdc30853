/* The RAM disk's backing image on the host: load it into the disk's memory at start, write dirty
 * regions back and make them durable on flush. Plain C types only, so that this boundary can be
 * compiled against the host's headers and the rest of the driver against the DDK alone.
 * NT deviation: a Windows RAM disk reads its image through ZwCreateFile / ZwReadFile; here the image
 * is reached with host file calls (the RAM disk may start before the host file system). */
#ifndef RAMDISK_BACKING_IMAGE_H
#define RAMDISK_BACKING_IMAGE_H

/* Opens (creating if missing) the image at host_path. Returns a descriptor >= 0, or -errno. */
int RamdiskImageOpen(const char *host_path, int read_only);
/* The image's size in bytes, or -errno. */
long long RamdiskImageSize(int fd);
/* Reads up to `length` bytes at `offset` into `buffer` (the rest stays as it is). 0 or -errno. */
int RamdiskImageRead(int fd, void *buffer, unsigned long long length, unsigned long long offset);
/* Writes `length` bytes at `offset`. 0 or -errno. */
int RamdiskImageWrite(int fd, const void *buffer, unsigned long long length, unsigned long long offset);
/* Makes the written data durable (fdatasync). 0 or -errno. */
int RamdiskImageSync(int fd);
void RamdiskImageClose(int fd);
/* The NTSTATUS (as a 32-bit value) a failure of the calls above (-errno) stands for. */
unsigned int RamdiskImageStatus(int negative_errno);

#endif
