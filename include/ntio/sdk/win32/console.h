/* Consoles (consoleapi.h / consoleapi2.h / processenv.h / wincon.h subset): standard handles, console
 * reads and writes, modes, code pages, attach and detach, control handlers, the screen buffer's size
 * and the title. Console handles are file handles to \Device\ConDrv objects, so ReadFile, WriteFile,
 * GetFileType and CloseHandle take them too. */
#ifndef NTIO_SDK_WIN32_CONSOLE_H
#define NTIO_SDK_WIN32_CONSOLE_H
#include "types.h"

#define STD_INPUT_HANDLE ((DWORD)-10)
#define STD_OUTPUT_HANDLE ((DWORD)-11)
#define STD_ERROR_HANDLE ((DWORD)-12)

#define ATTACH_PARENT_PROCESS ((DWORD)-1)

/* Input modes. */
#define ENABLE_PROCESSED_INPUT 0x0001
#define ENABLE_LINE_INPUT 0x0002
#define ENABLE_ECHO_INPUT 0x0004
#define ENABLE_WINDOW_INPUT 0x0008
#define ENABLE_MOUSE_INPUT 0x0010
#define ENABLE_INSERT_MODE 0x0020
#define ENABLE_QUICK_EDIT_MODE 0x0040
#define ENABLE_EXTENDED_FLAGS 0x0080
#define ENABLE_AUTO_POSITION 0x0100
#define ENABLE_VIRTUAL_TERMINAL_INPUT 0x0200
/* Output modes. */
#define ENABLE_PROCESSED_OUTPUT 0x0001
#define ENABLE_WRAP_AT_EOL_OUTPUT 0x0002
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#define DISABLE_NEWLINE_AUTO_RETURN 0x0008
#define ENABLE_LVB_GRID_WORLDWIDE 0x0010

/* Control signals. */
#define CTRL_C_EVENT 0
#define CTRL_BREAK_EVENT 1
#define CTRL_CLOSE_EVENT 2
#define CTRL_LOGOFF_EVENT 5
#define CTRL_SHUTDOWN_EVENT 6

typedef BOOL(WINAPI *PHANDLER_ROUTINE)(_In_ DWORD CtrlType);

typedef struct _COORD {
    SHORT X;
    SHORT Y;
} COORD, *PCOORD;

typedef struct _SMALL_RECT {
    SHORT Left;
    SHORT Top;
    SHORT Right;
    SHORT Bottom;
} SMALL_RECT, *PSMALL_RECT;

typedef struct _CONSOLE_SCREEN_BUFFER_INFO {
    COORD dwSize;
    COORD dwCursorPosition;
    WORD wAttributes;
    SMALL_RECT srWindow;
    COORD dwMaximumWindowSize;
} CONSOLE_SCREEN_BUFFER_INFO, *PCONSOLE_SCREEN_BUFFER_INFO;

typedef struct _CONSOLE_READCONSOLE_CONTROL {
    ULONG nLength;
    ULONG nInitialChars;
    ULONG dwCtrlWakeupMask;
    ULONG dwControlKeyState;
} CONSOLE_READCONSOLE_CONTROL, *PCONSOLE_READCONSOLE_CONTROL;

NTIO_BEGIN_DECLS
WINBASEAPI HANDLE WINAPI GetStdHandle(_In_ DWORD nStdHandle);
WINBASEAPI BOOL WINAPI SetStdHandle(_In_ DWORD nStdHandle, _In_ HANDLE hHandle);
WINBASEAPI BOOL WINAPI WriteConsoleA(_In_ HANDLE hConsoleOutput, _In_reads_(nNumberOfCharsToWrite) CONST VOID *lpBuffer,
                                     _In_ DWORD nNumberOfCharsToWrite, _Out_opt_ LPDWORD lpNumberOfCharsWritten,
                                     _Reserved_ LPVOID lpReserved);
