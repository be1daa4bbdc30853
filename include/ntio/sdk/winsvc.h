/* <winsvc.h>: the service control manager API; the definitions live in win32/services.h (included by
 * <windows.h> unless NOSERVICE is defined, as the SDK's windows.h does). */
#ifndef NTIO_SDK_WINSVC_H
#define NTIO_SDK_WINSVC_H
#include "win32/services.h"
#endif
