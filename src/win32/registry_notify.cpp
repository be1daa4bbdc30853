// RegNotifyChangeKeyValue over NtNotifyChangeKey: one change per call; asynchronously the event is
// signaled, synchronously the call returns when the change happens.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regnotifychangekeyvalue
#include "nt/registry_notify.hpp"
#include "win32/registry_common.hpp"

using namespace ntio::win32::registry;

extern "C" {

LSTATUS WINAPI RegNotifyChangeKeyValue(HKEY hKey, BOOL bWatchSubtree, DWORD dwNotifyFilter, HANDLE hEvent,
                                       BOOL fAsynchronous) {
    // "If hEvent does not specify a valid event, the fAsynchronous parameter cannot be TRUE."
    if (fAsynchronous && !hEvent) return ERROR_INVALID_PARAMETER;
    KeyArg key;
    NTSTATUS status = key.open(hKey, KEY_NOTIFY);
    if (!NT_SUCCESS(status)) return to_error(status);
    if (!fAsynchronous) {
        // "If fAsynchronous is FALSE, hEvent is ignored."
        IO_STATUS_BLOCK iosb{};
        status = ntio::nt::notify_change_key(key.get(), nullptr, nullptr, nullptr, &iosb, false, dwNotifyFilter,
                                             bWatchSubtree ? TRUE : FALSE, nullptr, 0, FALSE);
        return NT_ERROR(status) ? to_error(status) : ERROR_SUCCESS;
    }
    // The request outlives this call, so it carries no IO_STATUS_BLOCK: the event is the report.
    status = ntio::nt::notify_change_key(key.get(), hEvent, nullptr, nullptr, nullptr, true, dwNotifyFilter,
                                         bWatchSubtree ? TRUE : FALSE, nullptr, 0, TRUE);
    if (NT_ERROR(status)) return to_error(status);
    // NT deviation: a predefined key (HKEY_LOCAL_MACHINE, ...) is opened for the call; closing it
    // would end the request at once ("If the specified key is closed, the event is signaled"), so
    // the opened root stays open for the life of the process, as Windows keeps its predefined
    // handles open.
    if (key.predefined()) (void)key.keep();
    return ERROR_SUCCESS;
}

}  // extern "C"
