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

// ---- File objects held by reference (object_ref_tracking.cpp) ----
// References to FILE_OBJECTs a verified driver takes while its code runs (ObReferenceObject,
// ObReferenceObjectByPointer / ByHandle / Safe, and so the one IoGetDeviceObjectPointer returns),
// counted per driver and file object; every dereference of a charged object, by anyone, takes one
// off each driver's count on it. A driver's count thus never exceeds the references it still holds:
// a report is never false, and a reference dropped for the driver by another party's dereference of
// its own reference may hide a leak.
// Hooks: the reference one after (or right before) the count goes up, the dereference one before it
// goes down (the object may go with it).
void on_object_referenced(PVOID object) noexcept;
void on_object_dereferenced(PVOID object) noexcept;
#define NTIO_VERIFY_OBJECT_REFERENCED(object) \
    do { \
        if (::ntio::verifier::active()) [[unlikely]] ::ntio::verifier::on_object_referenced(object); \
    } while (0)
#define NTIO_VERIFY_OBJECT_DEREFERENCED(object) \
    do { \
        if (::ntio::verifier::active()) [[unlikely]] ::ntio::verifier::on_object_dereferenced(object); \
    } while (0)

// Run by check_handle_leaks (after the handles: a leaked handle is the more specific report) and
// forget_handles: 0xC4 with kLeakedFileReferences when the driver still holds file object references.
void check_file_reference_leaks(PDRIVER_OBJECT driver) noexcept;
void forget_file_references(PDRIVER_OBJECT driver) noexcept;

// NT deviation: Driver Verifier documents no bug check for object references a driver keeps at
// unload (Learn describes finding them by hand, "Debugging a Failed Driver Unload", and with
// ObReferenceObjectWithTag and !obtrace); ntio reports file objects as 0xC4 with this parameter 1,
// laid out as 0x62 and 0x63: P2 the driver's name, P3 a LeakedFileReferences record, P4 the number of
// references.
inline constexpr ULONG_PTR kLeakedFileReferences = 0x64;
struct LeakedFileReferences {
    PFILE_OBJECT first_file;  // one of them (the one with the most references left)
    PDEVICE_OBJECT device;    // its device (the stack it keeps from going away)
    ULONG references;         // references left, over all file objects
    ULONG files;              // distinct file objects
};

}  // namespace ntio::verifier
