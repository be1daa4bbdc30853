#include <windows.h>
#include <ntio/ntapi.h>
