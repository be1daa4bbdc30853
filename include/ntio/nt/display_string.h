/* <ntio/ntapi.h> piece: NtDisplayString for applications, with the ntdll signature. Called from an
 * application it needs SeTcbPrivilege in the caller's token (STATUS_PRIVILEGE_NOT_HELD otherwise)
 * and probes and captures String. The Zw name for drivers is in <ntddk.h>'s display_string.h. */
#ifndef NTIO_NT_DISPLAY_STRING_H
#define NTIO_NT_DISPLAY_STRING_H

#include "../ddk/ntio_ddk/display_string.h"

NTIO_BEGIN_DECLS

NTSYSAPI NTSTATUS NTAPI NtDisplayString(_In_ PUNICODE_STRING String);

NTIO_END_DECLS

#endif /* NTIO_NT_DISPLAY_STRING_H */
