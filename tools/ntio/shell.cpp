// The ntio shell: boots one System, acts in an elevated administrator's process, and runs command
// lines from `-c`, from stdin when it is not a terminal, or interactively through libedit (history
// in ~/.ntio_history, tab completion of commands and object names) when it is.
#include "shell.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fmt/core.h>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "admin_process.hpp"
#include "shell_support.hpp"

#if NTIO_HAVE_LIBEDIT
#include <editline/readline.h>
#include <CLI/CLI.hpp>
#endif

namespace ntio::tool {
// Named, not anonymous: the tool's command files compile as one unit (tools/ntio/CMakeLists.txt).
namespace shell_impl {

struct Command {
    std::string help;
    ShellCommandFn fn;
};

std::map<std::string, Command>& commands() {
    static std::map<std::string, Command> table;
    return table;
}

std::map<std::string, std::string>& variables() {
    static std::map<std::string, std::string> table;
    return table;
}

bool is_exit(const std::vector<std::string>& words) {
    return !words.empty() && (words[0] == "exit" || words[0] == "quit");
}

int help_command(System&, const std::vector<std::string>&, std::string& out) {
    out += "Commands (handles and numbers take decimal or 0x hex; statuses print with their names):\n";
    for (const auto& [name, command] : commands()) out += fmt::format("  {}\n", command.help);
    out += "  exit [STATUS] | quit - leave the shell\n";
    out += "Words: 'quoted' or \"quoted\" keep blanks, ';' separates commands, # starts a comment, $h is the\n"
           "handle the last open printed.\n";
    return 0;
}

struct ShellOptions {
    std::string commands;
    bool command_given = false;
    bool errexit = false;
};

class Shell {
public:
    explicit Shell(System& system, bool errexit) : m_system(system), m_errexit(errexit) {}

    // Runs one input line; false when the shell should stop (exit, or a failure under -e).
    bool line(const std::string& text) {
        for (const std::vector<std::string>& words : split_commands(text)) {
            if (words.empty()) continue;
            if (is_exit(words)) {
                if (words.size() > 1) m_status = std::atoi(words[1].c_str());
                return false;
            }
            std::string out;
            m_status = dispatch(m_system, words, out);
            std::fputs(out.c_str(), stdout);
            std::fflush(stdout);
            if (m_status != 0 && m_errexit) return false;
        }
        return true;
    }

