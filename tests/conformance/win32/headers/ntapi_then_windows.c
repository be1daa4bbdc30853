#include <ntio/ntapi.h>
#include <windows.h>
