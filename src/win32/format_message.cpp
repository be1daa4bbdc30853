// kernel32 FormatMessageA/W over an English system message table holding the Win32 errors ntio
// produces, with insert sequences (%1..%99 and their !printf! formats), escapes and line-width
// control; and LocalAlloc/LocalFree, the allocator FORMAT_MESSAGE_ALLOCATE_BUFFER hands out.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-formatmessagew
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "win32/win32.hpp"

using namespace ntio;

namespace {

struct SystemMessage {
    DWORD id;
    const char* text;  // without the "\r\n" every message table entry ends with
};

// The texts of Microsoft Learn's System Error Codes pages (English system message table):
// https://learn.microsoft.com/windows/win32/debug/system-error-codes--0-499-
// https://learn.microsoft.com/windows/win32/debug/system-error-codes--500-999-
// https://learn.microsoft.com/windows/win32/debug/system-error-codes--1000-1299-
// https://learn.microsoft.com/windows/win32/debug/system-error-codes--1300-1699-
// https://learn.microsoft.com/windows/win32/debug/system-error-codes--1700-3999-
// Sorted by id (binary search; checked below).
// NT deviation: the table holds the errors ntio's services and Win32 layer produce, not the whole
// Windows table; any other id fails with ERROR_MR_MID_NOT_FOUND.
constexpr SystemMessage kSystemMessages[] = {
    {0, "The operation completed successfully."},
    {1, "Incorrect function."},
    {2, "The system cannot find the file specified."},
    {3, "The system cannot find the path specified."},
    {4, "The system cannot open the file."},
    {5, "Access is denied."},
    {6, "The handle is invalid."},
    {8, "Not enough memory resources are available to process this command."},
    {13, "The data is invalid."},
    {14, "Not enough memory resources are available to complete this operation."},
    {18, "There are no more files."},
    {19, "The media is write protected."},
    {21, "The device is not ready."},
    {23, "Data error (cyclic redundancy check)."},
    {24, "The program issued a command but the command length is incorrect."},
    {25, "The drive cannot locate a specific area or track on the disk."},
    {27, "The drive cannot find the sector requested."},
    {31, "A device attached to the system is not functioning."},
    {32, "The process cannot access the file because it is being used by another process."},
    {33, "The process cannot access the file because another process has locked a portion of the file."},
    {38, "Reached the end of the file."},
    {50, "The request is not supported."},
    {80, "The file exists."},
    {87, "The parameter is incorrect."},
    {109, "The pipe has been ended."},
    {111, "The file name is too long."},
    {112, "There is not enough space on the disk."},
    {120, "This function is not supported on this system."},
    {121, "The semaphore timeout period has expired."},
    {122, "The data area passed to a system call is too small."},
    {123, "The filename, directory name, or volume label syntax is incorrect."},
    {124, "The system call level is not correct."},
    {126, "The specified module could not be found."},
    {127, "The specified procedure could not be found."},
    {128, "There are no child processes to wait for."},
    {131, "An attempt was made to move the file pointer before the beginning of the file."},
    {145, "The directory is not empty."},
    {158, "The segment is already unlocked."},
    {161, "The specified path is invalid."},
    {170, "The requested resource is in use."},
    {183, "Cannot create a file when that file already exists."},
    {186, "The flag passed is not correct."},
    {193, "%1 is not a valid Win32 application."},
    {206, "The filename or extension is too long."},
    {230, "The pipe state is invalid."},
    {231, "All pipe instances are busy."},
    {232, "The pipe is being closed."},
    {233, "No process is on the other end of the pipe."},
    {234, "More data is available."},
    {258, "The wait operation timed out."},
    {259, "No more data is available."},
    {267, "The directory name is invalid."},
    {288, "Attempt to release mutex not owned by caller."},
    {298, "Too many posts were made to a semaphore."},
    {299, "Only part of a ReadProcessMemory or WriteProcessMemory request was completed."},
    {317, "The system cannot find message text for message number 0x%1 in the message file for %2."},
    {487, "Attempt to access invalid address."},
    {534, "Arithmetic result exceeded 32 bits."},
    {535, "There is a process on other end of the pipe."},
    {536, "Waiting for a process to open the other end of the pipe."},
    {577, "Windows cannot verify the digital signature for this file. A recent hardware or software change might "
          "have installed a file that is signed incorrectly or damaged, or that might be malicious software from "
          "an unknown source."},
    {995, "The I/O operation has been aborted because of either a thread exit or an application request."},
    {996, "Overlapped I/O event is not in a signaled state."},
    {997, "Overlapped I/O operation is in progress."},
    {998, "Invalid access to memory location."},
    {1001, "Recursion too deep; the stack overflowed."},
    {1004, "Invalid flags."},
    {1005, "The volume does not contain a recognized file system.\r\nPlease make sure that all required file "
           "system drivers are loaded and that the volume is not corrupted."},
    {1008, "An attempt was made to reference a token that does not exist."},
    {1009, "The configuration registry database is corrupt."},
    {1010, "The configuration registry key is invalid."},
    {1011, "The configuration registry key could not be opened."},
    {1012, "The configuration registry key could not be read."},
    {1013, "The configuration registry key could not be written."},
    {1018, "Illegal operation attempted on a registry key that has been marked for deletion."},
    {1020, "Cannot create a symbolic link in a registry key that already has subkeys or values."},
    {1021, "Cannot create a stable subkey under a volatile parent key."},
    {1051, "A stop control has been sent to a service that other running services are dependent on."},
    {1052, "The requested control is not valid for this service."},
    {1053, "The service did not respond to the start or control request in a timely fashion."},
    {1055, "The service database is locked."},
    {1056, "An instance of the service is already running."},
    {1057, "The account name is invalid or does not exist, or the password is invalid for the account name "
           "specified."},
    {1058, "The service cannot be started, either because it is disabled or because it has no enabled devices "
           "associated with it."},
    {1059, "Circular service dependency was specified."},
    {1060, "The specified service does not exist as an installed service."},
    {1061, "The service cannot accept control messages at this time."},
    {1062, "The service has not been started."},
    {1065, "The database specified does not exist."},
    {1072, "The specified service has been marked for deletion."},
    {1073, "The specified service already exists."},
    {1077, "No attempts to start the service have been made since the last boot."},
    {1078, "The name is already in use as either a service name or a service display name."},
    {1114, "A dynamic link library (DLL) initialization routine failed."},
    {1117, "The request could not be performed because of an I/O device error."},
    {1167, "The device is not connected."},
    {1168, "Element not found."},
    {1223, "The operation was canceled by the user."},
    {1235, "The request was aborted."},
    {1236, "The network connection was aborted by the local system."},
    {1275, "This driver has been blocked from loading."},
    {1300, "Not all privileges or groups referenced are assigned to the caller."},
    {1314, "A required privilege is not held by the client."},
    {1337, "The security ID structure is invalid."},
    {1338, "The security descriptor structure is invalid."},
    {1346, "Either a required impersonation level was not provided, or the provided impersonation level is "
           "invalid."},
    {1359, "An internal error occurred."},
    {1392, "The file or directory is corrupted and unreadable."},
    {1450, "Insufficient system resources exist to complete the requested service."},
    {1453, "Insufficient quota to complete the requested service."},
    {1455, "The paging file is too small for this operation to complete."},
    {1460, "This operation returned because the timeout period expired."},
    {1629, "Data supplied is of wrong type."},
    {1630, "Data of this type is not supported."},
    {1784, "The supplied user buffer is not valid for the requested operation."},
    {1813, "The specified resource type cannot be found in the image file."},
    {1815, "The specified resource language ID cannot be found in the image file."},
    {1816, "Not enough quota is available to process this command."},
};

constexpr bool sorted_by_id() {
    for (std::size_t i = 1; i < std::size(kSystemMessages); ++i)
        if (kSystemMessages[i - 1].id >= kSystemMessages[i].id) return false;
    return true;
}
static_assert(sorted_by_id(), "kSystemMessages must be sorted by id");

// An HRESULT in the FACILITY_WIN32 form (0x8007xxxx) names the Win32 error xxxx.
const char* find_system_message(DWORD id) {
    if ((id & 0xFFFF0000u) == 0x80070000u) id &= 0xFFFFu;
    const SystemMessage* end = std::end(kSystemMessages);
    const SystemMessage* it = std::lower_bound(std::begin(kSystemMessages), end, id,
                                               [](const SystemMessage& m, DWORD v) { return m.id < v; });
    return it != end && it->id == id ? it->text : nullptr;
}

// A message over 128K bytes fails ALLOCATE_BUFFER with ERROR_MORE_DATA (FormatMessage remarks).
constexpr std::size_t kMaxAllocatedBytes = 128 * 1024;

// Where the insert values come from: an array of DWORD_PTR (ARGUMENT_ARRAY) or a va_list whose
// slots are all pointer-sized on x64 (integers are promoted, FormatMessage takes no floating point).
class InsertArguments {
public:
    InsertArguments(DWORD flags, va_list* arguments) noexcept
        : m_array((flags & FORMAT_MESSAGE_ARGUMENT_ARRAY) != 0), m_arguments(arguments) {}
    bool present() const noexcept { return m_arguments != nullptr; }
    // Insert `index` (1-based).
    ULONG_PTR get(unsigned index) const noexcept {
        if (m_array) return reinterpret_cast<const DWORD_PTR*>(m_arguments)[index - 1];
        va_list copy;
        va_copy(copy, *m_arguments);
        ULONG_PTR value = 0;
        for (unsigned i = 0; i < index; ++i) value = va_arg(copy, ULONG_PTR);
        va_end(copy);
        return value;
    }

private:
    bool m_array;
    va_list* m_arguments;
};

std::u16string ascii_to_utf16(std::string_view text) { return std::u16string(text.begin(), text.end()); }

std::u16string wide_string(const void* p) {
    if (!p) return u"(null)";
    return std::u16string(static_cast<const char16_t*>(p));
}

std::u16string narrow_string(const void* p) {
    if (!p) return u"(null)";
    return win32::ansi_to_utf16(static_cast<const char*>(p));
}

// One insert: %n or %n!spec!. `wide_api` says which string type !s! and !c! mean (LPWSTR / WCHAR in
// FormatMessageW, LPSTR / CHAR in FormatMessageA); !S! and !C! mean the other one.
class Formatter {
public:
    Formatter(const InsertArguments& args, bool wide_api) : m_args(args), m_wide(wide_api) {}

