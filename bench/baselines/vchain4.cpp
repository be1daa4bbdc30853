// Baseline vchain4 of performance-gates.md: a four-level virtual dispatch plus completion-callback
// chain (three Mid layers over one Bottom, all behind a base pointer read through a volatile so the
// compiler cannot devirtualise). Time per full chain.
#include "baselines/baselines.hpp"
#include "harness/gate_runner.hpp"

namespace ntio::bench {
namespace {

struct Layer {
    virtual ~Layer() = default;
    virtual int dispatch(int value) = 0;
    virtual int complete(int value) = 0;
};

struct Bottom final : Layer {
    int dispatch(int value) override { return value + 1; }
    int complete(int value) override { return value; }
};

struct Mid final : Layer {
    explicit Mid(Layer* next) : m_next(next) {}
    int dispatch(int value) override {
        int result = m_next->dispatch(value);
        return complete(result);
    }
    int complete(int value) override { return value ^ 1; }
    Layer* m_next;
};

}  // namespace

double vchain4(double min_ns) {
    static Bottom bottom;
    static Mid m1(&bottom), m2(&m1), m3(&m2);
    static Layer* volatile top = &m3;
    int value = 0;
    double ns = time_loop(min_ns, [&] {
        Layer* layer = top;
        value = layer->dispatch(value);
    });
    keep(value);
    return ns;
}

}  // namespace ntio::bench
