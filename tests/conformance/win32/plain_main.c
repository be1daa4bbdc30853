/* A Win32 program as an application writer writes it: a plain main() using only <windows.h>. It
 * never boots anything; the first Win32 call must bring up the default System. Exits 0 only when
 * events, named objects, a thread with its exit code, an APC and the last error behave as on Windows. */
#include <stdio.h>
#include <windows.h>

static DWORD WINAPI worker(LPVOID parameter)
{
    HANDLE ready = (HANDLE)parameter;
    if (!SetEvent(ready)) return 1;
    return 42;
}

static LONG apc_runs;
static VOID NTAPI count_apc(ULONG_PTR data)
{
    apc_runs += (LONG)data;
}

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: check failed: %s (last error %lu)\n", __FILE__, __LINE__, \
                    #cond, (unsigned long)GetLastError());                                \
            return 1;                                                                     \
        }                                                                                 \
    } while (0)

int main(void)
{
    HANDLE ready, again, thread;
    DWORD code = 0, id = 0;

    ready = CreateEventW(NULL, TRUE, FALSE, L"Local\\ntio-plain-main");
    CHECK(ready != NULL);
    CHECK(GetLastError() == ERROR_SUCCESS);
    again = CreateEventA(NULL, TRUE, FALSE, "Global\\ntio-plain-main");
    CHECK(again != NULL);
    CHECK(GetLastError() == ERROR_ALREADY_EXISTS);
    CHECK(CloseHandle(again));

    thread = CreateThread(NULL, 0, worker, ready, 0, &id);
    CHECK(thread != NULL);
    CHECK(id != 0 && id != GetCurrentThreadId());
    CHECK(WaitForSingleObject(ready, INFINITE) == WAIT_OBJECT_0);
    CHECK(WaitForSingleObject(thread, INFINITE) == WAIT_OBJECT_0);
    CHECK(GetExitCodeThread(thread, &code));
    CHECK(code == 42);
    CHECK(CloseHandle(thread));

    CHECK(QueueUserAPC(count_apc, GetCurrentThread(), 3) != 0);
    CHECK(SleepEx(100, TRUE) == WAIT_IO_COMPLETION);
    CHECK(apc_runs == 3);

    CHECK(CloseHandle(ready));
    CHECK(!CloseHandle(ready));
    CHECK(GetLastError() == ERROR_INVALID_HANDLE);
    puts("win32 plain main: ok");
    return 0;
}
