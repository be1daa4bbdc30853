// Filter contexts on headers a file system sets up: FsRtlSetupAdvancedHeader / Ex and the fields
// they set, per-stream contexts inserted, found by owner and instance, removed without their free
// callback and torn down with it (once), the statuses for a header without filter context support,
// the fast mutex a header without a push lock is guarded by, and per-file contexts behind a file
// system's FileContextSupportPointer.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlsetupadvancedheaderex
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtllookupperstreamcontext
#include <gtest/gtest.h>

#include <vector>

#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace filter_context_unit {

using FilterContextTest = ntio::test::SystemTest;

// A file system's per-stream and per-file structures, as far as FsRtl sees them.
struct TestFcb {
    FSRTL_ADVANCED_FCB_HEADER header;
    FAST_MUTEX mutex;
};
struct TestFile {
    PVOID file_contexts;  // what FileContextSupportPointer points at
};

std::vector<void*> g_freed;
VOID NTAPI record_free(PVOID buffer) { g_freed.push_back(buffer); }

int g_owner_a;
int g_owner_b;
int g_instance_1;
int g_instance_2;

TEST_F(FilterContextTest, setup_marks_the_header_and_starts_an_empty_list) {
    TestFcb fcb{};
    ExInitializeFastMutex(&fcb.mutex);
    FsRtlSetupAdvancedHeader(&fcb.header, &fcb.mutex);
    EXPECT_TRUE(fcb.header.Flags & FSRTL_FLAG_ADVANCED_HEADER);
    EXPECT_TRUE(fcb.header.Flags2 & FSRTL_FLAG2_SUPPORTS_FILTER_CONTEXTS);
    EXPECT_GE(static_cast<int>(fcb.header.Version), FSRTL_FCB_HEADER_V1);
    EXPECT_EQ(fcb.header.FastMutex, &fcb.mutex);
    EXPECT_TRUE(IsListEmpty(&fcb.header.FilterContexts));
    EXPECT_EQ(fcb.header.FileContextSupportPointer, nullptr);

    // NULL keeps the fast mutex the file system set itself.
    TestFcb other{};
    other.header.FastMutex = &fcb.mutex;
    TestFile file{};
    FsRtlSetupAdvancedHeaderEx(&other.header, NULL, &file.file_contexts);
    EXPECT_EQ(other.header.FastMutex, &fcb.mutex);
    EXPECT_EQ(other.header.FileContextSupportPointer, &file.file_contexts);

    FILE_OBJECT fo{};
    EXPECT_FALSE(FsRtlSupportsPerStreamContexts(&fo));  // no FsContext
    fo.FsContext = &fcb.header;
    EXPECT_TRUE(FsRtlSupportsPerStreamContexts(&fo));
    EXPECT_EQ(FsRtlGetPerStreamContextPointer(&fo), &fcb.header);
    EXPECT_FALSE(FsRtlSupportsPerFileContexts(&fo));
    EXPECT_EQ(FsRtlGetPerFileContextPointer(&fo), nullptr);
    fo.FsContext = &other.header;
    EXPECT_TRUE(FsRtlSupportsPerFileContexts(&fo));
    EXPECT_EQ(FsRtlGetPerFileContextPointer(&fo), &file.file_contexts);
}

