/* overread.sys: a test driver whose IOCTL copies a fixed-length version field out of a table of
 * shorter literals (NT fact S24). Shared by the driver and its test. */
#ifndef OVERREAD_H
#define OVERREAD_H

#define OVERREAD_VERSION_FIELD 16
/* METHOD_BUFFERED; input ULONG index; output OVERREAD_VERSION_FIELD bytes. */
#define IOCTL_OVERREAD_VERSION CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

#ifndef __cplusplus
VOID OverreadCopyVersion(_In_ ULONG Index, _Out_writes_bytes_(OVERREAD_VERSION_FIELD) PUCHAR Field);
#endif

#endif
