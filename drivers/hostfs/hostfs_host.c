/* The host side of hostfs.sys (see hostfs_host.h): POSIX calls with EINTR retried and short
 * transfers continued. The only file of the driver that sees host headers. */
#define _GNU_SOURCE
#include "hostfs_host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* 100 ns intervals between 1601-01-01 and 1970-01-01. */
#define HOSTFS_EPOCH_DELTA 116444736000000000LL

static long long HostfsNtTime(struct timespec t)
{
    return (long long)t.tv_sec * 10000000LL + t.tv_nsec / 100 + HOSTFS_EPOCH_DELTA;
}

static void HostfsFromStat(const struct stat *st, HOSTFS_STAT *out)
{
    out->Device = (unsigned long long)st->st_dev;
    out->Inode = (unsigned long long)st->st_ino;
    out->Size = (long long)st->st_size;
    out->Allocated = (long long)st->st_blocks * 512;
    out->AccessTime = HostfsNtTime(st->st_atim);
    out->WriteTime = HostfsNtTime(st->st_mtim);
    out->ChangeTime = HostfsNtTime(st->st_ctim);
    out->Links = (unsigned int)st->st_nlink;
    out->Directory = S_ISDIR(st->st_mode) ? 1 : 0;
    out->OwnerWritable = (st->st_mode & S_IWUSR) ? 1 : 0;
}

int HostfsOpen(const char *path, int how)
{
    /* O_NONBLOCK: opening a FIFO must not wait for its other end (a read then fails at once). */
    int flags = O_CLOEXEC | O_NONBLOCK;
    int fd;
    if (how & HOSTFS_OPEN_PATH) {
        flags |= O_PATH;
    } else if ((how & HOSTFS_OPEN_READ) && (how & HOSTFS_OPEN_WRITE)) {
        flags |= O_RDWR;
    } else if (how & HOSTFS_OPEN_WRITE) {
        flags |= O_WRONLY;
    } else {
        flags |= O_RDONLY;
    }
    if (how & HOSTFS_OPEN_DIRECTORY) {
        flags |= O_DIRECTORY;
    }
    if (how & HOSTFS_OPEN_CREATE) {
        flags |= O_CREAT | O_EXCL;
    }
    if (how & HOSTFS_OPEN_TRUNCATE) {
        flags |= O_TRUNC;
    }
    do {
        fd = open(path, flags, 0666);
    } while (fd < 0 && errno == EINTR);
    return fd >= 0 ? fd : -errno;
}

void HostfsCloseFd(int fd)
{
    close(fd);
}

int HostfsStatPath(const char *path, HOSTFS_STAT *out)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return -errno;
    }
    HostfsFromStat(&st, out);
    return 0;
}

int HostfsStatFd(int fd, HOSTFS_STAT *out)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return -errno;
    }
    HostfsFromStat(&st, out);
    return 0;
}