    // Appends the formatted insert; false for a format FormatMessage does not take.
    bool format(unsigned index, std::string_view spec, std::u16string& out) const {
        std::string flags;
        std::size_t i = 0;
        while (i < spec.size() && std::strchr("-+ #0", spec[i])) flags += spec[i++];
        std::optional<long long> width, precision;
        unsigned next = index;
        auto number = [&](std::optional<long long>& field) {
            if (i < spec.size() && spec[i] == '*') {
                field = static_cast<long long>(static_cast<int>(m_args.get(next++)));
                ++i;
                return;
            }
            long long n = 0;
            bool any = false;
            while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9' && n < 100000) {
                n = n * 10 + (spec[i++] - '0');
                any = true;
            }
            if (any) field = n;
        };
        number(width);
        if (i < spec.size() && spec[i] == '.') {
            ++i;
            number(precision);
            if (!precision) precision = 0;
        }
        int bits = 32;  // LLP64: int and long are 32 bits
        bool narrow_forced = false, wide_forced = false;
        if (spec.substr(i).starts_with("I64") || spec.substr(i).starts_with("ll")) {
            bits = 64;
            i += spec[i] == 'I' ? 3 : 2;
        } else if (spec.substr(i).starts_with("I32")) {
            i += 3;
        } else if (i < spec.size() && (spec[i] == 'I' || spec[i] == 'z')) {
            bits = 64;
            ++i;
        } else if (i < spec.size() && spec[i] == 'h') {
            bits = 16;
            narrow_forced = true;
            ++i;
        } else if (i < spec.size() && (spec[i] == 'l' || spec[i] == 'w')) {
            wide_forced = true;
            ++i;
        }
        if (i + 1 != spec.size()) return false;
        const char conversion = spec[i];
        const ULONG_PTR value = m_args.get(next);
        switch (conversion) {
            case 's':
            case 'S':
            case 'c':
            case 'C': {
                bool wide = (conversion == 's' || conversion == 'c') ? m_wide : !m_wide;
                if (narrow_forced) wide = false;
                if (wide_forced) wide = true;
                std::u16string text;
                if (conversion == 's' || conversion == 'S') {
                    text = wide ? wide_string(reinterpret_cast<const void*>(value))
                                : narrow_string(reinterpret_cast<const void*>(value));
                    if (precision && *precision >= 0 && static_cast<std::size_t>(*precision) < text.size())
                        text.resize(static_cast<std::size_t>(*precision));
                } else {
                    text = wide ? std::u16string(1, static_cast<char16_t>(value))
                                : win32::ansi_to_utf16(std::string(1, static_cast<char>(value)));
                }
                const bool left = flags.find('-') != std::string::npos;
                const std::size_t pad =
                    width && *width > 0 && static_cast<std::size_t>(*width) > text.size()
                        ? static_cast<std::size_t>(*width) - text.size() : 0;
                if (!left) out.append(pad, u' ');
                out += text;
                if (left) out.append(pad, u' ');
                return true;
            }
            case 'd':
            case 'i':
            case 'u':
            case 'x':
            case 'X':
            case 'o':
            case 'p': {
                std::string fmt = "%" + flags;
                if (width) fmt += std::to_string(*width);
                if (precision) fmt += "." + std::to_string(*precision);
                char buffer[128];
                if (conversion == 'p') {
                    // Pointers print as 16 upper-case hex digits on x64.
                    std::snprintf(buffer, sizeof buffer, "%016llX", static_cast<unsigned long long>(value));
                } else if (conversion == 'd' || conversion == 'i') {
                    long long v = bits == 64 ? static_cast<long long>(value)
                                  : bits == 16 ? static_cast<short>(value) : static_cast<int>(value);
                    fmt += "lld";
                    std::snprintf(buffer, sizeof buffer, fmt.c_str(), v);
                } else {
                    unsigned long long v = bits == 64 ? static_cast<unsigned long long>(value)
                                           : bits == 16 ? static_cast<unsigned short>(value)
                                                        : static_cast<unsigned int>(value);
                    fmt += "ll";
                    fmt += conversion;
                    std::snprintf(buffer, sizeof buffer, fmt.c_str(), v);
                }
                out += ascii_to_utf16(buffer);
                return true;
            }
            default:
                return false;
        }
    }

private:
    const InsertArguments& m_args;
    bool m_wide;
};

