// The console driver (\Device\ConDrv): its built-in start and the private I/O controls kernel32's
// console calls send to its objects. Since Windows 8 console handles are file handles to this
// driver's objects (https://learn.microsoft.com/windows/console/console-handles).
#pragma once

#include <wdm.h>

namespace ntio {
class System;
}

namespace ntio::io::console {

// Object names below \Device\ConDrv. CurrentErr is an ntio addition (the host's stderr).
inline constexpr char16_t kInputName[] = u"\\Device\\ConDrv\\CurrentIn";
inline constexpr char16_t kOutputName[] = u"\\Device\\ConDrv\\CurrentOut";
inline constexpr char16_t kErrorName[] = u"\\Device\\ConDrv\\CurrentErr";

// Private controls, all METHOD_BUFFERED. Each refuses an object whose host descriptor is not a
// terminal with STATUS_INVALID_HANDLE: a redirected standard handle is no console.
// GET_MODE: out ULONG. SET_MODE: in ULONG (validated for the object's kind).
inline constexpr ULONG kGetMode = CTL_CODE(FILE_DEVICE_CONSOLE, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
inline constexpr ULONG kSetMode = CTL_CODE(FILE_DEVICE_CONSOLE, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS);
// SCREEN_SIZE: out ScreenSize, output objects only.
inline constexpr ULONG kScreenSize = CTL_CODE(FILE_DEVICE_CONSOLE, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS);
// FLUSH_INPUT: input objects only.
inline constexpr ULONG kFlushInput = CTL_CODE(FILE_DEVICE_CONSOLE, 0x803, METHOD_BUFFERED, FILE_ANY_ACCESS);
// WRITE: in the bytes (UTF-8), Information the count written. READ: out the bytes read.
inline constexpr ULONG kWrite = CTL_CODE(FILE_DEVICE_CONSOLE, 0x804, METHOD_BUFFERED, FILE_ANY_ACCESS);
inline constexpr ULONG kRead = CTL_CODE(FILE_DEVICE_CONSOLE, 0x805, METHOD_BUFFERED, FILE_ANY_ACCESS);

struct ScreenSize {
    ULONG columns;
    ULONG rows;
};

// Creates \Driver\ConDrv and \Device\ConDrv (System boot); the I/O manager's shutdown unloads it.
NTSTATUS start(System& system);

}  // namespace ntio::io::console