long long HostfsPread(int fd, void *buffer, unsigned long long length, long long offset)
{
    char *out = (char *)buffer;
    unsigned long long done = 0;
    while (done < length) {
        ssize_t n = pread(fd, out + done, length - done, (off_t)(offset + (long long)done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return done ? (long long)done : -errno;
        }
        if (n == 0) {
            break;
        }
        done += (unsigned long long)n;
    }
    return (long long)done;
}

long long HostfsPwrite(int fd, const void *buffer, unsigned long long length, long long offset)
{
    const char *in = (const char *)buffer;
    unsigned long long done = 0;
    while (done < length) {
        ssize_t n = pwrite(fd, in + done, length - done, (off_t)(offset + (long long)done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        done += (unsigned long long)n;
    }
    return (long long)done;
}

int HostfsTruncate(int fd, long long size)
{
    return ftruncate(fd, (off_t)size) == 0 ? 0 : -errno;
}

int HostfsSync(int fd)
{
    return fsync(fd) == 0 ? 0 : -errno;
}

int HostfsMakeDirectory(const char *path)
{
    return mkdir(path, 0777) == 0 ? 0 : -errno;
}

int HostfsRemove(const char *path, int directory)
{
    return (directory ? rmdir(path) : unlink(path)) == 0 ? 0 : -errno;
}

int HostfsRenamePath(const char *from, const char *to, int replace)
{
    if (replace) {
        return rename(from, to) == 0 ? 0 : -errno;
    }
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0 ? 0 : -errno;
}

static struct timespec HostfsTimespec(long long nt_time)
{
    struct timespec t;
    if (nt_time < 0) {
        t.tv_sec = 0;
        t.tv_nsec = UTIME_OMIT;
        return t;
    }
    nt_time -= HOSTFS_EPOCH_DELTA;
    t.tv_sec = (time_t)(nt_time / 10000000LL);
    t.tv_nsec = (long)(nt_time % 10000000LL) * 100;
    if (t.tv_nsec < 0) {
        t.tv_nsec += 1000000000L;
        t.tv_sec -= 1;
    }
    return t;
}

static void HostfsProcPath(int fd, char *out, unsigned long size)
{
    snprintf(out, size, "/proc/self/fd/%d", fd);
}

int HostfsFdPath(int fd, char *out, unsigned long size)
{
    char link[64];
    ssize_t n;
    HostfsProcPath(fd, link, sizeof(link));
    n = readlink(link, out, size - 1);
    if (n < 0) {
        return -errno;
    }
    if ((unsigned long)n >= size - 1) {
        return -ENAMETOOLONG;
    }
    out[n] = '\0';
    return (int)n;
}

int HostfsCanRemove(int fd)
{
    char path[4096];
    char *slash;
    int length = HostfsFdPath(fd, path, sizeof(path));
    if (length < 0) {
        return length;
    }
    slash = strrchr(path, '/');
    if (!slash) {
        return -EINVAL;
    }
    if (slash == path) {
        slash[1] = '\0';
    } else {
        *slash = '\0';
    }
    return access(path, W_OK | X_OK) == 0 ? 0 : -errno;
}

int HostfsSetTimes(int fd, long long access_time, long long write_time)
{
    char path[64];
    struct timespec times[2];
    HostfsProcPath(fd, path, sizeof(path));
    times[0] = HostfsTimespec(access_time);
    times[1] = HostfsTimespec(write_time);
    return utimensat(AT_FDCWD, path, times, 0) == 0 ? 0 : -errno;
}

int HostfsSetOwnerWritable(int fd, int writable)
{
    char path[64];
    struct stat st;
    mode_t mode;
    HostfsProcPath(fd, path, sizeof(path));
    if (fstat(fd, &st) != 0) {
        return -errno;
    }
    mode = writable ? (st.st_mode | S_IWUSR) : (st.st_mode & ~(mode_t)S_IWUSR);
    if (mode == st.st_mode) {
        return 0;
    }
    return chmod(path, mode & 07777) == 0 ? 0 : -errno;
}

int HostfsStatVolume(const char *path, HOSTFS_VOLUME_STAT *out)
{
    struct statvfs st;
    if (statvfs(path, &st) != 0) {
        return -errno;
    }
    out->BlockSize = st.f_frsize ? st.f_frsize : st.f_bsize;
    out->TotalBlocks = st.f_blocks;
    out->FreeBlocks = st.f_bfree;
    out->AvailableBlocks = st.f_bavail;
    out->FileSystemId = st.f_fsid;
    out->MaxNameLength = (unsigned int)st.f_namemax;
    return 0;
}

void *HostfsDirOpen(const char *path, int *error)
{
    DIR *dir = opendir(path);
    *error = dir ? 0 : -errno;
    return dir;
}

const char *HostfsDirNext(void *dir)
{
    struct dirent *entry;
    while ((entry = readdir((DIR *)dir)) != NULL) {
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
            return entry->d_name;
        }
    }
    return NULL;
}

void HostfsDirClose(void *dir)
{
    closedir((DIR *)dir);
}
