// `ntio run`: a temporary SQLite hive (a copy of --hive / NTIO_HIVE, or the embedded default)
// gets a system-start service key for the driver (and the verifier's VerifyDrivers and
// VerifyDriverLevel when asked), then the program runs with NTIO_HIVE naming that hive, so the
// default System it boots on its first Win32 call loads the driver before the program sees it.
// The exit status is the program's (128 + n when signal n ended it); the hive is removed after.
#include "run_command.hpp"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/core.h>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <wdm.h>
#include <CLI/CLI.hpp>

#include "progress.hpp"
#include "registry_key.hpp"
#include "unicode_string.hpp"

extern char** environ;

namespace ntio::tool {
// Named, not anonymous: the tool's command files compile as one unit (tools/ntio/CMakeLists.txt).
namespace run_impl {

namespace fs = std::filesystem;

// Driver Verifier's standard settings (verifier /standard): special pool, IRQL checking, pool
// tracking, I/O verification, deadlock detection, DMA checking, security checks, miscellaneous
// checks and DDI compliance checking.
// https://learn.microsoft.com/windows-server/administration/windows-commands/verifier
constexpr std::uint32_t kStandardVerifierFlags = 0x209BB;

// Service key values (winnt.h's SERVICE_KERNEL_DRIVER, SERVICE_SYSTEM_START, SERVICE_ERROR_CRITICAL).
constexpr ULONG kKernelDriver = 1;
constexpr ULONG kSystemStart = 1;
constexpr ULONG kErrorCritical = 3;

struct RunOptions {
    std::string driver;
    std::string service;
    std::vector<std::string> verify;  // empty with count 1: --verify without flags
    bool verify_given = false;
    std::vector<std::string> command;
};

int fail(const std::string& what, int status = 1) {
    fmt::print(stderr, "ntio run: {}\n", what);
    return status;
}

// The program as execv wants it: a path with a slash is used as given, a bare name is looked up in
// PATH as a shell would.
std::optional<std::string> find_program(const std::string& name) {
    auto runnable = [](const std::string& path) {
        std::error_code error;
        return fs::is_regular_file(path, error) && access(path.c_str(), X_OK) == 0;
    };
    if (name.find('/') != std::string::npos) return runnable(name) ? std::optional<std::string>(name) : std::nullopt;
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const std::size_t colon = dirs.find(':', start);
        std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        if (dir.empty()) dir = ".";
        const std::string candidate = dir + "/" + name;
        if (runnable(candidate)) return candidate;
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return std::nullopt;
}

NTSTATUS set_dword(HANDLE key, std::u16string_view name, ULONG value) {
    UNICODE_STRING value_name = counted(name);
    return ZwSetValueKey(key, &value_name, 0, REG_DWORD, &value, sizeof(value));
}

NTSTATUS set_string(HANDLE key, std::u16string_view name, const std::u16string& text) {
    UNICODE_STRING value_name = counted(name);
    return ZwSetValueKey(key, &value_name, 0, REG_SZ, const_cast<char16_t*>(text.c_str()),
                         static_cast<ULONG>((text.size() + 1) * sizeof(char16_t)));
}

// The service key that makes the program's System load the driver at boot. ErrorControl is
// critical so that a driver that cannot load stops that boot with one line naming it, instead of
// the program running without its driver.
NTSTATUS write_service(const std::string& service, const fs::path& image) {
    RegistryKey key;
    NTSTATUS status =
        key.open(u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + widen(service), KEY_ALL_ACCESS, true);
    if (NT_SUCCESS(status)) status = set_dword(key.get(), u"Type", kKernelDriver);
    if (NT_SUCCESS(status)) status = set_dword(key.get(), u"Start", kSystemStart);
    if (NT_SUCCESS(status)) status = set_dword(key.get(), u"ErrorControl", kErrorCritical);
    if (NT_SUCCESS(status)) status = set_string(key.get(), u"ImagePath", widen(image.string()));
    return status;
}

NTSTATUS write_verifier(const std::string& drivers, std::uint32_t flags) {
    RegistryKey key;
    NTSTATUS status = key.open(u"\\Registry\\Machine\\System\\CurrentControlSet\\Control\\Session Manager\\Memory Management",
                               KEY_ALL_ACCESS, true);
    if (NT_SUCCESS(status)) status = set_string(key.get(), u"VerifyDrivers", widen(drivers));
    if (NT_SUCCESS(status)) status = set_dword(key.get(), u"VerifyDriverLevel", flags);
    return status;
}

// A temporary directory that removes itself with what is in it (the hive and SQLite's side files).
class TempDir {
public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base && *base ? base : "/tmp") + "/ntio-run-XXXXXX";
        if (mkdtemp(pattern.data())) m_path = pattern;
    }
    ~TempDir() {
        std::error_code error;
        if (!m_path.empty()) fs::remove_all(m_path, error);
    }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

// Copies a hive file with its write-ahead log, which holds commits not yet checkpointed when the
// process that wrote them was killed.
bool copy_hive(const fs::path& from, const fs::path& to, std::string& why) {
    std::error_code error;
    if (!fs::copy_file(from, to, fs::copy_options::overwrite_existing, error)) {
        why = fmt::format("cannot copy the hive {}: {}", from.string(), error.message());
        return false;
    }
    const fs::path wal = from.string() + "-wal";
    if (fs::exists(wal, error) && !fs::copy_file(wal, to.string() + "-wal", fs::copy_options::overwrite_existing, error)) {
        why = fmt::format("cannot copy {}: {}", wal.string(), error.message());
        return false;
    }
    return true;
}

int wait_for(pid_t child) {
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) return fail(fmt::format("waitpid: {}", std::strerror(errno)));
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

// Runs the program with NTIO_HIVE set; SIGINT and SIGQUIT go to it (same process group) while this
// process waits, as system() does, so ^C stops the program and the hive is still removed.
int spawn(const std::string& program, const std::vector<std::string>& command, const std::string& hive) {
    std::vector<std::string> env_text;
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "NTIO_HIVE=", 10) != 0) env_text.emplace_back(*e);
    env_text.push_back("NTIO_HIVE=" + hive);
    std::vector<char*> envp, argv;
    for (std::string& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = command;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    struct sigaction ignore {}, old_int {}, old_quit {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &old_int);
    sigaction(SIGQUIT, &ignore, &old_quit);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGQUIT);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
    pid_t child = 0;
    const int error = posix_spawn(&child, program.c_str(), nullptr, &attributes, argv.data(), envp.data());
    posix_spawnattr_destroy(&attributes);
    int status = error ? fail(fmt::format("cannot run {}: {}", program, std::strerror(error)), 127) : wait_for(child);
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGQUIT, &old_quit, nullptr);
    return status;
}

