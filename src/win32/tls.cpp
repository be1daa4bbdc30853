// Thread local storage (TlsAlloc, TlsFree, TlsGetValue, TlsSetValue) and SwitchToThread. A process
// has TLS_MINIMUM_AVAILABLE (64) slots plus 1024 more, as on Windows; each thread's values live in a
// thread_local array, and TlsFree clears the slot in every thread that has one.
// https://learn.microsoft.com/windows/win32/procthread/thread-local-storage
#include <sched.h>

#include <bitset>
#include <set>

#include "win32/win32.hpp"

using namespace ntio;

namespace {

constexpr DWORD kSlots = 64 + 1024;

struct Slots;

struct Table {
    std::mutex lock;
    std::bitset<kSlots> used;
    std::set<Slots*> threads;
};
Table& table() {
    static Table* instance = new Table();  // threads may exit after static destruction
    return *instance;
}

struct Slots {
    LPVOID values[kSlots] = {};
    bool registered = false;
    ~Slots() {
        if (!registered) return;
        Table& t = table();
        std::lock_guard guard(t.lock);
        t.threads.erase(this);
    }
};
thread_local Slots t_slots;

// This thread's values, registered so that TlsFree can clear them.
Slots& my_slots() {
    if (!t_slots.registered) [[unlikely]] {
        Table& t = table();
        std::lock_guard guard(t.lock);
        t.threads.insert(&t_slots);
        t_slots.registered = true;
    }
    return t_slots;
}

}  // namespace

extern "C" {

// The lowest free index, its value NULL in every thread; TLS_OUT_OF_INDEXES when none is left.
DWORD WINAPI TlsAlloc(VOID) {
    Table& t = table();
    std::lock_guard guard(t.lock);
    for (DWORD i = 0; i < kSlots; ++i) {
        if (t.used[i]) continue;
        t.used[i] = true;
        for (Slots* s : t.threads) s->values[i] = nullptr;
        return i;
    }
    SetLastError(ERROR_NO_MORE_ITEMS);
    return TLS_OUT_OF_INDEXES;
}

BOOL WINAPI TlsFree(DWORD dwTlsIndex) {
    Table& t = table();
    std::lock_guard guard(t.lock);
    if (dwTlsIndex >= kSlots || !t.used[dwTlsIndex]) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    t.used[dwTlsIndex] = false;
    for (Slots* s : t.threads) s->values[dwTlsIndex] = nullptr;
    return TRUE;
}

// "Functions that return indications of failure call SetLastError when they fail. They generally
// do not call SetLastError when they succeed. The TlsGetValue function is an exception to this
// general rule. The TlsGetValue function calls SetLastError to clear a thread's last error when it
// succeeds."
LPVOID WINAPI TlsGetValue(DWORD dwTlsIndex) {
    if (dwTlsIndex >= kSlots) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return nullptr;
    }
    SetLastError(ERROR_SUCCESS);
    return my_slots().values[dwTlsIndex];
}

BOOL WINAPI TlsSetValue(DWORD dwTlsIndex, LPVOID lpTlsValue) {
    if (dwTlsIndex >= kSlots) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    my_slots().values[dwTlsIndex] = lpTlsValue;
    return TRUE;
}

// TRUE when another thread was ready to run (the host's yield cannot say: TRUE when it yielded).
BOOL WINAPI SwitchToThread(VOID) { return sched_yield() == 0; }

}  // extern "C"
