/* The NTSTATUS a host call's errno stands for (host_status.h). Compiled against the host's headers,
 * like the driver files that make host calls. */
#include "host_status.h"

#include <errno.h>

unsigned int DrvHostStatus(int negative_errno)
{
    switch (-negative_errno) {
    case 0:
        return 0; /* STATUS_SUCCESS */
    case ENOENT:
        return 0xC0000034U; /* STATUS_OBJECT_NAME_NOT_FOUND */
    case ENOTDIR:
        return 0xC000003AU; /* STATUS_OBJECT_PATH_NOT_FOUND */
    case EEXIST:
        return 0xC0000035U; /* STATUS_OBJECT_NAME_COLLISION */
    case ENOTEMPTY:
        return 0xC0000101U; /* STATUS_DIRECTORY_NOT_EMPTY */
    case EACCES:
    case EPERM:
        return 0xC0000022U; /* STATUS_ACCESS_DENIED */
    case EROFS:
        return 0xC00000A2U; /* STATUS_MEDIA_WRITE_PROTECTED */
    case ENOSPC:
    case EDQUOT:
        return 0xC000007FU; /* STATUS_DISK_FULL */
    case ENOMEM:
        return 0xC000009AU; /* STATUS_INSUFFICIENT_RESOURCES */
    case EISDIR:
        return 0xC00000BAU; /* STATUS_FILE_IS_A_DIRECTORY */
    case ENAMETOOLONG:
        return 0xC0000106U; /* STATUS_NAME_TOO_LONG */
    case EBUSY:
    case ETXTBSY:
        return 0xC0000043U; /* STATUS_SHARING_VIOLATION */
    case EXDEV:
        return 0xC00000D4U; /* STATUS_NOT_SAME_DEVICE */
    case EINVAL:
        return 0xC000000DU; /* STATUS_INVALID_PARAMETER */
    case ESPIPE:
        /* A FIFO or socket: no data at an offset, as a directory has none (a guess: Windows has no
         * such files). */
        return 0xC0000010U; /* STATUS_INVALID_DEVICE_REQUEST */
    case ELOOP:
        return 0xC000003BU; /* STATUS_OBJECT_PATH_SYNTAX_BAD */
    case EFBIG:
        return 0xC000007FU; /* STATUS_DISK_FULL */
    default:
        return 0xC0000185U; /* STATUS_IO_DEVICE_ERROR */
    }
}
