// FsRtlGetFileSize against a small file system: the size comes from FastIoQueryStandardInfo when that
// answers and from an IRP_MJ_QUERY_INFORMATION when it declines (or there is none); a directory is
// STATUS_FILE_IS_A_DIRECTORY, the file system's failure is returned, bad arguments are refused.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlgetfilesize
#include <gtest/gtest.h>

#include "support/driver_fixture.hpp"

#include <ntifs.h>
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace file_size_test {

struct Node {
    LONGLONG size;
    BOOLEAN directory;
    NTSTATUS query_status;
};
Node g_file{4242, FALSE, STATUS_SUCCESS};
Node g_dir{0, TRUE, STATUS_SUCCESS};
Node g_broken{0, FALSE, STATUS_ACCESS_DENIED};
LONG g_irp_queries = 0;
BOOLEAN g_fast_answers = FALSE;
constexpr LONGLONG kFastExtra = 1000;  // the fast path reports this much more, so the test sees which ran

void fill(const Node& node, PFILE_STANDARD_INFORMATION info, LONGLONG extra) {
    RtlZeroMemory(info, sizeof(*info));
    info->EndOfFile.QuadPart = node.size + extra;
    info->AllocationSize.QuadPart = node.size + extra;
    info->NumberOfLinks = 1;
    info->Directory = node.directory;
}

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information = 0) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

bool named(PFILE_OBJECT file, const wchar_t* name) {
    UNICODE_STRING expected;
    RtlInitUnicodeString(&expected, name);
    return RtlEqualUnicodeString(&file->FileName, &expected, TRUE) != FALSE;
}

NTSTATUS NTAPI sizefs_dispatch(PDEVICE_OBJECT, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    switch (sp->MajorFunction) {
    case IRP_MJ_CREATE:
        sp->FileObject->FsContext = named(sp->FileObject, L"\\dir")      ? &g_dir
                                    : named(sp->FileObject, L"\\broken") ? &g_broken
                                                                         : &g_file;
        return complete(irp, STATUS_SUCCESS, FILE_OPENED);
    case IRP_MJ_QUERY_INFORMATION: {
        if (sp->Parameters.QueryFile.FileInformationClass != FileStandardInformation ||
            sp->Parameters.QueryFile.Length < sizeof(FILE_STANDARD_INFORMATION))
            return complete(irp, STATUS_INVALID_PARAMETER);
        InterlockedIncrement(&g_irp_queries);
        const Node& node = *static_cast<Node*>(sp->FileObject->FsContext);
        if (!NT_SUCCESS(node.query_status)) return complete(irp, node.query_status);
        fill(node, static_cast<PFILE_STANDARD_INFORMATION>(irp->AssociatedIrp.SystemBuffer), 0);
        return complete(irp, STATUS_SUCCESS, sizeof(FILE_STANDARD_INFORMATION));
    }
    default: return complete(irp, STATUS_SUCCESS);
    }
}

BOOLEAN NTAPI sizefs_fast_standard(PFILE_OBJECT file, BOOLEAN wait, PFILE_STANDARD_INFORMATION info,
                                   PIO_STATUS_BLOCK iosb, PDEVICE_OBJECT) {
    if (!g_fast_answers || !wait) return FALSE;
    fill(*static_cast<Node*>(file->FsContext), info, kFastExtra);
    iosb->Status = STATUS_SUCCESS;
    iosb->Information = sizeof(*info);
    return TRUE;
}

FAST_IO_DISPATCH g_fast_io;

