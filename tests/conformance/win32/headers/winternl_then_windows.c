#include <winternl.h>
#include <windows.h>
#include <winerror.h>

/* The system and thread information declarations are valid C. */
int ntio_winternl_information_usage(void)
{
    SYSTEM_BASIC_INFORMATION basic;
    THREAD_BASIC_INFORMATION thread;
    RTL_PROCESS_MODULES *modules = 0;
    ULONG needed = 0;
    NTSTATUS status = NtQuerySystemInformation(SystemBasicInformation, &basic, sizeof(basic), &needed);
    status |= NtQuerySystemInformation(SystemModuleInformation, modules, 0, &needed);
    status |= NtQueryInformationThread(NtCurrentThread(), ThreadBasicInformation, &thread, sizeof(thread), 0);
    return status == STATUS_SUCCESS ? basic.NumberOfProcessors : 0;
}
