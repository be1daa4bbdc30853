// A name-space driver's reparse on IRP_MJ_CREATE, through a WDK-style test driver with two devices:
// \Device\ReparseFrom answers a create of "\elsewhere" by renaming the file object
// (IoReplaceFileObjectName) to a name on \Device\ReparseTo and completing with STATUS_REPARSE and
// Information IO_REPARSE; the I/O manager looks the new name up, and the open lands on the other
// device, which sees the new name. The reparsed file object gets no CLEANUP or CLOSE on the first
// device. A reparse tag is not followed (STATUS_IO_REPARSE_TAG_NOT_HANDLED, an ntio deviation), a
// create with a device object hint cannot leave its stack (STATUS_MOUNT_POINT_NOT_RESOLVED), and a
// reparse that names itself ends.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioreplacefileobjectname
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iocreatefilespecifydeviceobjecthint
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "support/driver_fixture.hpp"

#include <ntifs.h>

namespace ntio::io::create_reparse_test {
namespace {

struct State {
    PDEVICE_OBJECT from = nullptr;
    PDEVICE_OBJECT to = nullptr;
    std::u16string landed_name;  // what \Device\ReparseTo's create saw
    int from_cleanups = 0;
    int from_closes = 0;
};
State g;

const wchar_t kTarget[] = L"\\Device\\ReparseTo\\landed";
const wchar_t kSelf[] = L"\\Device\\ReparseFrom\\loop";

bool name_is(PFILE_OBJECT file, const wchar_t* name) {
    const size_t bytes = std::char_traits<char16_t>::length(reinterpret_cast<const char16_t*>(name)) * sizeof(WCHAR);
    return file->FileName.Buffer && file->FileName.Length == bytes &&
           std::memcmp(file->FileName.Buffer, name, bytes) == 0;
}

NTSTATUS finish(PIRP irp, NTSTATUS status, ULONG_PTR information) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS reparse_to(PIRP irp, PFILE_OBJECT file, const wchar_t* name, ULONG_PTR information) {
    const NTSTATUS renamed = IoReplaceFileObjectName(
        file, const_cast<PWSTR>(name),
        static_cast<USHORT>(std::char_traits<char16_t>::length(reinterpret_cast<const char16_t*>(name)) * sizeof(WCHAR)));
    if (!NT_SUCCESS(renamed)) return finish(irp, renamed, 0);
    return finish(irp, STATUS_REPARSE, information);
}

NTSTATUS NTAPI dispatch_create(PDEVICE_OBJECT device, PIRP irp) {
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    if (device == g.to) {
        g.landed_name.assign(reinterpret_cast<const char16_t*>(file->FileName.Buffer),
                             file->FileName.Length / sizeof(WCHAR));
        return finish(irp, STATUS_SUCCESS, FILE_OPENED);
    }
    if (name_is(file, L"\\elsewhere")) return reparse_to(irp, file, kTarget, IO_REPARSE);
    if (name_is(file, L"\\loop")) return reparse_to(irp, file, kSelf, IO_REPARSE);
    if (name_is(file, L"\\tagged")) return reparse_to(irp, file, kTarget, IO_REPARSE_TAG_MOUNT_POINT);
    return finish(irp, STATUS_SUCCESS, FILE_OPENED);
}

NTSTATUS NTAPI dispatch_other(PDEVICE_OBJECT device, PIRP irp) {
    const UCHAR major = IoGetCurrentIrpStackLocation(irp)->MajorFunction;
    if (device == g.from && major == IRP_MJ_CLEANUP) ++g.from_cleanups;
    if (device == g.from && major == IRP_MJ_CLOSE) ++g.from_closes;
    return finish(irp, STATUS_SUCCESS, 0);
}

VOID NTAPI unload(PDRIVER_OBJECT driver) {
    while (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS make_device(PDRIVER_OBJECT driver, const wchar_t* path, PDEVICE_OBJECT* device) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, path);
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, device);
    if (NT_SUCCESS(status)) (*device)->Flags &= ~DO_DEVICE_INITIALIZING;
    return status;
}

NTSTATUS NTAPI entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    for (auto& major : driver->MajorFunction) major = dispatch_other;
    driver->MajorFunction[IRP_MJ_CREATE] = dispatch_create;
    driver->DriverUnload = unload;
    NTSTATUS status = make_device(driver, L"\\Device\\ReparseFrom", &g.from);
    return NT_SUCCESS(status) ? make_device(driver, L"\\Device\\ReparseTo", &g.to) : status;
}

class CreateReparseTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        DriverTest::SetUp();
        g = State{};
        ASSERT_EQ(create_driver(L"ReparseTest", entry), STATUS_SUCCESS);
    }
    static NTSTATUS open(const wchar_t* path, HANDLE* handle, PDEVICE_OBJECT hint = nullptr) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, path);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        *handle = nullptr;
        if (hint)
            return IoCreateFileSpecifyDeviceObjectHint(handle, GENERIC_READ | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                                                       FILE_SHARE_READ, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT,
                                                       nullptr, 0, CreateFileTypeNone, nullptr, 0, hint);
        return ZwCreateFile(handle, GENERIC_READ | SYNCHRONIZE, &oa, &iosb, nullptr, 0, FILE_SHARE_READ, FILE_OPEN,
                            FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
    }
};

TEST_F(CreateReparseTest, an_io_reparse_opens_the_name_the_driver_gave) {
    HANDLE handle = nullptr;
    ASSERT_EQ(open(L"\\Device\\ReparseFrom\\elsewhere", &handle), STATUS_SUCCESS);
    EXPECT_EQ(g.landed_name, u"\\landed");
    PFILE_OBJECT file = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(handle, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&file),
                                        nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(file->DeviceObject, g.to);
    ObDereferenceObject(file);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    EXPECT_EQ(g.from_cleanups, 0) << "the reparsed file object never opened on the first device";
    EXPECT_EQ(g.from_closes, 0);
}

TEST_F(CreateReparseTest, tags_hints_and_loops_are_not_followed) {
    HANDLE handle = nullptr;
    EXPECT_EQ(open(L"\\Device\\ReparseFrom\\tagged", &handle), STATUS_IO_REPARSE_TAG_NOT_HANDLED);
    EXPECT_EQ(handle, nullptr);
    EXPECT_EQ(open(L"\\Device\\ReparseFrom\\elsewhere", &handle, g.from), STATUS_MOUNT_POINT_NOT_RESOLVED);
    EXPECT_EQ(handle, nullptr);
    const NTSTATUS loop = open(L"\\Device\\ReparseFrom\\loop", &handle);
    EXPECT_FALSE(NT_SUCCESS(loop)) << std::hex << loop;
    EXPECT_EQ(handle, nullptr);
    EXPECT_TRUE(g.landed_name.empty()) << "nothing reached the other device";
    EXPECT_EQ(g.from_cleanups, 0);
}

}  // namespace
}  // namespace ntio::io::create_reparse_test
