// The host side of the console driver: the process's standard file descriptors (looked up at each
// call, so a caller that moves fd 0, 1 or 2 is followed), whole writes, reads that a wake-up
// descriptor can interrupt, and the terminal's size and input queue.
#pragma once

#include <wdm.h>

#include <cstddef>

namespace ntio::host::console {

inline constexpr int kInput = 0;
inline constexpr int kOutput = 1;
inline constexpr int kError = 2;

// True when `fd` is a terminal (isatty).
bool is_terminal(int fd) noexcept;

// Writes all `length` bytes in order: short writes and EINTR are retried, a non-blocking descriptor
// is waited for. `written` receives the bytes the host took even on failure.
NTSTATUS write_all(int fd, const void* data, std::size_t length, std::size_t* written) noexcept;

// A descriptor another thread signals to end a wait in read_some; signals are counted until cleared.
class Wake {
public:
    Wake() noexcept;
    ~Wake();
    Wake(const Wake&) = delete;
    Wake& operator=(const Wake&) = delete;
    bool valid() const noexcept { return m_fd >= 0; }
    void signal() noexcept;
    void clear() noexcept;
    int fd() const noexcept { return m_fd; }

private:
    int m_fd = -1;
};

// Waits until `fd` has data (or is at its end) or `wake` is signalled, then reads what is there, up to
// `length` bytes. STATUS_ALERTED when the wake ended the wait (nothing read); `read` 0 at the end.
NTSTATUS read_some(int fd, void* buffer, std::size_t length, const Wake& wake, std::size_t* read) noexcept;

// The terminal's columns and rows (TIOCGWINSZ); false when `fd` is no terminal.
bool terminal_size(int fd, unsigned* columns, unsigned* rows) noexcept;

// Drops the input a terminal holds that nobody read yet (tcflush TCIFLUSH).
NTSTATUS flush_input(int fd) noexcept;

// From the first call on, each SIGINT the host process receives runs `on_interrupt` on a new host
// thread (the signal handler only wakes a watcher thread, which starts it). Later calls change
// nothing. False when the handler or the watcher could not be set up.
bool watch_interrupts(void (*on_interrupt)()) noexcept;

}  // namespace ntio::host::console
