// The attach server and its client. Protocol: the client writes one command line ending in '\n';
// the server answers "<status> <length>\n" and <length> bytes of output, then reads the next line.
// One client at a time; the server thread only ever waits in poll(), so a stop is immediate.
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

#include "host/local_socket.hpp"
#include "host/process.hpp"
#include "inspect/dump.hpp"
#include "inspect/kd_commands.hpp"

namespace ntio::inspect {
namespace {

constexpr std::size_t kMaxLine = 4096;

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
        // A name another server of this process holds (a forked parent's) leaves this one off.
        if (!m_listener.listen(kd_socket_name(host::process_id()))) return;
        try {
            m_thread = std::thread([this] { serve(); });
        } catch (...) {
            m_listener.close();
        }
    }

    void stop() {
        m_listener.wake();
        m_thread.join();
        m_listener.close();
    }

    void serve() {
        while (m_listener.wait_for_peer()) {
            const int client = m_listener.accept_peer();
            if (client < 0) continue;
            const bool keep_going = serve_client(client);
            host::socket_close(client);
            if (!keep_going) return;
        }
    }

    bool serve_client(int client) {
        std::string pending;
        char buffer[1024];
        for (;;) {
            std::size_t newline;
            while ((newline = pending.find('\n')) == std::string::npos) {
                if (pending.size() > kMaxLine) return true;  // not a command line: drop the client
                if (!m_listener.wait_readable(client)) return false;
                const long n = host::socket_receive(client, buffer, sizeof buffer);
                if (n <= 0) return true;
                pending.append(buffer, static_cast<std::size_t>(n));
            }
            std::string line = pending.substr(0, newline);
            pending.erase(0, newline + 1);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            std::string out;
            int status = run(line, out);
            std::string header = std::to_string(status) + " " + std::to_string(out.size()) + "\n";
            if (!host::socket_send_all(client, header.data(), header.size()) ||
                !host::socket_send_all(client, out.data(), out.size())) {
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
    host::LocalListener m_listener;
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
    std::string error;
    const int fd = host::local_connect(kd_socket_name(pid), error);
    if (fd < 0) {
        out = "Cannot attach to process " + std::to_string(pid) +
              ": no ntio kd server (not an ntio process, no System booted, or NTIO_KD=0)\n";
        return 2;
    }
    std::string request(line);
    request += '\n';
    std::string reply;
    bool ok = host::socket_send_all(fd, request.data(), request.size());
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
        const long n = host::socket_receive(fd, buffer, sizeof buffer);
        if (n <= 0) {
            ok = false;
            break;
        }
        reply.append(buffer, static_cast<std::size_t>(n));
    }
    host::socket_close(fd);
    if (!ok || !have_header || reply.size() < expected) {
        out = "Process " + std::to_string(pid) + " closed the kd connection\n";
        return 2;
    }
    out = reply.substr(0, expected);
    return status;
}

}  // namespace ntio::inspect
