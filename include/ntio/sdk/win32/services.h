/* The service control manager API (winsvc.h, advapi32) for driver services: SC_HANDLE, the SC_MANAGER_*
 * and SERVICE_* rights, service types, start types, states and controls (the winnt.h part included),
 * SERVICE_STATUS(_PROCESS), QUERY_SERVICE_CONFIG, ENUM_SERVICE_STATUS_PROCESS and the functions in A and
 * W forms. Functions return FALSE / NULL and set the thread's last error on failure.
 * https://learn.microsoft.com/windows/win32/api/winsvc/ */
#ifndef NTIO_SDK_WIN32_SERVICES_H
#define NTIO_SDK_WIN32_SERVICES_H
#include "types.h"
#include "access.h"

#ifndef DECLARE_HANDLE
#define DECLARE_HANDLE(name) \
    struct name##__ {        \
        int unused;          \
    };                       \
    typedef struct name##__ *name
#endif

/* Service types, start types and error controls (winnt.h; also in the WDK's wdm.h). */
#ifndef SERVICE_KERNEL_DRIVER
#define SERVICE_KERNEL_DRIVER 0x00000001
#endif
#ifndef SERVICE_FILE_SYSTEM_DRIVER
#define SERVICE_FILE_SYSTEM_DRIVER 0x00000002
#endif
#ifndef SERVICE_ADAPTER
#define SERVICE_ADAPTER 0x00000004
#endif
#ifndef SERVICE_RECOGNIZER_DRIVER
#define SERVICE_RECOGNIZER_DRIVER 0x00000008
#endif
#ifndef SERVICE_DRIVER
#define SERVICE_DRIVER (SERVICE_KERNEL_DRIVER | SERVICE_FILE_SYSTEM_DRIVER | SERVICE_RECOGNIZER_DRIVER)
#endif
#ifndef SERVICE_WIN32_OWN_PROCESS
#define SERVICE_WIN32_OWN_PROCESS 0x00000010
#endif
#ifndef SERVICE_WIN32_SHARE_PROCESS
#define SERVICE_WIN32_SHARE_PROCESS 0x00000020
#endif
#ifndef SERVICE_WIN32
#define SERVICE_WIN32 (SERVICE_WIN32_OWN_PROCESS | SERVICE_WIN32_SHARE_PROCESS)
#endif
#ifndef SERVICE_USER_SERVICE
#define SERVICE_USER_SERVICE 0x00000040
#endif
#ifndef SERVICE_USERSERVICE_INSTANCE
#define SERVICE_USERSERVICE_INSTANCE 0x00000080
#endif
#ifndef SERVICE_INTERACTIVE_PROCESS
#define SERVICE_INTERACTIVE_PROCESS 0x00000100
#endif
#ifndef SERVICE_PKG_SERVICE
#define SERVICE_PKG_SERVICE 0x00000200
#endif
#ifndef SERVICE_TYPE_ALL
#define SERVICE_TYPE_ALL                                                                                \
    (SERVICE_WIN32 | SERVICE_ADAPTER | SERVICE_DRIVER | SERVICE_INTERACTIVE_PROCESS | SERVICE_USER_SERVICE | \
     SERVICE_USERSERVICE_INSTANCE | SERVICE_PKG_SERVICE)
#endif
#ifndef SERVICE_BOOT_START
#define SERVICE_BOOT_START 0x00000000
#endif
#ifndef SERVICE_SYSTEM_START
#define SERVICE_SYSTEM_START 0x00000001
#endif
#ifndef SERVICE_AUTO_START
#define SERVICE_AUTO_START 0x00000002
#endif
#ifndef SERVICE_DEMAND_START
#define SERVICE_DEMAND_START 0x00000003
#endif
#ifndef SERVICE_DISABLED
#define SERVICE_DISABLED 0x00000004
#endif
#ifndef SERVICE_ERROR_IGNORE
#define SERVICE_ERROR_IGNORE 0x00000000
#endif
#ifndef SERVICE_ERROR_NORMAL
#define SERVICE_ERROR_NORMAL 0x00000001
#endif
#ifndef SERVICE_ERROR_SEVERE
#define SERVICE_ERROR_SEVERE 0x00000002
#endif
#ifndef SERVICE_ERROR_CRITICAL
#define SERVICE_ERROR_CRITICAL 0x00000003
#endif


