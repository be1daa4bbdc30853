// pthread_create/pthread_join wrappers with errno mapped to NTSTATUS.
#include <cerrno>
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

}  // namespace ntio::host
