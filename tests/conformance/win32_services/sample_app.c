/* A Windows-style driver test application, as a WDK sample's test program is written: it installs
 * scmtest.sys from the current directory with CreateService, starts it, talks to its device, then
 * stops and removes it. Exits 0 only when every step did what Windows does. */
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <winioctl.h>
#include <winsvc.h>

#define DRIVER_NAME "scmtest"
#define DRIVER_FILE "scmtest.sys"
#define DEVICE_PATH "\\\\.\\ScmTest"
#define IOCTL_SCMTEST_HELLO CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define SCMTEST_MAGIC 0x5C3D7E57UL

static BOOL InstallDriver(SC_HANDLE Manager, LPCSTR Name, LPCSTR Path)
{
    SC_HANDLE service = CreateServiceA(Manager, Name, Name, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                       SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, Path, NULL, NULL, NULL, NULL, NULL);
    if (service == NULL) {
        DWORD error = GetLastError();
        if (error == ERROR_SERVICE_EXISTS) {
            return TRUE; /* left over from an earlier run */
        }
        printf("CreateService failed: %lu\n", (unsigned long)error);
        return FALSE;
    }
    CloseServiceHandle(service);
    return TRUE;
}

static BOOL StartDriver(SC_HANDLE Manager, LPCSTR Name)
{
    SC_HANDLE service = OpenServiceA(Manager, Name, SERVICE_ALL_ACCESS);
    BOOL ok;
    if (service == NULL) {
        printf("OpenService failed: %lu\n", (unsigned long)GetLastError());
        return FALSE;
    }
    ok = StartServiceA(service, 0, NULL);
    if (!ok && GetLastError() == ERROR_SERVICE_ALREADY_RUNNING) {
        ok = TRUE;
    }
    if (!ok) {
        printf("StartService failed: %lu\n", (unsigned long)GetLastError());
    }
    CloseServiceHandle(service);
    return ok;
}

static BOOL StopDriver(SC_HANDLE Manager, LPCSTR Name)
{
    SERVICE_STATUS status;
    SC_HANDLE service = OpenServiceA(Manager, Name, SERVICE_ALL_ACCESS);
    BOOL ok;
    if (service == NULL) {
        printf("OpenService failed: %lu\n", (unsigned long)GetLastError());
        return FALSE;
    }
    ok = ControlService(service, SERVICE_CONTROL_STOP, &status);
    if (!ok) {
        printf("ControlService failed: %lu\n", (unsigned long)GetLastError());
    } else if (status.dwCurrentState != SERVICE_STOPPED) {
        printf("the driver did not stop: state %lu\n", (unsigned long)status.dwCurrentState);
        ok = FALSE;
    }
    CloseServiceHandle(service);
    return ok;
}

static BOOL RemoveDriver(SC_HANDLE Manager, LPCSTR Name)
{
    SC_HANDLE service = OpenServiceA(Manager, Name, SERVICE_ALL_ACCESS);
    BOOL ok;
    if (service == NULL) {
        printf("OpenService failed: %lu\n", (unsigned long)GetLastError());
        return FALSE;
    }
    ok = DeleteService(service);
    if (!ok) {
        printf("DeleteService failed: %lu\n", (unsigned long)GetLastError());
    }
    CloseServiceHandle(service);
    return ok;
}

static BOOL TalkToDevice(void)
{
    HANDLE device;
    ULONG magic = 0;
    DWORD returned = 0;
    BOOL ok;

    device = CreateFileA(DEVICE_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL,
                         NULL);
    if (device == INVALID_HANDLE_VALUE) {
        printf("CreateFile %s failed: %lu\n", DEVICE_PATH, (unsigned long)GetLastError());
        return FALSE;
    }
    ok = DeviceIoControl(device, IOCTL_SCMTEST_HELLO, NULL, 0, &magic, sizeof(magic), &returned, NULL);
    if (!ok) {
        printf("DeviceIoControl failed: %lu\n", (unsigned long)GetLastError());
    } else if (returned != sizeof(magic) || magic != SCMTEST_MAGIC) {
        printf("unexpected answer 0x%08lx (%lu bytes)\n", (unsigned long)magic, (unsigned long)returned);
        ok = FALSE;
    }
    CloseHandle(device);
    return ok;
}

int main(void)
{
    char location[MAX_PATH];
    DWORD length;
    SC_HANDLE manager;
    BOOL ok;

    length = GetCurrentDirectoryA(sizeof(location), location);
    if (length == 0 || length + sizeof("\\" DRIVER_FILE) > sizeof(location)) {
        printf("GetCurrentDirectory failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    strcat(location, "\\" DRIVER_FILE);

    manager = OpenSCManagerA(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    if (manager == NULL) {
        printf("OpenSCManager failed: %lu (run as administrator)\n", (unsigned long)GetLastError());
        return 1;
    }
    ok = InstallDriver(manager, DRIVER_NAME, location) && StartDriver(manager, DRIVER_NAME);
    if (ok) {
        ok = TalkToDevice();
        ok = StopDriver(manager, DRIVER_NAME) && ok;
    }
    ok = RemoveDriver(manager, DRIVER_NAME) && ok;
    CloseServiceHandle(manager);
    if (ok) {
        printf("%s installed from %s, started, answered, stopped and removed\n", DRIVER_NAME, location);
    }
    return ok ? 0 : 1;
}
