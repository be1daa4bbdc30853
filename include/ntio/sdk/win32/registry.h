/* The Win32 registry API (winreg.h subset, advapi32): the predefined root keys, REGSAM, the RRF_ flags
 * of RegGetValue and the Reg* functions in their A and W forms. Reg* functions return the Win32 error
 * (LSTATUS) and leave the thread's last error alone. The value types, key rights and create options
 * are the DDK's registry_constants.h, shared with <wdm.h> so both headers can be included together. */
#ifndef NTIO_SDK_WIN32_REGISTRY_H
#define NTIO_SDK_WIN32_REGISTRY_H
#include "types.h"
#include "access.h"
#include "../../ddk/ntio_ddk/registry_constants.h"

typedef LONG LSTATUS;
typedef ACCESS_MASK REGSAM;

/* Predefined keys: sign-extended 32-bit values, as winreg.h spells them. */
#define HKEY_CLASSES_ROOT ((HKEY)(ULONG_PTR)((LONG)0x80000000))
#define HKEY_CURRENT_USER ((HKEY)(ULONG_PTR)((LONG)0x80000001))
#define HKEY_LOCAL_MACHINE ((HKEY)(ULONG_PTR)((LONG)0x80000002))
#define HKEY_USERS ((HKEY)(ULONG_PTR)((LONG)0x80000003))
#define HKEY_PERFORMANCE_DATA ((HKEY)(ULONG_PTR)((LONG)0x80000004))
#define HKEY_PERFORMANCE_TEXT ((HKEY)(ULONG_PTR)((LONG)0x80000050))
#define HKEY_PERFORMANCE_NLSTEXT ((HKEY)(ULONG_PTR)((LONG)0x80000060))
#define HKEY_CURRENT_CONFIG ((HKEY)(ULONG_PTR)((LONG)0x80000005))
#define HKEY_DYN_DATA ((HKEY)(ULONG_PTR)((LONG)0x80000006))
#define HKEY_CURRENT_USER_LOCAL_SETTINGS ((HKEY)(ULONG_PTR)((LONG)0x80000007))

/* RegGetValue dwFlags (https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-reggetvaluew). */
#define RRF_RT_REG_NONE 0x00000001
#define RRF_RT_REG_SZ 0x00000002
#define RRF_RT_REG_EXPAND_SZ 0x00000004
#define RRF_RT_REG_BINARY 0x00000008
#define RRF_RT_REG_DWORD 0x00000010
#define RRF_RT_REG_MULTI_SZ 0x00000020
#define RRF_RT_REG_QWORD 0x00000040
#define RRF_RT_DWORD (RRF_RT_REG_BINARY | RRF_RT_REG_DWORD)
#define RRF_RT_QWORD (RRF_RT_REG_BINARY | RRF_RT_REG_QWORD)
#define RRF_RT_ANY 0x0000ffff
#define RRF_SUBKEY_WOW6464KEY 0x00010000
#define RRF_SUBKEY_WOW6432KEY 0x00020000
#define RRF_WOW64_MASK 0x00030000
#define RRF_NOEXPAND 0x10000000
#define RRF_ZEROONFAILURE 0x20000000

/* RegQueryMultipleValues' entries (winreg.h): ve_valueptr receives the address of the value's data. */
typedef struct value_entW {
    LPWSTR ve_valuename;
    DWORD ve_valuelen;
    DWORD_PTR ve_valueptr;
    DWORD ve_type;
} VALENTW, *PVALENTW;
typedef struct value_entA {
    LPSTR ve_valuename;
    DWORD ve_valuelen;
    DWORD_PTR ve_valueptr;
    DWORD ve_type;
} VALENTA, *PVALENTA;

NTIO_BEGIN_DECLS

