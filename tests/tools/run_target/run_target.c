/* A Win32 test program for `ntio run`, written as a Windows driver test application is: it opens
 * the driver's device with CreateFileW and talks to it. It boots no system of its own; ntio's default
 * system (from NTIO_HIVE) supplies the device. Usage: run_target null | ramdisk. Exits 0 when the
 * device answered as its README says, 2 when it cannot be opened, 3 when it answered wrongly; "exit N"
 * and "signal N" end it that way. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <winioctl.h>

static HANDLE OpenDevice(const WCHAR *Path)
{
    HANDLE device = CreateFileW(Path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                                OPEN_EXISTING, 0, NULL);
    if (device == INVALID_HANDLE_VALUE) {
        printf("CreateFileW failed: %lu\n", (unsigned long)GetLastError());
    }
    return device;
}

/* \\.\NUL swallows writes and reads end of file at once. */
static int TestNull(void)
{
    HANDLE device = OpenDevice(L"\\\\.\\NUL");
    char buffer[16] = "hello";
    DWORD done = 0;
    int result = 0;
    if (device == INVALID_HANDLE_VALUE) {
        return 2;
    }
    if (!WriteFile(device, buffer, 5, &done, NULL) || done != 5) {
        printf("WriteFile: %lu bytes, error %lu\n", (unsigned long)done, (unsigned long)GetLastError());
        result = 3;
    }
    /* "When a synchronous read operation reaches the end of a file, ReadFile returns TRUE and sets
     * *lpNumberOfBytesRead to zero." (ReadFile, Remarks) */
    done = 99;
    if (result == 0 && (!ReadFile(device, buffer, sizeof(buffer), &done, NULL) || done != 0)) {
        printf("ReadFile: %lu bytes, error %lu (expected TRUE and 0 bytes at end of file)\n", (unsigned long)done,
               (unsigned long)GetLastError());
        result = 3;
    }
    CloseHandle(device);
    if (result == 0) {
        printf("run_target: \\\\.\\NUL ok\n");
    }
    return result;
}

/* \\.\Ramdisk0 with no Parameters key: 16 MiB; a sector written reads back. */
static int TestRamdisk(void)
{
    HANDLE device = OpenDevice(L"\\\\.\\Ramdisk0");
    GET_LENGTH_INFORMATION length;
    char sector[512], back[512];
    DWORD done = 0;
    int result = 0;
    if (device == INVALID_HANDLE_VALUE) {
        return 2;
    }
    memset(&length, 0, sizeof(length));
    if (!DeviceIoControl(device, IOCTL_DISK_GET_LENGTH_INFO, NULL, 0, &length, sizeof(length), &done, NULL) ||
        done != sizeof(length) || length.Length.QuadPart != 16 * 1024 * 1024) {
        printf("IOCTL_DISK_GET_LENGTH_INFO: error %lu, %lu bytes, length %lld\n", (unsigned long)GetLastError(),
               (unsigned long)done, (long long)length.Length.QuadPart);
        result = 3;
    }
    memset(sector, 'R', sizeof(sector));
    if (result == 0 && (!WriteFile(device, sector, sizeof(sector), &done, NULL) || done != sizeof(sector))) {
        printf("WriteFile: error %lu\n", (unsigned long)GetLastError());
        result = 3;
    }
    if (result == 0 && (SetFilePointer(device, 0, NULL, FILE_BEGIN) != 0 ||
                        !ReadFile(device, back, sizeof(back), &done, NULL) || done != sizeof(back) ||
                        memcmp(sector, back, sizeof(back)) != 0)) {
        printf("ReadFile: error %lu, %lu bytes\n", (unsigned long)GetLastError(), (unsigned long)done);
        result = 3;
    }
    CloseHandle(device);
    if (result == 0) {
        printf("run_target: \\\\.\\Ramdisk0 ok, %lld bytes\n", (long long)length.Length.QuadPart);
    }
    return result;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "null") == 0) {
        return TestNull();
    }
    if (argc == 2 && strcmp(argv[1], "ramdisk") == 0) {
        return TestRamdisk();
    }
    if (argc == 3 && strcmp(argv[1], "exit") == 0) {
        return atoi(argv[2]); /* the exit status goes through `ntio run` unchanged */
    }
    if (argc == 3 && strcmp(argv[1], "signal") == 0) {
        raise(atoi(argv[2])); /* `ntio run` exits 128 + the signal number */
        return 65;
    }
    printf("usage: run_target null | ramdisk | exit N | signal N\n");
    return 64;
}
