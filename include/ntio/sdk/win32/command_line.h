/* The command line (processenv.h / shellapi.h subset): GetCommandLine and CommandLineToArgvW. */
#ifndef NTIO_SDK_WIN32_COMMAND_LINE_H
#define NTIO_SDK_WIN32_COMMAND_LINE_H
#include "types.h"

NTIO_BEGIN_DECLS
WINBASEAPI LPSTR WINAPI GetCommandLineA(VOID);
WINBASEAPI LPWSTR WINAPI GetCommandLineW(VOID);
/* shell32: the array and its strings are one LocalAlloc block, freed with LocalFree. */
WINBASEAPI LPWSTR *WINAPI CommandLineToArgvW(_In_ LPCWSTR lpCmdLine, _Out_ int *pNumArgs);
NTIO_END_DECLS

#ifdef UNICODE
#define GetCommandLine GetCommandLineW
#else
#define GetCommandLine GetCommandLineA
#endif

#endif /* NTIO_SDK_WIN32_COMMAND_LINE_H */
