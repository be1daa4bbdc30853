/* The SDK spellings an application uses: TCHAR mapping, A/W names, layouts, wait constants. */
#include <windows.h>

C_ASSERT(sizeof(OVERLAPPED) == 32);
C_ASSERT(sizeof(OVERLAPPED_ENTRY) == 32);
C_ASSERT(sizeof(SECURITY_ATTRIBUTES) == 24);
C_ASSERT(sizeof(DWORD) == 4 && sizeof(BOOL) == 4 && sizeof(WCHAR) == 2);
C_ASSERT(WAIT_IO_COMPLETION == 0xC0 && WAIT_ABANDONED_0 == 0x80 && WAIT_TIMEOUT == 258);
C_ASSERT(STILL_ACTIVE == 259 && INFINITE == 0xFFFFFFFF);

static DWORD WINAPI start(LPVOID parameter) { return parameter ? 1 : 0; }
static VOID NTAPI apc(ULONG_PTR data) { (void)data; }

int ntio_usage(void);
int ntio_usage(void)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, FALSE};
    HANDLE handles[2];
    DWORD id = 0, code = 0;
    handles[0] = CreateEvent(&sa, TRUE, FALSE, TEXT("Local\\ntio-usage"));
    handles[1] = CreateThread(NULL, 0, start, NULL, 0, &id);
    QueueUserAPC(apc, GetCurrentThread(), 0);
    if (WaitForMultipleObjects(2, handles, TRUE, INFINITE) == WAIT_FAILED) return (int)GetLastError();
    GetExitCodeThread(handles[1], &code);
    OutputDebugString(TEXT("done\n"));
    CloseHandle(handles[0]);
    CloseHandle(handles[1]);
    return (int)(code + GetTickCount() + (DWORD)GetTickCount64() + SleepEx(0, TRUE));
}
