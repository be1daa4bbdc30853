// ObjectManager: the per-System object manager. Creates and inserts objects, owns the namespace
// (\, \Device, \Driver, \FileSystem, \ObjectTypes, \??, \GLOBAL??, \BaseNamedObjects, ...), the
// processes and their handle tables, and counts live objects and handles so tests detect leaks.
// The Ob* DDIs and the Nt* services are thin layers over this C++ API. Unless noted, functions run
// at PASSIVE_LEVEL, act in ob::current_process() and return the NTSTATUS the NT DDI returns.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ob/ddk.hpp"

#include "ob/namespace.hpp"
#include "ob/object_header.hpp"
#include "ob/object_type.hpp"
#include "ob/process.hpp"

namespace ntio { class System; }
namespace ntio::se { class Token; }

namespace ntio::ob {

class ThreadObjects;
struct PsNotify;
struct ObRegistration;
template <class Entry> class AltitudeList;

// NtQueryObject(ObjectBasicInformation) contents.
struct BasicInformation {
    ULONG attributes = 0;       // OBJ_INHERIT | OBJ_PROTECT_CLOSE of the handle, OBJ_PERMANENT...
    ACCESS_MASK granted_access = 0;
    ULONG handle_count = 0;
    ULONG pointer_count = 0;
};

// NtQueryObject(ObjectTypeInformation) contents.
struct TypeInformation {
    std::u16string_view name;
    ULONG object_count = 0;     // live objects of this type in this System
    ULONG handle_count = 0;     // handles to them
    GENERIC_MAPPING generic_mapping{};
    ACCESS_MASK valid_access_mask = 0;
    POOL_TYPE pool_type = NonPagedPool;
    ULONG invalid_attributes = 0;
};

struct DirectoryEntryInfo {
    std::u16string name;
    std::u16string type_name;
};

class ObjectManager {
public:
    explicit ObjectManager(System& system);
    // Terminates every process (closing all handles), tears the namespace down and frees every
    // object that is no longer referenced. Runs after the kernel stopped.
    ~ObjectManager();
    ObjectManager(const ObjectManager&) = delete;
    ObjectManager& operator=(const ObjectManager&) = delete;

    System& system() noexcept { return m_system; }

    // System shutdown, before the I/O manager's: every process but the System process ends and its
    // handles close (cleanup and close go to drivers that are still loaded), as NT ends processes
    // before the I/O system shuts down.
    void end_application_processes();
    // System shutdown, once the drivers were asked to unload: the kernel handles still open are
    // leaks; they close while the I/O manager runs, so that an unload they held back completes.
    void close_kernel_handles();

    // ---- Accounting (any IRQL) ----
    std::size_t object_count() const noexcept { return m_objects.load(std::memory_order_relaxed); }
    std::size_t handle_count() const noexcept { return m_handles.load(std::memory_order_relaxed); }
    std::size_t object_count(const _OBJECT_TYPE* type) const noexcept;
    std::size_t handle_count(const _OBJECT_TYPE* type) const noexcept;

    // ---- Creation: ObCreateObject / ObInsertObject ----
    // Allocates a zeroed body of body_size bytes with one reference, capturing the name, root
    // directory, attributes and security descriptor of `attributes` (may be null). Validates
    // attributes (STATUS_INVALID_PARAMETER for bits outside OBJ_VALID_ATTRIBUTES or the type's
    // invalid_attributes, a bad Length, a bad security descriptor).
    NTSTATUS create_object(KPROCESSOR_MODE probe_mode, _OBJECT_TYPE* type, const OBJECT_ATTRIBUTES* attributes,
                           ULONG body_size, void** body);
    // Enters a created object in the namespace (when named) and, when `handle` is non-null, creates
    // a handle with `desired` access in the current process (the System process for
    // OBJ_KERNEL_HANDLE). Consumes the creation reference on failure. On success: with `handle`, the
    // creation reference is consumed too unless `object_out` is given (then it is returned there);
    // without `handle`, the reference is returned through object_out (required).
    // Existing name: STATUS_OBJECT_NAME_COLLISION; with OBJ_OPENIF and the same type the existing
    // object is opened and STATUS_OBJECT_NAME_EXISTS returned (the new one is freed, *object_out
    // is the existing one); another type -> STATUS_OBJECT_TYPE_MISMATCH.
    NTSTATUS insert_object(void* body, ACCESS_MASK desired, KPROCESSOR_MODE mode, HANDLE* handle,
                           void** object_out);

