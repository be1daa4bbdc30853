// Object types: process-global, statically initialisable descriptors (name, GENERIC_MAPPING, valid
// access mask, procedures) that every System shares. POBJECT_TYPE points at one of these. Each
// System keeps a Type object per registered descriptor in its \ObjectTypes directory and counts the
// live objects of each type itself.
#pragma once

#include <string>
#include <string_view>

#include "ob/ddk.hpp"

namespace ntio::ob {

struct ParseRequest;

// Why a handle is being created (NT's OB_OPEN_REASON).
enum class OpenReason { Create, Open, Duplicate, Inherit };

// Runs before a handle is published; a failure status refuses the handle. PASSIVE_LEVEL.
// `process_handle_count` is the process's handle count on the object including the new one.
using OpenProcedure = NTSTATUS (*)(OpenReason reason, KPROCESSOR_MODE mode, PEPROCESS process,
                                   void* object, ACCESS_MASK granted, ULONG_PTR process_handle_count);
// Runs for every handle closed, with the counts before the close (as NT passes them): a count of 1
// means this was the last handle of the process / of the whole system. PASSIVE_LEVEL.
using CloseProcedure = void (*)(PEPROCESS process, void* object, ACCESS_MASK granted,
                                ULONG_PTR process_handle_count, ULONG_PTR system_handle_count);
// Runs once when the last reference goes, before the memory is freed. The body's C++ members are
// destroyed here. PASSIVE_LEVEL (or the IRQL of the last dereference, unless the type sets
// delete_at_passive).
using DeleteProcedure = void (*)(void* object);
// Resolves the rest of a name below `parse_object` (directories are walked by ob itself). Returns
// STATUS_SUCCESS with *found referenced, or STATUS_REPARSE after replacing request.complete_name
// (the lookup restarts from the root), or an error. PASSIVE_LEVEL, no ob locks held.
using ParseProcedure = NTSTATUS (*)(void* parse_object, ParseRequest& request, void** found);
// Overrides the directory-path name reported by ObQueryNameString (files ask their driver).
using QueryNameProcedure = NTSTATUS (*)(void* object, bool has_name, POBJECT_NAME_INFORMATION info,
                                        ULONG length, PULONG return_length, KPROCESSOR_MODE mode);
// Refuses a close (returns false -> STATUS_HANDLE_NOT_CLOSABLE).
using OkayToCloseProcedure = bool (*)(PEPROCESS process, void* object, HANDLE handle,
                                      KPROCESSOR_MODE mode);
// Appends a one-line description of the body for the namespace dump and the inspector.
using DumpProcedure = void (*)(void* object, std::string& out);

inline constexpr unsigned kMaxObjectTypes = 64;

}  // namespace ntio::ob

// The descriptor. Aggregate-initialise it as a namespace-scope object; the object manager assigns
// `index` when the type is registered (ntio::ob::register_object_type, or on first ObCreateObject).
struct _OBJECT_TYPE {
    const char16_t* name = nullptr;      // "Event"
    GENERIC_MAPPING generic_mapping{};
    ACCESS_MASK valid_access_mask = 0;   // rights a handle may hold (ACCESS_SYSTEM_SECURITY added)
    POOL_TYPE pool_type = NonPagedPool;
    bool case_insensitive = false;       // lookups of this type ignore case even without the flag
    bool security_required = false;      // unnamed objects get a default descriptor too
    ULONG invalid_attributes = 0;        // OBJ_* that creating/opening this type refuses
    ntio::ob::OpenProcedure open = nullptr;
    ntio::ob::CloseProcedure close = nullptr;
    ntio::ob::DeleteProcedure del = nullptr;
    ntio::ob::ParseProcedure parse = nullptr;
    ntio::ob::QueryNameProcedure query_name = nullptr;
    ntio::ob::OkayToCloseProcedure okay_to_close = nullptr;
    ntio::ob::DumpProcedure dump = nullptr;
    // The delete procedure must run at PASSIVE_LEVEL (files: it sends IRP_MJ_CLOSE). When the last
    // reference goes above APC_LEVEL, NT defers the object's deletion to a worker thread; ob does so
    // for these types, so the delete procedure sees the same object at PASSIVE_LEVEL.
    bool delete_at_passive = false;
    unsigned index = 0;                  // 0 = not registered yet
};

namespace ntio::ob {

// Makes `type` known to every System (including ones booted later, which list it in \ObjectTypes).
// Idempotent; thread-safe. Bugchecks when more than kMaxObjectTypes types exist.
void register_object_type(_OBJECT_TYPE& type);
std::u16string_view type_name(const _OBJECT_TYPE* type) noexcept;

// The built-in descriptors (also reachable through the exported ExEventObjectType & co).
extern _OBJECT_TYPE g_type_type;
extern _OBJECT_TYPE g_directory_type;
extern _OBJECT_TYPE g_symbolic_link_type;
extern _OBJECT_TYPE g_process_type;
extern _OBJECT_TYPE g_thread_type;
extern _OBJECT_TYPE g_event_type;
extern _OBJECT_TYPE g_semaphore_type;
extern _OBJECT_TYPE g_mutant_type;
extern _OBJECT_TYPE g_timer_type;
extern _OBJECT_TYPE g_token_type;  // token_objects.cpp

}  // namespace ntio::ob
