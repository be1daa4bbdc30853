/* The WMI consumer routines of <wdm.h> for kernel-mode callers: IoWMIOpenBlock opens a data block
 * object for a GUID that a provider registered; the IoWMIQuery*, IoWMISet*, IoWMIExecuteMethod
 * routines send the provider its IRP_MJ_SYSTEM_CONTROL requests; ObDereferenceObject closes it.
 * The WMIGUID_* rights are those of <wmistr.h>. All at IRQL <= APC_LEVEL. */
#ifndef NTIO_DDK_WMI_CONSUMER_H
#define NTIO_DDK_WMI_CONSUMER_H

#include "wmi.h"

NTIO_BEGIN_DECLS

#define WMIGUID_QUERY 0x0001
#define WMIGUID_SET 0x0002
#define WMIGUID_NOTIFICATION 0x0004
#define WMIGUID_READ_DESCRIPTION 0x0008
#define WMIGUID_EXECUTE 0x0010
#define TRACELOG_CREATE_REALTIME 0x0020
#define TRACELOG_CREATE_ONDISK 0x0040
#define TRACELOG_GUID_ENABLE 0x0080
#define TRACELOG_ACCESS_KERNEL_LOGGER 0x0100
#define TRACELOG_LOG_EVENT 0x0200
#define TRACELOG_CREATE_INPROC 0x0200
#define TRACELOG_ACCESS_REALTIME 0x0400
#define TRACELOG_REGISTER_GUIDS 0x0800
#define TRACELOG_JOIN_GROUP 0x1000
#define WMIGUID_ALL_ACCESS_WIN2K (STANDARD_RIGHTS_READ | WMIGUID_QUERY | WMIGUID_SET | WMIGUID_NOTIFICATION | \
                                  WMIGUID_READ_DESCRIPTION | WMIGUID_EXECUTE | TRACELOG_CREATE_REALTIME | \
                                  TRACELOG_CREATE_ONDISK | TRACELOG_GUID_ENABLE | TRACELOG_ACCESS_KERNEL_LOGGER | \
                                  TRACELOG_CREATE_INPROC | TRACELOG_ACCESS_REALTIME)
#define WMIGUID_ALL_ACCESS_WINXP (WMIGUID_ALL_ACCESS_WIN2K | SYNCHRONIZE | TRACELOG_REGISTER_GUIDS)
#define WMIGUID_ALL_ACCESS_RS1 (WMIGUID_ALL_ACCESS_WINXP | TRACELOG_JOIN_GROUP)
#define WMIGUID_ALL_ACCESS WMIGUID_ALL_ACCESS_RS1

/* Called with the WNODE_EVENT_ITEM a provider wrote (IoWMIWriteEvent) and the Context given to
 * IoWMISetNotificationCallback; the buffer is WMI's, valid during the call. */
typedef VOID (*WMI_NOTIFICATION_CALLBACK)(PVOID Wnode, PVOID Context);

/* Opens a data block object for Guid with DesiredAccess (WMIGUID_*); close it with
 * ObDereferenceObject. STATUS_WMI_GUID_NOT_FOUND when no provider registered Guid. */
NTKERNELAPI NTSTATUS NTAPI IoWMIOpenBlock(LPCGUID Guid, ULONG DesiredAccess, PVOID* DataBlockObject);
/* WNODE_ALL_DATA of every provider of the block (linked by WnodeHeader.Linkage). WMIGUID_QUERY.
 * *InOutBufferSize: the buffer's size in, the bytes returned (or needed, with
 * STATUS_BUFFER_TOO_SMALL) out; OutBuffer may be NULL to ask for the size. */
NTKERNELAPI NTSTATUS NTAPI IoWMIQueryAllData(PVOID DataBlockObject, PULONG InOutBufferSize, PVOID OutBuffer);
NTKERNELAPI NTSTATUS NTAPI IoWMIQueryAllDataMultiple(PVOID* DataBlockObjectList, ULONG ObjectCount,
                                                     PULONG InOutBufferSize, PVOID OutBuffer);
/* WNODE_SINGLE_INSTANCE of the instance named InstanceName. WMIGUID_QUERY. */
NTKERNELAPI NTSTATUS NTAPI IoWMIQuerySingleInstance(PVOID DataBlockObject, PUNICODE_STRING InstanceName,
                                                    PULONG InOutBufferSize, PVOID OutBuffer);
NTKERNELAPI NTSTATUS NTAPI IoWMIQuerySingleInstanceMultiple(PVOID* DataBlockObjectList,
                                                            PUNICODE_STRING InstanceNames, ULONG ObjectCount,
                                                            PULONG InOutBufferSize, PVOID OutBuffer);
/* IRP_MN_CHANGE_SINGLE_INSTANCE / _ITEM with the caller's value. WMIGUID_SET. */
NTKERNELAPI NTSTATUS NTAPI IoWMISetSingleInstance(PVOID DataBlockObject, PUNICODE_STRING InstanceName,
                                                  ULONG Version, ULONG ValueBufferSize, PVOID ValueBuffer);
NTKERNELAPI NTSTATUS NTAPI IoWMISetSingleItem(PVOID DataBlockObject, PUNICODE_STRING InstanceName,
                                              ULONG DataItemId, ULONG Version, ULONG ValueBufferSize,
                                              PVOID ValueBuffer);
/* IRP_MN_EXECUTE_METHOD: InBufferSize input bytes at InOutBuffer, the output (*OutBufferSize bytes
 * room) written back over them. WMIGUID_EXECUTE. */
NTKERNELAPI NTSTATUS NTAPI IoWMIExecuteMethod(PVOID DataBlockObject, PUNICODE_STRING InstanceName, ULONG MethodId,
                                              ULONG InBufferSize, PULONG OutBufferSize, PUCHAR InOutBuffer);
/* Sets (or, with a NULL Callback, removes) the object's event callback. WMIGUID_NOTIFICATION. */
NTKERNELAPI NTSTATUS NTAPI IoWMISetNotificationCallback(PVOID Object, WMI_NOTIFICATION_CALLBACK Callback,
                                                        PVOID Context);
/* The instance name of the device (or the file's device) for a block registered with
 * WMIREG_FLAG_INSTANCE_PDO; InstanceName->Buffer is allocated from paged pool, freed by the caller
 * with ExFreePool. */
NTKERNELAPI NTSTATUS NTAPI IoWMIHandleToInstanceName(PVOID DataBlockObject, HANDLE FileHandle,
                                                     PUNICODE_STRING InstanceName);
NTKERNELAPI NTSTATUS NTAPI IoWMIDeviceObjectToInstanceName(PVOID DataBlockObject, PDEVICE_OBJECT DeviceObject,
                                                           PUNICODE_STRING InstanceName);

NTIO_END_DECLS

#endif /* NTIO_DDK_WMI_CONSUMER_H */
