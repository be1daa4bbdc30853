// File descriptor output through write(2).
#include "host/output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace ntio::host {

bool write_all(int fd, const void* data, std::size_t length) noexcept {
    auto* bytes = static_cast<const char*>(data);
    while (length > 0) {
        const ssize_t written = ::write(fd, bytes, length);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return false;
        bytes += written;
        length -= static_cast<std::size_t>(written);
    }
    return true;
}

bool write_new_file(const char* path, const void* data, std::size_t length) noexcept {
    const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    const bool written = write_all(fd, data, length);
    return ::close(fd) == 0 && written;
}

}  // namespace ntio::host
