// KeBugCheckEx and friends: print the stop screen to stderr and abort, unless a process-wide hook
// (NtioSetBugCheckHook) takes the bugcheck, which is how tests assert stop codes without dying.
#include <chrono>
#include <thread>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <ntio/ntio.h>
#include <aux_klib.h>

#include "host/output.hpp"
#include "host/process.hpp"
#include "rtl/bugcheck.hpp"

namespace ntio::rtl {
namespace {

struct HookState {
    std::mutex lock;
    NTIO_BUGCHECK_HOOK hook = nullptr;
    PVOID context = nullptr;
};

HookState& hook_state() {
    static HookState state;
    return state;
}

std::atomic<BugCheckReporter> g_reporter{nullptr};
std::atomic<BugCheckObserver> g_observer{nullptr};

// A slot is claimed by CAS on busy, then filled; context is published before writer (release) so
// the bugcheck path, reading writer first (acquire), never sees a writer with a stale context.
struct DumpWriterSlot {
    std::atomic<bool> busy{false};
    std::atomic<void*> context{nullptr};
    std::atomic<BugCheckDumpWriter> writer{nullptr};
};
DumpWriterSlot g_dump_writers[kMaxBugCheckDumpWriters];

void run_dump_writers(ULONG code, const ULONG_PTR params[4], int fd) {
    for (DumpWriterSlot& slot : g_dump_writers) {
        BugCheckDumpWriter writer = slot.writer.load(std::memory_order_acquire);
        if (writer) writer(code, params, fd, slot.context.load(std::memory_order_relaxed));
    }
}
thread_local bool t_in_bugcheck = false;

void write_all(int fd, const char* text) {
    (void)ntio::host::write_all(fd, text, std::strlen(text));
}

[[noreturn]] void stop_screen(ULONG code, const ULONG_PTR params[4]) {
    if (t_in_bugcheck) {
        write_all(ntio::host::kStandardError, "*** recursive bugcheck, aborting\n");
        std::abort();
    }
    t_in_bugcheck = true;
    char line[256];
    format_stop_line(line, sizeof line, code, params);
    write_all(ntio::host::kStandardError, "\n");
    write_all(ntio::host::kStandardError, line);
    write_all(ntio::host::kStandardError, "\n");
    const char* name = bugcheck_name(code);
    const char* meaning = bugcheck_meaning(code);
    write_all(ntio::host::kStandardError, name ? name : "(unknown bugcheck code)");
    write_all(ntio::host::kStandardError, "\n");
    if (meaning) {
        write_all(ntio::host::kStandardError, meaning);
        write_all(ntio::host::kStandardError, "\n");
    }
    if (BugCheckReporter reporter = g_reporter.load(std::memory_order_acquire)) {
        reporter(code, params, ntio::host::kStandardError);
    }
    run_dump_writers(code, params, ntio::host::kStandardError);
    run_bugcheck_callbacks(code, params, ntio::host::kStandardError);
    std::abort();
}

}  // namespace

namespace {

// The registered callback records, in LIST_ENTRY lists as on NT. Registration takes the lock; the
// bugcheck path only tries it (the stopping thread may hold it).
std::mutex g_callbacks_lock;
LIST_ENTRY g_callbacks = {&g_callbacks, &g_callbacks};
LIST_ENTRY g_reason_callbacks = {&g_reason_callbacks, &g_reason_callbacks};

ULONG_PTR checksum_of(const void* a, const void* b, const void* c, ULONG_PTR d) noexcept {
    return reinterpret_cast<ULONG_PTR>(a) + reinterpret_cast<ULONG_PTR>(b) + reinterpret_cast<ULONG_PTR>(c) + d;
}

void link(LIST_ENTRY* head, LIST_ENTRY* entry) noexcept {
    entry->Flink = head;
    entry->Blink = head->Blink;
    head->Blink->Flink = entry;
    head->Blink = entry;
}

void unlink(LIST_ENTRY* entry) noexcept {
    entry->Blink->Flink = entry->Flink;
    entry->Flink->Blink = entry->Blink;
    entry->Flink = entry->Blink = nullptr;
}

alignas(16) unsigned char g_secondary_buffer[64 * 1024];
// The bug check whose callbacks are running (AuxKlibGetBugCheckData); written once, by the one
// thread that reaches the callbacks, before they run.
struct CallbackBugCheck {
    ULONG code = 0;
    ULONG_PTR params[4] = {};
};
CallbackBugCheck g_callback_bugcheck;

void write_secondary(const KBUGCHECK_SECONDARY_DUMP_DATA& data, int fd) noexcept {
    if (!data.OutBuffer || data.OutBufferLength == 0) return;
    const ULONG length = data.OutBufferLength < data.MaximumAllowed ? data.OutBufferLength : data.MaximumAllowed;
    const char* dir = std::getenv("NTIO_DUMP_DIR");
    char path[512];
    std::snprintf(path, sizeof path, "%s/ntio-%d-%08x%04x%04x.secondary", dir && *dir ? dir : ".",
                  ntio::host::process_id(), static_cast<unsigned>(data.Guid.Data1),
                  static_cast<unsigned>(data.Guid.Data2), static_cast<unsigned>(data.Guid.Data3));
    if (!ntio::host::write_new_file(path, data.OutBuffer, length)) return;
    write_all(fd, "Secondary dump data: ");
    write_all(fd, path);
    write_all(fd, "\n");
}

}  // namespace

void run_bugcheck_callbacks(ULONG code, const ULONG_PTR params[4], int fd) noexcept {
    g_callback_bugcheck.code = code;
    std::memcpy(g_callback_bugcheck.params, params, sizeof g_callback_bugcheck.params);
    std::unique_lock guard(g_callbacks_lock, std::defer_lock);
    for (int attempt = 0; attempt < 1000 && !guard.try_lock(); ++attempt) std::this_thread::sleep_for(std::chrono::microseconds(100));
    if (!guard.owns_lock()) return;
    for (LIST_ENTRY* e = g_callbacks.Flink; e != &g_callbacks; e = e->Flink) {
        auto* record = CONTAINING_RECORD(e, KBUGCHECK_CALLBACK_RECORD, Entry);
        record->State = BufferStarted;
        record->CallbackRoutine(record->Buffer, record->Length);
        record->State = BufferFinished;
    }
    for (LIST_ENTRY* e = g_reason_callbacks.Flink; e != &g_reason_callbacks; e = e->Flink) {
        auto* record = CONTAINING_RECORD(e, KBUGCHECK_REASON_CALLBACK_RECORD, Entry);
        if (record->Reason != KbCallbackSecondaryDumpData) continue;
        KBUGCHECK_SECONDARY_DUMP_DATA data{};
        data.InBuffer = g_secondary_buffer;
        data.InBufferLength = sizeof g_secondary_buffer;
        data.MaximumAllowed = sizeof g_secondary_buffer;
        record->State = BufferStarted;
        record->CallbackRoutine(KbCallbackSecondaryDumpData, record, &data, sizeof data);
        record->State = BufferFinished;
        write_secondary(data, fd);
    }
}

void format_stop_line(char* buf, std::size_t size, ULONG code, const ULONG_PTR params[4]) noexcept {
    std::snprintf(buf, size, "*** STOP: 0x%08X (0x%016llX, 0x%016llX, 0x%016llX, 0x%016llX)", code,
                  static_cast<unsigned long long>(params[0]), static_cast<unsigned long long>(params[1]),
                  static_cast<unsigned long long>(params[2]), static_cast<unsigned long long>(params[3]));
}

BugCheckReporter set_bugcheck_reporter(BugCheckReporter reporter) noexcept {
    return g_reporter.exchange(reporter, std::memory_order_acq_rel);
}

BugCheckObserver set_bugcheck_observer(BugCheckObserver observer) noexcept {
    return g_observer.exchange(observer, std::memory_order_acq_rel);
}

unsigned add_bugcheck_dump_writer(BugCheckDumpWriter writer, void* context) noexcept {
    if (!writer) return 0;
    for (unsigned index = 0; index < kMaxBugCheckDumpWriters; ++index) {
        DumpWriterSlot& slot = g_dump_writers[index];
        bool expected = false;
        if (!slot.busy.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) continue;
        slot.context.store(context, std::memory_order_relaxed);
        slot.writer.store(writer, std::memory_order_release);
        return index + 1;
    }
    return 0;
}

void remove_bugcheck_dump_writer(unsigned token) noexcept {
    if (token == 0 || token > kMaxBugCheckDumpWriters) return;
    DumpWriterSlot& slot = g_dump_writers[token - 1];
    slot.writer.store(nullptr, std::memory_order_release);
    slot.context.store(nullptr, std::memory_order_relaxed);
    slot.busy.store(false, std::memory_order_release);
}

}  // namespace ntio::rtl

