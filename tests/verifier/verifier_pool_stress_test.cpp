// Stress for the special pool for IRPs: two threads allocating and freeing special-pool IRPs.
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "verifier_pool_driver.hpp"
#include "verifier/special_pool.hpp"

namespace ntio::verifier::test {
namespace {

std::uintptr_t page_size() { return static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE)); }

// Stress (2 threads): special-pool IRPs allocated and freed in a loop. Invariant: every IRP handed
// out is the caller's alone until it frees it: what a thread wrote into it is intact right before
// its IoFreeIrp (no other live IRP overlaps it), and it ends within 16 bytes of a page boundary (its guard page).
TEST_F(PoolTest, stress_special_pool_irps_stay_intact_across_threads) {
    load();
    PDEVICE_OBJECT device = upper();
    std::atomic<int> failures{0};
    auto worker = [&](UCHAR pattern) {
        std::vector<PIRP> held;
        for (int i = 0; i < 3000; ++i) {
            const auto stacks = static_cast<CCHAR>(1 + (i % 9));
            PIRP irp = IoAllocateIrpEx(device, stacks, FALSE);
            if (!irp) {
                failures.fetch_add(1);
                continue;
            }
            if ((reinterpret_cast<std::uintptr_t>(irp) + irp->Size + 15) / 16 * 16 % page_size() != 0)
                failures.fetch_add(1);
            std::memset(irp + 1, pattern, stacks * sizeof(IO_STACK_LOCATION));
            irp->UserBuffer = irp;
            held.push_back(irp);
            if (held.size() > 8 || i % 3 == 0) {
                PIRP old = held.front();
                held.erase(held.begin());
                const auto* bytes = reinterpret_cast<const UCHAR*>(old + 1);
                for (std::size_t b = 0; b < old->StackCount * sizeof(IO_STACK_LOCATION); ++b)
                    if (bytes[b] != pattern) {
                        failures.fetch_add(1);
                        break;
                    }
                if (old->UserBuffer != old) failures.fetch_add(1);
                IoFreeIrp(old);
            }
        }
        for (PIRP irp : held) IoFreeIrp(irp);
    };
    std::thread a(worker, static_cast<UCHAR>(0x11));
    std::thread b(worker, static_cast<UCHAR>(0x22));
    a.join();
    b.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(ntio::verifier::special_pool_counters().live, 0u);
}

}  // namespace
}  // namespace ntio::verifier::test
