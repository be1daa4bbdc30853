// Host descriptors for the console tests: a pipe or a pseudo-terminal put in place of the process's
// standard input, output or error for the length of a scope, and a reader of what arrived.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <string>

#include "win32_test_support.hpp"

namespace ntio::test {

// Puts `replacement` at descriptor `fd` until destroyed, then restores what was there.
class StandardFdSwap {
public:
    StandardFdSwap(int fd, int replacement) : m_fd(fd), m_saved(::dup(fd)) { ::dup2(replacement, fd); }
    StandardFdSwap(const StandardFdSwap&) = delete;
    StandardFdSwap& operator=(const StandardFdSwap&) = delete;
    ~StandardFdSwap() {
        ::dup2(m_saved, m_fd);
        ::close(m_saved);
    }

private:
    int m_fd;
    int m_saved;
};

// A pipe: read end [0], write end [1].
struct HostPipe {
    int fds[2] = {-1, -1};
    HostPipe() { EXPECT_EQ(::pipe(fds), 0); }
    HostPipe(const HostPipe&) = delete;
    HostPipe& operator=(const HostPipe&) = delete;
    ~HostPipe() {
        for (int fd : fds)
            if (fd >= 0) ::close(fd);
    }
    void close_write() {
        ::close(fds[1]);
        fds[1] = -1;
    }
};

// A pseudo-terminal of `columns` x `rows`; raw (no output translation, reads as they come) or in
// its canonical line mode.
struct HostTerminal {
    int master = -1;
    int slave = -1;
    HostTerminal(bool raw, unsigned short columns = 80, unsigned short rows = 25) {
        master = ::posix_openpt(O_RDWR | O_NOCTTY);
        EXPECT_GE(master, 0);
        EXPECT_EQ(::grantpt(master), 0);
        EXPECT_EQ(::unlockpt(master), 0);
        slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
        EXPECT_GE(slave, 0);
        termios mode{};
        ::tcgetattr(slave, &mode);
        if (raw) ::cfmakeraw(&mode);
        mode.c_lflag &= ~static_cast<tcflag_t>(ECHO);  // keep the input out of the output side
        ::tcsetattr(slave, TCSANOW, &mode);
        winsize size{};
        size.ws_col = columns;
        size.ws_row = rows;
        ::ioctl(slave, TIOCSWINSZ, &size);
    }
    HostTerminal(const HostTerminal&) = delete;
    HostTerminal& operator=(const HostTerminal&) = delete;
    ~HostTerminal() {
        if (slave >= 0) ::close(slave);
        if (master >= 0) ::close(master);
    }
};

// Reads exactly `count` bytes from `fd` (blocking until they are there).
inline std::string read_host_bytes(int fd, std::size_t count) {
    std::string out(count, '\0');
    std::size_t done = 0;
    while (done < count) {
        const ssize_t n = ::read(fd, out.data() + done, count - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return out;
}

inline void write_host_bytes(int fd, const std::string& bytes) {
    EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
}

// Closes the standard handles the test opened (each test's System has its own).
inline void close_standard_handles() {
    for (DWORD which : {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE}) CloseHandle(GetStdHandle(which));
}

}  // namespace ntio::test
