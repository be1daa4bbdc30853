// Filters on several threads inserting, finding and removing their contexts on one stream's header
// and one file's context list at the same time (the file's list made by whichever first insert wins).
// Invariant: between its insert and its removal a thread always finds its own context, its removal
// hands back exactly that context, no free callback runs for a removed context, and a teardown
// calls each context left exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace ntio::test {
namespace filter_context_stress {

using FilterContextStressTest = SystemTest;

constexpr int kThreads = 4;
constexpr int kRounds = 2000;

std::atomic<int> g_frees{0};
VOID NTAPI count_free(PVOID) { g_frees.fetch_add(1); }

struct Fcb {
    FSRTL_ADVANCED_FCB_HEADER header;
    PVOID file_contexts;
};

TEST_F(FilterContextStressTest, threads_find_and_remove_their_own_contexts) {
    g_frees = 0;
    Fcb fcb{};
    FsRtlSetupAdvancedHeaderEx(&fcb.header, NULL, &fcb.file_contexts);
    std::atomic<int> wrong{0};
    std::vector<int> owners(kThreads);
    std::vector<FSRTL_PER_STREAM_CONTEXT> streams(kThreads);
    std::vector<FSRTL_PER_FILE_CONTEXT> files(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            PVOID owner = &owners[t];
            for (int round = 0; round < kRounds; ++round) {
                FsRtlInitPerStreamContext(&streams[t], owner, NULL, count_free);
                FsRtlInitPerFileContext(&files[t], owner, NULL, count_free);
                if (FsRtlInsertPerStreamContext(&fcb.header, &streams[t]) != STATUS_SUCCESS) ++wrong;
                if (FsRtlInsertPerFileContext(fcb.header.FileContextSupportPointer, &files[t]) != STATUS_SUCCESS) ++wrong;
                if (FsRtlLookupPerStreamContext(&fcb.header, owner, NULL) != &streams[t]) ++wrong;
                if (FsRtlLookupPerFileContext(&fcb.file_contexts, owner, NULL) != &files[t]) ++wrong;
                if (FsRtlRemovePerStreamContext(&fcb.header, owner, NULL) != &streams[t]) ++wrong;
                if (FsRtlRemovePerFileContext(&fcb.file_contexts, owner, NULL) != &files[t]) ++wrong;
            }
            // Left for the teardowns.
            FsRtlInitPerStreamContext(&streams[t], owner, NULL, count_free);
            FsRtlInitPerFileContext(&files[t], owner, NULL, count_free);
            if (FsRtlInsertPerStreamContext(&fcb.header, &streams[t]) != STATUS_SUCCESS) ++wrong;
            if (FsRtlInsertPerFileContext(&fcb.file_contexts, &files[t]) != STATUS_SUCCESS) ++wrong;
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_EQ(g_frees.load(), 0);
    FsRtlTeardownPerStreamContexts(&fcb.header);
    EXPECT_EQ(g_frees.load(), kThreads);
    FsRtlTeardownPerFileContexts(&fcb.file_contexts);
    EXPECT_EQ(g_frees.load(), 2 * kThreads);
    EXPECT_EQ(fcb.file_contexts, nullptr);
}

}  // namespace filter_context_stress
}  // namespace ntio::test
