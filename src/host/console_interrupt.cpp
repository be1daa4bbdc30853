// SIGINT for the console's control handlers: the signal handler writes one byte to a pipe (all it
// may do), a watcher thread reads it and starts a thread that runs the callback, which may then call
// anything.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <thread>

#include "host/console.hpp"

namespace ntio::host::console {
namespace {

int g_interrupt_pipe[2] = {-1, -1};

void on_sigint(int) {
    const int saved = errno;
    const char byte = 1;
    (void)!::write(g_interrupt_pipe[1], &byte, 1);
    errno = saved;
}

void watch(void (*on_interrupt)()) {
    for (;;) {
        char byte;
        const ssize_t n = ::read(g_interrupt_pipe[0], &byte, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        try {
            std::thread(on_interrupt).detach();
        } catch (...) {
            // No thread for this one: the signal is lost, as one arriving while the host is out of
            // threads would be.
        }
    }
}

}  // namespace

bool watch_interrupts(void (*on_interrupt)()) noexcept {
    static std::once_flag once;
    static bool watching = false;
    std::call_once(once, [&] {
        if (::pipe2(g_interrupt_pipe, O_CLOEXEC) != 0) return;
        try {
            std::thread(watch, on_interrupt).detach();
        } catch (...) {
            return;
        }
        struct sigaction action {};
        action.sa_handler = on_sigint;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        watching = ::sigaction(SIGINT, &action, nullptr) == 0;
    });
    return watching;
}

}  // namespace ntio::host::console
