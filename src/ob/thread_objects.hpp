// ob's ke::ThreadProvider: every KTHREAD ke needs (adopted host threads, DPC and system threads) is
// an _ETHREAD object of type Thread, created by the object manager, in a process.
#pragma once

#include "ke/thread_provider.hpp"
#include "ob/process.hpp"

namespace ntio::ob {

class ObjectManager;

class ThreadObjects final : public ke::ThreadProvider {
public:
    explicit ThreadObjects(ObjectManager& manager) noexcept : m_manager(manager) {}
    _KTHREAD* allocate_thread(PEPROCESS process) override;
    void release_thread(_KTHREAD* thread) override;
    PEPROCESS system_process() override;
    PEPROCESS host_thread_process() override;

private:
    ObjectManager& m_manager;
};

}  // namespace ntio::ob
