// `ntio sc` over advapi32's service control manager (OpenSCManager, CreateService, StartService,
// ControlService, QueryServiceStatusEx, QueryServiceConfig, ChangeServiceConfig, DeleteService,
// EnumServicesStatusEx), printing what sc.exe prints: "[SC] <Function> SUCCESS", the SERVICE_NAME
// blocks of query/qc, and "[SC] <Function> FAILED <error>:" with the system message.
// https://learn.microsoft.com/windows-server/administration/windows-commands/sc-create
// https://learn.microsoft.com/windows-server/administration/windows-commands/sc-query
#include "sc_command.hpp"

#include <strings.h>

#include <cstdlib>
#include <filesystem>
#include <fmt/core.h>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <windows.h>
#include <CLI/CLI.hpp>

#include "admin_process.hpp"
#include "win32_messages.hpp"

namespace ntio::tool {
// Named, not anonymous: the tool's command files compile as one unit (tools/ntio/CMakeLists.txt).
namespace sc_impl {

// WCHAR is 16 bits (-fshort-wchar): the tool's UTF-16 text is handed over as is.
const WCHAR* w(const std::u16string& text) { return reinterpret_cast<const WCHAR*>(text.c_str()); }
std::string from_w(const WCHAR* text) {
    return text ? narrow(std::u16string_view(reinterpret_cast<const char16_t*>(text))) : std::string();
}

class ScHandle {
public:
    explicit ScHandle(SC_HANDLE handle = nullptr) : m_handle(handle) {}
    ~ScHandle() {
        if (m_handle) CloseServiceHandle(m_handle);
    }
    ScHandle(const ScHandle&) = delete;
    ScHandle& operator=(const ScHandle&) = delete;
    SC_HANDLE get() const { return m_handle; }
    explicit operator bool() const { return m_handle != nullptr; }

private:
    SC_HANDLE m_handle;
};

// A malformed command line: one line saying what is wrong.
struct UsageError {
    std::string what;
};

std::uint32_t failed(std::string& out, const char* function) {
    const DWORD error = GetLastError();
    out += fmt::format("[SC] {} FAILED {}:\n\n{}\n\n", function, error, win32_message(error));
    return error == 0 ? static_cast<std::uint32_t>(ERROR_GEN_FAILURE) : error;
}

struct Named {
    const char* name;
    DWORD value;
};
constexpr Named kTypes[] = {{"kernel", SERVICE_KERNEL_DRIVER}, {"filesys", SERVICE_FILE_SYSTEM_DRIVER},
                            {"rec", SERVICE_RECOGNIZER_DRIVER}, {"adapt", SERVICE_ADAPTER},
                            {"own", SERVICE_WIN32_OWN_PROCESS}, {"share", SERVICE_WIN32_SHARE_PROCESS}};
constexpr Named kStarts[] = {{"boot", SERVICE_BOOT_START},     {"system", SERVICE_SYSTEM_START},
                             {"auto", SERVICE_AUTO_START},     {"demand", SERVICE_DEMAND_START},
                             {"disabled", SERVICE_DISABLED}};
constexpr Named kErrors[] = {{"ignore", SERVICE_ERROR_IGNORE}, {"normal", SERVICE_ERROR_NORMAL},
                             {"severe", SERVICE_ERROR_SEVERE}, {"critical", SERVICE_ERROR_CRITICAL}};

DWORD lookup(const Named* table, std::size_t count, const std::string& option, const std::string& value) {
    for (std::size_t i = 0; i < count; ++i)
        if (strcasecmp(table[i].name, value.c_str()) == 0) return table[i].value;
    throw UsageError{fmt::format("{}= does not take \"{}\"", option, value)};
}

// sc's "option= value" pairs (the value is the next word; "option=value" is accepted too). Option
// names are case-insensitive and kept lower-case.
std::map<std::string, std::string> parse_options(const std::vector<std::string>& words, std::size_t first,
                                                 std::initializer_list<const char*> allowed) {
    std::map<std::string, std::string> options;
    for (std::size_t i = first; i < words.size(); ++i) {
        const std::string& word = words[i];
        const std::size_t eq = word.find('=');
        if (eq == std::string::npos || eq == 0) throw UsageError{fmt::format("expected option= value, got \"{}\"", word)};
        std::string name = word.substr(0, eq);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        bool known = false;
        for (const char* a : allowed) known = known || name == a;
        if (!known) throw UsageError{fmt::format("unknown option {}=", name)};
        std::string value = word.substr(eq + 1);
        if (value.empty()) {
            if (i + 1 >= words.size()) throw UsageError{fmt::format("{}= needs a value", name)};
            value = words[++i];
        }
        options[name] = value;
    }
    return options;
}

std::string value_of(const std::map<std::string, std::string>& options, const char* name) {
    auto it = options.find(name);
    return it == options.end() ? std::string() : it->second;
}

const char* type_name(DWORD type) {
    switch (type) {
    case SERVICE_KERNEL_DRIVER: return "KERNEL_DRIVER";
    case SERVICE_FILE_SYSTEM_DRIVER: return "FILE_SYSTEM_DRIVER";
    case SERVICE_RECOGNIZER_DRIVER: return "RECOGNIZER_DRIVER";
    case SERVICE_ADAPTER: return "ADAPTER";
    case SERVICE_WIN32_OWN_PROCESS: return "WIN32_OWN_PROCESS";
    case SERVICE_WIN32_SHARE_PROCESS: return "WIN32_SHARE_PROCESS";
    default: return "";
    }
}

const char* state_name(DWORD state) {
    static const char* const names[] = {"", "STOPPED", "START_PENDING", "STOP_PENDING", "RUNNING",
                                        "CONTINUE_PENDING", "PAUSE_PENDING", "PAUSED"};
    return state < sizeof(names) / sizeof(names[0]) ? names[state] : "";
}

const char* start_name(DWORD start) {
    static const char* const names[] = {"BOOT_START", "SYSTEM_START", "AUTO_START", "DEMAND_START", "DISABLED"};
    return start < sizeof(names) / sizeof(names[0]) ? names[start] : "";
}

const char* error_control_name(DWORD error_control) {
    static const char* const names[] = {"IGNORE", "NORMAL", "SEVERE", "CRITICAL"};
    return error_control < sizeof(names) / sizeof(names[0]) ? names[error_control] : "";
}

// The block sc query / start / stop print for one service.
void print_status(std::string& out, const std::string& name, const std::string* display,
                  const SERVICE_STATUS_PROCESS& s, bool with_process) {
    out += fmt::format("SERVICE_NAME: {}\n", name);
    if (display) out += fmt::format("DISPLAY_NAME: {}\n", *display);
    out += fmt::format("        TYPE               : {:x}  {}\n", s.dwServiceType, type_name(s.dwServiceType));
    out += fmt::format("        STATE              : {}  {}\n", s.dwCurrentState, state_name(s.dwCurrentState));
    out += fmt::format("                                ({}, {}, {})\n",
                       s.dwControlsAccepted & SERVICE_ACCEPT_STOP ? "STOPPABLE" : "NOT_STOPPABLE",
                       s.dwControlsAccepted & SERVICE_ACCEPT_PAUSE_CONTINUE ? "PAUSABLE" : "NOT_PAUSABLE",
                       s.dwControlsAccepted & SERVICE_ACCEPT_SHUTDOWN ? "ACCEPTS_SHUTDOWN" : "IGNORES_SHUTDOWN");
    out += fmt::format("        WIN32_EXIT_CODE    : {}  (0x{:x})\n", s.dwWin32ExitCode, s.dwWin32ExitCode);
    out += fmt::format("        SERVICE_EXIT_CODE  : {}  (0x{:x})\n", s.dwServiceSpecificExitCode,
                       s.dwServiceSpecificExitCode);
    out += fmt::format("        CHECKPOINT         : 0x{:x}\n", s.dwCheckPoint);
    out += fmt::format("        WAIT_HINT          : 0x{:x}\n", s.dwWaitHint);
    if (with_process) {
        out += fmt::format("        PID                : {}\n", s.dwProcessId);
        out += fmt::format("        FLAGS              : {}\n",
                           s.dwServiceFlags & SERVICE_RUNS_IN_SYSTEM_PROCESS ? "RUNS_IN_SYSTEM_PROCESS" : "");
    }
    out += "\n";
}

bool query_status(SC_HANDLE service, SERVICE_STATUS_PROCESS& status) {
    DWORD needed = 0;
    return QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(&status), sizeof(status),
                                &needed) != FALSE;
}

void from_status(const SERVICE_STATUS& in, SERVICE_STATUS_PROCESS& out) {
    out = SERVICE_STATUS_PROCESS{};
    out.dwServiceType = in.dwServiceType;
    out.dwCurrentState = in.dwCurrentState;
    out.dwControlsAccepted = in.dwControlsAccepted;
    out.dwWin32ExitCode = in.dwWin32ExitCode;
    out.dwServiceSpecificExitCode = in.dwServiceSpecificExitCode;
    out.dwCheckPoint = in.dwCheckPoint;
    out.dwWaitHint = in.dwWaitHint;
}

// sc depend= takes names separated by '/'; CreateService wants a double-NUL-terminated list.
std::u16string dependency_list(const std::string& text) {
    std::u16string list;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t slash = text.find('/', start);
        const std::string item = text.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (!item.empty()) {
            list += widen(item);
            list += u'\0';
        }
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    list += u'\0';
    return list;
}

// binPath= as CreateService stores it. A relative path that names a host file from the current
// directory becomes that file's absolute path.
// NT deviation: sc.exe stores a relative path as given and the loader takes it relative to
// \SystemRoot; on a Linux host the file the user pointed at is the one meant.
std::u16string image_path(const std::string& typed) {
    const bool absolute = typed.starts_with("/") || typed.starts_with("\\") ||
                          (typed.size() >= 2 && typed[1] == ':');
    std::error_code error;
    if (!absolute && std::filesystem::is_regular_file(typed, error))
        return widen(std::filesystem::absolute(typed, error).lexically_normal().string());
    return widen(typed);
}

class Sc {
public:
    explicit Sc(std::string& out) : m_out(out) {}

