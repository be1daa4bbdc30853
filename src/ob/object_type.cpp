// The type registry and the built-in object types (Type, Directory, SymbolicLink, Process, Thread,
// Event, Semaphore, Mutant, Timer) with their Windows GENERIC_MAPPINGs and valid access masks, plus
// the exported POBJECT_TYPE pointers drivers compare against.
#include "ob/object_type.hpp"

#include <mutex>
#include <new>

#include "ex/timer_object.hpp"
#include "ke/kernel.hpp"
#include "ntio_ddk/bugcodes.h"
#include "ob/namespace.hpp"
#include "ob/object_header.hpp"
#include "ob/object_manager.hpp"
#include "ob/process.hpp"

namespace ntio::ob {
namespace {

std::mutex& registry_lock()
{
    static std::mutex lock;
    return lock;
}

void delete_directory(void* body)
{
    manager_of(body).directory_deleted(body);
    static_cast<DirectoryBody*>(body)->~DirectoryBody();
}
void delete_symbolic_link(void* body) { static_cast<SymbolicLinkBody*>(body)->~SymbolicLinkBody(); }
void delete_type_object(void* body) { static_cast<TypeObjectBody*>(body)->~TypeObjectBody(); }

// A link resolves to its target followed by whatever the name had left after the link. Opening
// the link itself (no remaining name, and OBJ_OPENLINK or a SymbolicLink lookup) returns it.
NTSTATUS parse_symbolic_link(void* link, ParseRequest& request, void** found)
{
    if (request.remaining_name.empty() &&
        ((request.attributes & OBJ_OPENLINK) || request.object_type == &g_symbolic_link_type)) {
        reference(header_of(link));
        *found = link;
        return STATUS_SUCCESS;
    }
    auto* body = static_cast<SymbolicLinkBody*>(link);
    request.complete_name = body->target + request.remaining_name;
    *found = nullptr;
    return STATUS_REPARSE;
}

void dump_symbolic_link(void* link, std::string& out)
{
    out += " -> ";
    for (char16_t c : static_cast<SymbolicLinkBody*>(link)->target) out += c < 0x80 ? char(c) : '?';
}

// A mutant deleted while owned is abandoned (its owner's list must not keep it), as NT's mutant
// delete procedure does. Bodies start with the KMUTANT; a body never initialised has no owner.
void delete_mutant(void* body)
{
    auto* mutant = static_cast<PRKMUTANT>(body);
    if (mutant->OwnerThread) (void)ke::release_mutant(mutant, true, nullptr);
}

// A timer deleted while set leaves the timer queue first. Bodies start with the KTIMER; those
// NtCreateTimer made are executive timers (ex/timer_object.hpp), whose APC and DPC go with them.
void delete_timer(void* body)
{
    if (ex::is_timer_object(body, header_of(body)->body_size)) {
        ex::delete_timer_object(static_cast<ex::TimerObject*>(body));
        return;
    }
    auto* timer = static_cast<PKTIMER>(body);
    if (timer->Header.Type == TimerNotificationObject || timer->Header.Type == TimerSynchronizationObject)
        (void)KeCancelTimer(timer);
}

// The last handle to an executive timer cancels it and its APC.
void close_timer(PEPROCESS, void* body, ACCESS_MASK, ULONG_PTR, ULONG_PTR system_handle_count)
{
    if (ex::is_timer_object(body, header_of(body)->body_size))
        ex::close_timer_object(static_cast<ex::TimerObject*>(body), system_handle_count);
}

constexpr ACCESS_MASK kProcessWrite = PROCESS_CREATE_PROCESS | PROCESS_CREATE_THREAD | PROCESS_VM_OPERATION |
                                      PROCESS_VM_WRITE | PROCESS_DUP_HANDLE | PROCESS_TERMINATE |
                                      PROCESS_SET_QUOTA | PROCESS_SET_INFORMATION | PROCESS_SUSPEND_RESUME;
constexpr ACCESS_MASK kThreadWrite = THREAD_TERMINATE | THREAD_SUSPEND_RESUME | THREAD_ALERT |
                                     THREAD_SET_CONTEXT | THREAD_SET_INFORMATION;

}  // namespace

// Mappings: winnt.h values as Windows reports them through NtQueryObject(ObjectTypeInformation).
_OBJECT_TYPE g_type_type{
    u"Type",
    {STANDARD_RIGHTS_READ, STANDARD_RIGHTS_WRITE, STANDARD_RIGHTS_EXECUTE, OBJECT_TYPE_ALL_ACCESS},
    OBJECT_TYPE_ALL_ACCESS, NonPagedPool, true, false, 0,
    nullptr, nullptr, delete_type_object};
_OBJECT_TYPE g_directory_type{
    u"Directory",
    {STANDARD_RIGHTS_READ | DIRECTORY_QUERY | DIRECTORY_TRAVERSE,
     STANDARD_RIGHTS_WRITE | DIRECTORY_CREATE_OBJECT | DIRECTORY_CREATE_SUBDIRECTORY,
     STANDARD_RIGHTS_EXECUTE | DIRECTORY_QUERY | DIRECTORY_TRAVERSE, DIRECTORY_ALL_ACCESS},
    DIRECTORY_ALL_ACCESS, PagedPool, true, true, 0,
    nullptr, nullptr, delete_directory};
_OBJECT_TYPE g_symbolic_link_type{
    u"SymbolicLink",
    {STANDARD_RIGHTS_READ | SYMBOLIC_LINK_QUERY, STANDARD_RIGHTS_WRITE,
     STANDARD_RIGHTS_EXECUTE | SYMBOLIC_LINK_QUERY, SYMBOLIC_LINK_ALL_ACCESS},
    SYMBOLIC_LINK_ALL_ACCESS_EX, PagedPool, true, true, 0,
    nullptr, nullptr, delete_symbolic_link, parse_symbolic_link, nullptr, nullptr, dump_symbolic_link};
// Process and thread procedures live with the process code (process.cpp, thread_objects.cpp).
_OBJECT_TYPE g_process_type{
    u"Process",
    {STANDARD_RIGHTS_READ | PROCESS_VM_READ | PROCESS_QUERY_INFORMATION, STANDARD_RIGHTS_WRITE | kProcessWrite,
     STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, PROCESS_ALL_ACCESS},
    PROCESS_ALL_ACCESS, NonPagedPool, true, true, 0,
    nullptr, nullptr, delete_process_object, nullptr, nullptr, nullptr, dump_process_object};
_OBJECT_TYPE g_thread_type{
    u"Thread",
    {STANDARD_RIGHTS_READ | THREAD_GET_CONTEXT | THREAD_QUERY_INFORMATION, STANDARD_RIGHTS_WRITE | kThreadWrite,
     STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, THREAD_ALL_ACCESS},
    THREAD_ALL_ACCESS, NonPagedPool, true, true, 0,
    nullptr, nullptr, delete_thread_object, nullptr, nullptr, nullptr, dump_thread_object};
_OBJECT_TYPE g_event_type{
    u"Event",
    {STANDARD_RIGHTS_READ | EVENT_QUERY_STATE, STANDARD_RIGHTS_WRITE | EVENT_MODIFY_STATE,
     STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, EVENT_ALL_ACCESS},
    EVENT_ALL_ACCESS, NonPagedPool, false, false, 0};
_OBJECT_TYPE g_semaphore_type{
    u"Semaphore",
    {STANDARD_RIGHTS_READ | SEMAPHORE_QUERY_STATE, STANDARD_RIGHTS_WRITE | SEMAPHORE_MODIFY_STATE,
     STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, SEMAPHORE_ALL_ACCESS},
    SEMAPHORE_ALL_ACCESS, NonPagedPool, false, false, 0};
_OBJECT_TYPE g_mutant_type{
    u"Mutant",
    {STANDARD_RIGHTS_READ | MUTANT_QUERY_STATE, STANDARD_RIGHTS_WRITE, STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE,
     MUTANT_ALL_ACCESS},
    MUTANT_ALL_ACCESS, NonPagedPool, false, false, 0,
    nullptr, nullptr, delete_mutant};
_OBJECT_TYPE g_timer_type{
    u"Timer",
    {STANDARD_RIGHTS_READ | TIMER_QUERY_STATE, STANDARD_RIGHTS_WRITE | TIMER_MODIFY_STATE,
     STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, TIMER_ALL_ACCESS},
    TIMER_ALL_ACCESS, NonPagedPool, false, false, 0,
    nullptr, close_timer, delete_timer, nullptr, nullptr, nullptr, nullptr,
    /*delete_at_passive=*/true};

namespace {
_OBJECT_TYPE* g_registered[kMaxObjectTypes + 1] = {};
unsigned g_registered_count = 0;
}  // namespace

void register_object_type(_OBJECT_TYPE& type)
{
    std::lock_guard<std::mutex> guard(registry_lock());
    if (__atomic_load_n(&type.index, __ATOMIC_RELAXED) != 0) return;
    if (g_registered_count >= kMaxObjectTypes - 1) KeBugCheckEx(OBJECT_INITIALIZATION_FAILED, 0, 0, 0, 0);
    const unsigned index = ++g_registered_count;
    g_registered[index] = &type;
    __atomic_store_n(&type.index, index, __ATOMIC_RELEASE);  // read without the lock by create_object
}

std::u16string_view type_name(const _OBJECT_TYPE* type) noexcept
{
    return type && type->name ? std::u16string_view(type->name) : std::u16string_view();
}

// Snapshot of registered types for a booting System (ob internal).
std::vector<_OBJECT_TYPE*> registered_object_types()
{
    std::lock_guard<std::mutex> guard(registry_lock());
    return std::vector<_OBJECT_TYPE*>(g_registered + 1, g_registered + 1 + g_registered_count);
}

void register_builtin_object_types()
{
    for (_OBJECT_TYPE* t : {&g_type_type, &g_directory_type, &g_symbolic_link_type, &g_process_type,
                            &g_thread_type, &g_event_type, &g_semaphore_type, &g_mutant_type, &g_timer_type, &g_token_type})
        register_object_type(*t);
}

}  // namespace ntio::ob

