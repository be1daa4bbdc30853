// Processes: creation with a token, termination (threads marked, handles closed, waiters
// signalled), deletion, and which process the calling thread acts in.
#include "ob/process.hpp"

#include <new>

#include "host/clock.hpp"
#include "ke/kernel.hpp"
#include "ntio/system.hpp"
#include "ob/object_manager.hpp"

namespace ntio::ob {

namespace {

// Live object managers by System: a thread without a thread object acts in the initial process of
// System::current(), whose object manager may be mid-construction or mid-destruction.
std::mutex g_live_lock;
std::vector<std::pair<System*, ObjectManager*>> g_live;

void close_all_handles(PEPROCESS process, bool keep_open = false)
{
    process->m_handle_table.close_all(
        [process](HANDLE, const HandleInfo& info) { process->m_manager->handle_removed(process, info); }, keep_open);
}
}  // namespace

constinit thread_local PEPROCESS t_attached = nullptr;

PEPROCESS current_process_slow() noexcept
{
    System* system = System::current();
    if (!system) return nullptr;
    std::lock_guard<std::mutex> guard(g_live_lock);
    for (auto& [s, manager] : g_live)
        if (s == system) return manager->initial_process();
    return nullptr;
}

void ObjectManager::set_live(bool live)
{
    std::lock_guard<std::mutex> guard(g_live_lock);
    if (live) g_live.emplace_back(&m_system, this);
    else std::erase(g_live, std::pair<System*, ObjectManager*>(&m_system, this));
}

ProcessAttach::ProcessAttach(PEPROCESS process) noexcept : m_previous(t_attached) { t_attached = process; }
ProcessAttach::~ProcessAttach() { t_attached = m_previous; }

NTSTATUS ObjectManager::create_process(std::shared_ptr<se::Token> token, std::u16string_view image_name,
                                       PEPROCESS* process)
{
    return create_process_object(std::move(token), image_name, false, process);
}

NTSTATUS ObjectManager::create_process_object(std::shared_ptr<se::Token> token, std::u16string_view image_name,
                                              bool is_system, PEPROCESS* process)
{
    if (!process) return STATUS_INVALID_PARAMETER;
    *process = nullptr;
    if (!token) token = se::Token::create_user(false);
    void* body = nullptr;
    NTSTATUS status = create_object(KernelMode, &g_process_type, nullptr, sizeof(_EPROCESS), &body);
    if (!NT_SUCCESS(status)) return status;
    auto* p = new (body) _EPROCESS(*this, is_system, std::move(token));
    ke::initialize_process(p);
    ObjectHeader* h = header_of(body);
    h->create_info.reset();
    h->flags.fetch_or(kObjectInserted, std::memory_order_relaxed);
    h->security = se::SecurityDescriptor::default_for(*p->m_token);
    p->m_unique_id = allocate_client_id();
    p->m_create_time = host::system_time();
    p->m_image_name.assign(image_name);
    if (PEPROCESS parent = current_process(); parent && parent->m_manager == this) p->m_parent_id = parent->m_unique_id;
    {
        std::lock_guard<std::mutex> guard(m_process_lock);
        m_processes.push_back(p);
    }
    *process = p;
    return STATUS_SUCCESS;
}

namespace {
std::atomic<ProcessTeardownHook> g_teardown_hook{nullptr};
}  // namespace

void set_process_teardown_hook(ProcessTeardownHook hook) noexcept { g_teardown_hook.store(hook, std::memory_order_release); }

void ObjectManager::terminate_process(PEPROCESS process, NTSTATUS exit_status)
{
    bool expected = false;
    if (!process->m_terminating.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) return;
    process->m_exit_status = exit_status;
    process->m_exit_time.store(host::system_time(), std::memory_order_release);
    {
        std::lock_guard<std::mutex> guard(process->m_thread_lock);
        _KTHREAD* const self = ke::current_thread_if_any();
        for (_ETHREAD* thread : process->m_threads) {
            thread->m_terminating.store(true, std::memory_order_release);
            // Its waits end as termination ends them (a thread cannot end its own process here).
            if (thread != self) ke::request_thread_termination(thread);
        }
    }
    close_all_handles(process);
    if (ProcessTeardownHook hook = g_teardown_hook.load(std::memory_order_acquire)) hook(process);
    process->m_terminated.store(true, std::memory_order_release);
    ke::signal_object(&process->Header);
}

void ObjectManager::close_kernel_handles()
{
    if (m_system_process) close_all_handles(m_system_process, true);
}

namespace {
// A reference on an object found in a list that does not hold one: none once its count reached
// zero (its delete procedure is on the way).
bool try_reference(void* body)
{
    ObjectHeader* h = header_of(body);
    LONG_PTR count = h->pointer_count.load(std::memory_order_relaxed);
    while (count > 0 && !h->pointer_count.compare_exchange_weak(count, count + 1, std::memory_order_acquire)) {
    }
    return count > 0;
}
}  // namespace

PEPROCESS ObjectManager::reference_process_by_id(HANDLE id)
{
    std::lock_guard<std::mutex> guard(m_process_lock);
    for (PEPROCESS p : m_processes)
        if (p->m_unique_id == id) return try_reference(p) ? p : nullptr;
    return nullptr;
}

PETHREAD ObjectManager::reference_thread_by_id(HANDLE id)
{
    std::lock_guard<std::mutex> guard(m_process_lock);
    for (PEPROCESS p : m_processes) {
        std::lock_guard<std::mutex> threads(p->m_thread_lock);
        for (_ETHREAD* t : p->m_threads)
            if (t->m_cid_thread == id) return try_reference(t) ? t : nullptr;
    }
    return nullptr;
}

std::vector<ObRef<_EPROCESS>> ObjectManager::reference_processes()
{
    std::vector<ObRef<_EPROCESS>> live;
    std::lock_guard<std::mutex> guard(m_process_lock);
    live.reserve(m_processes.size());
    for (PEPROCESS p : m_processes)
        if (try_reference(p)) live.push_back(ObRef<_EPROCESS>::adopt(p));
    return live;
}

void ObjectManager::process_deleted(PEPROCESS process)
{
    std::lock_guard<std::mutex> guard(m_process_lock);
    std::erase(m_processes, process);
}

void delete_process_object(void* body)
{
    auto* process = static_cast<PEPROCESS>(body);
    // A process that never terminated still owns its handles.
    const bool terminated = process->m_terminating.load(std::memory_order_acquire);
    close_all_handles(process);
    if (!terminated)
        if (ProcessTeardownHook hook = g_teardown_hook.load(std::memory_order_acquire)) hook(process);
    process->m_manager->process_deleted(process);
    process->~_EPROCESS();
}

void dump_process_object(void* body, std::string& out)
{
    auto* process = static_cast<PEPROCESS>(body);
    out += " pid " + std::to_string(reinterpret_cast<ULONG_PTR>(process->m_unique_id));
    if (process->m_terminated.load(std::memory_order_acquire)) out += " terminated";
}

}  // namespace ntio::ob
