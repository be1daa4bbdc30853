/* The SDK spellings an application uses: TCHAR mapping, A/W names, layouts, wait constants. */
#include <windows.h>
#include <psapi.h>

C_ASSERT(sizeof(OVERLAPPED) == 32);
C_ASSERT(sizeof(OVERLAPPED_ENTRY) == 32);
C_ASSERT(sizeof(SECURITY_ATTRIBUTES) == 24);
C_ASSERT(sizeof(DWORD) == 4 && sizeof(BOOL) == 4 && sizeof(WCHAR) == 2);
C_ASSERT(WAIT_IO_COMPLETION == 0xC0 && WAIT_ABANDONED_0 == 0x80 && WAIT_TIMEOUT == 258);
C_ASSERT(STILL_ACTIVE == 259 && INFINITE == 0xFFFFFFFF);
C_ASSERT(sizeof(CRITICAL_SECTION) == 40 && sizeof(SRWLOCK) == 8 && sizeof(INIT_ONCE) == 8);
C_ASSERT(sizeof(SYSTEM_INFO) == 48 && sizeof(OSVERSIONINFOEXW) == 284 && sizeof(OSVERSIONINFOEXA) == 156);
C_ASSERT(sizeof(WIN32_FILE_ATTRIBUTE_DATA) == 36 && sizeof(SYSTEMTIME) == 16);
C_ASSERT(sizeof(COORD) == 4 && sizeof(SMALL_RECT) == 8 && sizeof(CONSOLE_SCREEN_BUFFER_INFO) == 22);
C_ASSERT(sizeof(CONSOLE_READCONSOLE_CONTROL) == 16 && STD_OUTPUT_HANDLE == (DWORD)-11);

static DWORD WINAPI start(LPVOID parameter) { return parameter ? 1 : 0; }
static VOID NTAPI apc(ULONG_PTR data) { (void)data; }
static BOOL WINAPI ctrl_handler(DWORD type) { return type == CTRL_C_EVENT; }

static WCHAR* wide_image_buffer(void) {
    static WCHAR buffer[MAX_PATH];
    return buffer;
}