    std::uint32_t run(const std::vector<std::string>& words) {
        if (words.empty()) throw UsageError{"missing command (create, start, stop, query, qc, config, delete)"};
        const std::string& verb = words[0];
        if (verb == "query" && words.size() == 1) return query_all({});
        if (verb == "query" && words.size() > 1 && words[1].find('=') != std::string::npos) return query_all(words);
        const bool known = verb == "create" || verb == "start" || verb == "stop" || verb == "query" || verb == "qc" ||
                           verb == "config" || verb == "delete";
        if (!known) throw UsageError{fmt::format("unknown command \"{}\"", verb)};
        if (words.size() < 2) throw UsageError{fmt::format("{} needs a service name", verb)};
        const std::string& name = words[1];
        if (verb == "create") return create(name, words);
        if (verb != "config" && words.size() > 2) throw UsageError{fmt::format("{} takes only the service name", verb)};
        if (verb == "start") return start(name);
        if (verb == "stop") return stop(name);
        if (verb == "query") return query(name);
        if (verb == "qc") return query_config(name);
        if (verb == "config") return config(name, words);
        return remove(name);
    }

private:
    bool open_manager(DWORD access) {
        m_manager = std::make_unique<ScHandle>(OpenSCManagerW(nullptr, nullptr, access));
        return static_cast<bool>(*m_manager);
    }

