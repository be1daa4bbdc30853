// Live attach: a read-only inspector server on an abstract Unix socket named by the host pid
// ("\0ntio-kd-<pid>"), serving one command per line against the most recently booted System of
// the process, and the client side used by `ntio kd -p PID`. The server thread is a plain host
// thread, never an NT thread, so it is invisible to the leak checks; it stops when the last
// registered System shuts down.
#pragma once

#include <string>
#include <string_view>

namespace ntio { class System; }

namespace ntio::inspect {

// Called by the System at the end of boot and at the start of shutdown (in that order, once
// each; a second started() for the same System must be matched by a second stopping()). started()
// installs the bugcheck dump writer and, unless NTIO_KD=0, starts the server if none runs.
// stopping() returns once no command runs against `system`; the last one stops the server and
// joins its thread. PASSIVE_LEVEL; not from a command of the server itself.
void kd_system_started(System& system);
void kd_system_stopping(System& system);

// Whether the server is listening (tests).
bool kd_server_running();

// The socket name for a pid ("ntio-kd-<pid>", in the abstract namespace).
std::string kd_socket_name(long pid);

// Sends one command line to the server of process `pid` and returns the command's status (0 ok),
// with its output in `out`; 2 with a one-line reason when the process cannot be reached.
int kd_client(long pid, std::string_view line, std::string& out);

}  // namespace ntio::inspect
