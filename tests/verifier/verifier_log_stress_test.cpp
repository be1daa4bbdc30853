// The IRP log under concurrent use. Its rings are read (inspector, dumps, trace export) while their
// writers record: two threads record events whose fields all derive from one number while a third
// thread keeps reading the whole log. Invariant: every record a reader gets is whole, i.e. its
// fields agree with each other (a torn record mixes two writes and breaks that), and no reader ever
// waits for a writer. Its clock's ticker closes the writers' gates while they record (below).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/system_fixture.hpp"
#include "verifier/state.hpp"

namespace ntio::verifier::test {
namespace {

using LogStressTest = ntio::test::SystemTest;

constexpr int kReads = 8;                            // whole-log reads while both writers run
constexpr std::uint64_t kMaxPerWriter = std::uint64_t{1} << 18;  // wraps each ring (about 6500 returns) 40 times
constexpr std::uint64_t kMinPerWriter = std::uint64_t{1} << 15;  // each ring wrapped several times, whatever the reader

// The fields of event v: a fake IRP pointer (only recorded, never read: a Return event must not
// touch the IRP), the status, the location and the pending flag all carry v.
void record(std::uint64_t v) {
    LogFields fields;
    fields.status = static_cast<NTSTATUS>(v & 0x7FFFFFFF);
    fields.location = static_cast<CHAR>(v & 0x3F);
    fields.pending = (v & 1) != 0;
    log_event(LogKind::Return, reinterpret_cast<PIRP>(v << 4), fields);
}

std::uint64_t number_after(const std::string& line, const std::string& key, int base) {
    const std::size_t at = line.find(key);
    if (at == std::string::npos) return ~std::uint64_t{0};
    return std::stoull(line.substr(at + key.size()), nullptr, base);
}

// Checks every return record written by the writers; returns how many it checked.
std::uint64_t check_log(std::uint64_t& torn) {
    const std::string text = log_json_lines();
    std::uint64_t checked = 0;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        const std::uint64_t irp = number_after(line, "\"irp_addr\":\"0x", 16);
        if (line.find("\"event\":\"return\"") == std::string::npos || irp == ~std::uint64_t{0} ||
            irp < (std::uint64_t{1} << 44))
            continue;
        ++checked;
        const std::uint64_t v = irp >> 4;
        const bool whole = (irp & 15) == 0 && number_after(line, "\"status\":\"0x", 16) == (v & 0x7FFFFFFF) &&
                           number_after(line, "\"location\":", 10) == (v & 0x3F) &&
                           line.find((v & 1) ? "\"pending\":true" : "\"pending\":false") != std::string::npos;
        if (!whole) ++torn;
    }
    return checked;
}

TEST_F(LogStressTest, readers_never_see_a_torn_irp_log_record_while_two_threads_write) {
    std::atomic<int> reads_done{0};
    std::atomic<int> writing{0};
    auto writer = [&](std::uint64_t base) {
        record(base);  // the ring is this thread's from here on
        writing.fetch_add(1, std::memory_order_acq_rel);
        // Both writers hold their rings before either writes on: a writer that ran to its end alone
        // would release its ring to the other (a ring outlives its thread), leaving one ring.
        while (writing.load(std::memory_order_acquire) < 2) std::this_thread::yield();
        for (std::uint64_t i = 1;
             i < kMaxPerWriter && (i < kMinPerWriter || reads_done.load(std::memory_order_acquire) < kReads); ++i)
            record(base + i);
    };
    // Bases above 2^40 tell these records from any other test's.
    std::thread a(writer, std::uint64_t{1} << 40);
    std::thread b(writer, std::uint64_t{2} << 40);
    std::uint64_t torn = 0, checked = 0;
    std::thread reader([&] {
        while (writing.load(std::memory_order_acquire) < 2) std::this_thread::yield();
        // Each read starts at the oldest slot of each ring, which its writer is overwriting.
        for (int i = 0; i < kReads; ++i) {
            checked += check_log(torn);
            reads_done.fetch_add(1, std::memory_order_acq_rel);
        }
    });
    reader.join();
    a.join();
    b.join();
    EXPECT_EQ(torn, 0u) << "of " << checked << " records in " << kReads << " reads";
    EXPECT_GT(checked, 0u);
    // Once the writers stopped, each ring holds its writer's newest records, all whole.
    std::uint64_t final_torn = 0;
    EXPECT_GE(check_log(final_torn), 2u * 4000u);
    EXPECT_EQ(final_torn, 0u);
}

// The log's clock: each tick closes every ring's gate, so a thread's first event after a tick
// reads the clock (the others take derived times). Two threads record frees of their own IRP while
// the ticker ticks, noting the ticks done before and the ticks begun after each event. Invariant: a
// thread's first event, and every event with a whole tick (begun after the thread's previous event,
// done before this one) between it and the previous one, read the clock; and no more events read
// it than ticks were begun while they ran, plus each thread's first.
TEST_F(LogStressTest, a_tick_done_between_two_events_makes_the_second_read_the_clock) {
    constexpr std::size_t kEvents = 8000;  // 16000 words: no ring wraps over the thread's own records
    struct Run {
        IRP irp{};
        std::vector<std::uint64_t> done_before = std::vector<std::uint64_t>(kEvents);
        std::vector<std::uint64_t> begun_after = std::vector<std::uint64_t>(kEvents);
    };
    Run runs[2];
    const std::uint64_t done_at_start = log_clock_tick();
    auto writer = [](Run& run) {
        run.irp.CurrentLocation = 1;
        run.irp.StackCount = 1;
        for (std::size_t i = 0; i < kEvents; ++i) {
            run.done_before[i] = log_clock_tick();
            log_free(&run.irp);
            run.begun_after[i] = log_clock_ticks_begun();
            if (i % 100 == 99) std::this_thread::sleep_for(std::chrono::microseconds(200));  // ticks in between
        }
    };
    std::thread a(writer, std::ref(runs[0]));
    std::thread b(writer, std::ref(runs[1]));
    a.join();
    b.join();
    const std::uint64_t begun_at_end = log_clock_ticks_begun();

    const std::string text = log_json_lines();
    for (Run& run : runs) {
        char address[32];
        std::snprintf(address, sizeof address, "\"irp_addr\":\"0x%llx\"",
                      static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(&run.irp)));
        std::vector<bool> derived;  // this run's frees, oldest first
        for (std::size_t start = 0; start < text.size();) {
            std::size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            const std::string line = text.substr(start, end - start);
            start = end + 1;
            if (line.find("\"event\":\"free\"") != std::string::npos && line.find(address) != std::string::npos)
                derived.push_back(line.find("\"ts_derived\":true") != std::string::npos);
        }
        ASSERT_EQ(derived.size(), kEvents);
        EXPECT_FALSE(derived[0]) << "a thread's first event";
        std::size_t after_ticks = 0, reads = 0;
        for (std::size_t i = 0; i < kEvents; ++i) {
            if (!derived[i]) ++reads;
            if (i == 0 || run.done_before[i] <= run.begun_after[i - 1]) continue;
            ++after_ticks;
            EXPECT_FALSE(derived[i]) << "event " << i << " came after tick " << run.done_before[i];
        }
        EXPECT_GT(after_ticks, 0u) << "no tick was done while the thread recorded";
        EXPECT_LE(reads, 1 + begun_at_end - done_at_start);
    }
}

}  // namespace
}  // namespace ntio::verifier::test