    std::uint32_t open(const std::string& name, DWORD access, std::unique_ptr<ScHandle>& service) {
        if (!open_manager(SC_MANAGER_CONNECT)) return failed(m_out, "OpenSCManager");
        service = std::make_unique<ScHandle>(OpenServiceW(m_manager->get(), w(widen(name)), access));
        if (!*service) return failed(m_out, "OpenService");
        return 0;
    }

    std::uint32_t create(const std::string& name, const std::vector<std::string>& words) {
        auto options = parse_options(words, 2, {"type", "start", "error", "binpath", "group", "displayname", "depend"});
        if (!options.count("binpath")) throw UsageError{"create needs binPath= <image path>"};
        // NT deviation: sc.exe's default type= is own (a Win32 service process); ntio runs only
        // drivers, so the default is kernel.
        const DWORD type = options.count("type") ? lookup(kTypes, std::size(kTypes), "type", options["type"])
                                                 : static_cast<DWORD>(SERVICE_KERNEL_DRIVER);
        const DWORD start = options.count("start") ? lookup(kStarts, std::size(kStarts), "start", options["start"])
                                                   : static_cast<DWORD>(SERVICE_DEMAND_START);
        const DWORD error = options.count("error") ? lookup(kErrors, std::size(kErrors), "error", options["error"])
                                                   : static_cast<DWORD>(SERVICE_ERROR_NORMAL);
        const std::u16string image = image_path(value_of(options, "binpath"));
        const std::u16string group = widen(value_of(options, "group"));
        const std::u16string display = widen(value_of(options, "displayname"));
        const std::u16string depend = options.count("depend") ? dependency_list(options["depend"]) : std::u16string();
        if (!open_manager(SC_MANAGER_CREATE_SERVICE)) return failed(m_out, "OpenSCManager");
        ScHandle service(CreateServiceW(m_manager->get(), w(widen(name)), options.count("displayname") ? w(display) : nullptr,
                                        SERVICE_ALL_ACCESS, type, start, error, w(image),
                                        options.count("group") ? w(group) : nullptr, nullptr,
                                        options.count("depend") ? w(depend) : nullptr, nullptr, nullptr));
        if (!service) return failed(m_out, "CreateService");
        m_out += "[SC] CreateService SUCCESS\n";
        return 0;
    }

