// Handles a verified driver opens in kernel mode (ZwCreateFile, ZwOpenKey, ObOpenObjectByPointer, ...
// while its code runs on the thread): the object manager reports each handle made and removed, and
// what the driver still holds when it unloads (or the system shuts down) is a leak.
#pragma once

#include <ntifs.h>

#include "verifier/verifier.hpp"

namespace ntio::verifier {

// ob's create_handle, right after the handle table insert (whatever its status: a failed insert is
// followed by on_handle_removed for the same object, which balances it).
void on_handle_created(PEPROCESS process, void* object, HANDLE handle, KPROCESSOR_MODE mode) noexcept;
// ob's handle_removed: every path that takes a handle out of a table (close, failed insert, process
// rundown) goes through it.
void on_handle_removed(PEPROCESS process, void* object) noexcept;

// The hooks, one predictable branch on a relaxed load when nothing is verified.
#define NTIO_VERIFY_HANDLE_CREATED(process, object, handle, mode) \
    do { \
        if (::ntio::verifier::active()) [[unlikely]] ::ntio::verifier::on_handle_created(process, object, handle, mode); \
    } while (0)
#define NTIO_VERIFY_HANDLE_REMOVED(process, object) \
    do { \
        if (::ntio::verifier::active()) [[unlikely]] ::ntio::verifier::on_handle_removed(process, object); \
    } while (0)

// At DriverUnload's return (and when the system shuts down with the driver loaded): 0xC4 with
// kLeakedHandles when the driver still holds handles it opened.
void check_handle_leaks(PDRIVER_OBJECT driver) noexcept;
void forget_handles(PDRIVER_OBJECT driver) noexcept;

// NT deviation: Driver Verifier documents no bug check for handles left open at unload (its
// Miscellaneous Checks only turn on handle tracing for !htrace); ntio reports them as 0xC4 with this
// parameter 1, laid out as Pool Tracking's 0x62: P2 the driver's name, P3 a LeakedHandles record,
// P4 the number of handles.
inline constexpr ULONG_PTR kLeakedHandles = 0x63;
struct LeakedHandles {
    HANDLE first_handle;     // one of them (the latest the driver opened to first_object)
    PVOID first_object;      // its object body
    PEPROCESS process;       // the table it is in (the System process for OBJ_KERNEL_HANDLE)
    const char16_t* type;    // its object type's name ("File", "Key", "Event", ...)
    ULONG handles;           // handles left open
    ULONG file_handles;      // ... of them to file objects
};

}  // namespace ntio::verifier
