// Fiber local storage (FlsAlloc, FlsFree, FlsGetValue, FlsSetValue) without fibers: each thread is
// its own one fiber, so a slot holds one value per thread, kept like TLS (tls.cpp). What FLS adds is
// the slot's callback: it runs for a thread's non-NULL value when the thread ends (ExitThread, the
// return of a CreateThread routine, ExitProcess, or the end of any other host thread) and for every
// thread's non-NULL value when the slot is freed.
// https://learn.microsoft.com/windows/win32/api/fibersapi/nf-fibersapi-flsalloc
// https://learn.microsoft.com/windows/win32/api/fibersapi/nf-fibersapi-flsfree
// https://learn.microsoft.com/windows/win32/api/winnt/nc-winnt-pfls_callback_function
#include <set>
#include <utility>
#include <vector>

#include "win32/win32.hpp"

using namespace ntio;

namespace {

// FLS_MAXIMUM_AVAILABLE of the Windows 10 SDK: the slots a process has.
constexpr DWORD kFlsSlots = 4080;

struct FlsValues;

struct FlsTable {
    std::mutex lock;
    std::vector<bool> used = std::vector<bool>(kFlsSlots);
    std::vector<PFLS_CALLBACK_FUNCTION> callbacks = std::vector<PFLS_CALLBACK_FUNCTION>(kFlsSlots);
    std::set<FlsValues*> threads;
};
FlsTable& fls_table() {
    static FlsTable* instance = new FlsTable();  // threads may end after static destruction
    return *instance;
}

using PendingCallbacks = std::vector<std::pair<PFLS_CALLBACK_FUNCTION, PVOID>>;

void run_callbacks(const PendingCallbacks& pending) {
    for (const auto& [callback, value] : pending) callback(value);
}

struct FlsValues {
    std::vector<PVOID> values;  // grown to the highest slot this thread set
    bool registered = false;

    // Takes this thread's non-NULL values of slots with a callback out of the table (the table's
    // lock held), so that each value's callback runs once whoever gets to it first.
    void take_locked(FlsTable& t, PendingCallbacks& pending) {
        for (DWORD i = 0; i < values.size(); ++i) {
            if (!values[i]) continue;
            if (t.used[i] && t.callbacks[i]) pending.emplace_back(t.callbacks[i], values[i]);
            values[i] = nullptr;
        }
    }

    // A host thread that ends without ExitThread (one ntio adopted, or main returning) runs its
    // callbacks here.
    ~FlsValues() {
        if (!registered) return;
        FlsTable& t = fls_table();
        PendingCallbacks pending;
        {
            std::lock_guard guard(t.lock);
            take_locked(t, pending);
            t.threads.erase(this);
        }
        run_callbacks(pending);
    }
};
thread_local FlsValues t_fls;

FlsValues& my_fls_values() {
    if (!t_fls.registered) [[unlikely]] {
        FlsTable& t = fls_table();
        std::lock_guard guard(t.lock);
        t.threads.insert(&t_fls);
        t_fls.registered = true;
    }
    return t_fls;
}

BOOL fls_invalid_index() {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
}

}  // namespace

namespace ntio::win32 {

void run_fls_callbacks() {
    if (!t_fls.registered) return;
    FlsTable& t = fls_table();
    PendingCallbacks pending;
    {
        std::lock_guard guard(t.lock);
        t_fls.take_locked(t, pending);
    }
    run_callbacks(pending);
}

}  // namespace ntio::win32

extern "C" {

// The lowest free index, its value NULL in every thread; FLS_OUT_OF_INDEXES when none is left. A
// guess: ERROR_NO_MORE_ITEMS then, as TlsAlloc sets it (Learn names no error for FlsAlloc).
DWORD WINAPI FlsAlloc(PFLS_CALLBACK_FUNCTION lpCallback) {
    FlsTable& t = fls_table();
    std::lock_guard guard(t.lock);
    for (DWORD i = 0; i < kFlsSlots; ++i) {
        if (t.used[i]) continue;
        t.used[i] = true;
        t.callbacks[i] = lpCallback;
        for (FlsValues* v : t.threads)
            if (i < v->values.size()) v->values[i] = nullptr;
        return i;
    }
    SetLastError(ERROR_NO_MORE_ITEMS);
    return FLS_OUT_OF_INDEXES;
}

// "Freeing an FLS index frees the index for reuse and calls the callback for each fiber's non-NULL
// value": the callbacks run on the calling thread, after the index is free, outside the lock.
BOOL WINAPI FlsFree(DWORD dwFlsIndex) {
    FlsTable& t = fls_table();
    PendingCallbacks pending;
    {
        std::lock_guard guard(t.lock);
        if (dwFlsIndex >= kFlsSlots || !t.used[dwFlsIndex]) return fls_invalid_index();
        const PFLS_CALLBACK_FUNCTION callback = t.callbacks[dwFlsIndex];
        for (FlsValues* v : t.threads) {
            if (dwFlsIndex >= v->values.size() || !v->values[dwFlsIndex]) continue;
            if (callback) pending.emplace_back(callback, v->values[dwFlsIndex]);
            v->values[dwFlsIndex] = nullptr;
        }
        t.used[dwFlsIndex] = false;
        t.callbacks[dwFlsIndex] = nullptr;
    }
    run_callbacks(pending);
    return TRUE;
}

// As TlsGetValue (tls.cpp), the last error is cleared on success so that a NULL value can be told
// from a failure. A guess: an index that is in range but not allocated reads NULL rather than
// failing, as TlsGetValue does.
PVOID WINAPI FlsGetValue(DWORD dwFlsIndex) {
    if (dwFlsIndex >= kFlsSlots) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return nullptr;
    }
    SetLastError(ERROR_SUCCESS);
    FlsValues& mine = my_fls_values();
    std::lock_guard guard(fls_table().lock);  // FlsFree on another thread may clear the value
    return dwFlsIndex < mine.values.size() ? mine.values[dwFlsIndex] : nullptr;
}

// https://learn.microsoft.com/windows/win32/api/fibersapi/nf-fibersapi-flssetvalue
// ERROR_INVALID_PARAMETER: "The index is not in range." A guess: an index not allocated is not in
// range either (the callback table has no entry to run for it).
BOOL WINAPI FlsSetValue(DWORD dwFlsIndex, PVOID lpFlsData) {
    if (dwFlsIndex >= kFlsSlots) return fls_invalid_index();
    FlsValues& mine = my_fls_values();
    FlsTable& t = fls_table();
    std::lock_guard guard(t.lock);  // FlsFree and FlsAlloc of other threads write this thread's values
    if (!t.used[dwFlsIndex]) return fls_invalid_index();
    if (dwFlsIndex >= mine.values.size()) {
        try {
            mine.values.resize(dwFlsIndex + 1);
        } catch (const std::bad_alloc&) {
            SetLastError(ERROR_NOT_ENOUGH_MEMORY);  // Learn lists "ERROR_NO_MEMORY", which winerror.h lacks
            return FALSE;
        }
    }
    mine.values[dwFlsIndex] = lpFlsData;
    return TRUE;
}

}  // extern "C"