#define SERVICES_ACTIVE_DATABASEW L"ServicesActive"
#define SERVICES_FAILED_DATABASEW L"ServicesFailed"
#define SERVICES_ACTIVE_DATABASEA "ServicesActive"
#define SERVICES_FAILED_DATABASEA "ServicesFailed"
#define SC_GROUP_IDENTIFIERW L'+'
#define SC_GROUP_IDENTIFIERA '+'

#define SERVICE_NO_CHANGE 0xffffffff

#define SERVICE_ACTIVE 0x00000001
#define SERVICE_INACTIVE 0x00000002
#define SERVICE_STATE_ALL (SERVICE_ACTIVE | SERVICE_INACTIVE)

#define SERVICE_CONTROL_STOP 0x00000001
#define SERVICE_CONTROL_PAUSE 0x00000002
#define SERVICE_CONTROL_CONTINUE 0x00000003
#define SERVICE_CONTROL_INTERROGATE 0x00000004
#define SERVICE_CONTROL_SHUTDOWN 0x00000005
#define SERVICE_CONTROL_PARAMCHANGE 0x00000006
#define SERVICE_CONTROL_NETBINDADD 0x00000007
#define SERVICE_CONTROL_NETBINDREMOVE 0x00000008
#define SERVICE_CONTROL_NETBINDENABLE 0x00000009
#define SERVICE_CONTROL_NETBINDDISABLE 0x0000000A
#define SERVICE_CONTROL_DEVICEEVENT 0x0000000B
#define SERVICE_CONTROL_HARDWAREPROFILECHANGE 0x0000000C
#define SERVICE_CONTROL_POWEREVENT 0x0000000D
#define SERVICE_CONTROL_SESSIONCHANGE 0x0000000E
#define SERVICE_CONTROL_PRESHUTDOWN 0x0000000F
#define SERVICE_CONTROL_TIMECHANGE 0x00000010
#define SERVICE_CONTROL_TRIGGEREVENT 0x00000020

#define SERVICE_STOPPED 0x00000001
#define SERVICE_START_PENDING 0x00000002
#define SERVICE_STOP_PENDING 0x00000003
#define SERVICE_RUNNING 0x00000004
#define SERVICE_CONTINUE_PENDING 0x00000005
#define SERVICE_PAUSE_PENDING 0x00000006
#define SERVICE_PAUSED 0x00000007

#define SERVICE_ACCEPT_STOP 0x00000001
#define SERVICE_ACCEPT_PAUSE_CONTINUE 0x00000002
#define SERVICE_ACCEPT_SHUTDOWN 0x00000004
#define SERVICE_ACCEPT_PARAMCHANGE 0x00000008
#define SERVICE_ACCEPT_NETBINDCHANGE 0x00000010
#define SERVICE_ACCEPT_HARDWAREPROFILECHANGE 0x00000020
#define SERVICE_ACCEPT_POWEREVENT 0x00000040
#define SERVICE_ACCEPT_SESSIONCHANGE 0x00000080
#define SERVICE_ACCEPT_PRESHUTDOWN 0x00000100
#define SERVICE_ACCEPT_TIMECHANGE 0x00000200
#define SERVICE_ACCEPT_TRIGGEREVENT 0x00000400

/* Rights on the SCM database (https://learn.microsoft.com/windows/win32/services/service-security-and-access-rights). */
#define SC_MANAGER_CONNECT 0x0001
#define SC_MANAGER_CREATE_SERVICE 0x0002
#define SC_MANAGER_ENUMERATE_SERVICE 0x0004
#define SC_MANAGER_LOCK 0x0008
#define SC_MANAGER_QUERY_LOCK_STATUS 0x0010
#define SC_MANAGER_MODIFY_BOOT_CONFIG 0x0020
#define SC_MANAGER_ALL_ACCESS                                                                          \
    (STANDARD_RIGHTS_REQUIRED | SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE | SC_MANAGER_ENUMERATE_SERVICE | \
     SC_MANAGER_LOCK | SC_MANAGER_QUERY_LOCK_STATUS | SC_MANAGER_MODIFY_BOOT_CONFIG)

