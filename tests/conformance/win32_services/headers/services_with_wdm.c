/* <windows.h> (which brings <winsvc.h>) and <wdm.h> together, in either order (NTIO_WDM_FIRST). */
#ifdef NTIO_WDM_FIRST
#include <wdm.h>
#include <windows.h>
#else
#include <windows.h>
#include <wdm.h>
#endif

DWORD probe_type(void);
DWORD probe_type(void) {
    QUERY_SERVICE_CONFIG config;
    config.dwServiceType = SERVICE_KERNEL_DRIVER;
    config.dwStartType = SERVICE_DEMAND_START;
    return config.dwServiceType | config.dwStartType | SERVICE_ERROR_NORMAL | SC_MANAGER_ALL_ACCESS;
}