// Breaks lines at blanks so that none is longer than `width` characters; hard line breaks stay.
// A word longer than the width keeps its own line.
std::u16string wrap_lines(const std::u16string& text, std::size_t width) {
    std::u16string out;
    std::size_t column = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text.compare(i, 2, u"\r\n") == 0) {
            out += u"\r\n";
            column = 0;
            i += 2;
            continue;
        }
        std::size_t blanks_end = i;
        while (blanks_end < text.size() && text[blanks_end] == u' ') ++blanks_end;
        std::size_t word_end = blanks_end;
        while (word_end < text.size() && text[word_end] != u' ' && text[word_end] != u'\r') ++word_end;
        if (word_end == blanks_end && blanks_end < text.size() && text[blanks_end] == u'\r')
            word_end = blanks_end + 1;  // a lone CR (%r) is a character of its own
        const std::size_t blanks = blanks_end - i, word = word_end - blanks_end;
        if (column > 0 && word > 0 && column + blanks + word > width) {
            out += u"\r\n";
            column = 0;
        } else {
            out.append(blanks, u' ');
            column += blanks;
        }
        out.append(text, blanks_end, word);
        column += word;
        i = word_end;
    }
    return out;
}

// Expands a message definition. Returns the Win32 error that stops it, or ERROR_SUCCESS.
DWORD expand(const std::u16string& source, DWORD flags, const InsertArguments& args, bool wide_api,
             std::u16string& out) {
    const DWORD width = flags & FORMAT_MESSAGE_MAX_WIDTH_MASK;
    const bool ignore_inserts = (flags & FORMAT_MESSAGE_IGNORE_INSERTS) != 0;
    const Formatter formatter(args, wide_api);
    std::size_t i = 0;
    while (i < source.size()) {
        const char16_t c = source[i];
        if (c == u'\r' || c == u'\n') {
            // A regular line break: kept without a width, a blank with one.
            i += (c == u'\r' && i + 1 < source.size() && source[i + 1] == u'\n') ? 2 : 1;
            out += width == 0 ? u"\r\n" : u" ";
            continue;
        }
        if (c != u'%') {
            out += c;
            ++i;
            continue;
        }
        if (i + 1 >= source.size()) {
            ++i;
            continue;
        }
        const char16_t e = source[i + 1];
        if (e >= u'1' && e <= u'9') {
            const std::size_t start = i;
            unsigned index = static_cast<unsigned>(e - u'0');
            i += 2;
            if (i < source.size() && source[i] >= u'0' && source[i] <= u'9') {
                index = index * 10 + static_cast<unsigned>(source[i] - u'0');
                ++i;
            }
            std::string spec = "s";
            if (i < source.size() && source[i] == u'!') {
                const std::size_t close = source.find(u'!', i + 1);
                if (close == std::u16string::npos) return ERROR_INVALID_PARAMETER;
                spec.clear();
                for (std::size_t k = i + 1; k < close; ++k) {
                    if (source[k] > 0x7F) return ERROR_INVALID_PARAMETER;
                    spec += static_cast<char>(source[k]);
                }
                i = close + 1;
            }
            if (ignore_inserts) {
                out.append(source, start, i - start);
                continue;
            }
            if (!args.present()) return ERROR_INVALID_PARAMETER;
            if (spec.empty() || !formatter.format(index, spec, out)) return ERROR_INVALID_PARAMETER;
            continue;
        }
        i += 2;
        switch (e) {
            case u'0':
                return ERROR_SUCCESS;  // ends the message without a line break
            case u'n':
                out += u"\r\n";
                break;
            case u'r':
                out += u'\r';
                break;
            case u't':
                out += u'\t';
                break;
            default:
                out += e;  // %% %. %! and %blank: the character itself
                break;
        }
    }
    return ERROR_SUCCESS;
}

