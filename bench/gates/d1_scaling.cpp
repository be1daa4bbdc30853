// Gate D1: scaling. Two threads, pinned to cpus 0 and 1, each with its own 3-filter null stack,
// run A1's IRP round trip (IoAllocateIrp, IoCallDriver through 3 filters, completion, IoFreeIrp) at
// the same time; their summed rate against the one-thread A1 rate on the same stack, interleaved in
// pairs: >= 1.7x. Any global I/O-manager lock or shared counter on the path fails this gate.
// D1.port, informational: the same with A4's loop (asynchronous reads through each thread's own file
// handle bound to its own completion port, 64 in flight), the spec's "own port" part.
#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "drivers/irp_stack.hpp"
#include "gates/gates.hpp"
#include "gates/port_reads.hpp"

namespace ntio::bench {
namespace {

// A second thread, pinned to cpu 1, that runs `work` for `min_ns` when started and sleeps (on a
// futex, not spinning: the machine is shared) between phases.
class Partner {
public:
    explicit Partner(std::function<double(double)> work) : m_work(std::move(work)) {
        m_thread = std::thread([this] { main(); });
    }
    ~Partner() {
        m_stop.store(true);
        m_generation.fetch_add(1);
        m_generation.notify_one();
        m_thread.join();
    }
    Partner(const Partner&) = delete;
    Partner& operator=(const Partner&) = delete;

    void start(double min_ns) {
        m_min_ns = min_ns;
        m_done.store(false);
        m_generation.fetch_add(1, std::memory_order_release);
        m_generation.notify_one();
    }
    // ns per op of the phase the partner ran.
    double finish() {
        m_done.wait(false);
        return m_result;
    }

private:
    void main() {
        pin_to_cpu(1);
        unsigned seen = 0;
        for (;;) {
            m_generation.wait(seen);
            seen = m_generation.load(std::memory_order_acquire);
            if (m_stop.load()) return;
            m_result = m_work(m_min_ns);
            m_done.store(true, std::memory_order_release);
            m_done.notify_one();
        }
    }

    std::function<double(double)> m_work;
    std::thread m_thread;
    std::atomic<unsigned> m_generation{0};
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_done{false};
    double m_min_ns = 0;
    double m_result = 0;
};

// `make_work(instance)` builds one thread's private stack and returns its phase (ns per op).
GateResult scaling_gate(const char* id, const char* what, const std::function<Phase(int)>& make_work,
                        const GateOptions& options) {
    pin_to_cpu(0);
    Phase mine = make_work(0);
    Partner partner(make_work(1));
    // ns per op of both threads together: 1 / (rate 0 + rate 1).
    auto two_threads = [&](double min_ns) {
        partner.start(min_ns);
        const double ns0 = mine(min_ns);
        const double ns1 = partner.finish();
        return 1.0 / (1.0 / ns0 + 1.0 / ns1);
    };
    // The gate is a speed-up: one thread's ns per op over both threads' (>= 1.7).
    GateResult r = run_gate(id, what, mine, two_threads, 1.7, options);
    r.at_least = true;
    r.ntio_unit = "ns/op, one thread";
    r.baseline_unit = "ns/op, two threads";
    return r;
}

}  // namespace

GateResults gate_d1_scaling(const GateOptions& options) {
    std::vector<std::unique_ptr<IrpStack, void (*)(IrpStack*)>> stacks;
    auto irp_work = [&stacks](int instance) -> Phase {
        stacks.emplace_back(new IrpStack(build_irp_stack(3, instance)), [](IrpStack* s) {
            destroy_irp_stack(*s);
            delete s;
        });
        IrpStack* stack = stacks.back().get();
        return [stack](double min_ns) { return time_loop(min_ns, [stack] { keep(irp_round_trip(*stack)); }); };
    };
    GateResults results;
    results.push_back(scaling_gate("D1", "two threads on cpus 0 and 1, own 3-filter stack each, IRP round trips: "
                                         "summed rate / one-thread A1 rate",
                                   irp_work, options));

    std::vector<std::unique_ptr<PortReads>> reads;
    auto port_work = [&reads](int instance) -> Phase {
        reads.push_back(std::make_unique<PortReads>(instance + 1));
        PortReads* r = reads.back().get();
        return [r](double min_ns) { return time_loop(min_ns, [r] { keep(r->round()); }, 1) / PortReads::kBatch; };
    };
    GateResult port = scaling_gate("D1.port", "two threads, own 3-filter stack, handle and port each, async reads "
                                              "via port (A4 loop): summed rate / one-thread rate",
                                   port_work, options);
    port.informational = true;
    results.push_back(port);
    return results;
}

}  // namespace ntio::bench
