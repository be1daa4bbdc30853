// WPP software tracing (WmiTraceMessage, WmiTraceMessageVa) and WmiQueryTraceInformation. Like the
// ETW provider API beside it (etw.cpp), they answer as NT does when no trace session exists: no
// logger handle is valid, no session is found by ID, handle or name, and the list of loggers is
// empty.
#include <wdm.h>

namespace ntio::ex {
namespace {

// The fixed TraceInformationLength of a class, or 0 for one with none.
ULONG fixed_length(TRACE_INFORMATION_CLASS information_class) {
    switch (information_class) {
    case TraceIdClass:
    case TraceEnableFlagsClass:
    case TraceEnableLevelClass:
    case LoggerEventsLostClass:
    case LoggerEventsLoggedClass: return sizeof(ULONG);
    case TraceHandleClass:
    case GlobalLoggerHandleClass:
    case TraceHandleByNameClass: return sizeof(TRACEHANDLE);
    default: return 0;
    }
}

}  // namespace
}  // namespace ntio::ex

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-wmitracemessageva
// "STATUS_INVALID_HANDLE: LoggerHandle is not a valid software trace handle": with no sessions, no
// handle is. The message parts are not read.
NTSTATUS NTAPI WmiTraceMessageVa(TRACELOGGER_HANDLE LoggerHandle, ULONG MessageFlags, LPCGUID MessageGuid,
                                 USHORT MessageNumber, va_list MessageArgList) {
    UNREFERENCED_PARAMETER(LoggerHandle);
    UNREFERENCED_PARAMETER(MessageFlags);
    UNREFERENCED_PARAMETER(MessageGuid);
    UNREFERENCED_PARAMETER(MessageNumber);
    UNREFERENCED_PARAMETER(MessageArgList);
    return STATUS_INVALID_HANDLE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-wmitracemessage
// As WmiTraceMessageVa; the variable part is not read (va_start after a USHORT, which undergoes
// promotion, would not be defined anyway), so the handle is refused here.
NTSTATUS __cdecl WmiTraceMessage(TRACELOGGER_HANDLE LoggerHandle, ULONG MessageFlags, LPCGUID MessageGuid,
                                 USHORT MessageNumber, ...) {
    UNREFERENCED_PARAMETER(LoggerHandle);
    UNREFERENCED_PARAMETER(MessageFlags);
    UNREFERENCED_PARAMETER(MessageGuid);
    UNREFERENCED_PARAMETER(MessageNumber);
    return STATUS_INVALID_HANDLE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-wmiquerytraceinformation
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ne-wdm-_trace_information_class
// A class with a fixed size wants exactly that TraceInformationLength (STATUS_INFO_LENGTH_MISMATCH,
// the size in *RequiredLength); the classes that name a session need Buffer
// (STATUS_INVALID_PARAMETER_MIX). Then: a session's handle (in a WNODE_HEADER's HistoricalContext)
// or logger ID names none, STATUS_INVALID_HANDLE; no global logger runs, STATUS_NOT_FOUND; no
// session has the name, STATUS_INVALID_PARAMETER; the list of all loggers is empty, STATUS_SUCCESS
// with *RequiredLength 0. The classes reserved to the system (EventLoggerHandleClass, the notify
// routine classes) and unknown ones are STATUS_INVALID_INFO_CLASS.
NTSTATUS NTAPI WmiQueryTraceInformation(TRACE_INFORMATION_CLASS TraceInformationClass, PVOID TraceInformation,
                                        ULONG TraceInformationLength, PULONG RequiredLength, PVOID Buffer) {
    UNREFERENCED_PARAMETER(TraceInformation);
    switch (TraceInformationClass) {
    case TraceIdClass:
    case TraceHandleClass:
    case TraceEnableFlagsClass:
    case TraceEnableLevelClass:
    case GlobalLoggerHandleClass:
    case AllLoggerHandlesClass:
    case TraceHandleByNameClass:
    case LoggerEventsLostClass:
    case TraceSessionSettingsClass:
    case LoggerEventsLoggedClass: break;
    default: return STATUS_INVALID_INFO_CLASS;
    }
    const ULONG length = ntio::ex::fixed_length(TraceInformationClass);
    if (length && TraceInformationLength != length) {
        if (RequiredLength) *RequiredLength = length;
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    switch (TraceInformationClass) {
    case GlobalLoggerHandleClass: return STATUS_NOT_FOUND;
    case AllLoggerHandlesClass:
        if (RequiredLength) *RequiredLength = 0;
        return STATUS_SUCCESS;
    case TraceHandleByNameClass: return Buffer ? STATUS_INVALID_PARAMETER : STATUS_INVALID_PARAMETER_MIX;
    default: return Buffer ? STATUS_INVALID_HANDLE : STATUS_INVALID_PARAMETER_MIX;
    }
}

}  // extern "C"