// The message definition for the flags; ERROR_SUCCESS with it in `source`, else the Win32 error.
DWORD message_source(DWORD flags, LPCVOID lpSource, DWORD id, DWORD language, bool wide_api,
                     std::u16string& source) {
    const bool from_string = (flags & FORMAT_MESSAGE_FROM_STRING) != 0;
    const bool from_module = (flags & FORMAT_MESSAGE_FROM_HMODULE) != 0;
    const bool from_system = (flags & FORMAT_MESSAGE_FROM_SYSTEM) != 0;
    if (from_string) {
        if (from_module || from_system || !lpSource) return ERROR_INVALID_PARAMETER;
        source = wide_api ? std::u16string(static_cast<const char16_t*>(lpSource))
                          : win32::ansi_to_utf16(static_cast<const char*>(lpSource));
        return ERROR_SUCCESS;
    }
    if (!from_module && !from_system) return ERROR_INVALID_PARAMETER;
    // NT deviation: no image carries a message table resource, so a module is never searched; with
    // FROM_SYSTEM as well the system table answers.
    if (!from_system) return ERROR_RESOURCE_TYPE_NOT_FOUND;
    const WORD primary = PRIMARYLANGID(language);
    if (language != 0 && primary != LANG_NEUTRAL && primary != LANG_ENGLISH) return ERROR_RESOURCE_LANG_NOT_FOUND;
    const char* text = find_system_message(id);
    if (!text) return ERROR_MR_MID_NOT_FOUND;
    source = ascii_to_utf16(text);
    source += u"\r\n";
    return ERROR_SUCCESS;
}

