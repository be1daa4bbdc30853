// FILE_OPEN_BY_FILE_ID: the I/O manager hands the create option and the binary file id (the name
// relative to a volume handle) to the file system unchanged, and the file system decides: one that
// supports ids opens the file, one that does not refuses the option (FAT refuses every open by id
// with STATUS_NOT_IMPLEMENTED, its ids not being reversible), and the caller gets that status, with
// no handle. NtCreateFile on Microsoft Learn: the name holds "a binary 8-byte or 16-byte file
// reference number or object ID for the file".
#include <cstring>

#include "conformance/nt/nt_test_support.hpp"
#include "support/driver_fixture.hpp"
#include <ntio/ntio.h>

namespace {

using ntio::test::Handle;

constexpr unsigned char kKnownId[8] = {0x2a, 0x01, 0x5c, 0x00, 0x00, 0x00, 0x00, 0x80};  // a backslash unit inside

struct IdState {
    ULONG options = 0;
    USHORT name_length = 0;
    unsigned char name[32] = {};
    bool related = false;
};
IdState g_seen;
PDEVICE_OBJECT g_with_ids = nullptr;

NTSTATUS NTAPI id_create_close(PDEVICE_OBJECT device, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status = STATUS_SUCCESS;
    if (sp->MajorFunction == IRP_MJ_CREATE) {
        PFILE_OBJECT file = sp->FileObject;
        g_seen.options = sp->Parameters.Create.Options & FILE_VALID_OPTION_FLAGS;
        g_seen.name_length = file->FileName.Length;
        g_seen.related = file->RelatedFileObject != nullptr;
        if (file->FileName.Length)  // the volume's own open has no name (Buffer NULL)
            std::memcpy(g_seen.name, file->FileName.Buffer, std::min<std::size_t>(file->FileName.Length, sizeof(g_seen.name)));
        if (sp->Parameters.Create.Options & FILE_OPEN_BY_FILE_ID) {
            if (device != g_with_ids) {
                status = STATUS_NOT_IMPLEMENTED;  // a file system without reversible ids
            } else if (file->FileName.Length != sizeof(kKnownId) ||
                       std::memcmp(file->FileName.Buffer, kKnownId, sizeof(kKnownId)) != 0) {
                status = STATUS_INVALID_PARAMETER;  // what NTFS answers for an id of the wrong size
            }
        }
    }
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = NT_SUCCESS(status) ? FILE_OPENED : 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

VOID NTAPI id_unload(PDRIVER_OBJECT driver) {
    while (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS NTAPI id_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    driver->DriverUnload = id_unload;
    driver->MajorFunction[IRP_MJ_CREATE] = id_create_close;
    driver->MajorFunction[IRP_MJ_CLEANUP] = id_create_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = id_create_close;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\IdVolume");
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &g_with_ids);
    if (!NT_SUCCESS(status)) return status;
    PDEVICE_OBJECT plain = nullptr;
    RtlInitUnicodeString(&name, L"\\Device\\NoIdVolume");
    return IoCreateDevice(driver, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &plain);
}

class OpenByFileIdTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        ASSERT_EQ(create_driver(L"IdVolumes", id_driver_entry), STATUS_SUCCESS);
        g_seen = {};
    }

    static NTSTATUS open_volume(const wchar_t* name, HANDLE* handle) {
        ntio::test::ObjectName object(name);
        IO_STATUS_BLOCK iosb{};
        return NtCreateFile(handle, FILE_READ_ATTRIBUTES | SYNCHRONIZE, object.get(), &iosb, nullptr, 0,
                            FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
    }

    static NTSTATUS open_by_id(HANDLE volume, const void* id, USHORT length, HANDLE* handle, IO_STATUS_BLOCK* iosb) {
        UNICODE_STRING name;
        name.Buffer = static_cast<PWSTR>(const_cast<void*>(id));
        name.Length = name.MaximumLength = length;
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, 0, volume, nullptr);
        return NtCreateFile(handle, FILE_READ_ATTRIBUTES | SYNCHRONIZE, &oa, iosb, nullptr, 0,
                            FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                            FILE_OPEN_BY_FILE_ID | FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
    }
};

TEST_F(OpenByFileIdTest, the_binary_id_and_the_option_reach_the_file_system_unchanged) {
    Handle volume;
    ASSERT_EQ(open_volume(L"\\Device\\IdVolume", volume.out()), STATUS_SUCCESS);
    alignas(8) unsigned char id[8];
    std::memcpy(id, kKnownId, sizeof(id));
    Handle file;
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS status = open_by_id(volume, id, sizeof(id), file.out(), &iosb);
    ASSERT_EQ(status, STATUS_SUCCESS) << "the driver saw " << g_seen.name_length << " bytes, first unit "
                                      << std::hex << (g_seen.name[0] | g_seen.name[1] << 8);
    EXPECT_EQ(iosb.Information, static_cast<ULONG_PTR>(FILE_OPENED));
    EXPECT_TRUE(g_seen.options & FILE_OPEN_BY_FILE_ID);
    EXPECT_TRUE(g_seen.related);
    ASSERT_EQ(g_seen.name_length, sizeof(kKnownId));
    EXPECT_EQ(std::memcmp(g_seen.name, kKnownId, sizeof(kKnownId)), 0);  // not parsed as a path
}

TEST_F(OpenByFileIdTest, a_file_system_that_cannot_open_by_id_refuses_it_and_no_handle_is_made) {
    Handle volume;
    ASSERT_EQ(open_volume(L"\\Device\\NoIdVolume", volume.out()), STATUS_SUCCESS);
    alignas(8) unsigned char id[8];
    std::memcpy(id, kKnownId, sizeof(id));
    HANDLE file = reinterpret_cast<HANDLE>(0x1234);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(open_by_id(volume, id, sizeof(id), &file, &iosb), STATUS_NOT_IMPLEMENTED);
    EXPECT_EQ(file, reinterpret_cast<HANDLE>(0x1234));
    EXPECT_TRUE(g_seen.options & FILE_OPEN_BY_FILE_ID);

    Handle ids;
    ASSERT_EQ(open_volume(L"\\Device\\IdVolume", ids.out()), STATUS_SUCCESS);
    const unsigned char wrong_size[6] = {1, 0, 2, 0, 3, 0};
    EXPECT_EQ(open_by_id(ids, wrong_size, sizeof(wrong_size), &file, &iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(file, reinterpret_cast<HANDLE>(0x1234));
}

}  // namespace
