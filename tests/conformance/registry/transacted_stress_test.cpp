// Concurrency stress of transacted keys. Threads each run transactions that write two values (A and B
// of one stamp) into one shared key and commit, while a plain writer keeps writing the same key (which
// rolls whichever transaction holds it back) and readers watch it. Invariant: a stamp's A and B are
// both in the key or both absent (a commit is atomic), they are there exactly when the commit returned
// STATUS_SUCCESS (a commit the plain writer overtook is STATUS_TRANSACTION_(ALREADY_)ABORTED), every plain
// write is there, a failed write in a transaction is only
// STATUS_TRANSACTIONAL_CONFLICT or STATUS_TRANSACTION_NOT_ACTIVE, and nothing hangs.
#include "conformance/registry/registry_test_support.hpp"

#include <thread>

namespace ntio::test {
namespace {

using TransactedKeyStress = RegistryTest;

std::u16string stamp_name(char16_t prefix, int thread, int iteration) {
    std::u16string name(1, prefix);
    for (char c : std::to_string(thread * 100000 + iteration)) name.push_back(static_cast<char16_t>(c));
    return name;
}

TEST_F(TransactedKeyStress, CommitsAreAtomicAndPlainWritersWin) {
    constexpr int kThreads = 3;
    constexpr int kIterations = 300;
    const HANDLE shared = scratch();
    std::atomic<long> broken{0};
    std::vector<std::vector<bool>> committed(kThreads, std::vector<bool>(kIterations, false));

    auto transactor = [&](int id) {
        for (int i = 0; i < kIterations; ++i) {
            HANDLE tx = nullptr;
            if (NtCreateTransaction(&tx, TRANSACTION_ALL_ACCESS, nullptr, nullptr, nullptr, 0, 0, 0, nullptr,
                                    nullptr) != STATUS_SUCCESS) {
                ++broken;
                continue;
            }
            Handle key;
            ObjectName oa(L"", OBJ_CASE_INSENSITIVE, shared);
            NTSTATUS status = NtOpenKeyTransacted(key.out(), KEY_ALL_ACCESS, oa.get(), tx);
            if (NT_SUCCESS(status)) status = set_dword(key, wide(stamp_name(u'A', id, i)), 1);
            if (NT_SUCCESS(status)) status = set_dword(key, wide(stamp_name(u'B', id, i)), 2);
            if (!NT_SUCCESS(status) && status != STATUS_TRANSACTIONAL_CONFLICT &&
                status != STATUS_TRANSACTION_NOT_ACTIVE)
                ++broken;
            if (NT_SUCCESS(status)) {
                status = NtCommitTransaction(tx, TRUE);
                if (status == STATUS_SUCCESS)
                    committed[id][i] = true;
                // Rolled back by the plain writer before the commit began, or while it ran.
                else if (status != STATUS_TRANSACTION_ALREADY_ABORTED && status != STATUS_TRANSACTION_ABORTED)
                    ++broken;
            } else {
                (void)NtRollbackTransaction(tx, TRUE);
            }
            key.reset();
            (void)NtClose(tx);
        }
    };
    constexpr int kPlainWrites = 400;
    auto plain_writer = [&] {
        for (int i = 0; i < kPlainWrites; ++i)
            if (set_dword(shared, wide(stamp_name(u'P', 0, i)), 3) != STATUS_SUCCESS) ++broken;
    };
    auto reader = [&] {
        for (int i = 0; i < kPlainWrites; ++i) {
            alignas(8) unsigned char buffer[256];
            ULONG result = 0;
            if (!NT_SUCCESS(NtQueryKey(shared, KeyFullInformation, buffer, sizeof buffer, &result))) ++broken;
        }
    };

    std::vector<std::thread> threads;
    for (int id = 0; id < kThreads; ++id) threads.emplace_back(transactor, id);
    threads.emplace_back(plain_writer);
    threads.emplace_back(reader);
    for (std::thread& thread : threads) thread.join();

    EXPECT_EQ(broken.load(), 0);
    ULONG type = 0;
    std::vector<unsigned char> data;
    for (int id = 0; id < kThreads; ++id) {
        for (int i = 0; i < kIterations; ++i) {
            const bool a = read_value(shared, wide(stamp_name(u'A', id, i)), type, data) == STATUS_SUCCESS;
            const bool b = read_value(shared, wide(stamp_name(u'B', id, i)), type, data) == STATUS_SUCCESS;
            EXPECT_EQ(a, b) << "torn commit " << id << "/" << i;
            EXPECT_EQ(a, committed[id][i]) << "stamp " << id << "/" << i;
        }
    }
    for (int i = 0; i < kPlainWrites; ++i)
        EXPECT_EQ(read_value(shared, wide(stamp_name(u'P', 0, i)), type, data), STATUS_SUCCESS) << i;
}

}  // namespace
}  // namespace ntio::test
