// AF_UNIX abstract sockets, an eventfd to wake the waiter, poll to wait.
#include "host/local_socket.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace ntio::host {
namespace {

socklen_t make_address(const std::string& name, sockaddr_un& address) {
    std::memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    // Abstract namespace: a leading NUL.
    const std::size_t length = std::min(name.size(), sizeof address.sun_path - 2);
    std::memcpy(address.sun_path + 1, name.data(), length);
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + length);
}

bool same_user(int peer_socket) {
    struct ucred peer{};
    socklen_t size = sizeof peer;
    if (::getsockopt(peer_socket, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) return false;
    return peer.uid == 0 || peer.uid == ::getuid();
}

}  // namespace

bool LocalListener::listen(const std::string& name) noexcept {
    close();
    const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return false;
    sockaddr_un address;
    const socklen_t length = make_address(name, address);
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(listener, 4) != 0) {
        ::close(listener);
        return false;
    }
    const int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake < 0) {
        ::close(listener);
        return false;
    }
    m_listener = listener;
    m_wake = wake;
    return true;
}

void LocalListener::close() noexcept {
    if (m_listener >= 0) ::close(m_listener);
    if (m_wake >= 0) ::close(m_wake);
    m_listener = m_wake = -1;
}

bool LocalListener::wait_readable(int fd) noexcept {
    pollfd fds[2] = {{fd, POLLIN, 0}, {m_wake, POLLIN, 0}};
    for (;;) {
        const int n = ::poll(fds, 2, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (fds[1].revents) return false;
        if (fds[0].revents) return true;
    }
}

int LocalListener::accept_peer() noexcept {
    const int peer = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (peer < 0) return -1;
    // An abstract socket has no file permissions: the user check is the only guard.
    if (!same_user(peer)) {
        ::close(peer);
        return -1;
    }
    return peer;
}

void LocalListener::wake() noexcept {
    const std::uint64_t one = 1;
    (void)!::write(m_wake, &one, sizeof one);
}

int local_connect(const std::string& name, std::string& error) noexcept {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("cannot create a socket: ") + std::strerror(errno);
        return -1;
    }
    sockaddr_un address;
    const socklen_t length = make_address(name, address);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
        error = std::string("cannot connect: ") + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

bool socket_send_all(int fd, const char* data, std::size_t size) noexcept {
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

long socket_receive(int fd, char* buffer, std::size_t size) noexcept {
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, size, 0);
        if (n < 0 && errno == EINTR) continue;
        return static_cast<long>(n);
    }
}

void socket_close(int fd) noexcept {
    if (fd >= 0) ::close(fd);
}

}  // namespace ntio::host