    std::uint32_t start(const std::string& name) {
        std::unique_ptr<ScHandle> service;
        if (std::uint32_t error = open(name, SERVICE_START | SERVICE_QUERY_STATUS, service)) return error;
        if (!StartServiceW(service->get(), 0, nullptr)) return failed(m_out, "StartService");
        SERVICE_STATUS_PROCESS status;
        if (!query_status(service->get(), status)) return failed(m_out, "QueryServiceStatusEx");
        print_status(m_out, name, nullptr, status, true);
        return 0;
    }

    std::uint32_t stop(const std::string& name) {
        std::unique_ptr<ScHandle> service;
        if (std::uint32_t error = open(name, SERVICE_STOP | SERVICE_QUERY_STATUS, service)) return error;
        SERVICE_STATUS status{};
        if (!ControlService(service->get(), SERVICE_CONTROL_STOP, &status)) return failed(m_out, "ControlService");
        SERVICE_STATUS_PROCESS shown;
        from_status(status, shown);
        print_status(m_out, name, nullptr, shown, false);
        return 0;
    }

    std::uint32_t query(const std::string& name) {
        std::unique_ptr<ScHandle> service;
        if (std::uint32_t error = open(name, SERVICE_QUERY_STATUS, service)) return error;
        SERVICE_STATUS_PROCESS status;
        if (!query_status(service->get(), status)) return failed(m_out, "QueryServiceStatus");
        print_status(m_out, name, nullptr, status, false);
        return 0;
    }

    // sc query without a name: the driver services (type= driver), in every state unless state= says.
    // NT deviation: sc.exe lists Win32 services in the active state by default; ntio has only
    // drivers, and in a one-shot process few are running, so the default is every driver.
    std::uint32_t query_all(const std::vector<std::string>& words) {
        DWORD type = SERVICE_DRIVER;
        DWORD state = SERVICE_STATE_ALL;
        std::optional<std::u16string> group;
        if (!words.empty()) {
            auto options = parse_options(words, 1, {"type", "state", "group"});
            if (options.count("type")) {
                const std::string& t = options["type"];
                if (strcasecmp(t.c_str(), "driver") == 0 || strcasecmp(t.c_str(), "all") == 0)
                    type = SERVICE_DRIVER;
                else
                    type = lookup(kTypes, std::size(kTypes), "type", t);
            }
            if (options.count("state")) {
                static constexpr Named states[] = {
                    {"active", SERVICE_ACTIVE}, {"inactive", SERVICE_INACTIVE}, {"all", SERVICE_STATE_ALL}};
                state = lookup(states, std::size(states), "state", options["state"]);
            }
            if (options.count("group")) group = widen(options["group"]);
        }
        if (!open_manager(SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE)) return failed(m_out, "OpenSCManager");
        std::vector<unsigned char> buffer(16 * 1024);
        DWORD resume = 0;
        while (true) {
            DWORD needed = 0, returned = 0;
            const BOOL ok = EnumServicesStatusExW(m_manager->get(), SC_ENUM_PROCESS_INFO, type, state, buffer.data(),
                                                  static_cast<DWORD>(buffer.size()), &needed, &returned, &resume,
                                                  group ? w(*group) : nullptr);
            if (!ok && GetLastError() != ERROR_MORE_DATA) return failed(m_out, "EnumQueryServicesStatus:OpenService");
            const auto* entries = reinterpret_cast<const ENUM_SERVICE_STATUS_PROCESSW*>(buffer.data());
            for (DWORD i = 0; i < returned; ++i) {
                const std::string display = from_w(entries[i].lpDisplayName);
                print_status(m_out, from_w(entries[i].lpServiceName), &display, entries[i].ServiceStatusProcess, false);
            }
            if (ok) return 0;
            if (returned == 0) buffer.resize(std::max<std::size_t>(needed, buffer.size() * 2));
        }
    }

