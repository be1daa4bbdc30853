/* <wdm.h> (with the Rtl registry helpers) and <windows.h> (with winreg.h) together, in the order the
 * NTIO_WDM_FIRST switch picks: the shared REG_ and KEY_ constants must agree. */
#ifdef NTIO_WDM_FIRST
#include <wdm.h>
#include <windows.h>
#else
#include <windows.h>
#include <wdm.h>
#endif

ULONG probe(HKEY key);
ULONG probe(HKEY key) {
    RTL_QUERY_REGISTRY_TABLE table[2] = {{NULL, RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK, NULL, NULL,
                                          (REG_DWORD << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT) | REG_NONE, NULL, 0},
                                         {NULL, 0, NULL, NULL, 0, NULL, 0}};
    HKEY created = NULL;
    DWORD disposition = 0;
    (void)table;
    (void)RegCreateKeyExW(key, L"x", 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &created, &disposition);
    return (ULONG)(REG_MULTI_SZ + KEY_READ + RTL_REGISTRY_SERVICES + disposition);
}
