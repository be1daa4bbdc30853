/* <wdm.h> piece: registry keys bound to a KTM transaction. A key handle opened or created with a
 * transaction is bound to it: every change made through that handle (values, subkeys, deletion) is
 * seen only through the transaction's handles until it commits, and is discarded when it rolls back.
 * A change made to the key outside the transaction before it commits rolls the transaction back
 * (RegOpenKeyTransacted remarks); another transaction's change to it is STATUS_TRANSACTIONAL_CONFLICT.
 * IRQL == PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatekeytransacted
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwopenkeytransactedex */
#ifndef NTIO_DDK_REGISTRY_TRANSACTED_H
#define NTIO_DDK_REGISTRY_TRANSACTED_H
#include "registry.h"

NTIO_BEGIN_DECLS

/* TransactionHandle needs TRANSACTION_ENLIST; a transaction that is no longer active ->
 * STATUS_TRANSACTION_NOT_ACTIVE. */
NTSYSAPI NTSTATUS NTAPI ZwCreateKeyTransacted(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                              _In_ POBJECT_ATTRIBUTES ObjectAttributes, _Reserved_ ULONG TitleIndex,
                                              _In_opt_ PUNICODE_STRING Class, _In_ ULONG CreateOptions,
                                              _In_ HANDLE TransactionHandle, _Out_opt_ PULONG Disposition);
NTSYSAPI NTSTATUS NTAPI ZwOpenKeyTransacted(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                            _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ HANDLE TransactionHandle);
NTSYSAPI NTSTATUS NTAPI ZwOpenKeyTransactedEx(_Out_ PHANDLE KeyHandle, _In_ ACCESS_MASK DesiredAccess,
                                              _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ ULONG OpenOptions,
                                              _In_ HANDLE TransactionHandle);

/* The transaction object (KTRANSACTION) a key object a registry callback was given is bound to, or
 * NULL. Cookie is the callback's registration cookie. IRQL <= APC_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-cmgetboundtransaction */
NTKERNELAPI PVOID NTAPI CmGetBoundTransaction(_In_ PLARGE_INTEGER Cookie, _In_ PVOID Object);

NTIO_END_DECLS

#endif /* NTIO_DDK_REGISTRY_TRANSACTED_H */
