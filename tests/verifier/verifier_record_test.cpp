// The verifier's per-IRP tracking records (issue 6, gate V2): records come from never-freed slabs and
// are recycled, so a record must stay the IRP's while a dispatch frame of that IRP still runs, even
// after the IRP was completed and freed underneath it and another IRP took a record meanwhile. The
// legal pattern of spec 5.3 (mark pending, complete, return STATUS_PENDING) must then not be flagged
// (a recycled record would have lost the pending bit and reported 0xC9 0x23D), and nothing stays
// tracked once the IRPs are gone.
// Rule page: https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
#include <dirent.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

#include <wdm.h>
#include <ntio/ntio.h>
#include <ntio/ntio_verifier.h>

#include "support/bugcheck_catcher.hpp"
#include "support/system_fixture.hpp"
#include "verifier/state.hpp"

namespace ntio::verifier::test {
namespace {

PDEVICE_OBJECT g_lower = nullptr;  // VrcLower's device, the target of VrcUpper's own reads
std::atomic<int> g_side_reads{0};

// VrcLower: completes every read inline.
NTSTATUS NTAPI LowerRead(PDEVICE_OBJECT, PIRP Irp) {
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI DeleteDevices(PDRIVER_OBJECT DriverObject) {
    while (PDEVICE_OBJECT device = DriverObject->DeviceObject) IoDeleteDevice(device);
}

NTSTATUS NTAPI VrcLowerDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    DriverObject->MajorFunction[IRP_MJ_READ] = LowerRead;
    DriverObject->DriverUnload = DeleteDevices;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    g_lower = device;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI SideReadDone(PDEVICE_OBJECT, PIRP Irp, PVOID) {
    g_side_reads.fetch_add(1);
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// VrcUpper: marks the read pending and completes it (its originator frees it in its completion
// routine), then, with the read gone, sends a read of its own to VrcLower and returns STATUS_PENDING.
NTSTATUS NTAPI UpperRead(PDEVICE_OBJECT, PIRP Irp) {
    IoMarkIrpPending(Irp);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    PIRP side = IoAllocateIrp(g_lower->StackSize, FALSE);
    if (side) {
        PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(side);
        next->MajorFunction = IRP_MJ_READ;
        next->Parameters.Read.Length = 16;
        IoSetCompletionRoutine(side, SideReadDone, nullptr, TRUE, TRUE, TRUE);
        (void)IoCallDriver(g_lower, side);
    }
    return STATUS_PENDING;
}

NTSTATUS NTAPI VrcUpperDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    DriverObject->MajorFunction[IRP_MJ_READ] = UpperRead;
    DriverObject->DriverUnload = DeleteDevices;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

// The bugcheck's dump goes to a directory of this binary's own, removed at exit.
char g_dump_dir[64] = "";
void remove_dump_dir() {
    if (DIR* dir = ::opendir(g_dump_dir)) {
        while (dirent* entry = ::readdir(dir))
            if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0)
                ::unlink((std::string(g_dump_dir) + "/" + entry->d_name).c_str());
        ::closedir(dir);
    }
    ::rmdir(g_dump_dir);
}
void use_private_dump_dir() {
    if (g_dump_dir[0]) return;
    std::strcpy(g_dump_dir, "/tmp/ntio-verifier-record-XXXXXX");
    if (!::mkdtemp(g_dump_dir)) {
        g_dump_dir[0] = '\0';
        return;
    }
    ::setenv("NTIO_DUMP_DIR", g_dump_dir, 1);
    std::atexit(remove_dump_dir);
}

NTSTATUS NTAPI OriginatorFrees(PDEVICE_OBJECT, PIRP Irp, PVOID Context) {
    static_cast<std::atomic<int>*>(Context)->fetch_add(1);
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

class VerifierRecordTest : public ntio::test::SystemTest {
protected:
    void SetUp() override {
        use_private_dump_dir();
        SystemTest::SetUp();
        (void)NtioVerifierSetMode(NtioVerifierStrict);
        UNICODE_STRING lower = RTL_CONSTANT_STRING(L"VrcLower");
        UNICODE_STRING upper = RTL_CONSTANT_STRING(L"VrcUpper");
        ASSERT_TRUE(NT_SUCCESS(NtioCreateDriver(&lower, VrcLowerDriverEntry, &m_lower)));
        ASSERT_TRUE(NT_SUCCESS(NtioCreateDriver(&upper, VrcUpperDriverEntry, &m_upper)));
        ASSERT_TRUE(NT_SUCCESS(NtioVerifierSetFlags(m_lower, NTIO_VERIFIER_IO_CHECKING)));
        ASSERT_TRUE(NT_SUCCESS(NtioVerifierSetFlags(m_upper, NTIO_VERIFIER_IO_CHECKING)));
    }
    void TearDown() override {
        for (PDRIVER_OBJECT* driver : {&m_upper, &m_lower}) {
            if (!*driver) continue;
            (void)NtioVerifierSetFlags(*driver, 0);
            (void)NtioUnloadDriver(*driver);
            ObDereferenceObject(*driver);
            *driver = nullptr;
        }
        g_lower = nullptr;
        SystemTest::TearDown();
    }
    PDRIVER_OBJECT m_lower = nullptr;
    PDRIVER_OBJECT m_upper = nullptr;
};

// Spec 5.3 legal pattern; the IRP's record outlives the IRP while VrcUpper's dispatch frame runs.
TEST_F(VerifierRecordTest, record_stays_the_irps_while_its_dispatch_runs_after_the_irp_was_freed_and_another_was_sent) {
    PDEVICE_OBJECT upper = m_upper->DeviceObject;
    std::atomic<int> completions{0};
    const int kRounds = 200;  // more than one slab of records, so records are recycled and reused
    for (int round = 0; round < kRounds; ++round) {
        NTSTATUS status = STATUS_UNSUCCESSFUL;
        auto bugcheck = ntio::test::catch_bugcheck([&] {
            PIRP irp = IoAllocateIrp(upper->StackSize, FALSE);
            ASSERT_NE(irp, nullptr);
            PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
            next->MajorFunction = IRP_MJ_READ;
            next->Parameters.Read.Length = 8;
            IoSetCompletionRoutine(irp, OriginatorFrees, &completions, TRUE, TRUE, TRUE);
            status = IoCallDriver(upper, irp);
        });
        ASSERT_FALSE(bugcheck.has_value()) << "round " << round << ": bugcheck 0x" << std::hex << bugcheck->code
                                           << " P1 0x" << bugcheck->p1;
        EXPECT_EQ(status, STATUS_PENDING);
    }
    EXPECT_EQ(completions.load(), kRounds);
    EXPECT_EQ(g_side_reads.load() % kRounds, 0);
    // Every IRP was freed: no record is left in the table.
    EXPECT_FALSE(ntio::verifier::any_records());
}

// The neighbour that must still trip: the same dispatch returning STATUS_PENDING without having
// marked the read pending is 0xC9 0x23D, also on a record taken from the recycled ones.
NTSTATUS NTAPI UnmarkedPendingRead(PDEVICE_OBJECT, PIRP Irp) {
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_PENDING;
}

TEST_F(VerifierRecordTest, pending_returned_without_marking_still_trips_on_a_recycled_record) {
    PDEVICE_OBJECT upper = m_upper->DeviceObject;
    std::atomic<int> completions{0};
    // Records used and recycled first.
    for (int round = 0; round < 40; ++round) {
        PIRP irp = IoAllocateIrp(upper->StackSize, FALSE);
        ASSERT_NE(irp, nullptr);
        PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
        next->MajorFunction = IRP_MJ_READ;
        IoSetCompletionRoutine(irp, OriginatorFrees, &completions, TRUE, TRUE, TRUE);
        ASSERT_EQ(IoCallDriver(upper, irp), STATUS_PENDING);
    }
    m_upper->MajorFunction[IRP_MJ_READ] = UnmarkedPendingRead;
    PIRP irp = IoAllocateIrp(upper->StackSize, FALSE);
    ASSERT_NE(irp, nullptr);
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = IRP_MJ_READ;
    IoSetCompletionRoutine(irp, OriginatorFrees, &completions, TRUE, TRUE, TRUE);
    auto bugcheck = ntio::test::catch_bugcheck([&] { (void)IoCallDriver(upper, irp); });
    ASSERT_TRUE(bugcheck.has_value());
    EXPECT_EQ(bugcheck->code, static_cast<ULONG>(DRIVER_VERIFIER_IOMANAGER_VIOLATION));
    EXPECT_EQ(bugcheck->p1, 0x23Du);
    EXPECT_EQ(bugcheck->p2, reinterpret_cast<ULONG_PTR>(&UnmarkedPendingRead));
    EXPECT_EQ(completions.load(), 41);
}

}  // namespace
}  // namespace ntio::verifier::test
