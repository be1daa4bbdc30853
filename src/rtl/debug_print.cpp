// Debug output: DbgPrint/DbgPrintEx write to stderr through the kernel printf dialect, DbgBreakPoint
// is a logged no-op (NT fact S21: no debugger is attached, never SIGTRAP), RtlAssert reports and
// bugchecks.
#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <shared_mutex>
#include <vector>

#include <ntddk.h>

#include "host/output.hpp"
#include "rtl/formatter.hpp"

namespace {

// DbgPrint transmits at most 512 bytes per call on Windows; longer output is cut there too.
constexpr std::size_t kMaxDebugPrint = 512;

void write_stderr(const char* text, std::size_t length) {
    (void)ntio::host::write_all(ntio::host::kStandardError, text, length);
}

// The component filter masks DbgSetDebugFilterState changes (Kd_<component>_Mask on Windows). One
// table per host process, as the kernel has one. Component ids past the table are unknown.
constexpr ULONG kComponents = 256;
std::atomic<ULONG> g_component_masks[kComponents];

// A level above 31 is a mask; below, a level number.
ULONG level_bits(ULONG level) { return level > 31 ? level : (1u << level); }

bool level_enabled(ULONG component, ULONG level) {
    static const bool all = [] {
        const char* value = std::getenv("NTIO_DBGPRINT");
        return value && std::strcmp(value, "all") == 0;
    }();
    if (all) return true;
    const ULONG bits = level_bits(level);
    // Windows' default filter passes errors only; a component's mask adds levels.
    if (bits & (1u << DPFLTR_ERROR_LEVEL)) return true;
    return component < kComponents && (g_component_masks[component].load(std::memory_order_relaxed) & bits) != 0;
}

// DbgSetDebugPrintCallback's callbacks, one list per host process as the kernel keeps one. Each
// output that passes the filter goes to every callback, under the shared lock, so that a callback
// removed has returned from its last call when DbgSetDebugPrintCallback returns. A callback that
// prints does not hear its own output again (that would recurse without end).
struct PrintCallbacks {
    std::shared_mutex lock;
    std::vector<PDEBUG_PRINT_CALLBACK> list;
    std::atomic<bool> any{false};
};

PrintCallbacks& print_callbacks() {
    static PrintCallbacks instance;
    return instance;
}

thread_local bool t_in_print_callback = false;

void deliver(const char* text, std::size_t length, ULONG component, ULONG level) {
    PrintCallbacks& callbacks = print_callbacks();
    if (!callbacks.any.load(std::memory_order_acquire) || t_in_print_callback) return;
    STRING output;
    output.Buffer = const_cast<PCHAR>(text);
    output.Length = static_cast<USHORT>(length);
    output.MaximumLength = static_cast<USHORT>(length);
    std::shared_lock guard(callbacks.lock);
    t_in_print_callback = true;
    for (PDEBUG_PRINT_CALLBACK callback : callbacks.list) callback(&output, component, level);
    t_in_print_callback = false;
}

ULONG print(PCSTR format, va_list args, ULONG component = DPFLTR_DEFAULT_ID, ULONG level = DPFLTR_INFO_LEVEL) {
    char buffer[kMaxDebugPrint];
    const auto result = ntio::rtl::vformat(buffer, sizeof buffer, format, args);
    write_stderr(buffer, result.written);
    deliver(buffer, result.written, component, level);
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

ULONG __cdecl DbgPrint(PCSTR Format, ...) {
    va_list args;
    va_start(args, Format);
    const ULONG status = print(Format, args);
    va_end(args);
    return status;
}

ULONG __cdecl vDbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, va_list arglist) {
    if (!level_enabled(ComponentId, Level)) return STATUS_SUCCESS;
    return print(Format, arglist, ComponentId, Level);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-vdbgprintexwithprefix
// Prefix and message go out as one write, cut at DbgPrint's 512 bytes together.
ULONG NTAPI vDbgPrintExWithPrefix(PCCH Prefix, ULONG ComponentId, ULONG Level, PCCH Format, va_list arglist) {
    if (!level_enabled(ComponentId, Level)) return STATUS_SUCCESS;
    char buffer[kMaxDebugPrint];
    std::size_t used = 0;
    if (Prefix) {
        used = std::strlen(Prefix);
        if (used > sizeof buffer - 1) used = sizeof buffer - 1;
        std::memcpy(buffer, Prefix, used);
    }
    const auto result = ntio::rtl::vformat(buffer + used, sizeof buffer - used, Format, arglist);
    write_stderr(buffer, used + result.written);
    deliver(buffer, used + result.written, ComponentId, Level);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-dbgprintreturncontrolc
// No debugger is attached, so nobody can press CTRL+C in it: never STATUS_BREAKPOINT.
ULONG __cdecl DbgPrintReturnControlC(PCCH Format, ...) {
    va_list args;
    va_start(args, Format);
    const ULONG status = print(Format, args);
    va_end(args);
    return status;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-dbgquerydebugfilterstate
// TRUE or FALSE as an NTSTATUS, as Windows returns it; STATUS_INVALID_PARAMETER_1 for an unknown
// component.
NTSTATUS NTAPI DbgQueryDebugFilterState(ULONG ComponentId, ULONG Level) {
    if (ComponentId >= kComponents) return STATUS_INVALID_PARAMETER_1;
    return level_enabled(ComponentId, Level) ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-dbgsetdebugfilterstate
NTSTATUS NTAPI DbgSetDebugFilterState(ULONG ComponentId, ULONG Level, BOOLEAN State) {
    if (ComponentId >= kComponents) return STATUS_INVALID_PARAMETER_1;
    const ULONG bits = level_bits(Level);
    if (State)
        g_component_masks[ComponentId].fetch_or(bits, std::memory_order_relaxed);
    else
        g_component_masks[ComponentId].fetch_and(~bits, std::memory_order_relaxed);
    return STATUS_SUCCESS;
}

ULONG __cdecl DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...) {
    va_list args;
    va_start(args, Format);
    const ULONG status = vDbgPrintEx(ComponentId, Level, Format, args);
    va_end(args);
    return status;
}

// Undocumented on Learn (the WDK declares it; debug-output viewers use it). Adding a callback that
// is already there, or removing one that is not, changes nothing: STATUS_UNSUCCESSFUL (ntio's
// choice, docs/nt-deviations.md).
NTSTATUS NTAPI DbgSetDebugPrintCallback(PDEBUG_PRINT_CALLBACK DebugPrintCallback, BOOLEAN Enable) {
    if (!DebugPrintCallback) return STATUS_INVALID_PARAMETER;
    // From inside a callback the list is held for the delivery: refused, not waited for.
    if (t_in_print_callback) return STATUS_UNSUCCESSFUL;
    PrintCallbacks& callbacks = print_callbacks();
    std::unique_lock guard(callbacks.lock);
    auto it = std::find(callbacks.list.begin(), callbacks.list.end(), DebugPrintCallback);
    if (Enable) {
        if (it != callbacks.list.end()) return STATUS_UNSUCCESSFUL;
        callbacks.list.push_back(DebugPrintCallback);
    } else {
        if (it == callbacks.list.end()) return STATUS_UNSUCCESSFUL;
        callbacks.list.erase(it);
    }
    callbacks.any.store(!callbacks.list.empty(), std::memory_order_release);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-dbgprompt
// The prompt goes where DbgPrint's output goes; the answer would come from the kernel debugger's
// operator, and none is attached: zero characters, Response untouched.
ULONG NTAPI DbgPrompt(PCCH Prompt, PCHAR Response, ULONG MaximumResponseLength) {
    (void)Response, (void)MaximumResponseLength;
    if (Prompt) write_stderr(Prompt, std::strlen(Prompt));
    return 0;
}

VOID NTAPI DbgBreakPoint(VOID) {
    static const char kMessage[] = "DbgBreakPoint: no kernel debugger attached, continuing\n";
    write_stderr(kMessage, sizeof kMessage - 1);
}

VOID NTAPI DbgBreakPointWithStatus(ULONG Status) {
    DbgPrint("DbgBreakPointWithStatus(0x%08X): no kernel debugger attached, continuing\n", Status);
}

// NT deviation: without a debugger Windows prints the assertion and may continue; ntio treats a failed
// ASSERT as fatal (KMODE_EXCEPTION_NOT_HANDLED with STATUS_ASSERTION_FAILURE) so tests notice it.
// The parameters are those of an unhandled exception raised at the assertion: code, address (the
// return address of this call), then the exception's parameters 0 and 1, which an assertion failure
// does not have (the line is in the report above),
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x1e--kmode-exception-not-handled
VOID NTAPI RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber, PSTR MutableMessage) {
    DbgPrint("\n*** Assertion failed: %s%s\n***   Source File: %s, line %u\n\n",
             MutableMessage ? MutableMessage : "", static_cast<const char*>(VoidFailedAssertion),
             static_cast<const char*>(VoidFileName), LineNumber);
    KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, static_cast<ULONG_PTR>(static_cast<ULONG>(STATUS_ASSERTION_FAILURE)),
                 reinterpret_cast<ULONG_PTR>(__builtin_return_address(0)), 0, 0);
}

}  // extern "C"
