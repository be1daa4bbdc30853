/* WMI registration and events of <wdm.h> (IoWMIRegistrationControl, IoWMIWriteEvent) and the
 * <wmistr.h> structures of WMI requests: the WNODE_* buffers and the WMIREGINFO a provider returns
 * for IRP_MN_REGINFO(_EX). The consumer routines (IoWMIOpenBlock...) are in wmi_consumer.h. */
#ifndef NTIO_DDK_WMI_H
#define NTIO_DDK_WMI_H

#include "io_types.h"

NTIO_BEGIN_DECLS

#define WMIREG_ACTION_REGISTER 1
#define WMIREG_ACTION_DEREGISTER 2
#define WMIREG_ACTION_REREGISTER 3
#define WMIREG_ACTION_UPDATE_GUIDS 4
#define WMIREG_ACTION_BLOCK_IRPS 5
/* DeviceObject is a WMI callback routine (a WMIENTRY), not a device object. */
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

typedef struct {
    ULONG OffsetInstanceData;
    ULONG LengthInstanceData;
} OFFSETINSTANCEDATAANDLENGTH, *POFFSETINSTANCEDATAANDLENGTH;

/* IRP_MN_QUERY_ALL_DATA's answer: InstanceCount instances from DataBlockOffset, each
 * FixedInstanceSize long (WNODE_FLAG_FIXED_INSTANCE_SIZE) or placed by OffsetInstanceDataAndLength;
 * OffsetInstanceNameOffsets locates InstanceCount ULONG offsets of counted names (USHORT byte
 * length, then the WCHARs). */
typedef struct tagWNODE_ALL_DATA {
    struct _WNODE_HEADER WnodeHeader;
    ULONG DataBlockOffset;
    ULONG InstanceCount;
    ULONG OffsetInstanceNameOffsets;
    union {
        ULONG FixedInstanceSize;
        OFFSETINSTANCEDATAANDLENGTH OffsetInstanceDataAndLength[1];
    };
} WNODE_ALL_DATA, *PWNODE_ALL_DATA;

typedef struct tagWNODE_SINGLE_INSTANCE {
    struct _WNODE_HEADER WnodeHeader;
    ULONG OffsetInstanceName;
    ULONG InstanceIndex;
    ULONG DataBlockOffset;
    ULONG SizeDataBlock;
    UCHAR VariableData[];
} WNODE_SINGLE_INSTANCE, *PWNODE_SINGLE_INSTANCE;

typedef struct tagWNODE_SINGLE_ITEM {
    struct _WNODE_HEADER WnodeHeader;
    ULONG OffsetInstanceName;
    ULONG InstanceIndex;
    ULONG ItemId;
    ULONG DataBlockOffset;
    ULONG SizeDataItem;
    UCHAR VariableData[];
} WNODE_SINGLE_ITEM, *PWNODE_SINGLE_ITEM;

typedef struct tagWNODE_METHOD_ITEM {
    struct _WNODE_HEADER WnodeHeader;
    ULONG OffsetInstanceName;
    ULONG InstanceIndex;
    ULONG MethodId;
    ULONG DataBlockOffset;
    ULONG SizeDataBlock;
    UCHAR VariableData[];
} WNODE_METHOD_ITEM, *PWNODE_METHOD_ITEM;

typedef struct tagWNODE_EVENT_ITEM {
    struct _WNODE_HEADER WnodeHeader;
} WNODE_EVENT_ITEM, *PWNODE_EVENT_ITEM;

typedef struct tagWNODE_EVENT_REFERENCE {
    struct _WNODE_HEADER WnodeHeader;
    GUID TargetGuid;
    ULONG TargetDataBlockSize;
    union {
        ULONG TargetInstanceIndex;
        WCHAR TargetInstanceName[1];
    };
} WNODE_EVENT_REFERENCE, *PWNODE_EVENT_REFERENCE;

/* A provider's answer when Parameters.WMI.Buffer cannot hold the data: SizeNeeded bytes, with
 * WNODE_FLAG_TOO_SMALL in the header. */
typedef struct tagWNODE_TOO_SMALL {
    struct _WNODE_HEADER WnodeHeader;
    ULONG SizeNeeded;
} WNODE_TOO_SMALL, *PWNODE_TOO_SMALL;

/* Parameters.WMI.DataPath of IRP_MN_REGINFO(_EX). */
#define WMIREGISTER 0
#define WMIUPDATE 1

/* WMIREGGUID Flags. */
#define WMIREG_FLAG_EXPENSIVE 0x00000001
#define WMIREG_FLAG_INSTANCE_LIST 0x00000004
#define WMIREG_FLAG_INSTANCE_BASENAME 0x00000008
#define WMIREG_FLAG_INSTANCE_PDO 0x00000020
#define WMIREG_FLAG_EVENT_ONLY_GUID 0x00000040
#define WMIREG_FLAG_TRACE_CONTROL_GUID 0x00001000
#define WMIREG_FLAG_REMOVE_GUID 0x00010000
#define WMIREG_FLAG_RESERVED1 0x00020000
#define WMIREG_FLAG_RESERVED2 0x00040000
#define WMIREG_FLAG_TRACED_GUID 0x00080000

/* One block of a WMIREGINFO. The union's offsets count from the start of the WMIREGINFO. */
typedef struct {
    GUID Guid;
    ULONG Flags;
    ULONG InstanceCount;
    union {
        ULONG InstanceNameList;
        ULONG BaseNameOffset;
        ULONG_PTR Pdo;
        ULONG_PTR InstanceInfo;
    };
} WMIREGGUIDW, *PWMIREGGUIDW;
typedef WMIREGGUIDW WMIREGGUID;
typedef PWMIREGGUIDW PWMIREGGUID;

typedef struct {
    ULONG BufferSize;
    ULONG NextWmiRegInfo;
    ULONG RegistryPath;
    ULONG MofResourceName;
    ULONG GuidCount;
    WMIREGGUIDW WmiRegGuid[];
} WMIREGINFOW, *PWMIREGINFOW;
typedef WMIREGINFOW WMIREGINFO;
typedef PWMIREGINFOW PWMIREGINFO;

/* The routine a WMIREG_FLAG_CALLBACK registration names: called with the IRP_MN_* code in
 * ActionCode and the Parameters.WMI fields an IRP would carry; *Size is Information. */
typedef NTSTATUS (*WMIENTRY)(UCHAR ActionCode, PVOID DataPath, ULONG BufferSize, PVOID Buffer, PVOID Context,
                             PULONG Size);

/* Registers (or deregisters...) the caller as the WMI data provider for DeviceObject. REGISTER,
 * REREGISTER and UPDATE_GUIDS make a system worker thread send IRP_MN_REGINFO_EX; DEREGISTER
 * waits for WMI requests in flight to the provider. STATUS_INVALID_PARAMETER for an unknown action, a
 * DeviceObject that is no device object, or a DEREGISTER/REREGISTER/UPDATE_GUIDS/BLOCK_IRPS of a
 * device not registered (and a second REGISTER). PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI IoWMIRegistrationControl(PDEVICE_OBJECT DeviceObject, ULONG Action);
/* Queues a WNODE_EVENT_ITEM from nonpaged pool for the notification callbacks set for its GUID;
 * on STATUS_SUCCESS the system frees it (ExFreePool),
 * on any other status the caller still owns it. IRQL <= APC_LEVEL (any for WNODE_FLAG_TRACED_GUID). */
NTKERNELAPI NTSTATUS NTAPI IoWMIWriteEvent(PVOID WnodeEventItem);

NTIO_END_DECLS

#endif /* NTIO_DDK_WMI_H */