using namespace ntio::rtl;

extern "C" NTIO_BUGCHECK_HOOK NtioSetBugCheckHook(NTIO_BUGCHECK_HOOK Hook, PVOID Context) {
    HookState& state = hook_state();
    std::lock_guard<std::mutex> guard(state.lock);
    NTIO_BUGCHECK_HOOK previous = state.hook;
    state.hook = Hook;
    state.context = Context;
    return previous;
}

extern "C" NTIO_BUGCHECK_HOOK NtioGetBugCheckHook(PVOID* Context) {
    HookState& state = hook_state();
    std::lock_guard<std::mutex> guard(state.lock);
    if (Context) *Context = state.context;
    return state.hook;
}

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keregisterbugcheckcallback:
// FALSE when the record is already registered (its State is not BufferEmpty).
BOOLEAN NTAPI KeRegisterBugCheckCallback(PKBUGCHECK_CALLBACK_RECORD CallbackRecord,
                                         PKBUGCHECK_CALLBACK_ROUTINE CallbackRoutine, PVOID Buffer, ULONG Length,
                                         PUCHAR Component) {
    if (!CallbackRecord || !CallbackRoutine) return FALSE;
    std::lock_guard guard(g_callbacks_lock);
    if (CallbackRecord->State != BufferEmpty) return FALSE;
    CallbackRecord->CallbackRoutine = CallbackRoutine;
    CallbackRecord->Buffer = Buffer;
    CallbackRecord->Length = Length;
    CallbackRecord->Component = Component;
    CallbackRecord->Checksum = checksum_of(reinterpret_cast<PVOID>(CallbackRoutine), Buffer, Component, Length);
    CallbackRecord->State = BufferInserted;
    link(&g_callbacks, &CallbackRecord->Entry);
    return TRUE;
}

