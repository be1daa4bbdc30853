/* WMI registration and events of <wdm.h> (IoWMIRegistrationControl, IoWMIWriteEvent) and the
 * <wmistr.h> structures they take. ntio sends no IRP_MJ_SYSTEM_CONTROL requests: see
 * docs/nt-deviations.md. */
#ifndef NTIO_DDK_WMI_H
#define NTIO_DDK_WMI_H

#include "io_types.h"

NTIO_BEGIN_DECLS

#define WMIREG_ACTION_REGISTER 1
#define WMIREG_ACTION_DEREGISTER 2
#define WMIREG_ACTION_REREGISTER 3
#define WMIREG_ACTION_UPDATE_GUIDS 4
#define WMIREG_ACTION_BLOCK_IRPS 5
/* DeviceObject is a WMI callback routine (a WMI_NOTIFICATION_CALLBACK), not a device object. */
#define WMIREG_FLAG_CALLBACK 0x80000000
#define WMIREG_FLAG_TRACEPROVIDER 0x00010000
#define WMIREG_FLAG_TRACE_NOTIFY_MASK 0x00F00000
#define WMIREG_NOTIFY_DISABLE_COLLECTION (0x00000001 << 20)
#define WMIREG_NOTIFY_TRACE_ENABLE (0x00000002 << 20)

/* <wmistr.h> */
typedef struct _WNODE_HEADER {
    ULONG BufferSize;
    ULONG ProviderId;
    union {
        ULONG64 HistoricalContext;
        struct {
            ULONG Version;
            ULONG Linkage;
        };
    };
    union {
        ULONG CountLost;
        HANDLE KernelHandle;
        LARGE_INTEGER TimeStamp;
    };
    GUID Guid;
    ULONG ClientContext;
    ULONG Flags;
} WNODE_HEADER, *PWNODE_HEADER;

#define WNODE_FLAG_ALL_DATA 0x00000001
#define WNODE_FLAG_SINGLE_INSTANCE 0x00000002
#define WNODE_FLAG_SINGLE_ITEM 0x00000004
#define WNODE_FLAG_EVENT_ITEM 0x00000008
#define WNODE_FLAG_FIXED_INSTANCE_SIZE 0x00000010
#define WNODE_FLAG_TOO_SMALL 0x00000020
#define WNODE_FLAG_INSTANCES_SAME 0x00000040
#define WNODE_FLAG_STATIC_INSTANCE_NAMES 0x00000080
#define WNODE_FLAG_INTERNAL 0x00000100
#define WNODE_FLAG_USE_TIMESTAMP 0x00000200
#define WNODE_FLAG_PERSIST_EVENT 0x00000400
#define WNODE_FLAG_EVENT_REFERENCE 0x00002000
#define WNODE_FLAG_ANSI_INSTANCENAMES 0x00004000
#define WNODE_FLAG_METHOD_ITEM 0x00008000
#define WNODE_FLAG_PDO_INSTANCE_NAMES 0x00010000
#define WNODE_FLAG_TRACED_GUID 0x00020000
#define WNODE_FLAG_LOG_WNODE 0x00040000
#define WNODE_FLAG_USE_GUID_PTR 0x00080000
#define WNODE_FLAG_USE_MOF_PTR 0x00100000
#define WNODE_FLAG_NO_HEADER 0x00200000
#define WNODE_FLAG_SEVERITY_MASK 0xff000000

typedef struct tagWNODE_EVENT_ITEM {
    struct _WNODE_HEADER WnodeHeader;
} WNODE_EVENT_ITEM, *PWNODE_EVENT_ITEM;

/* Registers (or deregisters...) the caller as the WMI data provider for DeviceObject. ntio records
 * the registration and sends no WMI IRPs. STATUS_INVALID_PARAMETER for an unknown action, a
 * DeviceObject that is no device object, or a DEREGISTER/REREGISTER/UPDATE_GUIDS/BLOCK_IRPS of a
 * device not registered (and a second REGISTER). PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoWMIRegistrationControl(PDEVICE_OBJECT DeviceObject, ULONG Action);
/* Queues a WNODE_EVENT_ITEM from nonpaged pool; on STATUS_SUCCESS the system frees it (ExFreePool),
 * on any other status the caller still owns it. IRQL <= APC_LEVEL (any for WNODE_FLAG_TRACED_GUID). */
NTKERNELAPI NTSTATUS NTAPI IoWMIWriteEvent(PVOID WnodeEventItem);

NTIO_END_DECLS

#endif /* NTIO_DDK_WMI_H */