/* Rights on a service. */
#define SERVICE_QUERY_CONFIG 0x0001
#define SERVICE_CHANGE_CONFIG 0x0002
#define SERVICE_QUERY_STATUS 0x0004
#define SERVICE_ENUMERATE_DEPENDENTS 0x0008
#define SERVICE_START 0x0010
#define SERVICE_STOP 0x0020
#define SERVICE_PAUSE_CONTINUE 0x0040
#define SERVICE_INTERROGATE 0x0080
#define SERVICE_USER_DEFINED_CONTROL 0x0100
#define SERVICE_ALL_ACCESS                                                                                 \
    (STANDARD_RIGHTS_REQUIRED | SERVICE_QUERY_CONFIG | SERVICE_CHANGE_CONFIG | SERVICE_QUERY_STATUS |          \
     SERVICE_ENUMERATE_DEPENDENTS | SERVICE_START | SERVICE_STOP | SERVICE_PAUSE_CONTINUE | SERVICE_INTERROGATE | \
     SERVICE_USER_DEFINED_CONTROL)

#define SERVICE_RUNS_IN_SYSTEM_PROCESS 0x00000001

DECLARE_HANDLE(SC_HANDLE);
typedef SC_HANDLE *LPSC_HANDLE;
DECLARE_HANDLE(SERVICE_STATUS_HANDLE);

typedef enum _SC_STATUS_TYPE { SC_STATUS_PROCESS_INFO = 0 } SC_STATUS_TYPE;
typedef enum _SC_ENUM_TYPE { SC_ENUM_PROCESS_INFO = 0 } SC_ENUM_TYPE;

typedef struct _SERVICE_STATUS {
    DWORD dwServiceType;
    DWORD dwCurrentState;
    DWORD dwControlsAccepted;
    DWORD dwWin32ExitCode;
    DWORD dwServiceSpecificExitCode;
    DWORD dwCheckPoint;
    DWORD dwWaitHint;
} SERVICE_STATUS, *LPSERVICE_STATUS;

typedef struct _SERVICE_STATUS_PROCESS {
    DWORD dwServiceType;
    DWORD dwCurrentState;
    DWORD dwControlsAccepted;
    DWORD dwWin32ExitCode;
    DWORD dwServiceSpecificExitCode;
    DWORD dwCheckPoint;
    DWORD dwWaitHint;
    DWORD dwProcessId;
    DWORD dwServiceFlags;
} SERVICE_STATUS_PROCESS, *LPSERVICE_STATUS_PROCESS;

typedef struct _QUERY_SERVICE_CONFIGA {
    DWORD dwServiceType;
    DWORD dwStartType;
    DWORD dwErrorControl;
    LPSTR lpBinaryPathName;
    LPSTR lpLoadOrderGroup;
    DWORD dwTagId;
    LPSTR lpDependencies;
    LPSTR lpServiceStartName;
    LPSTR lpDisplayName;
} QUERY_SERVICE_CONFIGA, *LPQUERY_SERVICE_CONFIGA;

typedef struct _QUERY_SERVICE_CONFIGW {
    DWORD dwServiceType;
    DWORD dwStartType;
    DWORD dwErrorControl;
    LPWSTR lpBinaryPathName;
    LPWSTR lpLoadOrderGroup;
    DWORD dwTagId;
    LPWSTR lpDependencies;
    LPWSTR lpServiceStartName;
    LPWSTR lpDisplayName;
} QUERY_SERVICE_CONFIGW, *LPQUERY_SERVICE_CONFIGW;

typedef struct _ENUM_SERVICE_STATUS_PROCESSA {
    LPSTR lpServiceName;
    LPSTR lpDisplayName;
    SERVICE_STATUS_PROCESS ServiceStatusProcess;
} ENUM_SERVICE_STATUS_PROCESSA, *LPENUM_SERVICE_STATUS_PROCESSA;

typedef struct _ENUM_SERVICE_STATUS_PROCESSW {
    LPWSTR lpServiceName;
    LPWSTR lpDisplayName;
    SERVICE_STATUS_PROCESS ServiceStatusProcess;
} ENUM_SERVICE_STATUS_PROCESSW, *LPENUM_SERVICE_STATUS_PROCESSW;

NTIO_BEGIN_DECLS

WINADVAPI SC_HANDLE WINAPI OpenSCManagerA(_In_opt_ LPCSTR lpMachineName, _In_opt_ LPCSTR lpDatabaseName,
                                          _In_ DWORD dwDesiredAccess);
WINADVAPI SC_HANDLE WINAPI OpenSCManagerW(_In_opt_ LPCWSTR lpMachineName, _In_opt_ LPCWSTR lpDatabaseName,
                                          _In_ DWORD dwDesiredAccess);