WINBASEAPI BOOL WINAPI WriteConsoleW(_In_ HANDLE hConsoleOutput, _In_reads_(nNumberOfCharsToWrite) CONST VOID *lpBuffer,
                                     _In_ DWORD nNumberOfCharsToWrite, _Out_opt_ LPDWORD lpNumberOfCharsWritten,
                                     _Reserved_ LPVOID lpReserved);
WINBASEAPI BOOL WINAPI ReadConsoleA(_In_ HANDLE hConsoleInput, _Out_writes_(nNumberOfCharsToRead) LPVOID lpBuffer,
                                    _In_ DWORD nNumberOfCharsToRead, _Out_ LPDWORD lpNumberOfCharsRead,
                                    _In_opt_ PCONSOLE_READCONSOLE_CONTROL pInputControl);
WINBASEAPI BOOL WINAPI ReadConsoleW(_In_ HANDLE hConsoleInput, _Out_writes_(nNumberOfCharsToRead) LPVOID lpBuffer,
                                    _In_ DWORD nNumberOfCharsToRead, _Out_ LPDWORD lpNumberOfCharsRead,
                                    _In_opt_ PCONSOLE_READCONSOLE_CONTROL pInputControl);
WINBASEAPI BOOL WINAPI GetConsoleMode(_In_ HANDLE hConsoleHandle, _Out_ LPDWORD lpMode);
WINBASEAPI BOOL WINAPI SetConsoleMode(_In_ HANDLE hConsoleHandle, _In_ DWORD dwMode);
WINBASEAPI UINT WINAPI GetConsoleCP(VOID);
WINBASEAPI UINT WINAPI GetConsoleOutputCP(VOID);
WINBASEAPI BOOL WINAPI SetConsoleCP(_In_ UINT wCodePageID);
WINBASEAPI BOOL WINAPI SetConsoleOutputCP(_In_ UINT wCodePageID);
WINBASEAPI BOOL WINAPI AllocConsole(VOID);
WINBASEAPI BOOL WINAPI FreeConsole(VOID);
WINBASEAPI BOOL WINAPI AttachConsole(_In_ DWORD dwProcessId);
WINBASEAPI HWND WINAPI GetConsoleWindow(VOID);
WINBASEAPI BOOL WINAPI SetConsoleCtrlHandler(_In_opt_ PHANDLER_ROUTINE HandlerRoutine, _In_ BOOL Add);
WINBASEAPI BOOL WINAPI GenerateConsoleCtrlEvent(_In_ DWORD dwCtrlEvent, _In_ DWORD dwProcessGroupId);
WINBASEAPI BOOL WINAPI GetConsoleScreenBufferInfo(_In_ HANDLE hConsoleOutput,
                                                  _Out_ PCONSOLE_SCREEN_BUFFER_INFO lpConsoleScreenBufferInfo);
WINBASEAPI DWORD WINAPI GetConsoleTitleA(_Out_writes_(nSize) LPSTR lpConsoleTitle, _In_ DWORD nSize);
WINBASEAPI DWORD WINAPI GetConsoleTitleW(_Out_writes_(nSize) LPWSTR lpConsoleTitle, _In_ DWORD nSize);
WINBASEAPI BOOL WINAPI SetConsoleTitleA(_In_ LPCSTR lpConsoleTitle);
WINBASEAPI BOOL WINAPI SetConsoleTitleW(_In_ LPCWSTR lpConsoleTitle);
WINBASEAPI BOOL WINAPI FlushConsoleInputBuffer(_In_ HANDLE hConsoleInput);
NTIO_END_DECLS

#ifdef UNICODE
#define WriteConsole WriteConsoleW
#define ReadConsole ReadConsoleW
#define GetConsoleTitle GetConsoleTitleW
#define SetConsoleTitle SetConsoleTitleW
#else
#define WriteConsole WriteConsoleA
#define ReadConsole ReadConsoleA
#define GetConsoleTitle GetConsoleTitleA
#define SetConsoleTitle SetConsoleTitleA
#endif

#endif /* NTIO_SDK_WIN32_CONSOLE_H */
