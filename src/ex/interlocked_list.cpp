// The ExInterlocked list routines: LIST_ENTRY and SINGLE_LIST_ENTRY operations and additions made
// atomic by the caller's spin lock (learn.microsoft.com, wdm.h ExInterlockedInsertHeadList and
// siblings). They return the previous first entry, or NULL when the list was empty.
#include <thread>

#include <wdm.h>

#include "ex/raw_spin_lock.hpp"

using ntio::ex::RawSpinLockGuard;

extern "C" {

PLIST_ENTRY NTAPI ExInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock) {
    RawSpinLockGuard guard(Lock);
    PLIST_ENTRY first = ListHead->Flink;
    ListEntry->Flink = first;
    ListEntry->Blink = ListHead;
    first->Blink = ListEntry;
    ListHead->Flink = ListEntry;
    return first == ListHead ? nullptr : first;
}

PLIST_ENTRY NTAPI ExInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock) {
    RawSpinLockGuard guard(Lock);
    PLIST_ENTRY first = ListHead->Flink;
    PLIST_ENTRY last = ListHead->Blink;
    ListEntry->Flink = ListHead;
    ListEntry->Blink = last;
    last->Flink = ListEntry;
    ListHead->Blink = ListEntry;
    return first == ListHead ? nullptr : first;
}

PLIST_ENTRY NTAPI ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock) {
    RawSpinLockGuard guard(Lock);
    PLIST_ENTRY first = ListHead->Flink;
    if (first == ListHead) return nullptr;
    PLIST_ENTRY next = first->Flink;
    ListHead->Flink = next;
    next->Blink = ListHead;
    return first;
}

PSINGLE_LIST_ENTRY NTAPI ExInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PKSPIN_LOCK Lock) {
    RawSpinLockGuard guard(Lock);
    PSINGLE_LIST_ENTRY first = ListHead->Next;
    if (first) ListHead->Next = first->Next;
    return first;
}

PSINGLE_LIST_ENTRY NTAPI ExInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY ListEntry,
                                                    PKSPIN_LOCK Lock) {
    RawSpinLockGuard guard(Lock);
    PSINGLE_LIST_ENTRY first = ListHead->Next;
    ListEntry->Next = first;
    ListHead->Next = ListEntry;
    return first;
}

ULONG NTAPI ExInterlockedAddUlong(PULONG Addend, ULONG Increment, PKSPIN_LOCK Lock) {
    RawSpinLockGuard guard(Lock);
    const ULONG before = *Addend;
    *Addend = before + Increment;
    return before;
}

LARGE_INTEGER NTAPI ExInterlockedAddLargeInteger(PLARGE_INTEGER Addend, LARGE_INTEGER Increment, PKSPIN_LOCK Lock) {
    RawSpinLockGuard guard(Lock);
    const LARGE_INTEGER before = *Addend;
    Addend->QuadPart = static_cast<LONGLONG>(static_cast<ULONGLONG>(before.QuadPart) +
                                             static_cast<ULONGLONG>(Increment.QuadPart));
    return before;
}

}  // extern "C"
