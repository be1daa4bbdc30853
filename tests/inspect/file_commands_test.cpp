// !fileobj and !vpb over the inspector's test stack: the file object of the fixture's handle (name,
// device and driver, access, decoded flags, contexts, position) and the VPB of a disk-type device a
// test driver creates and labels as a file system would.
#include "inspect_fixture.hpp"

namespace ntio::inspect::test {
namespace {

PDEVICE_OBJECT g_disk = nullptr;

NTSTATUS NTAPI disk_dispatch(PDEVICE_OBJECT, PIRP irp) {
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI disk_unload(PDRIVER_OBJECT driver) {
    if (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS NTAPI disk_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\InspectDisk");
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_DISK, 0, FALSE, &g_disk);
    if (!NT_SUCCESS(status)) return status;
    for (auto& f : driver->MajorFunction) f = disk_dispatch;
    driver->DriverUnload = disk_unload;
    g_disk->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

TEST_F(InspectTest, fileobj_shows_the_file_object_of_a_handle) {
    PFILE_OBJECT file = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(m_file, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&file),
                                        nullptr),
              STATUS_SUCCESS);
    ObDereferenceObject(file);  // the handle keeps it
    const std::string out = run("!fileobj " + ptr(file));
    const std::vector<std::string> lines = lines_of(out);
    ASSERT_GE(lines.size(), 6u) << out;
    EXPECT_EQ(lines[0], "");
    EXPECT_TRUE(has_line(out, "Device Object: 0x" + ptr(file->DeviceObject) + "   \\Driver\\InspectLower")) << out;
    EXPECT_TRUE(has_line(out, "Vpb: 0x" + ptr(file->Vpb))) << out;
    // The access and sharing fields are IoSetShareAccess's: a plain device's driver does not call it
    // (NT fact N3), so nothing is listed.
    EXPECT_TRUE(has_line(out, "Access:")) << out;
    EXPECT_TRUE(has_line(out, "Flags:  " + kd::hex(file->Flags, 1))) << out;
    EXPECT_TRUE(has_line(out, "\tHandle Created")) << out;
    EXPECT_FALSE(has_line(out, "\tSynchronous IO")) << out;  // opened without FILE_SYNCHRONOUS_IO_*
    EXPECT_TRUE(has_line(out, "FsContext: 0x" + ptr(file->FsContext) + "\tFsContext2: 0x" + ptr(file->FsContext2)))
        << out;
    EXPECT_TRUE(has_line(out, "CurrentByteOffset: 0")) << out;
    EXPECT_FALSE(contains(out, "Cache Data:")) << out;
    // Bad input: not a file object, no argument.
    run("!fileobj " + ptr(lower_device()), 1);
    run("!fileobj", 1);
}

TEST_F(InspectTest, vpb_shows_a_volume_parameter_block_only_a_file_holds) {
    // After a dismount a file system gives the disk a fresh VPB; files still open keep the old one
    // in FileObject->Vpb. Here the fixture's file is given a pool VPB no device holds.
    PFILE_OBJECT file = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(m_file, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&file),
                                        nullptr),
              STATUS_SUCCESS);
    auto* vpb = static_cast<PVPB>(ExAllocatePoolZero(NonPagedPoolNx, sizeof(VPB), 'bpVT'));
    ASSERT_NE(vpb, nullptr);
    vpb->Type = IO_TYPE_VPB;
    vpb->Size = sizeof(VPB);
    vpb->RealDevice = file->DeviceObject;
    vpb->ReferenceCount = 1;
    const wchar_t label[] = L"OLD-VOLUME";
    std::memcpy(vpb->VolumeLabel, label, sizeof(label) - sizeof(wchar_t));
    vpb->VolumeLabelLength = sizeof(label) - sizeof(wchar_t);
    PVPB saved = file->Vpb;
    file->Vpb = vpb;
    const std::string out = run("!vpb " + ptr(vpb));
    file->Vpb = saved;
    ObDereferenceObject(file);
    EXPECT_EQ(lines_of(out).at(0), "Vpb at 0x" + ptr(vpb)) << out;
    EXPECT_TRUE(has_line(out, "RefCount: 1")) << out;
    EXPECT_TRUE(has_line(out, "Volume Label: OLD-VOLUME")) << out;
    ExFreePool(vpb);
}

TEST_F(InspectTest, vpb_shows_the_volume_parameter_block_of_a_disk) {
    PDRIVER_OBJECT driver = nullptr;
    load(L"InspectDisk", disk_entry, &driver);
    ASSERT_NE(g_disk, nullptr);
    PVPB vpb = g_disk->Vpb;
    ASSERT_NE(vpb, nullptr);  // disk devices get one (IoCreateDevice)
    const wchar_t label[] = L"NTIO-DISK";
    std::memcpy(vpb->VolumeLabel, label, sizeof(label) - sizeof(wchar_t));
    vpb->VolumeLabelLength = sizeof(label) - sizeof(wchar_t);
    vpb->SerialNumber = 0x1234ABCD;
    const std::string devobj = run("!devobj InspectDisk");
    EXPECT_TRUE(contains(devobj, "Vpb " + ptr(vpb))) << devobj;
    const std::string out = run("!vpb " + ptr(vpb));
    EXPECT_EQ(lines_of(out).at(0), "Vpb at 0x" + ptr(vpb));
    EXPECT_TRUE(has_line(out, "Flags: 0")) << out;  // nothing mounted on it
    EXPECT_TRUE(has_line(out, "DeviceObject: 0x" + ptr(vpb->DeviceObject))) << out;
    EXPECT_TRUE(has_line(out, "RealDevice:   0x" + ptr(g_disk))) << out;
    EXPECT_TRUE(has_line(out, "RefCount: 0")) << out;
    EXPECT_TRUE(has_line(out, "Volume Label: NTIO-DISK")) << out;
    run("!vpb " + ptr(g_disk), 1);  // a device is not a VPB
    unload(driver);
    g_disk = nullptr;
}

}  // namespace
}  // namespace ntio::inspect::test