int run(const GlobalOptions& global, const RunOptions& options) {
    if (options.command.empty()) return fail("no program given (ntio run [options] -- PROGRAM ARGS)");
    const std::optional<std::string> program = find_program(options.command[0]);
    if (!program) return fail(fmt::format("program not found or not executable: {}", options.command[0]), 127);

    fs::path image;
    std::string service = options.service;
    if (!options.driver.empty()) {
        std::error_code error;
        if (!fs::is_regular_file(options.driver, error) || access(options.driver.c_str(), R_OK) != 0)
            return fail(fmt::format("driver image not found or not readable: {}", options.driver));
        image = fs::canonical(options.driver, error);
        if (service.empty()) service = image.stem().string();
    } else if (!service.empty()) {
        return fail("--service needs --driver");
    }
    std::optional<std::uint32_t> verify_flags;
    if (options.verify_given) {
        verify_flags = kStandardVerifierFlags;
        if (!options.verify.empty() && !options.verify[0].empty()) {
            char* end = nullptr;
            errno = 0;
            const unsigned long long flags = std::strtoull(options.verify[0].c_str(), &end, 0);
            if (options.verify[0].empty() || *end || errno || flags > 0xFFFFFFFFull)
                return fail(fmt::format("--verify takes a number (verifier flags), not \"{}\"", options.verify[0]));
            verify_flags = static_cast<std::uint32_t>(flags);
        }
    }

    std::string source = global.hive;
    if (source.empty())
        if (const char* env = std::getenv("NTIO_HIVE")) source = env;
    TempDir temp;
    if (temp.path().empty()) return fail(fmt::format("cannot create a temporary directory: {}", std::strerror(errno)));
    const std::string hive = temp.path() + "/system.hive";
    if (!source.empty()) {
        std::error_code error;
        if (!fs::is_regular_file(source, error)) return fail(fmt::format("hive file not found: {}", source));
        std::string why;
        if (!copy_hive(source, hive, why)) return fail(why);
    }
    {
        Progress progress("ntio run: preparing the hive");
        GlobalOptions prepared;
        prepared.hive = hive;  // a missing file is created from the embedded default
        std::unique_ptr<System> system = boot(prepared);
        if (!system) return 1;
        if (!service.empty()) {
            NTSTATUS status = write_service(service, image);
            if (!NT_SUCCESS(status))
                return fail(fmt::format("cannot write the service key {} (status 0x{:08X})", service,
                                        static_cast<std::uint32_t>(status)));
        }
        if (verify_flags) {
            const std::string drivers = image.empty() ? std::string("*") : image.filename().string();
            NTSTATUS status = write_verifier(drivers, *verify_flags);
            if (!NT_SUCCESS(status))
                return fail(fmt::format("cannot write the verifier settings (status 0x{:08X})",
                                        static_cast<std::uint32_t>(status)));
        }
    }
    return spawn(*program, options.command, hive);
}

}  // namespace run_impl

