// The ntio command's progress line: a spinner and the elapsed seconds, redrawn with '\r'.
#include "progress.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fmt/core.h>

namespace ntio::tool {

Progress::Progress(std::string label) : m_label(std::move(label)) {
    if (isatty(STDERR_FILENO)) m_thread = std::thread([this] { run(); });
}

Progress::~Progress() {
    if (!m_thread.joinable()) return;
    {
        std::lock_guard guard(m_lock);
        m_done = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void Progress::run() {
    using namespace std::chrono_literals;
    static constexpr char kSpinner[] = {'|', '/', '-', '\\'};
    const auto start = std::chrono::steady_clock::now();
    std::unique_lock guard(m_lock);
    // Quick operations never show the line.
    if (m_wake.wait_for(guard, 400ms, [this] { return m_done; })) return;
    std::size_t width = 0;
    for (unsigned tick = 0; !m_done; ++tick) {
        const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const std::string line = fmt::format("{} {} {:.0f}s", m_label, kSpinner[tick % 4], seconds);
        width = std::max(width, line.size());
        fmt::print(stderr, "\r{}", line);
        std::fflush(stderr);
        m_wake.wait_for(guard, 200ms, [this] { return m_done; });
    }
    fmt::print(stderr, "\r{}\r", std::string(width, ' '));
    std::fflush(stderr);
}

std::string human_size(std::uintmax_t bytes) {
    if (bytes < 1024) return fmt::format("{} bytes", bytes);
    if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024 * 1024));
}

}  // namespace ntio::tool
