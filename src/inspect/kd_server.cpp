// The attach server and its client. Protocol: the client writes one command line ending in '\n';
// the server answers "<status> <length>\n" and <length> bytes of output, then reads the next line.
// One client at a time; the server thread only ever waits in poll(), so a stop is immediate.
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "inspect/kd_server.hpp"

#include "inspect/dump.hpp"
#include "inspect/kd_commands.hpp"

namespace ntio::inspect {
namespace {

constexpr std::size_t kMaxLine = 4096;

socklen_t make_address(long pid, sockaddr_un& address) {
    std::memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    const std::string name = kd_socket_name(pid);
    // Abstract namespace: a leading NUL, no file to clean up after a crash.
    std::memcpy(address.sun_path + 1, name.data(), std::min(name.size(), sizeof address.sun_path - 2));
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
}

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

class Server {
public:
    void started(System& system) {
        std::lock_guard life(m_lifecycle);
        {
            std::lock_guard guard(m_lock);
            auto it = std::find_if(m_systems.begin(), m_systems.end(), [&](auto& e) { return e.first == &system; });
            if (it != m_systems.end()) {
                ++it->second;
                return;
            }
            m_systems.emplace_back(&system, 1);
        }
        const char* env = std::getenv("NTIO_KD");
        if (env && std::strcmp(env, "0") == 0) return;
        if (!m_thread.joinable()) start();
    }

    void stopping(System& system) {
        std::lock_guard life(m_lifecycle);
        bool last = false;
        {
            std::unique_lock guard(m_lock);
            auto it = std::find_if(m_systems.begin(), m_systems.end(), [&](auto& e) { return e.first == &system; });
            if (it == m_systems.end()) return;
            if (--it->second > 0) return;
            m_systems.erase(it);
            // A command picked this System before it left the list: let it finish.
            m_idle.wait(guard, [&] { return m_serving != &system; });
            last = m_systems.empty();
        }
        if (last && m_thread.joinable()) stop();
    }

    bool running() {
        std::lock_guard life(m_lifecycle);
        return m_thread.joinable();
    }

private:
    void start() {
        int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listener < 0) return;
        sockaddr_un address;
        socklen_t length = make_address(static_cast<long>(::getpid()), address);
        if (::bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(listener, 4) != 0) {
            ::close(listener);  // another server of this process (a forked parent's name) holds it
            return;
        }
        int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (wake < 0) {
            ::close(listener);
            return;
        }
        m_listener = listener;
        m_wake = wake;
        try {
            m_thread = std::thread([this] { serve(); });
        } catch (...) {
            ::close(m_listener);
            ::close(m_wake);
            m_listener = m_wake = -1;
        }
    }

    void stop() {
        std::uint64_t one = 1;
        (void)!::write(m_wake, &one, sizeof one);
        m_thread.join();
        ::close(m_listener);
        ::close(m_wake);
        m_listener = m_wake = -1;
    }

    // Returns false when the server must stop.
    bool wait_readable(int fd) {
        pollfd fds[2] = {{fd, POLLIN, 0}, {m_wake, POLLIN, 0}};
        for (;;) {
            int n = ::poll(fds, 2, -1);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return false;
            if (fds[1].revents) return false;
            if (fds[0].revents) return true;
        }
    }

    void serve() {
        while (wait_readable(m_listener)) {
            int client = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            // An abstract socket has no file permissions: only the same user (or root) may attach.
            if (!peer_allowed(client)) {
                ::close(client);
                continue;
            }
            const bool keep_going = serve_client(client);
            ::close(client);
            if (!keep_going) return;
        }
    }

    static bool peer_allowed(int client) {
        struct ucred peer{};
        socklen_t size = sizeof peer;
        if (::getsockopt(client, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) return false;
        return peer.uid == 0 || peer.uid == ::getuid();
    }

    bool serve_client(int client) {
        std::string pending;
        char buffer[1024];
        for (;;) {
            std::size_t newline;
            while ((newline = pending.find('\n')) == std::string::npos) {
                if (pending.size() > kMaxLine) return true;  // not a command line: drop the client
                if (!wait_readable(client)) return false;
                ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) return true;
                pending.append(buffer, static_cast<std::size_t>(n));
            }
            std::string line = pending.substr(0, newline);
            pending.erase(0, newline + 1);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            std::string out;
            int status = run(line, out);
            std::string header = std::to_string(status) + " " + std::to_string(out.size()) + "\n";
            if (!write_all(client, header.data(), header.size()) || !write_all(client, out.data(), out.size())) {
                return true;
            }
        }
    }

    int run(const std::string& line, std::string& out) {
        System* target = nullptr;
        {
            std::lock_guard guard(m_lock);
            if (m_systems.empty()) {
                out = "No ntio System is running in this process\n";
                return 1;
            }
            target = m_systems.back().first;
            m_serving = target;
        }
        int status;
        try {
            status = run_kd_command(*target, line, out);
        } catch (...) {
            out = "Command failed: out of memory\n";
            status = 1;
        }
        {
            std::lock_guard guard(m_lock);
            m_serving = nullptr;
        }
        m_idle.notify_all();
        return status;
    }

    std::mutex m_lifecycle;  // orders start and stop of the thread
    std::mutex m_lock;       // the Systems and the one being served
    std::condition_variable m_idle;
    std::vector<std::pair<System*, int>> m_systems;
    System* m_serving = nullptr;
    std::thread m_thread;
    int m_listener = -1;
    int m_wake = -1;
};

Server& server() {
    static Server* instance = new Server();  // never destroyed: Systems may shut down during exit
    return *instance;
}

}  // namespace

void kd_system_started(System& system) {
    install_bugcheck_dump_writer();
    server().started(system);
}

void kd_system_stopping(System& system) { server().stopping(system); }

bool kd_server_running() { return server().running(); }

std::string kd_socket_name(long pid) { return "ntio-kd-" + std::to_string(pid); }

int kd_client(long pid, std::string_view line, std::string& out) {
    out.clear();
    if (line.find('\n') != std::string_view::npos || line.size() > kMaxLine) {
        out = "A command is one line of at most 4096 characters\n";
        return 2;
    }
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        out = "Cannot create a socket: " + std::string(std::strerror(errno)) + "\n";
        return 2;
    }
    sockaddr_un address;
    socklen_t length = make_address(pid, address);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
        out = "Cannot attach to process " + std::to_string(pid) +
              ": no ntio kd server (not an ntio process, no System booted, or NTIO_KD=0)\n";
        ::close(fd);
        return 2;
    }
    std::string request(line);
    request += '\n';
    std::string reply;
    bool ok = write_all(fd, request.data(), request.size());
    int status = 2;
    std::size_t expected = 0;
    bool have_header = false;
    char buffer[4096];
    while (ok) {
        if (!have_header) {
            if (auto newline = reply.find('\n'); newline != std::string::npos) {
                const std::string header = reply.substr(0, newline);
                reply.erase(0, newline + 1);
                if (std::sscanf(header.c_str(), "%d %zu", &status, &expected) != 2) break;
                have_header = true;
            }
        }
        if (have_header && reply.size() >= expected) break;
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        reply.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (!ok || !have_header || reply.size() < expected) {
        out = "Process " + std::to_string(pid) + " closed the kd connection\n";
        return 2;
    }
    out = reply.substr(0, expected);
    return status;
}

}  // namespace ntio::inspect
