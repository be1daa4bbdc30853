/* <winreg.h>: the Win32 registry API; the definitions live in win32/registry.h (included by <windows.h>). */
#ifndef NTIO_SDK_WINREG_H
#define NTIO_SDK_WINREG_H
#include "win32/registry.h"
#endif
