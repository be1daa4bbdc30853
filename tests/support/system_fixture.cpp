// Leak accounting around each test: counts taken from the object manager and the I/O manager after
// boot and before shutdown. Objects, handles, IRPs or MDLs that outlive the test fail it.
#include "support/system_fixture.hpp"

#include <chrono>
#include <thread>

#include "ex/executive.hpp"
#include "io/io_manager.hpp"
#include "ob/object_manager.hpp"

namespace ntio::test {

void SystemTest::SetUp() {
    m_system = std::make_unique<System>();
    // The test thread becomes a thread object on its first ntio call; do it now so that the
    // thread object belongs to the baseline rather than looking like a leak.
    (void)PsGetCurrentThread();
    m_objects_at_boot = m_system->objects().object_count();
    m_workers_at_boot = m_system->executive().worker_count();
    m_handles_at_boot = m_system->objects().handle_count();
}

void SystemTest::TearDown() {
    if (m_check_leaks) {
        // A terminated system thread drops its own reference on its thread object just after the
        // threads waiting on it were released; let that settle (bounded) before comparing.
        // Worker threads the executive's work queues added under load live until shutdown: each is
        // one thread object that is not the test's.
        auto allowed = [&] {
            const unsigned workers = m_system->executive().worker_count();
            return m_objects_at_boot + (workers > m_workers_at_boot ? workers - m_workers_at_boot : 0);
        };
        // Deletions deferred to a worker (ObDereferenceObjectDeferDelete: a file object whose last
        // reference went on a driver's own thread, and the deferred DriverUnload that may follow,
        // closing the driver's handles) settle the same way.
        for (int i = 0; i < 5000 && (m_system->objects().object_count() > allowed() ||
                                     m_system->objects().handle_count() > m_handles_at_boot);
             ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        EXPECT_EQ(m_system->objects().handle_count(), m_handles_at_boot) << "handles leaked by the test";
        EXPECT_EQ(m_system->objects().object_count(), allowed()) << "objects leaked by the test";
        EXPECT_EQ(m_system->io().irp_count(), 0u) << "IRPs leaked by the test";
        EXPECT_EQ(m_system->io().mdl_count(), 0u) << "MDLs leaked by the test";
    }
    m_system.reset();
}

}  // namespace ntio::test
