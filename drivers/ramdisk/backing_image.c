/* Host side of the RAM disk's backing image (see backing_image.h): open, size, positional read and
 * write with retry on short transfers, fdatasync. The only file of the driver that sees host headers. */
#define _GNU_SOURCE
#include "backing_image.h"
#include "host_status.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int RamdiskImageOpen(const char *host_path, int read_only)
{
    int fd = open(host_path, (read_only ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC, 0644);
    return fd >= 0 ? fd : -errno;
}

long long RamdiskImageSize(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return -errno;
    }
    return (long long)st.st_size;
}

int RamdiskImageRead(int fd, void *buffer, unsigned long long length, unsigned long long offset)
{
    char *out = (char *)buffer;
    while (length) {
        ssize_t n = pread(fd, out, length, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            break; /* end of a shorter image: the rest of the disk keeps its zeros */
        }
        out += n;
        length -= (unsigned long long)n;
        offset += (unsigned long long)n;
    }
    return 0;
}

int RamdiskImageWrite(int fd, const void *buffer, unsigned long long length, unsigned long long offset)
{
    const char *in = (const char *)buffer;
    while (length) {
        ssize_t n = pwrite(fd, in, length, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        in += n;
        length -= (unsigned long long)n;
        offset += (unsigned long long)n;
    }
    return 0;
}

int RamdiskImageSync(int fd)
{
    return fdatasync(fd) == 0 ? 0 : -errno;
}

void RamdiskImageClose(int fd)
{
    close(fd);
}

unsigned int RamdiskImageStatus(int negative_errno)
{
    switch (-negative_errno) {
    case ENOENT:
        return 0xC000003AU; /* STATUS_OBJECT_PATH_NOT_FOUND: the image's path is a path */
    case EROFS:
        return 0xC0000022U; /* STATUS_ACCESS_DENIED */
    default:
        return DrvHostStatus(negative_errno);
    }
}