VOID NTAPI sizefs_unload(PDRIVER_OBJECT driver) {
    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\FsRtlSizeTest");
    (void)IoDeleteSymbolicLink(&link);
    if (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS NTAPI sizefs_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    UNICODE_STRING name, link;
    RtlInitUnicodeString(&name, L"\\Device\\FsRtlSizeTest");
    RtlInitUnicodeString(&link, L"\\DosDevices\\FsRtlSizeTest");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    for (auto& f : driver->MajorFunction) f = sizefs_dispatch;
    RtlZeroMemory(&g_fast_io, sizeof(g_fast_io));
    g_fast_io.SizeOfFastIoDispatch = sizeof(g_fast_io);
    g_fast_io.FastIoQueryStandardInfo = sizefs_fast_standard;
    driver->FastIoDispatch = &g_fast_io;
    driver->DriverUnload = sizefs_unload;
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) sizefs_unload(driver);
    return status;
}

class FileSizeTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        DriverTest::SetUp();
        g_irp_queries = 0;
        g_fast_answers = FALSE;
        ASSERT_EQ(create_driver(L"FsRtlSizeTest", sizefs_entry), STATUS_SUCCESS);
    }

    // Opens `path` synchronously and returns its file object (referenced; the handle stays open).
    PFILE_OBJECT open(const wchar_t* path) {
        UNICODE_STRING text;
        RtlInitUnicodeString(&text, path);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &text, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        HANDLE h = nullptr;
        EXPECT_EQ(NtCreateFile(&h, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0, FILE_SHARE_READ, FILE_OPEN,
                               FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0),
                  STATUS_SUCCESS);
        PVOID object = nullptr;
        EXPECT_EQ(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, &object, nullptr), STATUS_SUCCESS);
        m_handles[m_count++] = h;
        return static_cast<PFILE_OBJECT>(object);
    }
    void TearDown() override {
        for (ULONG i = 0; i < m_count; ++i) EXPECT_EQ(NtClose(m_handles[i]), STATUS_SUCCESS);
        DriverTest::TearDown();
    }

    HANDLE m_handles[4]{};
    ULONG m_count = 0;
};

TEST_F(FileSizeTest, the_irp_answers_when_fast_io_declines) {
    PFILE_OBJECT file = open(L"\\??\\FsRtlSizeTest\\file");
    LARGE_INTEGER size{};
    ASSERT_EQ(FsRtlGetFileSize(file, &size), STATUS_SUCCESS);
    EXPECT_EQ(size.QuadPart, 4242);
    EXPECT_EQ(g_irp_queries, 1);
    ObDereferenceObject(file);
}

TEST_F(FileSizeTest, fast_io_answers_first) {
    PFILE_OBJECT file = open(L"\\??\\FsRtlSizeTest\\file");
    g_fast_answers = TRUE;
    LARGE_INTEGER size{};
    ASSERT_EQ(FsRtlGetFileSize(file, &size), STATUS_SUCCESS);
    EXPECT_EQ(size.QuadPart, 4242 + kFastExtra);
    EXPECT_EQ(g_irp_queries, 0);
    ObDereferenceObject(file);
}

TEST_F(FileSizeTest, directories_failures_and_bad_arguments) {
    PFILE_OBJECT dir = open(L"\\??\\FsRtlSizeTest\\dir");
    PFILE_OBJECT broken = open(L"\\??\\FsRtlSizeTest\\broken");
    LARGE_INTEGER size;
    size.QuadPart = 77;
    EXPECT_EQ(FsRtlGetFileSize(dir, &size), STATUS_FILE_IS_A_DIRECTORY);
    g_fast_answers = TRUE;
    EXPECT_EQ(FsRtlGetFileSize(dir, &size), STATUS_FILE_IS_A_DIRECTORY);
    g_fast_answers = FALSE;
    EXPECT_EQ(FsRtlGetFileSize(broken, &size), STATUS_ACCESS_DENIED);
    EXPECT_EQ(size.QuadPart, 77);  // untouched on failure
    EXPECT_EQ(FsRtlGetFileSize(nullptr, &size), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlGetFileSize(dir, nullptr), STATUS_INVALID_PARAMETER);
    ObDereferenceObject(dir);
    ObDereferenceObject(broken);
}

}  // namespace file_size_test