    // ---- Lookup and open ----
    // ObOpenObjectByName: handle in the current process.
    NTSTATUS open_object_by_name(const OBJECT_ATTRIBUTES& attributes, _OBJECT_TYPE* type, KPROCESSOR_MODE mode,
                                 ACCESS_MASK desired, void* parse_context, HANDLE* handle);
    // ObReferenceObjectByName (plus a root directory handle and the access check when UserMode).
    NTSTATUS reference_object_by_name(std::u16string_view name, HANDLE root_directory, ULONG attributes,
                                      _OBJECT_TYPE* type, KPROCESSOR_MODE mode, ACCESS_MASK desired,
                                      void* parse_context, void** object);
    // ObOpenObjectByPointer: type mismatch -> STATUS_OBJECT_TYPE_MISMATCH (NT fact K9).
    NTSTATUS open_object_by_pointer(void* body, ULONG handle_attributes, ACCESS_MASK desired, _OBJECT_TYPE* type,
                                    KPROCESSOR_MODE mode, HANDLE* handle);
    // ObReferenceObjectByHandle. Pseudo handles NtCurrentProcess()/NtCurrentThread() resolve to
    // the current process/thread. UserMode: kernel handles -> STATUS_INVALID_HANDLE, access not
    // granted by the handle -> STATUS_ACCESS_DENIED. Any IRQL <= DISPATCH_LEVEL.
    NTSTATUS reference_object_by_handle(HANDLE handle, ACCESS_MASK desired, _OBJECT_TYPE* type,
                                        KPROCESSOR_MODE mode, void** object, OBJECT_HANDLE_INFORMATION* info);
    // Same against an explicit process's table (NtDuplicateObject, the inspector).
    NTSTATUS reference_object_by_handle_in(PEPROCESS process, HANDLE handle, ACCESS_MASK desired,
                                           _OBJECT_TYPE* type, KPROCESSOR_MODE mode, void** object,
                                           OBJECT_HANDLE_INFORMATION* info)
    {
        return lookup_object_by_handle_in(process, handle, desired, type, mode, true, object, info);
    }
    // As reference_object_by_handle without taking a reference: on success the caller is inside a
    // lookup section (ob/lookup_section.hpp) that keeps the object alive, and ends it with
    // leave_lookup() without blocking or calling a driver in between. For short services whose
    // callers share one handle across threads (NtSetIoCompletion): nothing shared is written.
    NTSTATUS borrow_object_by_handle(HANDLE handle, ACCESS_MASK desired, _OBJECT_TYPE* type, KPROCESSOR_MODE mode,
                                     void** object, OBJECT_HANDLE_INFORMATION* info);

    // ---- Handles ----
    // NtClose / ObCloseHandle: STATUS_INVALID_HANDLE, STATUS_HANDLE_NOT_CLOSABLE.
    NTSTATUS close_handle(HANDLE handle, KPROCESSOR_MODE mode);
    NTSTATUS close_handle_in(PEPROCESS process, HANDLE handle, KPROCESSOR_MODE mode);
    // NtDuplicateObject after the process handles were resolved. `target_process` may be null
    // only with DUPLICATE_CLOSE_SOURCE (then the source is just closed). Asking more access than
    // the source handle has runs an access check with the target process's token. The source is
    // closed with DUPLICATE_CLOSE_SOURCE whatever the outcome.
    NTSTATUS duplicate_object(PEPROCESS source_process, HANDLE source_handle, PEPROCESS target_process,
                              HANDLE* target_handle, ACCESS_MASK desired, ULONG handle_attributes, ULONG options,
                              KPROCESSOR_MODE mode);
    // NtSetInformationObject(ObjectHandleFlagInformation): OBJ_INHERIT / OBJ_PROTECT_CLOSE.
    NTSTATUS set_handle_attributes(HANDLE handle, bool inherit, bool protect_from_close, KPROCESSOR_MODE mode);

    // ---- Queries ----
    NTSTATUS query_basic(HANDLE handle, KPROCESSOR_MODE mode, BasicInformation& out);
    // ObQueryNameString semantics (NT fact K10): a buffer smaller than
    // sizeof(OBJECT_NAME_INFORMATION) + name + NUL -> STATUS_INFO_LENGTH_MISMATCH with that size
    // in *return_length; MaximumLength counts the NUL. Unnamed objects: empty name, Buffer NULL.
    // Types with a query_name procedure (files) answer themselves.
    NTSTATUS query_name(void* body, POBJECT_NAME_INFORMATION info, ULONG length, PULONG return_length,
                        KPROCESSOR_MODE mode);
    // Full path of a named object ("" when unnamed).
    std::u16string full_name(void* body);
    TypeInformation query_type(const _OBJECT_TYPE* type) const;
    // NtQueryDirectoryObject: entries in a stable order (sorted by name).
    NTSTATUS enumerate_directory(void* directory, std::vector<DirectoryEntryInfo>& out);
    // NtQuerySymbolicLinkObject.
    NTSTATUS query_symbolic_link(void* link, std::u16string& target);