void add_run_command(CLI::App& app, const GlobalOptions& global, int& exit_code,
                     const std::optional<std::vector<std::string>>& program_after_dashes) {
    using namespace run_impl;
    auto options = std::make_shared<RunOptions>();
    CLI::App* run_app = app.add_subcommand("run", "run a Win32 program against a system with a driver loaded");
    run_app->add_option("--driver", options->driver, "the driver image (.sys) to load at the program's system start");
    run_app->add_option("--service", options->service, "its service name (default: the image name without .sys)");
    run_app->add_option("--verify", options->verify,
                        "verify the driver (Driver Verifier flags; --verify alone: the standard 0x209BB)")
        ->expected(0, 1)
        ->each([options](const std::string&) { options->verify_given = true; })
        ->trigger_on_parse();
    // Without --, every word from PROGRAM on is the program's, even one that names a subcommand.
    run_app->prefix_command();
    run_app->footer("Usage: ntio run [--hive F] [--driver X.sys [--service NAME]] [--verify[=FLAGS]] -- PROGRAM ARGS\n"
                    "The program's system boots from a temporary copy of --hive (or NTIO_HIVE, or the embedded\n"
                    "default) with the driver as a system-start service; the copy is removed afterwards.\n"
                    "Exit status: the program's, 128+n when signal n ended it, 127 when it cannot run.");
    run_app->callback([run_app, options, &global, &exit_code, &program_after_dashes] {
        // --verify with no value runs no `each` callback.
        if (run_app->get_option("--verify")->count() > 0) options->verify_given = true;
        options->command = run_app->remaining();
        if (program_after_dashes) {
            if (!options->command.empty()) {
                exit_code = fail(fmt::format("unexpected \"{}\" before --", options->command[0]));
                return;
            }
            options->command = *program_after_dashes;
        }
        exit_code = run(global, *options);
    });
}

}  // namespace ntio::tool