namespace {
POBJECT_TYPE g_event_type_ptr = &ntio::ob::g_event_type;
POBJECT_TYPE g_semaphore_type_ptr = &ntio::ob::g_semaphore_type;
POBJECT_TYPE g_mutant_type_ptr = &ntio::ob::g_mutant_type;
POBJECT_TYPE g_timer_type_ptr = &ntio::ob::g_timer_type;
POBJECT_TYPE g_process_type_ptr = &ntio::ob::g_process_type;
POBJECT_TYPE g_thread_type_ptr = &ntio::ob::g_thread_type;
POBJECT_TYPE g_directory_type_ptr = &ntio::ob::g_directory_type;
POBJECT_TYPE g_symbolic_link_type_ptr = &ntio::ob::g_symbolic_link_type;
POBJECT_TYPE g_type_type_ptr = &ntio::ob::g_type_type;
POBJECT_TYPE g_token_type_ptr = &ntio::ob::g_token_type;
}  // namespace

extern "C" {
POBJECT_TYPE* ExEventObjectType = &g_event_type_ptr;
POBJECT_TYPE* ExSemaphoreObjectType = &g_semaphore_type_ptr;
POBJECT_TYPE* ExMutantObjectType = &g_mutant_type_ptr;
POBJECT_TYPE* ExTimerObjectType = &g_timer_type_ptr;
POBJECT_TYPE* PsProcessType = &g_process_type_ptr;
POBJECT_TYPE* PsThreadType = &g_thread_type_ptr;
POBJECT_TYPE* ObDirectoryObjectType = &g_directory_type_ptr;
POBJECT_TYPE* ObSymbolicLinkObjectType = &g_symbolic_link_type_ptr;
POBJECT_TYPE* ObTypeObjectType = &g_type_type_ptr;
POBJECT_TYPE* SeTokenObjectType = &g_token_type_ptr;
}