    // ---- Namespace objects (NtCreateDirectoryObject / NtCreateSymbolicLinkObject bodies) ----
    // Creates (and inserts) a directory or link; same status rules as insert_object.
    NTSTATUS create_directory(const OBJECT_ATTRIBUTES& attributes, ACCESS_MASK desired, KPROCESSOR_MODE mode,
                              HANDLE* handle);
    NTSTATUS create_symbolic_link(const OBJECT_ATTRIBUTES& attributes, ACCESS_MASK desired,
                                  std::u16string_view target, KPROCESSOR_MODE mode, HANDLE* handle);
    // ---- Security (NtQuerySecurityObject / NtSetSecurityObject bodies; the caller checked the
    // handle's READ_CONTROL / WRITE_DAC / WRITE_OWNER) ----
    // The parts `information` selects (OWNER/GROUP/DACL/SACL_SECURITY_INFORMATION) as a
    // self-relative descriptor; empty when the object has no security.
    NTSTATUS query_security(void* body, SECURITY_INFORMATION information, se::SecurityDescriptor& out);
    // Replaces the selected parts. STATUS_INVALID_OWNER / STATUS_INVALID_PRIMARY_GROUP when a
    // selected part is missing, or with `owner_check`, an owner that token may not assign;
    // capture errors for a malformed descriptor.
    NTSTATUS set_security(void* body, SECURITY_INFORMATION information, PSECURITY_DESCRIPTOR descriptor,
                          const se::Token* owner_check = nullptr);

    // ObMakeTemporaryObject.
    void make_temporary(void* body);
    void* root_directory() const noexcept { return m_root; }

    // ---- Processes ----
    // A new process with `token` (null: a copy of the initial process's token kind, a non-admin
    // user). Returns it referenced.
    NTSTATUS create_process(std::shared_ptr<se::Token> token, std::u16string_view image_name, PEPROCESS* process);
    // Marks the process terminating (its threads report PsIsThreadTerminating), closes all its
    // handles, records exit_status and signals waiters. Idempotent (the first status wins).
    void terminate_process(PEPROCESS process, NTSTATUS exit_status);
    PEPROCESS system_process() const noexcept { return m_system_process; }
    PEPROCESS initial_process() const noexcept { return m_initial_process; }

    // Namespace tree for the `ntio` command: one line per object, indented, "name (Type)" plus
    // " -> target" for links and the type's dump text.
    void dump_namespace(std::string& out);