    std::uint32_t query_config(const std::string& name) {
        std::unique_ptr<ScHandle> service;
        if (std::uint32_t error = open(name, SERVICE_QUERY_CONFIG, service)) return error;
        DWORD needed = 0;
        std::vector<unsigned char> buffer(8 * 1024);
        while (!QueryServiceConfigW(service->get(), reinterpret_cast<LPQUERY_SERVICE_CONFIGW>(buffer.data()),
                                    static_cast<DWORD>(buffer.size()), &needed)) {
            if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || needed <= buffer.size())
                return failed(m_out, "QueryServiceConfig");
            buffer.resize(needed);
        }
        const auto* c = reinterpret_cast<const QUERY_SERVICE_CONFIGW*>(buffer.data());
        std::string dependencies;
        for (const WCHAR* d = c->lpDependencies; d && *d; d += std::char_traits<char16_t>::length(
                                                                 reinterpret_cast<const char16_t*>(d)) + 1)
            dependencies += (dependencies.empty() ? "" : "\n                           : ") + from_w(d);
        m_out += "[SC] QueryServiceConfig SUCCESS\n\n";
        m_out += fmt::format("SERVICE_NAME: {}\n", name);
        m_out += fmt::format("        TYPE               : {:x}  {}\n", c->dwServiceType, type_name(c->dwServiceType));
        m_out += fmt::format("        START_TYPE         : {}   {}\n", c->dwStartType, start_name(c->dwStartType));
        m_out += fmt::format("        ERROR_CONTROL      : {}   {}\n", c->dwErrorControl,
                             error_control_name(c->dwErrorControl));
        m_out += fmt::format("        BINARY_PATH_NAME   : {}\n", from_w(c->lpBinaryPathName));
        m_out += fmt::format("        LOAD_ORDER_GROUP   : {}\n", from_w(c->lpLoadOrderGroup));
        m_out += fmt::format("        TAG                : {}\n", c->dwTagId);
        m_out += fmt::format("        DISPLAY_NAME       : {}\n", from_w(c->lpDisplayName));
        m_out += fmt::format("        DEPENDENCIES       : {}\n", dependencies);
        m_out += fmt::format("        SERVICE_START_NAME : {}\n", from_w(c->lpServiceStartName));
        return 0;
    }

