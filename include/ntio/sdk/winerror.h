/* <winerror.h>: Win32 error codes; the definitions live in win32/winerror.h (shared with <windows.h>). */
#ifndef NTIO_SDK_WINERROR_H
#define NTIO_SDK_WINERROR_H
#include "win32/winerror.h"
#endif
