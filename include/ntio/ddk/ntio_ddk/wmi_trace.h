/* WPP software tracing and trace-session queries of <wdm.h>: WmiTraceMessage(Va) and
 * WmiQueryTraceInformation. ntio has no trace sessions (docs/nt-deviations.md): no logger handle
 * is valid and no session is found. */
#ifndef NTIO_DDK_WMI_TRACE_H
#define NTIO_DDK_WMI_TRACE_H

#include <stdarg.h>

#include "wmi.h"

NTIO_BEGIN_DECLS

typedef ULONG64 TRACEHANDLE, *PTRACEHANDLE;
typedef TRACEHANDLE TRACELOGGER_HANDLE;

#define TRACE_MESSAGE_SEQUENCE 1
#define TRACE_MESSAGE_GUID 2
#define TRACE_MESSAGE_COMPONENTID 4
#define TRACE_MESSAGE_TIMESTAMP 8
#define TRACE_MESSAGE_PERFORMANCE_TIMESTAMP 16
#define TRACE_MESSAGE_SYSTEMINFO 32
#define TRACE_MESSAGE_POINTER32 0x0040
#define TRACE_MESSAGE_POINTER64 0x0080
#define TRACE_MESSAGE_FLAG_MASK 0xFFFF

typedef enum _TRACE_INFORMATION_CLASS {
    TraceIdClass,
    TraceHandleClass,
    TraceEnableFlagsClass,
    TraceEnableLevelClass,
    GlobalLoggerHandleClass,
    EventLoggerHandleClass,
    AllLoggerHandlesClass,
    TraceHandleByNameClass,
    LoggerEventsLostClass,
    TraceSessionSettingsClass,
    LoggerEventsLoggedClass,
    DiskIoNotifyRoutinesClass,
    TraceInformationClassReserved1,
    FltIoNotifyRoutinesClass,
    TraceInformationClassReserved2,
    WdfNotifyRoutinesClass,
    MaxTraceInformationClass
} TRACE_INFORMATION_CLASS;

/* Adds a message to the WPP session LoggerHandle names: (PVOID data, size_t length) pairs ended
 * by NULL, 0. STATUS_INVALID_HANDLE: ntio has no session. Any IRQL. */
NTKERNELAPI NTSTATUS __cdecl WmiTraceMessage(TRACELOGGER_HANDLE LoggerHandle, ULONG MessageFlags,
                                             LPCGUID MessageGuid, USHORT MessageNumber, ...);
NTKERNELAPI NTSTATUS NTAPI WmiTraceMessageVa(TRACELOGGER_HANDLE LoggerHandle, ULONG MessageFlags,
                                             LPCGUID MessageGuid, USHORT MessageNumber, va_list MessageArgList);
/* Information on a trace session (TRACE_INFORMATION_CLASS); with no sessions the handle and name
 * queries find none. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI WmiQueryTraceInformation(TRACE_INFORMATION_CLASS TraceInformationClass,
                                                    PVOID TraceInformation, ULONG TraceInformationLength,
                                                    PULONG RequiredLength, PVOID Buffer);

NTIO_END_DECLS

#endif /* NTIO_DDK_WMI_TRACE_H */