WINADVAPI SC_HANDLE WINAPI CreateServiceA(_In_ SC_HANDLE hSCManager, _In_ LPCSTR lpServiceName,
                                          _In_opt_ LPCSTR lpDisplayName, _In_ DWORD dwDesiredAccess,
                                          _In_ DWORD dwServiceType, _In_ DWORD dwStartType, _In_ DWORD dwErrorControl,
                                          _In_opt_ LPCSTR lpBinaryPathName, _In_opt_ LPCSTR lpLoadOrderGroup,
                                          _Out_opt_ LPDWORD lpdwTagId, _In_opt_ LPCSTR lpDependencies,
                                          _In_opt_ LPCSTR lpServiceStartName, _In_opt_ LPCSTR lpPassword);
WINADVAPI SC_HANDLE WINAPI CreateServiceW(_In_ SC_HANDLE hSCManager, _In_ LPCWSTR lpServiceName,
                                          _In_opt_ LPCWSTR lpDisplayName, _In_ DWORD dwDesiredAccess,
                                          _In_ DWORD dwServiceType, _In_ DWORD dwStartType, _In_ DWORD dwErrorControl,
                                          _In_opt_ LPCWSTR lpBinaryPathName, _In_opt_ LPCWSTR lpLoadOrderGroup,
                                          _Out_opt_ LPDWORD lpdwTagId, _In_opt_ LPCWSTR lpDependencies,
                                          _In_opt_ LPCWSTR lpServiceStartName, _In_opt_ LPCWSTR lpPassword);
WINADVAPI SC_HANDLE WINAPI OpenServiceA(_In_ SC_HANDLE hSCManager, _In_ LPCSTR lpServiceName,
                                        _In_ DWORD dwDesiredAccess);
WINADVAPI SC_HANDLE WINAPI OpenServiceW(_In_ SC_HANDLE hSCManager, _In_ LPCWSTR lpServiceName,
                                        _In_ DWORD dwDesiredAccess);
WINADVAPI BOOL WINAPI StartServiceA(_In_ SC_HANDLE hService, _In_ DWORD dwNumServiceArgs,
                                    _In_reads_opt_(dwNumServiceArgs) LPCSTR *lpServiceArgVectors);
WINADVAPI BOOL WINAPI StartServiceW(_In_ SC_HANDLE hService, _In_ DWORD dwNumServiceArgs,
                                    _In_reads_opt_(dwNumServiceArgs) LPCWSTR *lpServiceArgVectors);
WINADVAPI BOOL WINAPI ControlService(_In_ SC_HANDLE hService, _In_ DWORD dwControl,
                                     _Out_ LPSERVICE_STATUS lpServiceStatus);
WINADVAPI BOOL WINAPI QueryServiceStatus(_In_ SC_HANDLE hService, _Out_ LPSERVICE_STATUS lpServiceStatus);
WINADVAPI BOOL WINAPI QueryServiceStatusEx(_In_ SC_HANDLE hService, _In_ SC_STATUS_TYPE InfoLevel,
                                           _Out_writes_bytes_opt_(cbBufSize) LPBYTE lpBuffer, _In_ DWORD cbBufSize,
                                           _Out_ LPDWORD pcbBytesNeeded);
WINADVAPI BOOL WINAPI QueryServiceConfigA(_In_ SC_HANDLE hService,
                                          _Out_writes_bytes_opt_(cbBufSize) LPQUERY_SERVICE_CONFIGA lpServiceConfig,
                                          _In_ DWORD cbBufSize, _Out_ LPDWORD pcbBytesNeeded);
WINADVAPI BOOL WINAPI QueryServiceConfigW(_In_ SC_HANDLE hService,
                                          _Out_writes_bytes_opt_(cbBufSize) LPQUERY_SERVICE_CONFIGW lpServiceConfig,
                                          _In_ DWORD cbBufSize, _Out_ LPDWORD pcbBytesNeeded);
WINADVAPI BOOL WINAPI ChangeServiceConfigA(_In_ SC_HANDLE hService, _In_ DWORD dwServiceType, _In_ DWORD dwStartType,
                                           _In_ DWORD dwErrorControl, _In_opt_ LPCSTR lpBinaryPathName,
                                           _In_opt_ LPCSTR lpLoadOrderGroup, _Out_opt_ LPDWORD lpdwTagId,
                                           _In_opt_ LPCSTR lpDependencies, _In_opt_ LPCSTR lpServiceStartName,
                                           _In_opt_ LPCSTR lpPassword, _In_opt_ LPCSTR lpDisplayName);