    // ---- Internal (used by the DDIs, thread objects and type procedures) ----
    HANDLE allocate_client_id() noexcept
    {
        return reinterpret_cast<HANDLE>(m_next_cid.fetch_add(4, std::memory_order_relaxed));
    }
    void object_created(_OBJECT_TYPE* type) noexcept;
    void object_deleted(_OBJECT_TYPE* type) noexcept;
    // Handle count bookkeeping shared by every path that creates or removes a handle. A process or
    // thread handle goes through the ObRegisterCallbacks routines first (`source`: the process a
    // duplicate comes from).
    NTSTATUS create_handle(PEPROCESS process, ObjectHeader* header, ACCESS_MASK granted, ULONG attributes,
                           OpenReason reason, KPROCESSOR_MODE mode, HANDLE* handle, PEPROCESS source = nullptr);
    void handle_removed(PEPROCESS process, const HandleInfo& info);
    // Access check of `desired` against the object's security for `process`'s token (skipped
    // for KernelMode unless force). Returns the rights to store in the handle.
    NTSTATUS access_check(ObjectHeader* header, PEPROCESS process, ACCESS_MASK desired, KPROCESSOR_MODE mode,
                          ACCESS_MASK* granted);
    // Removes a named object's directory entry once its last handle closed (unless permanent).
    void delete_name_check(ObjectHeader* header);
    ThreadObjects& threads() noexcept { return *m_threads; }
    // The Ps*Notify* routines drivers registered in this System (ps_notify.cpp).
    PsNotify& ps_notify() noexcept { return *m_ps_notify; }
    // The ObRegisterCallbacks registrations of this System (ob_callbacks.cpp).
    AltitudeList<ObRegistration>& ob_callbacks() noexcept { return *m_ob_callbacks; }
    // PsLookupProcessByProcessId / PsLookupThreadByThreadId: the live process or thread with that
    // client id, referenced; null when there is none (or it is being deleted).
    PEPROCESS reference_process_by_id(HANDLE id);
    PETHREAD reference_thread_by_id(HANDLE id);
    // Every live process, referenced, in creation order (NtQuerySystemInformation's process and
    // handle lists).
    std::vector<ObRef<_EPROCESS>> reference_processes();
    // Directory bookkeeping for teardown (directory create / delete procedures).
    void directory_created(void* body);
    void directory_deleted(void* body);
    // Token of the process creating objects now (default security of named objects).
    std::shared_ptr<se::Token> creator_token();
    void process_deleted(PEPROCESS process);

private:
    void end_processes(bool keep_system);
    NTSTATUS insert_handle(PEPROCESS process, ObjectHeader* header, ACCESS_MASK granted, ULONG attributes,
                           OpenReason reason, KPROCESSOR_MODE mode, HANDLE* handle);
    NTSTATUS filtered_create_handle(PEPROCESS process, ObjectHeader* header, ACCESS_MASK granted, ULONG attributes,
                                    OpenReason reason, KPROCESSOR_MODE mode, HANDLE* handle, PEPROCESS source);
    NTSTATUS lookup_object_by_handle_in(PEPROCESS process, HANDLE handle, ACCESS_MASK desired, _OBJECT_TYPE* type,
                                        KPROCESSOR_MODE mode, bool take_reference, void** object,
                                        OBJECT_HANDLE_INFORMATION* info);
    friend class NameLookup;
    NTSTATUS create_process_object(std::shared_ptr<se::Token> token, std::u16string_view image_name, bool is_system,
                                   PEPROCESS* process);
    void set_live(bool live);
    friend NTSTATUS copy_object_security(void* body, PSECURITY_DESCRIPTOR* out);
    void boot_namespace();
    void teardown_namespace();
    NTSTATUS lookup(std::u16string_view name, HANDLE root_directory, ULONG attributes, _OBJECT_TYPE* type,
                    KPROCESSOR_MODE mode, ACCESS_MASK desired, void* parse_context, ObjectHeader* insert,
                    ObjectHeader** found);
    NTSTATUS make_boot_directory(void* parent, std::u16string_view name, void** body);
    NTSTATUS make_boot_link(void* parent, std::u16string_view name, std::u16string_view target);
    void remove_name_locked(ObjectHeader* header, std::vector<ObjectHeader*>& to_release);

    System& m_system;
    std::atomic<std::size_t> m_objects{0};
    std::atomic<std::size_t> m_handles{0};
    std::atomic<std::size_t> m_type_objects[kMaxObjectTypes]{};
    std::atomic<std::size_t> m_type_handles[kMaxObjectTypes]{};
    std::atomic<ULONG_PTR> m_next_cid{4};

    // Guards ObjectHeader::security of every object once it is published.
    mutable std::shared_mutex m_security_lock;
    // Namespace lock: directory contents, names of named objects.
    mutable std::shared_mutex m_namespace_lock;
    std::unordered_set<void*> m_directories;  // every live directory body (for teardown)
    void* m_root = nullptr;               // referenced
    void* m_dos_devices = nullptr;        // \?? (lookups there fall back to \GLOBAL??)
    void* m_global_dos_devices = nullptr; // \GLOBAL??

    std::mutex m_process_lock;
    std::vector<PEPROCESS> m_processes;   // referenced until the manager goes away
    PEPROCESS m_system_process = nullptr;
    PEPROCESS m_initial_process = nullptr;
    std::unique_ptr<ThreadObjects> m_threads;
    std::unique_ptr<PsNotify> m_ps_notify;
    std::unique_ptr<AltitudeList<ObRegistration>> m_ob_callbacks;
};

// ObGetObjectSecurity: a heap copy of the object's descriptor (free with delete[] as unsigned
// char[]), or null when the object has no security.
NTSTATUS copy_object_security(void* body, PSECURITY_DESCRIPTOR* out);

// The System an object belongs to.
inline ObjectManager& manager_of(const void* body) noexcept { return *header_of(body)->manager; }

}  // namespace ntio::ob
