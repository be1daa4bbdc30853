// The IRP log's rings are read (inspector, dumps, trace export) while their writers record: two
// threads record events whose fields all derive from one number while a third thread keeps reading
// the whole log. Invariant: every record a reader gets is whole, i.e. its fields agree with each
// other (a torn record mixes two writes and breaks that), and no reader ever waits for a writer.
#include <atomic>
#include <string>
#include <thread>

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

}  // namespace
}  // namespace ntio::verifier::test