WINADVAPI BOOL WINAPI ChangeServiceConfigW(_In_ SC_HANDLE hService, _In_ DWORD dwServiceType, _In_ DWORD dwStartType,
                                           _In_ DWORD dwErrorControl, _In_opt_ LPCWSTR lpBinaryPathName,
                                           _In_opt_ LPCWSTR lpLoadOrderGroup, _Out_opt_ LPDWORD lpdwTagId,
                                           _In_opt_ LPCWSTR lpDependencies, _In_opt_ LPCWSTR lpServiceStartName,
                                           _In_opt_ LPCWSTR lpPassword, _In_opt_ LPCWSTR lpDisplayName);
WINADVAPI BOOL WINAPI DeleteService(_In_ SC_HANDLE hService);
WINADVAPI BOOL WINAPI CloseServiceHandle(_In_ SC_HANDLE hSCObject);
WINADVAPI BOOL WINAPI EnumServicesStatusExA(_In_ SC_HANDLE hSCManager, _In_ SC_ENUM_TYPE InfoLevel,
                                            _In_ DWORD dwServiceType, _In_ DWORD dwServiceState,
                                            _Out_writes_bytes_opt_(cbBufSize) LPBYTE lpServices, _In_ DWORD cbBufSize,
                                            _Out_ LPDWORD pcbBytesNeeded, _Out_ LPDWORD lpServicesReturned,
                                            _Inout_opt_ LPDWORD lpResumeHandle, _In_opt_ LPCSTR pszGroupName);
WINADVAPI BOOL WINAPI EnumServicesStatusExW(_In_ SC_HANDLE hSCManager, _In_ SC_ENUM_TYPE InfoLevel,
                                            _In_ DWORD dwServiceType, _In_ DWORD dwServiceState,
                                            _Out_writes_bytes_opt_(cbBufSize) LPBYTE lpServices, _In_ DWORD cbBufSize,
                                            _Out_ LPDWORD pcbBytesNeeded, _Out_ LPDWORD lpServicesReturned,
                                            _Inout_opt_ LPDWORD lpResumeHandle, _In_opt_ LPCWSTR pszGroupName);

NTIO_END_DECLS

#ifdef UNICODE
#define SERVICES_ACTIVE_DATABASE SERVICES_ACTIVE_DATABASEW
#define SERVICES_FAILED_DATABASE SERVICES_FAILED_DATABASEW
#define SC_GROUP_IDENTIFIER SC_GROUP_IDENTIFIERW
#define QUERY_SERVICE_CONFIG QUERY_SERVICE_CONFIGW
#define LPQUERY_SERVICE_CONFIG LPQUERY_SERVICE_CONFIGW
#define ENUM_SERVICE_STATUS_PROCESS ENUM_SERVICE_STATUS_PROCESSW
#define LPENUM_SERVICE_STATUS_PROCESS LPENUM_SERVICE_STATUS_PROCESSW
#define OpenSCManager OpenSCManagerW
#define CreateService CreateServiceW
#define OpenService OpenServiceW
#define StartService StartServiceW
#define QueryServiceConfig QueryServiceConfigW
#define ChangeServiceConfig ChangeServiceConfigW
#define EnumServicesStatusEx EnumServicesStatusExW
#else
#define SERVICES_ACTIVE_DATABASE SERVICES_ACTIVE_DATABASEA
#define SERVICES_FAILED_DATABASE SERVICES_FAILED_DATABASEA
#define SC_GROUP_IDENTIFIER SC_GROUP_IDENTIFIERA
#define QUERY_SERVICE_CONFIG QUERY_SERVICE_CONFIGA
#define LPQUERY_SERVICE_CONFIG LPQUERY_SERVICE_CONFIGA
#define ENUM_SERVICE_STATUS_PROCESS ENUM_SERVICE_STATUS_PROCESSA
#define LPENUM_SERVICE_STATUS_PROCESS LPENUM_SERVICE_STATUS_PROCESSA
#define OpenSCManager OpenSCManagerA
#define CreateService CreateServiceA
#define OpenService OpenServiceA
#define StartService StartServiceA
#define QueryServiceConfig QueryServiceConfigA
#define ChangeServiceConfig ChangeServiceConfigA
#define EnumServicesStatusEx EnumServicesStatusExA
#endif

#endif /* NTIO_SDK_WIN32_SERVICES_H */
