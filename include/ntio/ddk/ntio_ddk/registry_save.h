/* <ntifs.h> piece: ZwSaveKey(Ex) writes a key and everything below it to a file the caller opened
 * for writing; ZwRestoreKey reads such a file back over a key, which keeps its name while its values
 * and subkeys become the saved key's (REG_FORCE_RESTORE: even while keys below it are open).
 * ZwLoadKey mounts such a file as a hive, ZwUnloadKey writes it back and removes it.
 * ntio's file holds .reg text, not the binary hive format. PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwsavekey
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwrestorekey */
#ifndef NTIO_DDK_REGISTRY_SAVE_H
#define NTIO_DDK_REGISTRY_SAVE_H
#include "registry.h"

NTIO_BEGIN_DECLS

NTSYSAPI NTSTATUS NTAPI ZwSaveKey(_In_ HANDLE KeyHandle, _In_ HANDLE FileHandle);
NTSYSAPI NTSTATUS NTAPI ZwSaveKeyEx(_In_ HANDLE KeyHandle, _In_ HANDLE FileHandle, _In_ ULONG Format);
NTSYSAPI NTSTATUS NTAPI ZwRestoreKey(_In_ HANDLE KeyHandle, _In_ HANDLE FileHandle, _In_ ULONG Flags);
/* A hive file loaded as \REGISTRY\MACHINE\X or \REGISTRY\USER\X, and unloaded (written back to its
 * file first). https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regloadkeyw */
NTSYSAPI NTSTATUS NTAPI ZwLoadKey(_In_ POBJECT_ATTRIBUTES KeyObjectAttributes,
                                  _In_ POBJECT_ATTRIBUTES FileObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwUnloadKey(_In_ POBJECT_ATTRIBUTES KeyObjectAttributes);
/* A loaded hive's file renamed to OldFile, NewFile taking its name for the hive's next load.
 * https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regreplacekeyw */
NTSYSAPI NTSTATUS NTAPI ZwReplaceKey(_In_ POBJECT_ATTRIBUTES NewFileObjectAttributes, _In_ HANDLE KeyHandle,
                                     _In_ POBJECT_ATTRIBUTES OldFileObjectAttributes);

NTIO_END_DECLS

#endif /* NTIO_DDK_REGISTRY_SAVE_H */