int ntio_usage(void);
int ntio_usage(void)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, FALSE};
    HANDLE handles[2];
    DWORD id = 0, code = 0;
    handles[0] = CreateEvent(&sa, TRUE, FALSE, TEXT("Local\\ntio-usage"));
    handles[1] = CreateThread(NULL, 0, start, NULL, 0, &id);
    QueueUserAPC(apc, GetCurrentThread(), 0);
    if (ResumeThread(handles[1]) > MAXIMUM_SUSPEND_COUNT && SuspendThread(handles[1]) == (DWORD)-1) return 1;
    if (WaitForMultipleObjects(2, handles, TRUE, INFINITE) == WAIT_FAILED) return (int)GetLastError();
    GetExitCodeThread(handles[1], &code);
    {
        DWORD old_mode = 0;
        SetErrorMode(SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX) | GetErrorMode());
        IO_COUNTERS io;
        if (!SetThreadErrorMode(SEM_FAILCRITICALERRORS, &old_mode) || GetThreadErrorMode() != SEM_FAILCRITICALERRORS)
            return 2;
        if (!GetProcessIoCounters(GetCurrentProcess(), &io) || io.ReadOperationCount > io.ReadTransferCount + 1000000)
            return 3;
    }
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
        code += GetActiveProcessorCount(ALL_PROCESSOR_GROUPS) + GetMaximumProcessorCount(0);
        GetModuleFileName(NULL, name, MAX_PATH);
        GetFileAttributes(name);
        code += (DWORD)lstrlen(name) + GetACP() + (DWORD)HeapSize(GetProcessHeap(), 0, HeapAlloc(GetProcessHeap(), 0, 4));
    }
    {
        /* Consoles: standard handles, writes and reads, modes, control handlers, the screen buffer. */
        HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
        DWORD mode = 0, written = 0;
        CONSOLE_SCREEN_BUFFER_INFO screen;
        CONSOLE_READCONSOLE_CONTROL control = {sizeof(control), 0, 0, 0};
        TCHAR title[64];
        BOOL pending = FALSE;
        if (GetConsoleMode(out, &mode)) SetConsoleMode(out, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
        WriteConsole(out, TEXT("hi\n"), 3, &written, NULL);
        SetConsoleCtrlHandler(ctrl_handler, TRUE);
        SetConsoleCtrlHandler(ctrl_handler, FALSE);
        GetConsoleScreenBufferInfo(out, &screen);
        SetConsoleTitle(TEXT("usage"));
        GetConsoleTitle(title, 64);
        if (0) ReadConsole(GetStdHandle(STD_INPUT_HANDLE), title, 64, &written, &control);
        GetThreadIOPendingFlag(GetCurrentThread(), &pending);
        code += GetConsoleCP() + GetConsoleOutputCP() + (DWORD)(GetConsoleWindow() != NULL) + (DWORD)screen.dwSize.X +
                (DWORD)pending;
        STARTUPINFO startup;
        MEMORYSTATUSEX memory;
        FILETIME times[4];
        BOOL wow64 = FALSE;
        USHORT machine = IMAGE_FILE_MACHINE_UNKNOWN;
        PWSTR description = NULL;
        DWORD fls = FlsAlloc(NULL);
        GetStartupInfo(&startup);
        memory.dwLength = sizeof(memory);
        GlobalMemoryStatusEx(&memory);
        GetProcessTimes(GetCurrentProcess(), &times[0], &times[1], &times[2], &times[3]);
        GetThreadTimes(GetCurrentThread(), &times[0], &times[1], &times[2], &times[3]);
        GetSystemTimes(&times[0], &times[1], &times[2]);
        IsWow64Process(GetCurrentProcess(), &wow64);
        IsWow64Process2(GetCurrentProcess(), &machine, NULL);
        SetPriorityClass(GetCurrentProcess(), GetPriorityClass(GetCurrentProcess()));
        SetThreadPriority(GetCurrentThread(), GetThreadPriority(GetCurrentThread()) + THREAD_PRIORITY_NORMAL);
        SetThreadPriorityBoost(GetCurrentThread(), FALSE);
        GetThreadPriorityBoost(GetCurrentThread(), &wow64);
        if (SUCCEEDED(SetThreadDescription(GetCurrentThread(), L"usage")) &&
            SUCCEEDED(GetThreadDescription(GetCurrentThread(), &description)))
            LocalFree(description);
        if (fls != FLS_OUT_OF_INDEXES && FlsSetValue(fls, FlsGetValue(fls))) FlsFree(fls);
        {
            DYNAMIC_TIME_ZONE_INFORMATION dynamic;
            TIME_ZONE_INFORMATION zone;
            SYSTEMTIME utc, local;
            if (GetTimeZoneInformation(&zone) != TIME_ZONE_ID_INVALID &&
                GetDynamicTimeZoneInformation(&dynamic) != TIME_ZONE_ID_INVALID) {
                GetSystemTime(&utc);
                SystemTimeToTzSpecificLocalTime(&zone, &utc, &local);
                TzSpecificLocalTimeToSystemTime(NULL, &local, &utc);
            }
        }
        {
            const DWORD flags = LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_SEARCH_SYSTEM32;
            HMODULE data = LoadLibraryEx(TEXT("kernel32.dll"), NULL, flags);
            if (data && !LDR_IS_RESOURCE(data)) FreeLibrary(data);
        }
        GetProcessHandleCount(GetCurrentProcess(), &code);
        {
            TCHAR image[MAX_PATH];
            DWORD image_size = MAX_PATH;
            DWORD_PTR process_mask = 0, system_mask = 0;
            BOOL flag = FALSE;
            if (QueryFullProcessImageName(GetCurrentProcess(), PROCESS_NAME_NATIVE, image, &image_size))
                code += GetProcessImageFileName(GetCurrentProcess(), image, MAX_PATH);
            code += K32GetProcessImageFileNameW(GetCurrentProcess(), wide_image_buffer(), 0);
            if (GetProcessAffinityMask(GetCurrentProcess(), &process_mask, &system_mask))
                SetProcessAffinityMask(GetCurrentProcess(), process_mask);
            if (GetProcessPriorityBoost(GetCurrentProcess(), &flag)) SetProcessPriorityBoost(GetCurrentProcess(), flag);
            ProcessIdToSessionId(GetCurrentProcessId(), &code);
            CheckRemoteDebuggerPresent(GetCurrentProcess(), &flag);
        }
        GetExitCodeProcess(GetCurrentProcess(), &code);
        code += GetProcessId(GetCurrentProcess()) + GetProcessIdOfThread(GetCurrentThread());
        if (code == STILL_ACTIVE) TerminateProcess(GetCurrentProcess(), 1);
        if (!startup.cb) ExitProcess(2);
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