WINADVAPI LSTATUS WINAPI RegCloseKey(_In_ HKEY hKey);
WINADVAPI LSTATUS WINAPI RegFlushKey(_In_ HKEY hKey);
WINADVAPI LSTATUS WINAPI RegNotifyChangeKeyValue(_In_ HKEY hKey, _In_ BOOL bWatchSubtree, _In_ DWORD dwNotifyFilter,
                                                 _In_opt_ HANDLE hEvent, _In_ BOOL fAsynchronous);

WINADVAPI LSTATUS WINAPI RegCreateKeyExA(_In_ HKEY hKey, _In_ LPCSTR lpSubKey, _Reserved_ DWORD Reserved,
                                         _In_opt_ LPSTR lpClass, _In_ DWORD dwOptions, _In_ REGSAM samDesired,
                                         _In_opt_ const LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                         _Out_ PHKEY phkResult, _Out_opt_ LPDWORD lpdwDisposition);
WINADVAPI LSTATUS WINAPI RegCreateKeyExW(_In_ HKEY hKey, _In_ LPCWSTR lpSubKey, _Reserved_ DWORD Reserved,
                                         _In_opt_ LPWSTR lpClass, _In_ DWORD dwOptions, _In_ REGSAM samDesired,
                                         _In_opt_ const LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                         _Out_ PHKEY phkResult, _Out_opt_ LPDWORD lpdwDisposition);
WINADVAPI LSTATUS WINAPI RegOpenKeyExA(_In_ HKEY hKey, _In_opt_ LPCSTR lpSubKey, _In_opt_ DWORD ulOptions,
                                       _In_ REGSAM samDesired, _Out_ PHKEY phkResult);
WINADVAPI LSTATUS WINAPI RegOpenKeyExW(_In_ HKEY hKey, _In_opt_ LPCWSTR lpSubKey, _In_opt_ DWORD ulOptions,
                                       _In_ REGSAM samDesired, _Out_ PHKEY phkResult);
WINADVAPI LSTATUS WINAPI RegDeleteKeyA(_In_ HKEY hKey, _In_ LPCSTR lpSubKey);
WINADVAPI LSTATUS WINAPI RegDeleteKeyW(_In_ HKEY hKey, _In_ LPCWSTR lpSubKey);
WINADVAPI LSTATUS WINAPI RegDeleteKeyExA(_In_ HKEY hKey, _In_ LPCSTR lpSubKey, _In_ REGSAM samDesired,
                                         _Reserved_ DWORD Reserved);
WINADVAPI LSTATUS WINAPI RegDeleteKeyExW(_In_ HKEY hKey, _In_ LPCWSTR lpSubKey, _In_ REGSAM samDesired,
                                         _Reserved_ DWORD Reserved);
WINADVAPI LSTATUS WINAPI RegEnumKeyExA(_In_ HKEY hKey, _In_ DWORD dwIndex, _Out_writes_opt_(*lpcchName) LPSTR lpName,
                                       _Inout_ LPDWORD lpcchName, _Reserved_ LPDWORD lpReserved,
                                       _Out_opt_ LPSTR lpClass, _Inout_opt_ LPDWORD lpcchClass,
                                       _Out_opt_ PFILETIME lpftLastWriteTime);
WINADVAPI LSTATUS WINAPI RegEnumKeyExW(_In_ HKEY hKey, _In_ DWORD dwIndex, _Out_writes_opt_(*lpcchName) LPWSTR lpName,
                                       _Inout_ LPDWORD lpcchName, _Reserved_ LPDWORD lpReserved,
                                       _Out_opt_ LPWSTR lpClass, _Inout_opt_ LPDWORD lpcchClass,
                                       _Out_opt_ PFILETIME lpftLastWriteTime);
