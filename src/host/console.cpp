// Standard descriptors for the console driver through write(2), read(2), poll(2), an eventfd for
// wake-ups and the terminal ioctls.
#include "host/console.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "host/errno_status.hpp"

namespace ntio::host::console {

bool is_terminal(int fd) noexcept { return ::isatty(fd) == 1; }

NTSTATUS write_all(int fd, const void* data, std::size_t length, std::size_t* written) noexcept {
    auto* bytes = static_cast<const char*>(data);
    std::size_t done = 0;
    NTSTATUS status = STATUS_SUCCESS;
    while (done < length) {
        const ssize_t n = ::write(fd, bytes + done, length - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, -1) >= 0 || errno == EINTR) continue;
        }
        status = n == 0 ? STATUS_UNSUCCESSFUL : status_from_errno(errno);
        break;
    }
    *written = done;
    return status;
}

Wake::Wake() noexcept : m_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

Wake::~Wake() {
    if (m_fd >= 0) ::close(m_fd);
}

void Wake::signal() noexcept {
    const std::uint64_t one = 1;
    while (::write(m_fd, &one, sizeof(one)) < 0 && errno == EINTR) {
    }
}

void Wake::clear() noexcept {
    std::uint64_t count = 0;
    while (::read(m_fd, &count, sizeof(count)) < 0 && errno == EINTR) {
    }
}

NTSTATUS read_some(int fd, void* buffer, std::size_t length, const Wake& wake, std::size_t* read) noexcept {
    *read = 0;
    for (;;) {
        pollfd p[2] = {{wake.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
        if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return status_from_errno(errno);
        }
        if (p[0].revents & POLLIN) return STATUS_ALERTED;
        if (!p[1].revents) continue;
        const ssize_t n = ::read(fd, buffer, length);
        if (n >= 0) {
            *read = static_cast<std::size_t>(n);
            return STATUS_SUCCESS;
        }
        // Another reader took the data first, or a signal came: wait again.
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
        // A terminal whose other side is gone reads as its end.
        if (errno == EIO) return STATUS_SUCCESS;
        return status_from_errno(errno);
    }
}

bool terminal_size(int fd, unsigned* columns, unsigned* rows) noexcept {
    winsize size{};
    if (::ioctl(fd, TIOCGWINSZ, &size) != 0) return false;
    *columns = size.ws_col;
    *rows = size.ws_row;
    return true;
}

NTSTATUS flush_input(int fd) noexcept {
    if (::tcflush(fd, TCIFLUSH) != 0) return status_from_errno(errno);
    return STATUS_SUCCESS;
}

}  // namespace ntio::host::console
