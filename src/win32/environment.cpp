// The environment variables of kernel32: one environment for the host process, read from the host's
// on first use and kept here (so that setting one never races the C library's getenv), with names
// compared case-insensitively as Windows compares them.
// https://learn.microsoft.com/windows/win32/api/processenv/nf-processenv-getenvironmentvariablew
// https://learn.microsoft.com/windows/win32/api/processenv/nf-processenv-expandenvironmentstringsw
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "win32/dos_paths.hpp"

extern char** environ;

using namespace ntio;

namespace {

struct Variable {
    std::u16string name;
    std::u16string value;
};

struct Environment {
    std::mutex lock;
    bool loaded = false;
    std::vector<Variable> variables;
};

Environment& environment() {
    static Environment* instance = new Environment();  // outlives static destruction
    return *instance;
}

bool same_name(std::u16string_view a, std::u16string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (RtlUpcaseUnicodeChar(a[i]) != RtlUpcaseUnicodeChar(b[i])) return false;
    return true;
}

// The environment, loaded from the host's on first use; the caller holds its lock.
std::vector<Variable>& variables_locked(Environment& env) {
    if (!env.loaded) {
        env.loaded = true;
        for (char** entry = environ; entry && *entry; ++entry) {
            const char* equals = std::strchr(*entry, '=');
            if (!equals || equals == *entry) continue;
            env.variables.push_back({win32::ansi_to_utf16(std::string_view(*entry, static_cast<std::size_t>(equals - *entry))),
                                     win32::ansi_to_utf16(equals + 1)});
        }
    }
    return env.variables;
}

std::optional<std::u16string> lookup(std::u16string_view name) {
    Environment& env = environment();
    std::lock_guard guard(env.lock);
    for (const Variable& v : variables_locked(env))
        if (same_name(v.name, name)) return v.value;
    return std::nullopt;
}

// "The name of an environment variable cannot include an equal sign (=)" (one may begin with it, as
// the per-drive current directories' names do). A NULL value deletes the variable.
BOOL set_variable(std::u16string_view name, const std::u16string* value) {
    if (name.empty() || name.find(u'=', 1) != std::u16string_view::npos) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    Environment& env = environment();
    std::lock_guard guard(env.lock);
    std::vector<Variable>& vars = variables_locked(env);
    for (auto it = vars.begin(); it != vars.end(); ++it) {
        if (!same_name(it->name, name)) continue;
        if (value) it->value = *value;
        else vars.erase(it);
        return TRUE;
    }
    if (value) vars.push_back({std::u16string(name), *value});
    return TRUE;
}

// %NAME% replaced by the value of NAME; a name that is not set, or a % without its pair, stays as
// written.
std::u16string expand(std::u16string_view source) {
    std::u16string out;
    std::size_t i = 0;
    while (i < source.size()) {
        if (source[i] != u'%') {
            out.push_back(source[i++]);
            continue;
        }
        const std::size_t close = source.find(u'%', i + 1);
        if (close != std::u16string_view::npos && close > i + 1) {
            if (std::optional<std::u16string> value = lookup(source.substr(i + 1, close - i - 1))) {
                out += *value;
                i = close + 1;
                continue;
            }
        }
        out.push_back(source[i++]);
    }
    return out;
}

template <class Char, class Text>
DWORD get_out(const std::optional<std::u16string>& value, const Text& converted, Char* buffer, DWORD size) {
    if (!value) {
        SetLastError(ERROR_ENVVAR_NOT_FOUND);
        return 0;
    }
    const DWORD result = win32::copy_out(converted, size, buffer);
    if (result <= size && buffer) SetLastError(ERROR_SUCCESS);
    return result;
}

}  // namespace

extern "C" {

// The value's length without the NUL, or the size needed with it when nSize is too small; 0 with
// ERROR_ENVVAR_NOT_FOUND when the variable is not set.
DWORD WINAPI GetEnvironmentVariableW(LPCWSTR lpName, LPWSTR lpBuffer, DWORD nSize) {
    const std::optional<std::u16string> value = lpName ? lookup(win32::wide(lpName)) : std::nullopt;
    return get_out(value, value ? *value : std::u16string(), lpBuffer, nSize);
}

DWORD WINAPI GetEnvironmentVariableA(LPCSTR lpName, LPSTR lpBuffer, DWORD nSize) {
    const std::optional<std::u16string> value = lpName ? lookup(win32::ansi_to_utf16(lpName)) : std::nullopt;
    return get_out(value, value ? win32::utf16_to_ansi(*value) : std::string(), lpBuffer, nSize);
}

BOOL WINAPI SetEnvironmentVariableW(LPCWSTR lpName, LPCWSTR lpValue) {
    if (!lpName) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    const std::u16string value = lpValue ? std::u16string(win32::wide(lpValue)) : std::u16string();
    return set_variable(win32::wide(lpName), lpValue ? &value : nullptr);
}

BOOL WINAPI SetEnvironmentVariableA(LPCSTR lpName, LPCSTR lpValue) {
    if (!lpName) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    const std::u16string value = lpValue ? win32::ansi_to_utf16(lpValue) : std::u16string();
    return set_variable(win32::ansi_to_utf16(lpName), lpValue ? &value : nullptr);
}

// "the number of TCHARs stored in the destination buffer, including the terminating null
// character. If the destination buffer is too small to hold the expanded string, the return value
// is the required buffer size, in characters."
DWORD WINAPI ExpandEnvironmentStringsW(LPCWSTR lpSrc, LPWSTR lpDst, DWORD nSize) {
    if (!lpSrc) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    const std::u16string out = expand(win32::wide(lpSrc));
    const DWORD result = win32::copy_out(out, nSize, lpDst);
    return result == out.size() ? result + 1 : result;
}

DWORD WINAPI ExpandEnvironmentStringsA(LPCSTR lpSrc, LPSTR lpDst, DWORD nSize) {
    if (!lpSrc) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    const std::string out = win32::utf16_to_ansi(expand(win32::ansi_to_utf16(lpSrc)));
    const DWORD result = win32::copy_out(out, nSize, lpDst);
    return result == out.size() ? result + 1 : result;
}

// NAME=VALUE strings one after another, each with its NUL, then one more NUL.
LPWCH WINAPI GetEnvironmentStringsW(VOID) {
    std::u16string block;
    {
        Environment& env = environment();
        std::lock_guard guard(env.lock);
        for (const Variable& v : variables_locked(env)) {
            block += v.name;
            block += u'=';
            block += v.value;
            block += u'\0';
        }
    }
    block += u'\0';
    auto* out = static_cast<LPWCH>(std::malloc((block.size() + 1) * sizeof(WCHAR)));
    if (!out) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return nullptr;
    }
    std::memcpy(out, block.data(), block.size() * sizeof(WCHAR));
    out[block.size()] = 0;
    return out;
}

BOOL WINAPI FreeEnvironmentStringsW(LPWCH penv) {
    std::free(penv);
    return TRUE;
}

}  // extern "C"
