/* <winternl.h>: the native API an application may call directly (Nt* services, OBJECT_ATTRIBUTES,
 * UNICODE_STRING, the PUBLIC_OBJECT_* information structures). Minimal: it forwards to <ntio/ntapi.h>. */
#ifndef NTIO_SDK_WINTERNL_H
#define NTIO_SDK_WINTERNL_H
#include "../ntapi.h"
#endif