    std::uint32_t config(const std::string& name, const std::vector<std::string>& words) {
        auto options = parse_options(words, 2, {"type", "start", "error", "binpath", "group", "displayname", "depend"});
        if (options.empty()) throw UsageError{"config needs at least one option= value"};
        const DWORD type = options.count("type") ? lookup(kTypes, std::size(kTypes), "type", options["type"])
                                                 : static_cast<DWORD>(SERVICE_NO_CHANGE);
        const DWORD start = options.count("start") ? lookup(kStarts, std::size(kStarts), "start", options["start"])
                                                   : static_cast<DWORD>(SERVICE_NO_CHANGE);
        const DWORD error = options.count("error") ? lookup(kErrors, std::size(kErrors), "error", options["error"])
                                                   : static_cast<DWORD>(SERVICE_NO_CHANGE);
        const std::u16string image = image_path(value_of(options, "binpath"));
        const std::u16string group = widen(value_of(options, "group"));
        const std::u16string display = widen(value_of(options, "displayname"));
        const std::u16string depend = options.count("depend") ? dependency_list(options["depend"]) : std::u16string();
        std::unique_ptr<ScHandle> service;
        if (std::uint32_t e = open(name, SERVICE_CHANGE_CONFIG, service)) return e;
        if (!ChangeServiceConfigW(service->get(), type, start, error, options.count("binpath") ? w(image) : nullptr,
                                  options.count("group") ? w(group) : nullptr, nullptr,
                                  options.count("depend") ? w(depend) : nullptr, nullptr, nullptr,
                                  options.count("displayname") ? w(display) : nullptr))
            return failed(m_out, "ChangeServiceConfig");
        m_out += "[SC] ChangeServiceConfig SUCCESS\n";
        return 0;
    }

    std::uint32_t remove(const std::string& name) {
        std::unique_ptr<ScHandle> service;
        if (std::uint32_t error = open(name, DELETE, service)) return error;
        if (!DeleteService(service->get())) return failed(m_out, "DeleteService");
        m_out += "[SC] DeleteService SUCCESS\n";
        return 0;
    }

    std::string& m_out;
    std::unique_ptr<ScHandle> m_manager;
};

}  // namespace sc_impl

std::uint32_t run_sc(const std::vector<std::string>& words, std::string& out) {
    using namespace sc_impl;
    try {
        return Sc(out).run(words);
    } catch (const UsageError& error) {
        out += fmt::format("ntio sc: {}\n", error.what);
        return ERROR_INVALID_PARAMETER;
    }
}

int exit_status_for_win32(std::uint32_t error) {
    using namespace sc_impl;
    if (error == 0) return 0;
    return (error & 0xFF) ? static_cast<int>(error & 0xFF) : 1;
}

void add_sc_command(CLI::App& app, const GlobalOptions& options, int& exit_code) {
    using namespace sc_impl;
    CLI::App* sc = app.add_subcommand(
        "sc", "create, start, stop, query, qc, config and delete driver services (like sc.exe)");
    sc->footer("  ntio sc create NAME binPath= PATH [type= kernel|filesys] [start= boot|system|demand|disabled]\n"
               "                [error= ignore|normal|severe|critical] [group= G] [DisplayName= D] [depend= A/B]\n"
               "  ntio sc start|stop|query|qc|delete NAME\n"
               "  ntio sc query [type= driver|kernel|filesys] [state= active|inactive|all]   (all drivers)\n"
               "  ntio sc config NAME option= value ...\n"
               "Changes persist in the hive named by --hive or NTIO_HIVE. A driver started here runs until this\n"
               "process exits; `ntio shell` keeps one System alive across commands.\n"
               "Exit status: the Win32 error (its low 8 bits; 1 when those are 0).");
    sc->prefix_command();  // every word after `sc` is sc's, "binPath=" included
    sc->callback([sc, &options, &exit_code] {
        const std::vector<std::string> words = sc->remaining();
        std::unique_ptr<System> system = boot(options);
        if (!system) {
            exit_code = 1;
            return;
        }
        std::string out;
        std::uint32_t error = 0;
        {
            AdminProcess admin(*system);
            error = run_sc(words, out);
        }
        std::fputs(out.c_str(), error == ERROR_INVALID_PARAMETER && out.starts_with("ntio sc:") ? stderr : stdout);
        const bool has_hive = !options.hive.empty() || std::getenv("NTIO_HIVE");
        const std::string verb = words.empty() ? std::string() : words[0];
        if (error == 0 && !has_hive && (verb == "create" || verb == "config" || verb == "delete"))
            fmt::print(stderr, "ntio sc: note: no hive file (--hive or NTIO_HIVE): this change ends with this command\n");
        if (error == 0 && verb == "start")
            fmt::print(stderr, "ntio sc: note: the driver runs until this command exits; use `ntio shell` to keep it\n");
        exit_code = exit_status_for_win32(error);
    });
}

}  // namespace ntio::tool
