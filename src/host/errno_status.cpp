// errno -> NTSTATUS mapping. Values chosen to match what Windows reports for the equivalent
// condition (e.g. ENOENT on a file -> STATUS_OBJECT_NAME_NOT_FOUND, EEXIST -> COLLISION).
#include <cerrno>

#include "host/errno_status.hpp"

namespace ntio::host {

NTSTATUS status_from_errno(int error) noexcept {
    switch (error) {
    case 0: return STATUS_SUCCESS;
    case EPERM:
    case EACCES:
    case EROFS: return STATUS_ACCESS_DENIED;
    case ENOENT: return STATUS_OBJECT_NAME_NOT_FOUND;
    case ENOTDIR: return STATUS_OBJECT_PATH_NOT_FOUND;
    case EEXIST: return STATUS_OBJECT_NAME_COLLISION;
    case ENOMEM: return STATUS_NO_MEMORY;
    case EAGAIN: return STATUS_INSUFFICIENT_RESOURCES;
    case ENOSPC: return STATUS_DISK_FULL;
    case EFAULT: return STATUS_ACCESS_VIOLATION;
    case EINVAL: return STATUS_INVALID_PARAMETER;
    case EBADF: return STATUS_INVALID_HANDLE;
    case ENAMETOOLONG: return STATUS_NAME_TOO_LONG;
    case ENODEV:
    case ENXIO: return STATUS_NO_SUCH_DEVICE;
    case EISDIR: return STATUS_FILE_IS_A_DIRECTORY;
    case ENOTEMPTY: return STATUS_DIRECTORY_NOT_EMPTY;
    case EBUSY: return STATUS_DEVICE_BUSY;
    case ETIMEDOUT: return STATUS_IO_TIMEOUT;
    case EINTR:
    case ECANCELED: return STATUS_CANCELLED;
    case ENOSYS:
    case EOPNOTSUPP: return STATUS_NOT_SUPPORTED;
    case EIO: return STATUS_IO_DEVICE_ERROR;
    case EFBIG:
    case EOVERFLOW: return STATUS_INTEGER_OVERFLOW;
    case EMFILE:
    case ENFILE: return STATUS_TOO_MANY_OPENED_FILES;
    case ESPIPE: return STATUS_INVALID_PARAMETER;
    case EPIPE: return STATUS_PIPE_BROKEN;
    case ELOOP: return STATUS_REPARSE_POINT_NOT_RESOLVED;
    case EXDEV: return STATUS_NOT_SAME_DEVICE;
    case EDQUOT: return STATUS_QUOTA_EXCEEDED;
    default: return STATUS_UNSUCCESSFUL;
    }
}

}  // namespace ntio::host