TEST_F(FilterContextTest, stream_contexts_match_on_owner_and_instance_and_go_once) {
    g_freed.clear();
    TestFcb fcb{};
    ExInitializeFastMutex(&fcb.mutex);
    FsRtlSetupAdvancedHeader(&fcb.header, &fcb.mutex);
    FSRTL_PER_STREAM_CONTEXT a1{};
    FSRTL_PER_STREAM_CONTEXT a2{};
    FSRTL_PER_STREAM_CONTEXT b{};
    FsRtlInitPerStreamContext(&a1, &g_owner_a, &g_instance_1, record_free);
    FsRtlInitPerStreamContext(&a2, &g_owner_a, &g_instance_2, record_free);
    FsRtlInitPerStreamContext(&b, &g_owner_b, NULL, record_free);
    EXPECT_EQ(a1.FreeCallback, record_free);
    EXPECT_EQ(FsRtlLookupPerStreamContext(&fcb.header, NULL, NULL), nullptr);
    ASSERT_EQ(FsRtlInsertPerStreamContext(&fcb.header, &a1), STATUS_SUCCESS);
    ASSERT_EQ(FsRtlInsertPerStreamContext(&fcb.header, &a2), STATUS_SUCCESS);
    ASSERT_EQ(FsRtlInsertPerStreamContext(&fcb.header, &b), STATUS_SUCCESS);

    EXPECT_NE(FsRtlLookupPerStreamContext(&fcb.header, NULL, NULL), nullptr);
    EXPECT_EQ(FsRtlLookupPerStreamContext(&fcb.header, &g_owner_b, NULL), &b);
    EXPECT_EQ(FsRtlLookupPerStreamContext(&fcb.header, &g_owner_a, &g_instance_1), &a1);
    EXPECT_EQ(FsRtlLookupPerStreamContext(&fcb.header, &g_owner_a, &g_instance_2), &a2);
    EXPECT_EQ(FsRtlLookupPerStreamContext(&fcb.header, &g_owner_b, &g_instance_1), nullptr);
    PFSRTL_PER_STREAM_CONTEXT any_a = FsRtlLookupPerStreamContext(&fcb.header, &g_owner_a, NULL);
    EXPECT_TRUE(any_a == &a1 || any_a == &a2);

    // Removal: the first match only, handed back without its callback.
    EXPECT_EQ(FsRtlRemovePerStreamContext(&fcb.header, &g_owner_a, &g_instance_1), &a1);
    EXPECT_EQ(FsRtlRemovePerStreamContext(&fcb.header, &g_owner_a, &g_instance_1), nullptr);
    EXPECT_EQ(FsRtlLookupPerStreamContext(&fcb.header, &g_owner_a, &g_instance_1), nullptr);
    EXPECT_EQ(FsRtlLookupPerStreamContext(&fcb.header, &g_owner_a, NULL), &a2);
    EXPECT_TRUE(g_freed.empty());

    // Teardown: every context left, each callback once, the list empty after.
    FsRtlTeardownPerStreamContexts(&fcb.header);
    ASSERT_EQ(g_freed.size(), 2u);
    EXPECT_TRUE((g_freed[0] == &a2 && g_freed[1] == &b) || (g_freed[0] == &b && g_freed[1] == &a2));
    EXPECT_TRUE(IsListEmpty(&fcb.header.FilterContexts));
    FsRtlTeardownPerStreamContexts(&fcb.header);
    EXPECT_EQ(g_freed.size(), 2u);
}

