/* <windows.h>: the Win32 API for applications (kernel32 subset over the Nt* services). Exact SDK
 * spellings and Windows x64 layouts; compiles alone in C11 and C++20, and together with <wdm.h>,
 * <winternl.h> or <ntio/ntapi.h> in either order. Split into pieces under win32/; later pieces (file
 * I/O: win32/file.h, ...) are picked up here when they exist, without editing this file. */
#ifndef NTIO_SDK_WINDOWS_H
#define NTIO_SDK_WINDOWS_H
#define _WINDOWS_
#include "win32/types.h"
#include "win32/winerror.h"
#include "win32/access.h"
#include "win32/errors.h"
#include "win32/handles.h"
#include "win32/synch.h"
#include "win32/threads.h"
#include "win32/memory.h"
#include "win32/registry.h"
#ifndef NOSERVICE
#include "win32/services.h"
#endif
#if __has_include("win32/file.h")
#include "win32/file.h"
#endif
#if __has_include("win32/command_line.h")
#include "win32/command_line.h"
#endif
#if __has_include("win32/version.h")
#include "win32/version.h"
#endif
#if __has_include("win32/locks.h")
#include "win32/locks.h"
#endif
#if __has_include("win32/modules.h")
#include "win32/modules.h"
#endif
#if __has_include("win32/system_info.h")
#include "win32/system_info.h"
#endif
#if __has_include("win32/environment.h")
#include "win32/environment.h"
#endif
#if __has_include("win32/code_pages.h")
#include "win32/code_pages.h"
#endif
#if __has_include("win32/locale.h")
#include "win32/locale.h"
#endif
#if __has_include("win32/string_compare.h")
#include "win32/string_compare.h"
#endif
#if __has_include("win32/string_map.h")
#include "win32/string_map.h"
#endif
#ifndef NOUSER
#if __has_include("win32/characters.h")
#include "win32/characters.h"
#endif
#endif
#if __has_include("win32/heap.h")
#include "win32/heap.h"
#endif
#if __has_include("win32/system_time.h")
#include "win32/system_time.h"
#endif
#if __has_include("win32/file_attributes.h")
#include "win32/file_attributes.h"
#endif
#if __has_include("win32/io.h")
#include "win32/io.h"
#endif
#if __has_include("win32/io_completion.h")
#include "win32/io_completion.h"
#endif
#if __has_include("win32/pipe.h")
#include "win32/pipe.h"
#endif
#if __has_include("win32/mailslot.h")
#include "win32/mailslot.h"
#endif
#if __has_include("win32/volume.h")
#include "win32/volume.h"
#endif
#if __has_include("win32/console.h")
#include "win32/console.h"
#endif
#if __has_include("win32/process.h")
#include "win32/process.h"
#endif
#if __has_include("win32/fibers.h")
#include "win32/fibers.h"
#endif
#endif /* NTIO_SDK_WINDOWS_H */