WINADVAPI LSTATUS WINAPI RegQueryInfoKeyA(_In_ HKEY hKey, _Out_opt_ LPSTR lpClass, _Inout_opt_ LPDWORD lpcchClass,
                                          _Reserved_ LPDWORD lpReserved, _Out_opt_ LPDWORD lpcSubKeys,
                                          _Out_opt_ LPDWORD lpcbMaxSubKeyLen, _Out_opt_ LPDWORD lpcbMaxClassLen,
                                          _Out_opt_ LPDWORD lpcValues, _Out_opt_ LPDWORD lpcbMaxValueNameLen,
                                          _Out_opt_ LPDWORD lpcbMaxValueLen, _Out_opt_ LPDWORD lpcbSecurityDescriptor,
                                          _Out_opt_ PFILETIME lpftLastWriteTime);
WINADVAPI LSTATUS WINAPI RegQueryInfoKeyW(_In_ HKEY hKey, _Out_opt_ LPWSTR lpClass, _Inout_opt_ LPDWORD lpcchClass,
                                          _Reserved_ LPDWORD lpReserved, _Out_opt_ LPDWORD lpcSubKeys,
                                          _Out_opt_ LPDWORD lpcbMaxSubKeyLen, _Out_opt_ LPDWORD lpcbMaxClassLen,
                                          _Out_opt_ LPDWORD lpcValues, _Out_opt_ LPDWORD lpcbMaxValueNameLen,
                                          _Out_opt_ LPDWORD lpcbMaxValueLen, _Out_opt_ LPDWORD lpcbSecurityDescriptor,
                                          _Out_opt_ PFILETIME lpftLastWriteTime);

WINADVAPI LSTATUS WINAPI RegSetValueExA(_In_ HKEY hKey, _In_opt_ LPCSTR lpValueName, _Reserved_ DWORD Reserved,
                                        _In_ DWORD dwType, _In_reads_bytes_opt_(cbData) const BYTE* lpData,
                                        _In_ DWORD cbData);
WINADVAPI LSTATUS WINAPI RegSetValueExW(_In_ HKEY hKey, _In_opt_ LPCWSTR lpValueName, _Reserved_ DWORD Reserved,
                                        _In_ DWORD dwType, _In_reads_bytes_opt_(cbData) const BYTE* lpData,
                                        _In_ DWORD cbData);
WINADVAPI LSTATUS WINAPI RegQueryValueExA(_In_ HKEY hKey, _In_opt_ LPCSTR lpValueName, _Reserved_ LPDWORD lpReserved,
                                          _Out_opt_ LPDWORD lpType,
                                          _Out_writes_bytes_to_opt_(*lpcbData, *lpcbData) LPBYTE lpData,
                                          _When_(lpData == NULL, _Out_opt_) _When_(lpData != NULL, _Inout_opt_)
                                              LPDWORD lpcbData);
WINADVAPI LSTATUS WINAPI RegQueryValueExW(_In_ HKEY hKey, _In_opt_ LPCWSTR lpValueName, _Reserved_ LPDWORD lpReserved,
                                          _Out_opt_ LPDWORD lpType,
                                          _Out_writes_bytes_to_opt_(*lpcbData, *lpcbData) LPBYTE lpData,
                                          _When_(lpData == NULL, _Out_opt_) _When_(lpData != NULL, _Inout_opt_)
                                              LPDWORD lpcbData);
WINADVAPI LSTATUS WINAPI RegGetValueA(_In_ HKEY hkey, _In_opt_ LPCSTR lpSubKey, _In_opt_ LPCSTR lpValue,
                                      _In_ DWORD dwFlags, _Out_opt_ LPDWORD pdwType,
                                      _Out_writes_bytes_to_opt_(*pcbData, *pcbData) PVOID pvData,
                                      _Inout_opt_ LPDWORD pcbData);
WINADVAPI LSTATUS WINAPI RegGetValueW(_In_ HKEY hkey, _In_opt_ LPCWSTR lpSubKey, _In_opt_ LPCWSTR lpValue,
                                      _In_ DWORD dwFlags, _Out_opt_ LPDWORD pdwType,
                                      _Out_writes_bytes_to_opt_(*pcbData, *pcbData) PVOID pvData,
                                      _Inout_opt_ LPDWORD pcbData);