// FALSE when the record is not registered (State BufferEmpty; a record that ran stays registered).
BOOLEAN NTAPI KeDeregisterBugCheckCallback(PKBUGCHECK_CALLBACK_RECORD CallbackRecord) {
    if (!CallbackRecord) return FALSE;
    std::lock_guard guard(g_callbacks_lock);
    if (CallbackRecord->State == BufferEmpty) return FALSE;
    unlink(&CallbackRecord->Entry);
    CallbackRecord->State = BufferEmpty;
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keregisterbugcheckreasoncallback
BOOLEAN NTAPI KeRegisterBugCheckReasonCallback(PKBUGCHECK_REASON_CALLBACK_RECORD CallbackRecord,
                                               PKBUGCHECK_REASON_CALLBACK_ROUTINE CallbackRoutine,
                                               KBUGCHECK_CALLBACK_REASON Reason, PUCHAR Component) {
    if (!CallbackRecord || !CallbackRoutine) return FALSE;
    // NT deviation: only KbCallbackSecondaryDumpData (and the triage / dump-I/O reasons, accepted but
    // never called: ntio's dumps are JSON files written by the inspector, with no pages or I/O to
    // observe) can be registered; the add / remove-pages reasons fail.
    if (Reason != KbCallbackSecondaryDumpData && Reason != KbCallbackDumpIo && Reason != KbCallbackTriageDumpData &&
        Reason != KbCallbackSecondaryMultiPartDumpData)
        return FALSE;
    std::lock_guard guard(g_callbacks_lock);
    if (CallbackRecord->State != BufferEmpty) return FALSE;
    CallbackRecord->CallbackRoutine = CallbackRoutine;
    CallbackRecord->Component = Component;
    CallbackRecord->Reason = Reason;
    CallbackRecord->Checksum = checksum_of(reinterpret_cast<PVOID>(CallbackRoutine), Component, nullptr, Reason);
    CallbackRecord->State = BufferInserted;
    link(&g_reason_callbacks, &CallbackRecord->Entry);
    return TRUE;
}

BOOLEAN NTAPI KeDeregisterBugCheckReasonCallback(PKBUGCHECK_REASON_CALLBACK_RECORD CallbackRecords) {
    if (!CallbackRecords) return FALSE;
    std::lock_guard guard(g_callbacks_lock);
    if (CallbackRecords->State == BufferEmpty) return FALSE;
    unlink(&CallbackRecords->Entry);
    CallbackRecords->State = BufferEmpty;
    return TRUE;
}

}  // extern "C"

