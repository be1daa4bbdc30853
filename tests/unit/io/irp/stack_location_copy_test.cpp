// IoCopyCurrentIrpStackLocationToNext, the DDK macro, as the WDK documents it: the next location
// gets every field of the current one up to CompletionRoutine (function codes, flags, all of
// Parameters, DeviceObject, FileObject), Control cleared, and keeps its own CompletionRoutine and
// Context. https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocopycurrentirpstacklocationtonext
#include "unit/io/irp/irp_test_support.hpp"

namespace ntio::io::test {
namespace {

using StackLocationCopyTest = ntio::test::SystemTest;

NTSTATUS NTAPI unused_routine(PDEVICE_OBJECT, PIRP, PVOID) { return STATUS_SUCCESS; }

TEST_F(StackLocationCopyTest, CopiesEverythingBeforeTheCompletionRoutineAndClearsControl) {
    PIRP irp = IoAllocateIrp(2, FALSE);
    ASSERT_NE(irp, nullptr);
    IoSetNextIrpStackLocation(irp);  // the current location is now the top one
    PIO_STACK_LOCATION current = IoGetCurrentIrpStackLocation(irp);
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    current->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    current->MinorFunction = 0x5A;
    current->Flags = SL_OVERRIDE_VERIFY_VOLUME;
    current->Control = SL_PENDING_RETURNED | SL_INVOKE_ON_SUCCESS;
    current->Parameters.Others.Argument1 = reinterpret_cast<PVOID>(0x1111111111111111ull);
    current->Parameters.Others.Argument2 = reinterpret_cast<PVOID>(0x2222222222222222ull);
    current->Parameters.Others.Argument3 = reinterpret_cast<PVOID>(0x3333333333333333ull);
    current->Parameters.Others.Argument4 = reinterpret_cast<PVOID>(0x4444444444444444ull);
    current->DeviceObject = reinterpret_cast<PDEVICE_OBJECT>(0x5555555555555550ull);
    current->FileObject = reinterpret_cast<PFILE_OBJECT>(0x6666666666666660ull);
    current->CompletionRoutine = unused_routine;
    current->Context = reinterpret_cast<PVOID>(0x7777777777777770ull);
    next->Control = 0xFF;
    next->CompletionRoutine = nullptr;
    next->Context = reinterpret_cast<PVOID>(0x8888888888888880ull);

    IoCopyCurrentIrpStackLocationToNext(irp);

    EXPECT_EQ(next->MajorFunction, IRP_MJ_DEVICE_CONTROL);
    EXPECT_EQ(next->MinorFunction, 0x5A);
    EXPECT_EQ(next->Flags, SL_OVERRIDE_VERIFY_VOLUME);
    EXPECT_EQ(next->Control, 0);
    EXPECT_EQ(std::memcmp(&next->Parameters, &current->Parameters, sizeof(current->Parameters)), 0);
    EXPECT_EQ(next->DeviceObject, current->DeviceObject);
    EXPECT_EQ(next->FileObject, current->FileObject);
    EXPECT_EQ(next->CompletionRoutine, nullptr);
    EXPECT_EQ(next->Context, reinterpret_cast<PVOID>(0x8888888888888880ull));
    // The current location is left as it was.
    EXPECT_EQ(current->Control, SL_PENDING_RETURNED | SL_INVOKE_ON_SUCCESS);
    EXPECT_EQ(current->CompletionRoutine, unused_routine);
    current->DeviceObject = nullptr;
    current->FileObject = nullptr;
    IoFreeIrp(irp);
}

}  // namespace
}  // namespace ntio::io::test