WINADVAPI LSTATUS WINAPI RegEnumValueA(_In_ HKEY hKey, _In_ DWORD dwIndex,
                                       _Out_writes_opt_(*lpcchValueName) LPSTR lpValueName,
                                       _Inout_ LPDWORD lpcchValueName, _Reserved_ LPDWORD lpReserved,
                                       _Out_opt_ LPDWORD lpType,
                                       _Out_writes_bytes_to_opt_(*lpcbData, *lpcbData) LPBYTE lpData,
                                       _Inout_opt_ LPDWORD lpcbData);
WINADVAPI LSTATUS WINAPI RegEnumValueW(_In_ HKEY hKey, _In_ DWORD dwIndex,
                                       _Out_writes_opt_(*lpcchValueName) LPWSTR lpValueName,
                                       _Inout_ LPDWORD lpcchValueName, _Reserved_ LPDWORD lpReserved,
                                       _Out_opt_ LPDWORD lpType,
                                       _Out_writes_bytes_to_opt_(*lpcbData, *lpcbData) LPBYTE lpData,
                                       _Inout_opt_ LPDWORD lpcbData);
WINADVAPI LSTATUS WINAPI RegDeleteTreeA(_In_ HKEY hKey, _In_opt_ LPCSTR lpSubKey);
WINADVAPI LSTATUS WINAPI RegDeleteTreeW(_In_ HKEY hKey, _In_opt_ LPCWSTR lpSubKey);
/* The values and subkeys of hKeySrc (or of its subkey lpSubKey) into hKeyDest, with the subkeys'
 * classes and security descriptors (https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regcopytreew). */
WINADVAPI LSTATUS WINAPI RegCopyTreeA(_In_ HKEY hKeySrc, _In_opt_ LPCSTR lpSubKey, _In_ HKEY hKeyDest);
WINADVAPI LSTATUS WINAPI RegCopyTreeW(_In_ HKEY hKeySrc, _In_opt_ LPCWSTR lpSubKey, _In_ HKEY hKeyDest);
WINADVAPI LSTATUS WINAPI RegRenameKey(_In_ HKEY hKey, _In_opt_ LPCWSTR lpSubKeyName, _In_ LPCWSTR lpNewKeyName);
WINADVAPI LSTATUS WINAPI RegQueryMultipleValuesA(_In_ HKEY hKey, _Out_writes_(num_vals) PVALENTA val_list,
                                                 _In_ DWORD num_vals,
                                                 _Out_writes_bytes_to_opt_(*ldwTotsize, *ldwTotsize) LPSTR lpValueBuf,
                                                 _Inout_opt_ LPDWORD ldwTotsize);
WINADVAPI LSTATUS WINAPI RegQueryMultipleValuesW(_In_ HKEY hKey, _Out_writes_(num_vals) PVALENTW val_list,
                                                 _In_ DWORD num_vals,
                                                 _Out_writes_bytes_to_opt_(*ldwTotsize, *ldwTotsize) LPWSTR lpValueBuf,
                                                 _Inout_opt_ LPDWORD ldwTotsize);
/* A key and everything below it to a new file (SE_BACKUP_NAME enabled; an existing file is
 * ERROR_ALREADY_EXISTS), and such a file back over a key (SE_RESTORE_NAME), which keeps its name.
 * ntio's file holds .reg text, not the binary hive format (docs/nt-deviations.md).
 * https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regsavekeyw
 * https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regrestorekeyw */
