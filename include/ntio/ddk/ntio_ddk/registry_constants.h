/* Registry constants shared by <wdm.h> (registry.h) and <windows.h> (winnt.h/winreg.h spell them the
 * same): value types, key access rights, create options and dispositions. Each is guarded, since both
 * the SDK and the WDK define them; pure macros, so the SDK can include this piece alone.
 * https://learn.microsoft.com/windows/win32/sysinfo/registry-value-types and
 * https://learn.microsoft.com/windows/win32/sysinfo/registry-key-security-and-access-rights */
#ifndef NTIO_DDK_REGISTRY_CONSTANTS_H
#define NTIO_DDK_REGISTRY_CONSTANTS_H
#include "access_masks.h"

/* ---- Value types ------------------------------------------------------------------------------ */
#ifndef REG_NONE
#define REG_NONE (0ul)
#define REG_SZ (1ul)
#define REG_EXPAND_SZ (2ul)
#define REG_BINARY (3ul)
#define REG_DWORD (4ul)
#define REG_DWORD_LITTLE_ENDIAN (4ul)
#define REG_DWORD_BIG_ENDIAN (5ul)
#define REG_LINK (6ul)
#define REG_MULTI_SZ (7ul)
#define REG_RESOURCE_LIST (8ul)
#define REG_FULL_RESOURCE_DESCRIPTOR (9ul)
#define REG_RESOURCE_REQUIREMENTS_LIST (10ul)
#define REG_QWORD (11ul)
#define REG_QWORD_LITTLE_ENDIAN (11ul)
#endif

/* ---- Key access rights ------------------------------------------------------------------------- */
#ifndef KEY_QUERY_VALUE
#define KEY_QUERY_VALUE (0x0001)
#define KEY_SET_VALUE (0x0002)
#define KEY_CREATE_SUB_KEY (0x0004)
#define KEY_ENUMERATE_SUB_KEYS (0x0008)
#define KEY_NOTIFY (0x0010)
#define KEY_CREATE_LINK (0x0020)
#define KEY_WOW64_32KEY (0x0200)
#define KEY_WOW64_64KEY (0x0100)
#define KEY_WOW64_RES (0x0300)
#define KEY_READ ((STANDARD_RIGHTS_READ | KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS | KEY_NOTIFY) & (~SYNCHRONIZE))
#define KEY_WRITE ((STANDARD_RIGHTS_WRITE | KEY_SET_VALUE | KEY_CREATE_SUB_KEY) & (~SYNCHRONIZE))
#define KEY_EXECUTE ((KEY_READ) & (~SYNCHRONIZE))
#define KEY_ALL_ACCESS                                                                                         \
    ((STANDARD_RIGHTS_ALL | KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_CREATE_SUB_KEY | KEY_ENUMERATE_SUB_KEYS |    \
      KEY_NOTIFY | KEY_CREATE_LINK) &                                                                          \
     (~SYNCHRONIZE))
#endif

/* ---- Create options and dispositions (NtCreateKey / RegCreateKeyEx) ---------------------------- */
#ifndef REG_OPTION_RESERVED
#define REG_OPTION_RESERVED (0x00000000L)
#define REG_OPTION_NON_VOLATILE (0x00000000L)
#define REG_OPTION_VOLATILE (0x00000001L)
#define REG_OPTION_CREATE_LINK (0x00000002L)
#define REG_OPTION_BACKUP_RESTORE (0x00000004L)
#define REG_OPTION_OPEN_LINK (0x00000008L)
#define REG_OPTION_DONT_VIRTUALIZE (0x00000010L)
#define REG_LEGAL_OPTION                                                                                       \
    (REG_OPTION_RESERVED | REG_OPTION_NON_VOLATILE | REG_OPTION_VOLATILE | REG_OPTION_CREATE_LINK |            \
     REG_OPTION_BACKUP_RESTORE | REG_OPTION_OPEN_LINK | REG_OPTION_DONT_VIRTUALIZE)
#define REG_OPEN_LEGAL_OPTION (REG_OPTION_RESERVED | REG_OPTION_BACKUP_RESTORE | REG_OPTION_OPEN_LINK | REG_OPTION_DONT_VIRTUALIZE)
#endif
#ifndef REG_CREATED_NEW_KEY
#define REG_CREATED_NEW_KEY (0x00000001L)
#define REG_OPENED_EXISTING_KEY (0x00000002L)
#endif
/* NtNotifyChangeKey / RegNotifyChangeKeyValue filters (winnt.h, wdm.h). */
#ifndef REG_NOTIFY_CHANGE_NAME
#define REG_NOTIFY_CHANGE_NAME (0x00000001L)
#define REG_NOTIFY_CHANGE_ATTRIBUTES (0x00000002L)
#define REG_NOTIFY_CHANGE_LAST_SET (0x00000004L)
#define REG_NOTIFY_CHANGE_SECURITY (0x00000008L)
#define REG_NOTIFY_THREAD_AGNOSTIC (0x10000000L)
#define REG_LEGAL_CHANGE_FILTER                                                                                \
    (REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_ATTRIBUTES | REG_NOTIFY_CHANGE_LAST_SET |                      \
     REG_NOTIFY_CHANGE_SECURITY | REG_NOTIFY_THREAD_AGNOSTIC)
#endif

/* ---- Saving and restoring keys (NtSaveKeyEx formats, NtRestoreKey flags) ------------------------ */
#ifndef REG_STANDARD_FORMAT
#define REG_STANDARD_FORMAT 1
#define REG_LATEST_FORMAT 2
#define REG_NO_COMPRESSION 4
#endif
#ifndef REG_WHOLE_HIVE_VOLATILE
#define REG_WHOLE_HIVE_VOLATILE (0x00000001L)
#define REG_REFRESH_HIVE (0x00000002L)
#define REG_NO_LAZY_FLUSH (0x00000004L)
#define REG_FORCE_RESTORE (0x00000008L)
#endif

/* NtUnloadKey2: unload even while keys of the hive are open (they read as deleted). */
#ifndef REG_FORCE_UNLOAD
#define REG_FORCE_UNLOAD 1
#endif

#endif /* NTIO_DDK_REGISTRY_CONSTANTS_H */
