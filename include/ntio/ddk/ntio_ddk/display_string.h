/* <ntddk.h> piece: ZwDisplayString, which writes a string to the boot display. ntio has no boot
 * screen: the string goes to the debug output (stderr, where DbgPrint writes), as UTF-8. The caller
 * needs SeTcbPrivilege when the previous mode is user (STATUS_PRIVILEGE_NOT_HELD otherwise).
 * PASSIVE_LEVEL. Exact WDK spellings. */
#ifndef NTIO_DDK_DISPLAY_STRING_H
#define NTIO_DDK_DISPLAY_STRING_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"

NTIO_BEGIN_DECLS
NTSYSAPI NTSTATUS NTAPI ZwDisplayString(_In_ PUNICODE_STRING String);
NTIO_END_DECLS

#endif /* NTIO_DDK_DISPLAY_STRING_H */
