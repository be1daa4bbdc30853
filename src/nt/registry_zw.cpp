// The Zw*Key routines drivers call: each runs the Nt*Key service of the same name with PreviousMode
// KernelMode (no probing, kernel handles accepted, no access check on handles), as the NT
// system-call path does for kernel-mode callers.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "nt/previous_mode.hpp"
#include "verifier/verifier.hpp"

using ntio::nt::KernelModeCall;

extern "C" {

NTSTATUS NTAPI ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtCreateKey(KeyHandle, DesiredAccess, ObjectAttributes, TitleIndex, Class, CreateOptions, Disposition);
}

NTSTATUS NTAPI ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtOpenKey(KeyHandle, DesiredAccess, ObjectAttributes);
}

NTSTATUS NTAPI ZwOpenKeyEx(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes, ULONG OpenOptions) {
    KernelModeCall kernel;
    return NtOpenKeyEx(KeyHandle, DesiredAccess, ObjectAttributes, OpenOptions);
}

NTSTATUS NTAPI ZwDeleteKey(HANDLE KeyHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtDeleteKey(KeyHandle);
}

NTSTATUS NTAPI ZwFlushKey(HANDLE KeyHandle) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtFlushKey(KeyHandle);
}

NTSTATUS NTAPI ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type, PVOID Data, ULONG DataSize) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtSetValueKey(KeyHandle, ValueName, TitleIndex, Type, Data, DataSize);
}

NTSTATUS NTAPI ZwDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName) {
    KernelModeCall kernel;
    return NtDeleteValueKey(KeyHandle, ValueName);
}

NTSTATUS NTAPI ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass, PVOID KeyValueInformation, ULONG Length, PULONG ResultLength) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtQueryValueKey(KeyHandle, ValueName, KeyValueInformationClass, KeyValueInformation, Length, ResultLength);
}

NTSTATUS NTAPI ZwEnumerateValueKey(HANDLE KeyHandle, ULONG Index, KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass, PVOID KeyValueInformation, ULONG Length, PULONG ResultLength) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtEnumerateValueKey(KeyHandle, Index, KeyValueInformationClass, KeyValueInformation, Length, ResultLength);
}

NTSTATUS NTAPI ZwQueryKey(HANDLE KeyHandle, KEY_INFORMATION_CLASS KeyInformationClass, PVOID KeyInformation, ULONG Length, PULONG ResultLength) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtQueryKey(KeyHandle, KeyInformationClass, KeyInformation, Length, ResultLength);
}

NTSTATUS NTAPI ZwEnumerateKey(HANDLE KeyHandle, ULONG Index, KEY_INFORMATION_CLASS KeyInformationClass, PVOID KeyInformation, ULONG Length, PULONG ResultLength) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtEnumerateKey(KeyHandle, Index, KeyInformationClass, KeyInformation, Length, ResultLength);
}

NTSTATUS NTAPI ZwRenameKey(HANDLE KeyHandle, PUNICODE_STRING NewName) {
    KernelModeCall kernel;
    return NtRenameKey(KeyHandle, NewName);
}

NTSTATUS NTAPI ZwSetInformationKey(HANDLE KeyHandle, KEY_SET_INFORMATION_CLASS KeySetInformationClass, PVOID KeySetInformation, ULONG KeySetInformationLength) {
    KernelModeCall kernel;
    return NtSetInformationKey(KeyHandle, KeySetInformationClass, KeySetInformation, KeySetInformationLength);
}

NTSTATUS NTAPI ZwNotifyChangeKey(HANDLE KeyHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, ULONG CompletionFilter, BOOLEAN WatchTree, PVOID Buffer, ULONG BufferSize, BOOLEAN Asynchronous) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtNotifyChangeKey(KeyHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, CompletionFilter, WatchTree, Buffer, BufferSize, Asynchronous);
}

// Learn has no page for either Zw form; the Nt services' pages are winternl's
// (https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntnotifychangemultiplekeys).
NTSTATUS NTAPI ZwQueryMultipleValueKey(HANDLE KeyHandle, PKEY_VALUE_ENTRY ValueEntries, ULONG EntryCount, PVOID ValueBuffer, PULONG BufferLength, PULONG RequiredBufferLength) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtQueryMultipleValueKey(KeyHandle, ValueEntries, EntryCount, ValueBuffer, BufferLength, RequiredBufferLength);
}

NTSTATUS NTAPI ZwNotifyChangeMultipleKeys(HANDLE MasterKeyHandle, ULONG Count, OBJECT_ATTRIBUTES SubordinateObjects[], HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, ULONG CompletionFilter, BOOLEAN WatchTree, PVOID Buffer, ULONG BufferSize, BOOLEAN Asynchronous) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ZwPassive);
    KernelModeCall kernel;
    return NtNotifyChangeMultipleKeys(MasterKeyHandle, Count, SubordinateObjects, Event, ApcRoutine, ApcContext, IoStatusBlock, CompletionFilter, WatchTree, Buffer, BufferSize, Asynchronous);
}

}  // extern "C"
