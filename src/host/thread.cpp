// pthread_create/pthread_join wrappers with errno mapped to NTSTATUS.
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "host/thread.hpp"
#include "host/errno_status.hpp"

namespace ntio::host {
namespace {
struct StartBlock {
    Thread::Entry entry;
    void* context;
};
void* trampoline(void* raw) {
    StartBlock block = *static_cast<StartBlock*>(raw);
    delete static_cast<StartBlock*>(raw);
    block.entry(block.context);
    return nullptr;
}
}  // namespace

Thread::~Thread() { join(); }

NTSTATUS Thread::start(Entry entry, void* context) noexcept {
    if (m_started) return STATUS_INVALID_PARAMETER;
    auto* block = new (std::nothrow) StartBlock{entry, context};
    if (!block) return STATUS_INSUFFICIENT_RESOURCES;
    int rc = pthread_create(&m_thread, nullptr, &trampoline, block);
    if (rc != 0) {
        delete block;
        return rc == EAGAIN ? STATUS_INSUFFICIENT_RESOURCES : status_from_errno(rc);
    }
    m_started = true;
    return STATUS_SUCCESS;
}

void Thread::join() noexcept {
    if (!m_started) return;
    pthread_join(m_thread, nullptr);
    m_started = false;
}

void Thread::exit_current() { pthread_exit(nullptr); }

namespace {
void* detached_trampoline(void* raw) {
    trampoline(raw);
    return nullptr;
}
}  // namespace

bool start_detached_thread(Thread::Entry entry, void* context, std::size_t stack_bytes) noexcept {
    auto* block = new (std::nothrow) StartBlock{entry, context};
    if (!block) return false;
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) {
        delete block;
        return false;
    }
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, stack_bytes);
    pthread_t thread;
    const bool started = pthread_create(&thread, &attr, &detached_trampoline, block) == 0;
    pthread_attr_destroy(&attr);
    if (!started) delete block;
    return started;
}

bool on_fork_in_child(void (*routine)()) noexcept { return pthread_atfork(nullptr, nullptr, routine) == 0; }

bool current_thread_stack(std::uintptr_t& low, std::uintptr_t& high) noexcept {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return false;
    void* base = nullptr;
    size_t size = 0;
    const bool known = pthread_attr_getstack(&attr, &base, &size) == 0;
    pthread_attr_destroy(&attr);
    if (!known) return false;
    low = reinterpret_cast<std::uintptr_t>(base);
    high = low + size;
    return true;
}

std::uint32_t current_thread_id() noexcept { return static_cast<std::uint32_t>(::gettid()); }

void set_current_thread_name(const char* name) noexcept {
    char cut[16] = {};
    std::strncpy(cut, name, sizeof cut - 1);
    (void)pthread_setname_np(pthread_self(), cut);
}

bool current_thread_cpu_clock(int& clock) noexcept {
    clockid_t id{};
    if (pthread_getcpuclockid(pthread_self(), &id) != 0) return false;
    clock = static_cast<int>(id);
    return true;
}

bool thread_cpu_time_ns(int clock, std::uint64_t& ns) noexcept {
    timespec ts{};
    if (clock_gettime(static_cast<clockid_t>(clock), &ts) != 0) return false;
    ns = static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
    return true;
}

LateThreadExit::LateThreadExit(Routine routine) noexcept { (void)pthread_key_create(&m_key, routine); }

void LateThreadExit::set(void* value) noexcept { (void)pthread_setspecific(m_key, value); }

}  // namespace ntio::host