// FsRtlInsertPerStreamContext on Microsoft Learn: STATUS_INVALID_DEVICE_REQUEST when the file
// system does not support filter contexts; lookup and removal find nothing then.
TEST_F(FilterContextTest, a_header_without_filter_context_support_takes_none) {
    g_freed.clear();
    TestFcb fcb{};
    fcb.header.NodeTypeCode = 0x0702;
    fcb.header.Flags = FSRTL_FLAG_ADVANCED_HEADER;  // advanced, but FSRTL_FLAG2_SUPPORTS_FILTER_CONTEXTS clear
    InitializeListHead(&fcb.header.FilterContexts);
    FSRTL_PER_STREAM_CONTEXT context{};
    FsRtlInitPerStreamContext(&context, &g_owner_a, NULL, record_free);
    EXPECT_EQ(FsRtlInsertPerStreamContext(&fcb.header, &context), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(FsRtlInsertPerStreamContext(nullptr, &context), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(FsRtlLookupPerStreamContext(&fcb.header, &g_owner_a, NULL), nullptr);
    EXPECT_EQ(FsRtlLookupPerStreamContextInternal(&fcb.header, &g_owner_a, NULL), nullptr);
    EXPECT_EQ(FsRtlRemovePerStreamContext(&fcb.header, &g_owner_a, NULL), nullptr);
    FsRtlTeardownPerStreamContexts(&fcb.header);
    EXPECT_TRUE(g_freed.empty());
    EXPECT_TRUE(IsListEmpty(&fcb.header.FilterContexts));

    FILE_OBJECT fo{};
    fo.FsContext = &fcb.header;
    EXPECT_FALSE(FsRtlSupportsPerStreamContexts(&fo));
    EXPECT_FALSE(FsRtlSupportsPerFileContexts(&fo));

    // Supported, but a NULL context is refused.
    FsRtlSetupAdvancedHeader(&fcb.header, NULL);
    EXPECT_EQ(FsRtlInsertPerStreamContext(&fcb.header, nullptr), STATUS_INVALID_PARAMETER);
}

// A header set up by hand before push locks (Version 0) is guarded by its FastMutex.
TEST_F(FilterContextTest, a_version_0_header_uses_its_fast_mutex) {
    g_freed.clear();
    TestFcb fcb{};
    ExInitializeFastMutex(&fcb.mutex);
    fcb.header.Flags = FSRTL_FLAG_ADVANCED_HEADER;
    fcb.header.Flags2 = FSRTL_FLAG2_SUPPORTS_FILTER_CONTEXTS;
    fcb.header.Version = FSRTL_FCB_HEADER_V0;
    fcb.header.FastMutex = &fcb.mutex;
    InitializeListHead(&fcb.header.FilterContexts);
    FSRTL_PER_STREAM_CONTEXT context{};
    FsRtlInitPerStreamContext(&context, &g_owner_b, NULL, record_free);
    ASSERT_EQ(FsRtlInsertPerStreamContext(&fcb.header, &context), STATUS_SUCCESS);
    EXPECT_EQ(FsRtlLookupPerStreamContext(&fcb.header, &g_owner_b, NULL), &context);
    EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    FsRtlTeardownPerStreamContexts(&fcb.header);
    EXPECT_EQ(g_freed, std::vector<void*>({&context}));
}

// Per-file contexts: FsRtl's list behind the file system's pointer, shared by the file's streams,
// made by the first insert and gone with FsRtlTeardownPerFileContexts.
TEST_F(FilterContextTest, file_contexts_live_behind_the_file_systems_pointer) {
    g_freed.clear();
    TestFile file{};
    TestFcb data{};
    TestFcb named{};
    FsRtlSetupAdvancedHeaderEx(&data.header, NULL, &file.file_contexts);
    FsRtlSetupAdvancedHeaderEx(&named.header, NULL, &file.file_contexts);
    FILE_OBJECT fo1{};
    FILE_OBJECT fo2{};
    fo1.FsContext = &data.header;
    fo2.FsContext = &named.header;
    ASSERT_EQ(FsRtlGetPerFileContextPointer(&fo1), FsRtlGetPerFileContextPointer(&fo2));

    FSRTL_PER_FILE_CONTEXT a{};
    FSRTL_PER_FILE_CONTEXT b{};
    FsRtlInitPerFileContext(&a, &g_owner_a, &g_instance_1, record_free);
    FsRtlInitPerFileContext(&b, &g_owner_b, NULL, record_free);
    EXPECT_EQ(FsRtlInsertPerFileContext(nullptr, &a), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(FsRtlLookupPerFileContext(FsRtlGetPerFileContextPointer(&fo1), NULL, NULL), nullptr);
    EXPECT_EQ(file.file_contexts, nullptr);
    ASSERT_EQ(FsRtlInsertPerFileContext(FsRtlGetPerFileContextPointer(&fo1), &a), STATUS_SUCCESS);
    EXPECT_NE(file.file_contexts, nullptr);
    ASSERT_EQ(FsRtlInsertPerFileContext(FsRtlGetPerFileContextPointer(&fo2), &b), STATUS_SUCCESS);
    EXPECT_EQ(FsRtlLookupPerFileContext(FsRtlGetPerFileContextPointer(&fo2), &g_owner_a, &g_instance_1), &a);
    EXPECT_EQ(FsRtlLookupPerFileContext(FsRtlGetPerFileContextPointer(&fo1), &g_owner_b, NULL), &b);
    EXPECT_EQ(FsRtlLookupPerFileContext(FsRtlGetPerFileContextPointer(&fo1), &g_owner_a, &g_instance_2), nullptr);
    EXPECT_EQ(FsRtlLookupPerFileContext(nullptr, NULL, NULL), nullptr);

    EXPECT_EQ(FsRtlRemovePerFileContext(&file.file_contexts, &g_owner_b, NULL), &b);
    EXPECT_EQ(FsRtlRemovePerFileContext(&file.file_contexts, &g_owner_b, NULL), nullptr);
    EXPECT_EQ(FsRtlRemovePerFileContext(nullptr, &g_owner_b, NULL), nullptr);
    EXPECT_TRUE(g_freed.empty());

    // The streams' teardowns leave the file's contexts alone; the file's teardown frees them.
    FsRtlTeardownPerStreamContexts(&data.header);
    FsRtlTeardownPerStreamContexts(&named.header);
    EXPECT_TRUE(g_freed.empty());
    FsRtlTeardownPerFileContexts(&file.file_contexts);
    EXPECT_EQ(g_freed, std::vector<void*>({&a}));
    EXPECT_EQ(file.file_contexts, nullptr);
    FsRtlTeardownPerFileContexts(&file.file_contexts);
    FsRtlTeardownPerFileContexts(nullptr);
    EXPECT_EQ(g_freed.size(), 1u);
}

}  // namespace filter_context_unit