    int status() const noexcept { return m_status; }

private:
    System& m_system;
    bool m_errexit;
    int m_status = 0;
};

#if NTIO_HAVE_LIBEDIT
System* g_completion_system = nullptr;

// Completion candidates for the word being typed, built once per completion and handed out one
// at a time, as readline's generator protocol asks.
std::vector<std::string> g_candidates;

char* next_candidate(const char*, int state) {
    static std::size_t index = 0;
    if (state == 0) index = 0;
    if (index >= g_candidates.size()) return nullptr;
    return strdup(g_candidates[index++].c_str());
}

char** complete(const char* text, int start, int) {
    g_candidates.clear();
    const std::string word = text;
    rl_attempted_completion_over = 1;  // never fall back to host file names
    if (start == 0) {
        rl_completion_append_character = ' ';
        for (const auto& [name, command] : commands())
            if (name != "!" && name.starts_with(word)) g_candidates.push_back(name);
        for (const char* name : {"exit", "quit"})
            if (std::string(name).starts_with(word)) g_candidates.push_back(name);
    } else if (word.starts_with("\\") && g_completion_system) {
        rl_completion_append_character = '\0';
        g_candidates = complete_object_name(word);
    } else {
        return nullptr;
    }
    return rl_completion_matches(text, next_candidate);
}

std::string history_file() {
    const char* home = std::getenv("HOME");
    return home ? std::string(home) + "/.ntio_history" : std::string();
}

int interactive(Shell& shell, System& system) {
    g_completion_system = &system;
    // Backslashes are part of NT names, not word breaks.
    static char breaks[] = " \t\n;";
    rl_completer_word_break_characters = breaks;
    rl_basic_word_break_characters = breaks;  // the one libedit reads
    rl_attempted_completion_function = complete;
    const std::string history = history_file();
    if (!history.empty()) (void)read_history(history.c_str());
    stifle_history(1000);
    fmt::print("ntio shell: type help for the commands, exit to leave\n");
    while (char* raw = readline("ntio> ")) {
        std::string text = raw;
        std::free(raw);
        if (text.find_first_not_of(" \t") != std::string::npos) add_history(text.c_str());
        if (!shell.line(text)) break;
    }
    if (!history.empty()) (void)write_history(history.c_str());
    g_completion_system = nullptr;
    return shell.status();
}
#endif

int read_lines(Shell& shell, bool prompt) {
    std::string text;
    while (true) {
        if (prompt) {
            fmt::print("ntio> ");
            std::fflush(stdout);
        }
        if (!std::getline(std::cin, text)) break;
        if (!shell.line(text)) break;
    }
    return shell.status();
}

int run_shell(const GlobalOptions& global, const ShellOptions& options) {
    std::unique_ptr<System> system = boot(global);
    if (!system) return 1;
    int status = 0;
    {
        AdminProcess admin(*system);
        if (!admin.ok()) {
            fmt::print(stderr, "ntio shell: cannot create the administrator process\n");
            return 1;
        }
        register_io_commands();
        register_object_commands();
        register_admin_commands();
        register_kd_commands();
        register_shell_command("help", "help - this list", help_command);
        Shell shell(*system, options.errexit);
        if (options.command_given) {
            (void)shell.line(options.commands);
            status = shell.status();
        } else if (isatty(STDIN_FILENO)) {
#if NTIO_HAVE_LIBEDIT
            status = interactive(shell, *system);
#else
            status = read_lines(shell, true);
#endif
        } else {
            status = read_lines(shell, false);
        }
    }
    return status;
}

}  // namespace shell_impl

void register_shell_command(const std::string& name, const std::string& help, ShellCommandFn fn) {
    using namespace shell_impl;
    commands()[name] = Command{help, std::move(fn)};
}

void set_shell_variable(const std::string& name, const std::string& value) { shell_impl::variables()[name] = value; }

int dispatch(System& system, const std::vector<std::string>& typed, std::string& out) {
    using namespace shell_impl;
    if (typed.empty()) return 0;
    std::vector<std::string> words = typed;
    for (std::string& word : words) {
        if (word.size() < 2 || word[0] != '$') continue;
        auto it = variables().find(word.substr(1));
        if (it == variables().end()) {
            out += fmt::format("ntio shell: {} is not set\n", word);
            return 1;
        }
        word = it->second;
    }
    const std::string key = words[0].starts_with("!") ? std::string("!") : words[0];
    auto it = commands().find(key);
    if (it == commands().end()) {
        out += fmt::format("ntio shell: unknown command \"{}\" (help lists them)\n", words[0]);
        return 1;
    }
    return it->second.fn(system, words, out);
}

std::vector<std::vector<std::string>> split_commands(const std::string& line) {
    using namespace shell_impl;
    std::vector<std::vector<std::string>> result(1);
    std::string word;
    bool in_word = false;
    bool in_comment = false;
    char quote = 0;
    auto end_word = [&] {
        if (in_word) result.back().push_back(word);
        word.clear();
        in_word = false;
    };
    for (char c : line) {
        if (in_comment) {
            if (c != '\n') continue;
            in_comment = false;
            result.emplace_back();
        } else if (quote) {
            if (c == quote)
                quote = 0;
            else
                word += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == ';' || c == '\n') {
            end_word();
            result.emplace_back();
        } else if (c == ' ' || c == '\t' || c == '\r') {
            end_word();
        } else if (c == '#' && !in_word) {
            in_comment = true;  // to the end of the line
        } else {
            word += c;
            in_word = true;
        }
    }
    end_word();
    return result;
}

void add_shell_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    using namespace shell_impl;
    auto options = std::make_shared<ShellOptions>();
    CLI::App* shell = app.add_subcommand("shell", "interactive shell: open, read, write, ioctl, close, ls, reg, sc, "
                                                  "load, unload, devstack, objects (help lists them)");
    shell->add_option("-c,--command", options->commands, "run these commands (separated by ';' or newlines) and exit")
        ->each([options](const std::string&) { options->command_given = true; });
    shell->add_flag("-e,--errexit", options->errexit, "stop at the first command that fails");
    shell->footer("Without -c the commands come from stdin (a script when it is not a terminal). The exit status\n"
                  "is the last command's (0 success), or the first failure's with -e.");
    shell->callback([options, &global, &exit_code] { exit_code = run_shell(global, *options); });
}

}  // namespace ntio::tool