// The common body of FormatMessageA/W; CharT is the output character type.
template <typename CharT>
DWORD format_message(DWORD flags, LPCVOID lpSource, DWORD id, DWORD language, CharT* buffer, DWORD size,
                     va_list* arguments) {
    constexpr bool kWide = sizeof(CharT) == 2;
    if (!buffer) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    std::u16string source;
    DWORD error = message_source(flags, lpSource, id, language, kWide, source);
    std::u16string text;
    if (error == ERROR_SUCCESS) {
        const InsertArguments args((flags & FORMAT_MESSAGE_IGNORE_INSERTS) ? 0 : flags,
                                   (flags & FORMAT_MESSAGE_IGNORE_INSERTS) ? nullptr : arguments);
        error = expand(source, flags, args, kWide, text);
    }
    if (error != ERROR_SUCCESS) {
        SetLastError(error);
        return 0;
    }
    const DWORD width = flags & FORMAT_MESSAGE_MAX_WIDTH_MASK;
    if (width != 0 && width != FORMAT_MESSAGE_MAX_WIDTH_MASK) text = wrap_lines(text, width);

    std::basic_string<CharT> result;
    if constexpr (kWide) {
        result.assign(text.begin(), text.end());
    } else {
        result = win32::utf16_to_ansi(text);
    }
    const std::size_t needed = result.size() + 1;
    CharT* target = buffer;
    if (flags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
        const std::size_t count = std::max<std::size_t>(needed, size);
        if (needed * sizeof(CharT) > kMaxAllocatedBytes) {
            SetLastError(ERROR_MORE_DATA);
            return 0;
        }
        target = static_cast<CharT*>(LocalAlloc(LMEM_FIXED, count * sizeof(CharT)));
        if (!target) {
            SetLastError(ERROR_NOT_ENOUGH_MEMORY);
            return 0;
        }
        *reinterpret_cast<CharT**>(buffer) = target;
    } else if (needed > size) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    std::memcpy(target, result.data(), result.size() * sizeof(CharT));
    target[result.size()] = 0;
    return static_cast<DWORD>(result.size());
}

}  // namespace

