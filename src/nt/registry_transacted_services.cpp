// NtCreateKeyTransacted, NtOpenKeyTransacted and NtOpenKeyTransactedEx: NtCreateKey and NtOpenKeyEx
// whose new handle is bound to a KTM transaction (config/key_transaction.cpp runs the binding), and
// their Zw forms for drivers.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatekeytransacted
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwopenkeytransacted
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwopenkeytransactedex
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "nt/previous_mode.hpp"
#include "nt/registry_open.hpp"
#include "verifier/verifier.hpp"

using ntio::nt::KernelModeCall;
using ntio::nt::open_or_create_key;

extern "C" {

NTSTATUS NTAPI NtCreateKeyTransacted(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                     ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions,
                                     HANDLE TransactionHandle, PULONG Disposition) {
    (void)TitleIndex;  // reserved, as for NtCreateKey
    return open_or_create_key(KeyHandle, DesiredAccess, ObjectAttributes, Class, CreateOptions, Disposition, true, true,
                              TransactionHandle);
}

NTSTATUS NTAPI NtOpenKeyTransacted(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                   HANDLE TransactionHandle) {
    return open_or_create_key(KeyHandle, DesiredAccess, ObjectAttributes, nullptr, 0, nullptr, false, true,
                              TransactionHandle);
}

NTSTATUS NTAPI NtOpenKeyTransactedEx(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                     ULONG OpenOptions, HANDLE TransactionHandle) {
    return open_or_create_key(KeyHandle, DesiredAccess, ObjectAttributes, nullptr, OpenOptions, nullptr, false, true,
                              TransactionHandle);
}

NTSTATUS NTAPI ZwCreateKeyTransacted(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                     ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions,
                                     HANDLE TransactionHandle, PULONG Disposition) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtCreateKeyTransacted(KeyHandle, DesiredAccess, ObjectAttributes, TitleIndex, Class, CreateOptions,
                                 TransactionHandle, Disposition);
}

NTSTATUS NTAPI ZwOpenKeyTransacted(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                   HANDLE TransactionHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtOpenKeyTransacted(KeyHandle, DesiredAccess, ObjectAttributes, TransactionHandle);
}

NTSTATUS NTAPI ZwOpenKeyTransactedEx(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                     ULONG OpenOptions, HANDLE TransactionHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtOpenKeyTransactedEx(KeyHandle, DesiredAccess, ObjectAttributes, OpenOptions, TransactionHandle);
}

}  // extern "C"
