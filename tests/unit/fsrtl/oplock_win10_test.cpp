// The Windows 10 oplock routines behind the in-test file system (oplock_test_fs.hpp):
// FsRtlCheckOplockEx2's notified blocking wait and FsRtlOplockGetAnyBreakOwnerProcess.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlcheckoplockex2
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fstrloplockgetanybreakownerprocess
#include "unit/fsrtl/oplock_test_fs.hpp"

#include <functional>
#include <vector>

namespace ntio::fsrtl::oplock_test {
namespace {

using OplockWin10Test = OplockFsTest;

// What a notify routine heard; `params` first, so the routine finds the rest from its argument.
struct NotifyProbe {
    OPLOCK_NOTIFY_PARAMS params{};
    std::vector<OPLOCK_NOTIFY_REASON> reasons;
    std::vector<NTSTATUS> statuses;
    std::vector<PIRP> irps;
    std::function<void()> on_timeout;
};

NTSTATUS NTAPI record_notify(POPLOCK_NOTIFY_PARAMS params) {
    auto* probe = reinterpret_cast<NotifyProbe*>(params->NotifyContext);
    probe->reasons.push_back(params->NotifyReason);
    probe->statuses.push_back(params->Status);
    probe->irps.push_back(params->Irp);
    if (params->NotifyReason == OPLOCK_NOTIFY_BREAK_WAIT_INTERIM_TIMEOUT && probe->on_timeout) probe->on_timeout();
    return STATUS_UNSUCCESSFUL;  // ignored (Learn)
}

// A write from another open breaks level 1 and blocks (no CompletionRoutine). Its 1 ms timeout
// passes with no acknowledgement (the owner answers only from the interim notification, so the
// order does not depend on time); the wait goes on, ends with the acknowledgement, and the routine
// hears of that end too. The routine's failure status changes nothing.
TEST_F(OplockWin10Test, check_ex2_notifies_the_blocked_wait_of_its_timeout_and_its_end) {
    Request& oplock = fsctl(&m_a, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    ASSERT_EQ(oplock.returned, STATUS_PENDING);
    Request& write = prepare(&m_b, IRP_MJ_WRITE);
    IoSetNextIrpStackLocation(write.irp);  // as the file system's dispatch routine sees it
    NotifyProbe probe;
    Request* ack = nullptr;
    probe.on_timeout = [&] {
        EXPECT_TRUE(oplock.completed());  // the break was sent before the wait
        ack = &fsctl(&m_a, FSCTL_OPLOCK_BREAK_ACKNOWLEDGE);
    };
    EXPECT_EQ(FsRtlCheckOplockEx2(&m_fs.oplock, write.irp, 0, 0, nullptr, nullptr, nullptr, 1, &probe.params,
                                  record_notify),
              STATUS_SUCCESS);
    EXPECT_EQ(probe.reasons, (std::vector<OPLOCK_NOTIFY_REASON>{OPLOCK_NOTIFY_BREAK_WAIT_INTERIM_TIMEOUT,
                                                                 OPLOCK_NOTIFY_BREAK_WAIT_TERMINATED}));
    EXPECT_EQ(probe.statuses, (std::vector<NTSTATUS>{STATUS_TIMEOUT, STATUS_SUCCESS}));
    EXPECT_EQ(probe.irps, (std::vector<PIRP>{write.irp, write.irp}));
    ASSERT_NE(ack, nullptr);
    EXPECT_EQ(ack->returned, STATUS_SUCCESS);  // broken to none by the write
    EXPECT_FALSE(FsRtlCurrentOplock(&m_fs.oplock));
    write.irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(write.irp, IO_NO_INCREMENT);
}

// Without a wait the notify routine hears nothing; FlagsEx2 is reserved; the key-only check breaks
// nothing.
TEST_F(OplockWin10Test, check_ex2_without_a_wait_and_bad_input) {
    Request& oplock = fsctl(&m_a, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    Request& read = prepare(&m_a, IRP_MJ_READ);  // the owner's own read breaks nothing
    IoSetNextIrpStackLocation(read.irp);
    NotifyProbe probe;
    EXPECT_EQ(FsRtlCheckOplockEx2(&m_fs.oplock, read.irp, 0, 0, nullptr, nullptr, nullptr, 1, &probe.params,
                                  record_notify),
              STATUS_SUCCESS);
    EXPECT_TRUE(probe.reasons.empty());
    EXPECT_EQ(FsRtlCheckOplockEx2(&m_fs.oplock, read.irp, 0, 1, nullptr, nullptr, nullptr, 0, nullptr, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlCheckOplockEx2(nullptr, read.irp, 0, 0, nullptr, nullptr, nullptr, 0, nullptr, nullptr),
              STATUS_INVALID_PARAMETER);
    Request& other = prepare(&m_b, IRP_MJ_READ);
    IoSetNextIrpStackLocation(other.irp);
    EXPECT_EQ(FsRtlCheckOplockEx2(&m_fs.oplock, other.irp, OPLOCK_FLAG_OPLOCK_KEY_CHECK_ONLY, 0, nullptr, nullptr,
                                  nullptr, 0, nullptr, nullptr),
              STATUS_SUCCESS);
    EXPECT_FALSE(oplock.completed());
    for (Request* r : {&read, &other}) {
        r->irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(r->irp, IO_NO_INCREMENT);
    }
}

// The exclusive owner's process while level 1 is granted; none for shared oplocks alone; the first
// breaking owner's while an RH break waits for its acknowledgement; none after. Each process comes
// referenced.
TEST_F(OplockWin10Test, break_owner_process_is_the_exclusive_owner_or_the_first_breaking_one) {
    auto owner_is_current = [&] {
        PEPROCESS owner = FsRtlOplockGetAnyBreakOwnerProcess(&m_fs.oplock);
        if (!owner) return false;
        const bool current = owner == PsGetCurrentProcess();
        ObDereferenceObject(owner);
        return current;
    };
    EXPECT_EQ(FsRtlOplockGetAnyBreakOwnerProcess(&m_fs.oplock), nullptr);  // never used
    Request& level1 = fsctl(&m_a, FSCTL_REQUEST_OPLOCK_LEVEL_1);
    ASSERT_EQ(level1.returned, STATUS_PENDING);
    EXPECT_TRUE(owner_is_current());
    (void)send(&m_a, IRP_MJ_CLEANUP);
    EXPECT_TRUE(level1.completed());
    EXPECT_EQ(FsRtlOplockGetAnyBreakOwnerProcess(&m_fs.oplock), nullptr);

    m_fs.open_count = 0;
    Request& rh = win7(&m_b, R | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    ASSERT_EQ(rh.returned, STATUS_PENDING);
    EXPECT_EQ(FsRtlOplockGetAnyBreakOwnerProcess(&m_fs.oplock), nullptr);  // shared, not breaking
    Request& probe = prepare(&m_c, IRP_MJ_FILE_SYSTEM_CONTROL, FSCTL_IS_VOLUME_MOUNTED);
    IoSetNextIrpStackLocation(probe.irp);
    EXPECT_EQ(FsRtlOplockBreakH(&m_fs.oplock, probe.irp, OPLOCK_FLAG_COMPLETE_IF_OPLOCKED, nullptr, nullptr, nullptr),
              STATUS_OPLOCK_BREAK_IN_PROGRESS);
    EXPECT_TRUE(owner_is_current());  // the RH break waits for its acknowledgement
    Request& ack = win7(&m_b, R, REQUEST_OPLOCK_INPUT_FLAG_ACK);
    EXPECT_EQ(ack.returned, STATUS_PENDING);
    EXPECT_EQ(FsRtlOplockGetAnyBreakOwnerProcess(&m_fs.oplock), nullptr);
    probe.irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(probe.irp, IO_NO_INCREMENT);
}

}  // namespace
}  // namespace ntio::fsrtl::oplock_test
