/* The SDK spellings an application uses: TCHAR mapping, A/W names, layouts, wait constants. */
#include <windows.h>

C_ASSERT(sizeof(OVERLAPPED) == 32);
C_ASSERT(sizeof(OVERLAPPED_ENTRY) == 32);
C_ASSERT(sizeof(SECURITY_ATTRIBUTES) == 24);
C_ASSERT(sizeof(DWORD) == 4 && sizeof(BOOL) == 4 && sizeof(WCHAR) == 2);
C_ASSERT(WAIT_IO_COMPLETION == 0xC0 && WAIT_ABANDONED_0 == 0x80 && WAIT_TIMEOUT == 258);
C_ASSERT(STILL_ACTIVE == 259 && INFINITE == 0xFFFFFFFF);
C_ASSERT(sizeof(CRITICAL_SECTION) == 40 && sizeof(SRWLOCK) == 8 && sizeof(INIT_ONCE) == 8);
C_ASSERT(sizeof(SYSTEM_INFO) == 48 && sizeof(OSVERSIONINFOEXW) == 284 && sizeof(OSVERSIONINFOEXA) == 156);
C_ASSERT(sizeof(WIN32_FILE_ATTRIBUTE_DATA) == 36 && sizeof(SYSTEMTIME) == 16);

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
    {
        static LONG counter;
        CRITICAL_SECTION cs;
        SRWLOCK lock = SRWLOCK_INIT;
        OSVERSIONINFO version;
        SYSTEM_INFO info;
        TCHAR name[MAX_PATH];
        InitializeCriticalSection(&cs);
        EnterCriticalSection(&cs);
        InterlockedIncrement(&counter);
        LeaveCriticalSection(&cs);
        DeleteCriticalSection(&cs);
        AcquireSRWLockShared(&lock);
        ReleaseSRWLockShared(&lock);
        version.dwOSVersionInfoSize = sizeof(version);
        GetVersionEx(&version);
        GetSystemInfo(&info);
        GetModuleFileName(NULL, name, MAX_PATH);
        GetFileAttributes(name);
        code += (DWORD)lstrlen(name) + GetACP() + (DWORD)HeapSize(GetProcessHeap(), 0, HeapAlloc(GetProcessHeap(), 0, 4));
    }
    {
        TCHAR text[LOCALE_NAME_MAX_LENGTH];
        WCHAR wide[LOCALE_NAME_MAX_LENGTH];
        WORD types[4];
        DWORD number = 0;
        lstrcpyn(text, TEXT("Co-op"), LOCALE_NAME_MAX_LENGTH);
        lstrcat(text, TEXT("!"));
        CharUpper(text);
        CharLowerBuff(text, 2);
        code += (DWORD)(lstrcmpi(text, TEXT("co-op!")) + lstrcmp(text, TEXT("x")) +
                        CompareString(LOCALE_USER_DEFAULT, NORM_IGNORECASE | SORT_STRINGSORT, text, -1, TEXT("a"), -1));
        code += (DWORD)CompareStringEx(LOCALE_NAME_INVARIANT, LINGUISTIC_IGNORECASE, L"a", -1, L"A", -1, NULL, NULL, 0);
        code += (DWORD)CompareStringOrdinal(L"a", -1, L"A", -1, TRUE);
        code += (DWORD)GetLocaleInfo(GetThreadLocale(), LOCALE_SDECIMAL, text, LOCALE_NAME_MAX_LENGTH);
        code += (DWORD)GetLocaleInfoEx(LOCALE_NAME_USER_DEFAULT, LOCALE_IFIRSTDAYOFWEEK | LOCALE_RETURN_NUMBER,
                                       (LPWSTR)&number, sizeof(number) / sizeof(WCHAR));
        code += (DWORD)LCIDToLocaleName(GetUserDefaultLCID(), wide, LOCALE_NAME_MAX_LENGTH, 0);
        code += LocaleNameToLCID(LOCALE_NAME_SYSTEM_DEFAULT, 0) + (DWORD)IsValidLocale(LOCALE_INVARIANT, LCID_SUPPORTED);
        code += (DWORD)LCMapString(LOCALE_USER_DEFAULT, LCMAP_UPPERCASE, text, -1, text, LOCALE_NAME_MAX_LENGTH);
        code += (DWORD)GetStringTypeW(CT_CTYPE1, L"a1 ", 3, types) + (DWORD)(types[0] & C1_ALPHA);
        code += (DWORD)GetStringTypeEx(LOCALE_USER_DEFAULT, CT_CTYPE1, text, 1, types);
        code += (DWORD)IsCharAlpha(text[0]) + (DWORD)IsCharUpper(text[1]) + GetUserDefaultUILanguage();
    }
    CloseHandle(handles[0]);
    CloseHandle(handles[1]);
    return (int)(code + GetTickCount() + (DWORD)GetTickCount64() + SleepEx(0, TRUE));
}
