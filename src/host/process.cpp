// The host process's id, program file, terminal, random source and immediate exit.
#include "host/process.hpp"

#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>

namespace ntio::host {

int process_id() noexcept { return static_cast<int>(::getpid()); }

std::string program_path() {
    char path[PATH_MAX] = {};
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string();
}

bool input_is_terminal() noexcept { return ::isatty(STDIN_FILENO) != 0; }

bool random_bytes(void* out, std::size_t length) noexcept {
    auto* bytes = static_cast<unsigned char*>(out);
    std::size_t filled = 0;
    while (filled < length) {
        const ssize_t got = ::getrandom(bytes + filled, length - filled, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        filled += static_cast<std::size_t>(got);
    }
    return true;
}

void exit_process_now(int code) noexcept {
    std::fflush(nullptr);
    ::_exit(code);
}

}  // namespace ntio::host