extern "C" VOID NTAPI KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1, ULONG_PTR BugCheckParameter2,
                                   ULONG_PTR BugCheckParameter3, ULONG_PTR BugCheckParameter4) {
    const ULONG_PTR params[4] = {BugCheckParameter1, BugCheckParameter2, BugCheckParameter3,
                                 BugCheckParameter4};
    if (BugCheckObserver observer = g_observer.load(std::memory_order_acquire)) observer(BugCheckCode, params);
    NTIO_BUGCHECK_HOOK hook;
    PVOID context;
    {
        HookState& state = hook_state();
        std::lock_guard<std::mutex> guard(state.lock);
        hook = state.hook;
        context = state.context;
    }
    if (hook) {
        hook(BugCheckCode, params[0], params[1], params[2], params[3], context);
        write_all(ntio::host::kStandardError, "*** bugcheck hook returned; a hook must not return\n");
    }
    stop_screen(BugCheckCode, params);
}

extern "C" VOID NTAPI KeBugCheck(ULONG BugCheckCode) { KeBugCheckEx(BugCheckCode, 0, 0, 0, 0); }

// https://learn.microsoft.com/windows-hardware/drivers/ddi/aux_klib/nf-aux_klib-auxklibgetbugcheckdata:
// only from a bug check callback routine. NT deviation (a guess): called elsewhere it gives zeroes,
// the data of no bug check.
extern "C" NTSTATUS NTAPI AuxKlibGetBugCheckData(PKBUGCHECK_DATA BugCheckData) {
    if (!BugCheckData) return STATUS_INVALID_PARAMETER;
    if (BugCheckData->BugCheckDataSize != sizeof(KBUGCHECK_DATA)) return STATUS_INFO_LENGTH_MISMATCH;
    const auto& current = ntio::rtl::g_callback_bugcheck;
    BugCheckData->BugCheckCode = current.code;
    BugCheckData->Parameter1 = current.params[0];
    BugCheckData->Parameter2 = current.params[1];
    BugCheckData->Parameter3 = current.params[2];
    BugCheckData->Parameter4 = current.params[3];
    return STATUS_SUCCESS;
}

extern "C" VOID NTAPI RtlFailFast(ULONG Code) { KeBugCheckEx(KERNEL_SECURITY_CHECK_FAILURE, Code, 0, 0, 0); }