WINADVAPI LSTATUS WINAPI RegSaveKeyA(_In_ HKEY hKey, _In_ LPCSTR lpFile, _In_opt_ const LPSECURITY_ATTRIBUTES lpSecurityAttributes);
WINADVAPI LSTATUS WINAPI RegSaveKeyW(_In_ HKEY hKey, _In_ LPCWSTR lpFile, _In_opt_ const LPSECURITY_ATTRIBUTES lpSecurityAttributes);
WINADVAPI LSTATUS WINAPI RegSaveKeyExA(_In_ HKEY hKey, _In_ LPCSTR lpFile, _In_opt_ const LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                       _In_ DWORD Flags);
WINADVAPI LSTATUS WINAPI RegSaveKeyExW(_In_ HKEY hKey, _In_ LPCWSTR lpFile, _In_opt_ const LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                       _In_ DWORD Flags);
WINADVAPI LSTATUS WINAPI RegRestoreKeyA(_In_ HKEY hKey, _In_ LPCSTR lpFile, _In_ DWORD dwFlags);
WINADVAPI LSTATUS WINAPI RegRestoreKeyW(_In_ HKEY hKey, _In_ LPCWSTR lpFile, _In_ DWORD dwFlags);
WINADVAPI LSTATUS WINAPI RegLoadKeyA(_In_ HKEY hKey, _In_opt_ LPCSTR lpSubKey, _In_ LPCSTR lpFile);
WINADVAPI LSTATUS WINAPI RegLoadKeyW(_In_ HKEY hKey, _In_opt_ LPCWSTR lpSubKey, _In_ LPCWSTR lpFile);
WINADVAPI LSTATUS WINAPI RegUnLoadKeyA(_In_ HKEY hKey, _In_opt_ LPCSTR lpSubKey);
WINADVAPI LSTATUS WINAPI RegUnLoadKeyW(_In_ HKEY hKey, _In_opt_ LPCWSTR lpSubKey);
WINADVAPI LSTATUS WINAPI RegReplaceKeyA(_In_ HKEY hKey, _In_opt_ LPCSTR lpSubKey, _In_ LPCSTR lpNewFile,
                                        _In_ LPCSTR lpOldFile);
WINADVAPI LSTATUS WINAPI RegReplaceKeyW(_In_ HKEY hKey, _In_opt_ LPCWSTR lpSubKey, _In_ LPCWSTR lpNewFile,
                                        _In_ LPCWSTR lpOldFile);
WINADVAPI LSTATUS WINAPI RegDeleteValueA(_In_ HKEY hKey, _In_opt_ LPCSTR lpValueName);
WINADVAPI LSTATUS WINAPI RegDeleteValueW(_In_ HKEY hKey, _In_opt_ LPCWSTR lpValueName);

/* Keys bound to a KTM transaction (hTransaction from CreateTransaction); pExtendedParemeter must be
 * NULL. https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regcreatekeytransactedw */
WINADVAPI LSTATUS WINAPI RegCreateKeyTransactedA(_In_ HKEY hKey, _In_ LPCSTR lpSubKey, _Reserved_ DWORD Reserved,
                                                 _In_opt_ LPSTR lpClass, _In_ DWORD dwOptions, _In_ REGSAM samDesired,
                                                 _In_opt_ const LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                                 _Out_ PHKEY phkResult, _Out_opt_ LPDWORD lpdwDisposition,
                                                 _In_ HANDLE hTransaction, _Reserved_ PVOID pExtendedParemeter);
WINADVAPI LSTATUS WINAPI RegCreateKeyTransactedW(_In_ HKEY hKey, _In_ LPCWSTR lpSubKey, _Reserved_ DWORD Reserved,
                                                 _In_opt_ LPWSTR lpClass, _In_ DWORD dwOptions, _In_ REGSAM samDesired,
                                                 _In_opt_ const LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                                 _Out_ PHKEY phkResult, _Out_opt_ LPDWORD lpdwDisposition,
                                                 _In_ HANDLE hTransaction, _Reserved_ PVOID pExtendedParemeter);
WINADVAPI LSTATUS WINAPI RegOpenKeyTransactedA(_In_ HKEY hKey, _In_opt_ LPCSTR lpSubKey, _In_opt_ DWORD ulOptions,
                                               _In_ REGSAM samDesired, _Out_ PHKEY phkResult, _In_ HANDLE hTransaction,
                                               _Reserved_ PVOID pExtendedParemeter);