extern "C" {

DWORD WINAPI FormatMessageA(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId, LPSTR lpBuffer,
                            DWORD nSize, va_list* Arguments) {
    return format_message<char>(dwFlags, lpSource, dwMessageId, dwLanguageId, lpBuffer, nSize, Arguments);
}

DWORD WINAPI FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId, LPWSTR lpBuffer,
                            DWORD nSize, va_list* Arguments) {
    return format_message<char16_t>(dwFlags, lpSource, dwMessageId, dwLanguageId,
                                    reinterpret_cast<char16_t*>(lpBuffer), nSize, Arguments);
}

// Fixed blocks from the C heap: LocalAlloc's handle is the block's address, as for LMEM_FIXED on
// Windows. Moveable blocks (LMEM_MOVEABLE) are not offered.
HLOCAL WINAPI LocalAlloc(UINT uFlags, SIZE_T uBytes) {
    void* block = (uFlags & LMEM_ZEROINIT) ? std::calloc(1, uBytes ? uBytes : 1) : std::malloc(uBytes ? uBytes : 1);
    if (!block) SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return block;
}

// NULL on success, as on Windows.
HLOCAL WINAPI LocalFree(HLOCAL hMem) {
    std::free(hMem);
    return nullptr;
}

}  // extern "C"
