// Local stream sockets in the abstract namespace (no file to clean up after a crash), for the
// inspector's attach channel. Only a peer of the same user, or root, gets through accept.
#pragma once

#include <cstddef>
#include <string>

namespace ntio::host {

// A listening socket and a wake-up channel that ends any wait on it.
class LocalListener {
public:
    LocalListener() = default;
    LocalListener(const LocalListener&) = delete;
    LocalListener& operator=(const LocalListener&) = delete;
    ~LocalListener() { close(); }

    // False when the name is taken (another listener of this process, such as a forked parent's)
    // or the host refuses.
    bool listen(const std::string& name) noexcept;
    void close() noexcept;
    // Waits until `fd` (the listener's own, or an accepted peer's) has something to read: true; or
    // until wake() is called: false (and every later wait is false too).
    bool wait_readable(int fd) noexcept;
    bool wait_for_peer() noexcept { return wait_readable(m_listener); }
    // The next peer's socket, or -1 (none yet, or one of another user, whose socket is closed).
    int accept_peer() noexcept;
    void wake() noexcept;

private:
    int m_listener = -1;
    int m_wake = -1;
};

// A socket connected to the listener `name`, or -1 with the reason in `error`.
int local_connect(const std::string& name, std::string& error) noexcept;

bool socket_send_all(int fd, const char* data, std::size_t size) noexcept;
// Bytes received (> 0), 0 when the peer closed, < 0 on an error.
long socket_receive(int fd, char* buffer, std::size_t size) noexcept;
void socket_close(int fd) noexcept;

}  // namespace ntio::host