WINADVAPI LSTATUS WINAPI RegOpenKeyTransactedW(_In_ HKEY hKey, _In_opt_ LPCWSTR lpSubKey, _In_opt_ DWORD ulOptions,
                                               _In_ REGSAM samDesired, _Out_ PHKEY phkResult, _In_ HANDLE hTransaction,
                                               _Reserved_ PVOID pExtendedParemeter);
WINADVAPI LSTATUS WINAPI RegDeleteKeyTransactedA(_In_ HKEY hKey, _In_ LPCSTR lpSubKey, _In_ REGSAM samDesired,
                                                 _Reserved_ DWORD Reserved, _In_ HANDLE hTransaction,
                                                 _Reserved_ PVOID pExtendedParameter);
WINADVAPI LSTATUS WINAPI RegDeleteKeyTransactedW(_In_ HKEY hKey, _In_ LPCWSTR lpSubKey, _In_ REGSAM samDesired,
                                                 _Reserved_ DWORD Reserved, _In_ HANDLE hTransaction,
                                                 _Reserved_ PVOID pExtendedParameter);

NTIO_END_DECLS

#ifdef UNICODE
#define RegCreateKeyEx RegCreateKeyExW
#define RegCreateKeyTransacted RegCreateKeyTransactedW
#define RegOpenKeyTransacted RegOpenKeyTransactedW
#define RegDeleteKeyTransacted RegDeleteKeyTransactedW
#define RegOpenKeyEx RegOpenKeyExW
#define RegDeleteKey RegDeleteKeyW
#define RegDeleteKeyEx RegDeleteKeyExW
#define RegEnumKeyEx RegEnumKeyExW
#define RegQueryInfoKey RegQueryInfoKeyW
#define RegSetValueEx RegSetValueExW
#define RegQueryValueEx RegQueryValueExW
#define RegGetValue RegGetValueW
#define RegEnumValue RegEnumValueW
#define RegQueryMultipleValues RegQueryMultipleValuesW
#define RegDeleteTree RegDeleteTreeW
#define RegCopyTree RegCopyTreeW
typedef VALENTW VALENT;
typedef PVALENTW PVALENT;
#define RegDeleteValue RegDeleteValueW
#define RegSaveKey RegSaveKeyW
#define RegSaveKeyEx RegSaveKeyExW
#define RegRestoreKey RegRestoreKeyW
#define RegLoadKey RegLoadKeyW
#define RegUnLoadKey RegUnLoadKeyW
#define RegReplaceKey RegReplaceKeyW
#else
#define RegCreateKeyEx RegCreateKeyExA
#define RegCreateKeyTransacted RegCreateKeyTransactedA
#define RegOpenKeyTransacted RegOpenKeyTransactedA
#define RegDeleteKeyTransacted RegDeleteKeyTransactedA
#define RegOpenKeyEx RegOpenKeyExA
#define RegDeleteKey RegDeleteKeyA
#define RegDeleteKeyEx RegDeleteKeyExA
#define RegEnumKeyEx RegEnumKeyExA
#define RegQueryInfoKey RegQueryInfoKeyA
#define RegSetValueEx RegSetValueExA
#define RegQueryValueEx RegQueryValueExA
#define RegGetValue RegGetValueA
#define RegEnumValue RegEnumValueA
#define RegDeleteValue RegDeleteValueA
#define RegQueryMultipleValues RegQueryMultipleValuesA
#define RegDeleteTree RegDeleteTreeA
#define RegCopyTree RegCopyTreeA
#define RegSaveKey RegSaveKeyA
#define RegSaveKeyEx RegSaveKeyExA
#define RegRestoreKey RegRestoreKeyA
#define RegLoadKey RegLoadKeyA
#define RegUnLoadKey RegUnLoadKeyA
#define RegReplaceKey RegReplaceKeyA
typedef VALENTA VALENT;
typedef PVALENTA PVALENT;
#endif

#endif /* NTIO_SDK_WIN32_REGISTRY_H */
