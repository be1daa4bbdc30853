/* hostfs.sys's boundary with the host: the POSIX calls that serve the volume's files (open, stat,
 * positional read and write, truncate, sync, create, remove, rename, times, the owner write bit,
 * statvfs, directory reading). Plain C types only, so that this file can be compiled against the
 * host's headers and the rest of the driver against the DDK alone. Failures are -errno;
 * HostfsStatus turns one into the NTSTATUS a Windows file system gives for the same condition. */
#ifndef HOSTFS_HOST_H
#define HOSTFS_HOST_H

#include "host_status.h"

/* What the driver needs of a stat(2) answer. Times are 100 ns units since 1601 (NT time). */
typedef struct _HOSTFS_STAT {
    unsigned long long Device;
    unsigned long long Inode;
    long long Size;
    long long Allocated; /* st_blocks * 512 */
    long long AccessTime;
    long long WriteTime;
    long long ChangeTime;
    unsigned int Links;
    int Directory;
    int OwnerWritable; /* the owner write bit: its absence is FILE_ATTRIBUTE_READONLY */
} HOSTFS_STAT;

typedef struct _HOSTFS_VOLUME_STAT {
    unsigned long long BlockSize;
    unsigned long long TotalBlocks;
    unsigned long long FreeBlocks;      /* free for the superuser */
    unsigned long long AvailableBlocks; /* free for this user */
    unsigned long long FileSystemId;
    unsigned int MaxNameLength;
} HOSTFS_VOLUME_STAT;

/* How HostfsOpen opens: HOSTFS_OPEN_PATH is an O_PATH descriptor (stat only, no data rights). */
#define HOSTFS_OPEN_READ 1
#define HOSTFS_OPEN_WRITE 2
#define HOSTFS_OPEN_PATH 4
#define HOSTFS_OPEN_DIRECTORY 8
#define HOSTFS_OPEN_CREATE 16 /* O_CREAT | O_EXCL */
#define HOSTFS_OPEN_TRUNCATE 32

int HostfsOpen(const char *path, int how);
void HostfsCloseFd(int fd);
int HostfsStatPath(const char *path, HOSTFS_STAT *out);
int HostfsStatFd(int fd, HOSTFS_STAT *out);
/* Bytes read (0 at the end), or -errno. */
long long HostfsPread(int fd, void *buffer, unsigned long long length, long long offset);
/* Bytes written, or -errno. */
long long HostfsPwrite(int fd, const void *buffer, unsigned long long length, long long offset);
int HostfsTruncate(int fd, long long size);
int HostfsSync(int fd);
int HostfsMakeDirectory(const char *path);
/* unlink(2), or rmdir(2) for a directory. */
int HostfsRemove(const char *path, int directory);
/* rename(2); without Replace an existing target is -EEXIST (renameat2 RENAME_NOREPLACE). */
int HostfsRenamePath(const char *from, const char *to, int replace);
/* utimensat(2) on the descriptor's file (O_PATH ones too, through /proc/self/fd); a time of -1
 * leaves that time as it is. */
int HostfsSetTimes(int fd, long long access_time, long long write_time);
/* Sets or clears the owner write bit (the read-only attribute) of the descriptor's file. */
int HostfsSetOwnerWritable(int fd, int writable);
/* Whether this process may remove the descriptor's file: write and search permission on the
 * directory that holds it (access(2)). 0 or -errno. */
int HostfsCanRemove(int fd);
/* The current path of the descriptor's file (readlink of /proc/self/fd/N), NUL-terminated: its
 * length, or -errno. */
int HostfsFdPath(int fd, char *out, unsigned long size);
int HostfsStatVolume(const char *path, HOSTFS_VOLUME_STAT *out);

/* A directory stream: HostfsDirNext gives each name (not "." or "..") until it returns 0; the name
 * stays valid until the next call. */
void *HostfsDirOpen(const char *path, int *error);
const char *HostfsDirNext(void *dir);
void HostfsDirClose(void *dir);

/* The NTSTATUS (as a 32-bit value) -errno stands for (drivers/common/host_status.c). */
#define HostfsStatus DrvHostStatus

#endif
