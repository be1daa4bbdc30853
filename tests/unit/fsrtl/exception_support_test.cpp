// FsRtl's exception helpers: the statuses a file system's exception filter handles, the pool
// macros that raise instead of returning NULL, posting a routine to a thread with its own stack, and
// the paging-file query.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlisntstatusexpected
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlpoststackoverflow
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>

#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace {

using FsRtlExceptionSupportTest = ntio::test::SystemTest;

TEST_F(FsRtlExceptionSupportTest, processor_exceptions_are_not_expected)
{
    EXPECT_FALSE(FsRtlIsNtstatusExpected(STATUS_ACCESS_VIOLATION));
    EXPECT_FALSE(FsRtlIsNtstatusExpected(STATUS_DATATYPE_MISALIGNMENT));
    EXPECT_FALSE(FsRtlIsNtstatusExpected(STATUS_ILLEGAL_INSTRUCTION));
    EXPECT_FALSE(FsRtlIsNtstatusExpected(STATUS_INSTRUCTION_MISALIGNMENT));
    EXPECT_TRUE(FsRtlIsNtstatusExpected(STATUS_DISK_FULL));
    EXPECT_TRUE(FsRtlIsNtstatusExpected(STATUS_INSUFFICIENT_RESOURCES));
    EXPECT_EQ(FsRtlNormalizeNtstatus(STATUS_DISK_FULL, STATUS_UNEXPECTED_IO_ERROR), STATUS_DISK_FULL);
    EXPECT_EQ(FsRtlNormalizeNtstatus(STATUS_ACCESS_VIOLATION, STATUS_UNEXPECTED_IO_ERROR), STATUS_UNEXPECTED_IO_ERROR);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-fsrtlistotaldevicefailure
TEST_F(FsRtlExceptionSupportTest, a_failed_device_is_a_total_failure_and_a_failed_sector_is_not)
{
    EXPECT_TRUE(FsRtlIsTotalDeviceFailure(STATUS_IO_DEVICE_ERROR));
    EXPECT_TRUE(FsRtlIsTotalDeviceFailure(STATUS_DEVICE_NOT_CONNECTED));
    EXPECT_TRUE(FsRtlIsTotalDeviceFailure(STATUS_DISK_OPERATION_FAILED));
    EXPECT_FALSE(FsRtlIsTotalDeviceFailure(STATUS_DEVICE_DATA_ERROR));  // Learn: a sector failure
    EXPECT_FALSE(FsRtlIsTotalDeviceFailure(STATUS_CRC_ERROR));
}

TEST_F(FsRtlExceptionSupportTest, success_and_statuses_of_no_device_are_no_total_failure)
{
    EXPECT_FALSE(FsRtlIsTotalDeviceFailure(STATUS_SUCCESS));
    EXPECT_FALSE(FsRtlIsTotalDeviceFailure(STATUS_PENDING));
    EXPECT_FALSE(FsRtlIsTotalDeviceFailure(STATUS_INVALID_PARAMETER));
    EXPECT_FALSE(FsRtlIsTotalDeviceFailure(STATUS_ACCESS_VIOLATION));
    EXPECT_FALSE(FsRtlIsTotalDeviceFailure(static_cast<NTSTATUS>(0xE0001234)));  // a customer status
}

TEST_F(FsRtlExceptionSupportTest, pool_macros_raise_when_pool_runs_out)
{
    PVOID p = FsRtlAllocatePoolWithTag(PagedPool, 64, 'tseT');
    ASSERT_NE(p, nullptr);
    ExFreePoolWithTag(p, 'tseT');
    volatile NTSTATUS raised = STATUS_SUCCESS;
    __try {
        (void)FsRtlAllocatePool(NonPagedPoolNx, SIZE_MAX / 2 + 1);  // beyond what pool ever gives
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        raised = GetExceptionCode();
    }
    EXPECT_EQ(raised, STATUS_INSUFFICIENT_RESOURCES);
}

// ntio pages to no file: neither an open file's object nor a bare one is a paging file's.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlispagingfile
TEST_F(FsRtlExceptionSupportTest, no_file_is_a_paging_file)
{
    FILE_OBJECT file{};
    file.Type = IO_TYPE_FILE;
    file.Size = sizeof(file);
    EXPECT_EQ(FsRtlIsPagingFile(&file), static_cast<LOGICAL>(FALSE));
    EXPECT_EQ(FsRtlIsPagingFile(nullptr), static_cast<LOGICAL>(FALSE));
}

struct Posted {
    std::atomic<PKTHREAD> thread{nullptr};
    std::atomic<PVOID> context{nullptr};
};
Posted g_posted;

VOID NTAPI overflow_routine(PVOID context, PKEVENT event) {
    g_posted.context.store(context);
    g_posted.thread.store(KeGetCurrentThread());
    KeSetEvent(event, IO_NO_INCREMENT, FALSE);
}

TEST_F(FsRtlExceptionSupportTest, posted_routines_run_on_another_thread)
{
    for (bool paging_file : {false, true}) {
        g_posted.thread.store(nullptr);
        KEVENT done;
        KeInitializeEvent(&done, NotificationEvent, FALSE);
        int context = 0;
        if (paging_file) FsRtlPostPagingFileStackOverflow(&context, &done, overflow_routine);
        else FsRtlPostStackOverflow(&context, &done, overflow_routine);
        ASSERT_EQ(KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
        EXPECT_EQ(g_posted.context.load(), &context);
        EXPECT_NE(g_posted.thread.load(), KeGetCurrentThread());
    }
}

}  // namespace
