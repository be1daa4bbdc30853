/* A native-API application in C: creates a notification event, signals it, waits for it (a zero
 * timeout must succeed once it is signalled), queries nothing else and closes it. Exits 0 only if
 * every service returned what NT returns. */
#include <stdio.h>
#include <winternl.h>

static int check(const char *what, NTSTATUS status, NTSTATUS expected)
{
    if (status != expected) {
        fprintf(stderr, "%s: status 0x%08x, expected 0x%08x\n", what, (unsigned)status, (unsigned)expected);
        return 0;
    }
    return 1;
}

int main(void)
{
    HANDLE event = NULL;
    LARGE_INTEGER zero;
    LONG previous = -1;
    int ok = 1;

    zero.QuadPart = 0;
    ok &= check("NtCreateEvent", NtCreateEvent(&event, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE),
                STATUS_SUCCESS);
    if (!ok) {
        return 1;
    }
    ok &= check("NtWaitForSingleObject (not signalled)", NtWaitForSingleObject(event, FALSE, &zero), STATUS_TIMEOUT);
    ok &= check("NtSetEvent", NtSetEvent(event, &previous), STATUS_SUCCESS);
    ok &= previous == 0;
    ok &= check("NtWaitForSingleObject (signalled)", NtWaitForSingleObject(event, FALSE, &zero), STATUS_SUCCESS);
    ok &= check("NtClose", NtClose(event), STATUS_SUCCESS);
    ok &= check("NtClose (closed handle)", NtClose(event), STATUS_INVALID_HANDLE);
    if (ok) {
        puts("ntio package app: ok");
    }
    return ok ? 0 : 1;
}
