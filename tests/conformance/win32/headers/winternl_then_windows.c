#include <winternl.h>
#include <windows.h>
#include <winerror.h>
