// The file-system side of three ntifs.h I/O routines, through a WDK-style test file system
// (\Device\PagingTest) whose dispatch routines record what they receive:
// - IoPageRead / IoSynchronousPageWrite: one IRP_MJ_READ / IRP_MJ_WRITE marked paging I/O
//   (IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO), kernel mode, the caller's MDL as
//   MdlAddress, the offset and the MDL's byte count; completion (inline or pended) writes the
//   caller's IOSB and sets its event whatever the status, and leaves the MDL to the caller.
//   https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-read
// - IoReplaceFileObjectName, called by the file system in its create dispatch.
//   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ioreplacefileobjectname
// - IoFastQueryNetworkAttributes: open, FileNetworkOpenInformation, close.
#include <gtest/gtest.h>

#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "support/driver_fixture.hpp"

#include <ntifs.h>

namespace ntio::io::paging_io_test {
namespace {

struct Seen {
    UCHAR major = 0;
    ULONG flags = 0;
    PMDL mdl = nullptr;
    LONGLONG offset = 0;
    ULONG length = 0;
    KPROCESSOR_MODE mode = UserMode;
};

struct State {
    std::mutex lock;
    std::vector<Seen> seen;
    NTSTATUS status = STATUS_SUCCESS;    // what reads and writes complete with
    bool pend = false;                   // complete them from a work item
    std::vector<UCHAR> written;          // the data of the last write
    NTSTATUS rename_status = STATUS_PENDING;  // IoReplaceFileObjectName in the last create
    PWSTR buffer_before = nullptr;       // FileName.Buffer before the replacement
    int cleanups = 0;
    PDEVICE_OBJECT device = nullptr;
};
State g;

const wchar_t kLongName[] = L"\\renamed\\to\\a\\much\\longer\\name.dat";
const wchar_t kShortName[] = L"\\s";

bool name_is(PFILE_OBJECT file, const wchar_t* name) {
    const size_t bytes = std::char_traits<char16_t>::length(reinterpret_cast<const char16_t*>(name)) * sizeof(WCHAR);
    return file->FileName.Buffer && file->FileName.Length == bytes &&
           std::memcmp(file->FileName.Buffer, name, bytes) == 0;
}

void complete(PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    const ULONG length = sp->MajorFunction == IRP_MJ_READ ? sp->Parameters.Read.Length : sp->Parameters.Write.Length;
    const LONGLONG offset = sp->MajorFunction == IRP_MJ_READ ? sp->Parameters.Read.ByteOffset.QuadPart
                                                             : sp->Parameters.Write.ByteOffset.QuadPart;
    NTSTATUS status;
    {
        std::lock_guard guard(g.lock);
        status = g.status;
    }
    ULONG_PTR information = 0;
    if (NT_SUCCESS(status)) {
        auto* data = static_cast<UCHAR*>(MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority));
        if (sp->MajorFunction == IRP_MJ_READ) {
            for (ULONG i = 0; i < length; ++i) data[i] = static_cast<UCHAR>((offset + i) * 3);
        } else {
            std::lock_guard guard(g.lock);
            g.written.assign(data, data + length);
        }
        information = length;
    }
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

VOID NTAPI complete_later(PDEVICE_OBJECT, PVOID context) {
    auto* irp = static_cast<PIRP>(context);
    auto* item = static_cast<PIO_WORKITEM>(irp->Tail.Overlay.DriverContext[0]);
    complete(irp);
    IoFreeWorkItem(item);
}

NTSTATUS NTAPI dispatch_io(PDEVICE_OBJECT device, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    Seen seen;
    seen.major = sp->MajorFunction;
    seen.flags = irp->Flags;
    seen.mdl = irp->MdlAddress;
    seen.offset = sp->MajorFunction == IRP_MJ_READ ? sp->Parameters.Read.ByteOffset.QuadPart
                                                   : sp->Parameters.Write.ByteOffset.QuadPart;
    seen.length = sp->MajorFunction == IRP_MJ_READ ? sp->Parameters.Read.Length : sp->Parameters.Write.Length;
    seen.mode = irp->RequestorMode;
    bool pend;
    {
        std::lock_guard guard(g.lock);
        g.seen.push_back(seen);
        pend = g.pend;
    }
    if (!pend) {
        const NTSTATUS status = g.status;
        complete(irp);
        return status;
    }
    PIO_WORKITEM item = IoAllocateWorkItem(device);
    if (!item) {
        irp->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    irp->Tail.Overlay.DriverContext[0] = item;
    IoMarkIrpPending(irp);
    IoQueueWorkItem(item, complete_later, DelayedWorkQueue, irp);
    return STATUS_PENDING;
}

NTSTATUS NTAPI dispatch_create(PDEVICE_OBJECT, PIRP irp) {
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    NTSTATUS status = STATUS_SUCCESS;
    if (name_is(file, L"\\missing")) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else if (name_is(file, L"\\grow")) {
        g.buffer_before = file->FileName.Buffer;
        g.rename_status = IoReplaceFileObjectName(file, const_cast<PWSTR>(kLongName), sizeof(kLongName) - sizeof(WCHAR));
    } else if (name_is(file, L"\\shrink-me-please")) {
        g.buffer_before = file->FileName.Buffer;
        g.rename_status = IoReplaceFileObjectName(file, const_cast<PWSTR>(kShortName), sizeof(kShortName) - sizeof(WCHAR));
    } else if (name_is(file, L"\\odd")) {
        g.rename_status = IoReplaceFileObjectName(file, const_cast<PWSTR>(kShortName), 3);
    } else if (file->FileName.Length == 0) {
        g.rename_status = IoReplaceFileObjectName(file, const_cast<PWSTR>(kShortName), sizeof(kShortName) - sizeof(WCHAR));
    }
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = NT_SUCCESS(status) ? FILE_OPENED : 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS NTAPI dispatch_query(PDEVICE_OBJECT, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status = STATUS_INVALID_PARAMETER;
    ULONG_PTR information = 0;
    if (sp->Parameters.QueryFile.FileInformationClass == FileNetworkOpenInformation &&
        sp->Parameters.QueryFile.Length >= sizeof(FILE_NETWORK_OPEN_INFORMATION)) {
        auto* info = static_cast<PFILE_NETWORK_OPEN_INFORMATION>(irp->AssociatedIrp.SystemBuffer);
        RtlZeroMemory(info, sizeof(*info));
        info->EndOfFile.QuadPart = 12345;
        info->AllocationSize.QuadPart = 16384;
        info->FileAttributes = FILE_ATTRIBUTE_ARCHIVE;
        status = STATUS_SUCCESS;
        information = sizeof(*info);
    }
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS NTAPI dispatch_other(PDEVICE_OBJECT, PIRP irp) {
    if (IoGetCurrentIrpStackLocation(irp)->MajorFunction == IRP_MJ_CLEANUP) {
        std::lock_guard guard(g.lock);
        ++g.cleanups;
    }
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI unload(PDRIVER_OBJECT driver) {
    while (driver->DeviceObject) IoDeleteDevice(driver->DeviceObject);
}

NTSTATUS NTAPI entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    for (auto& major : driver->MajorFunction) major = dispatch_other;
    driver->MajorFunction[IRP_MJ_CREATE] = dispatch_create;
    driver->MajorFunction[IRP_MJ_READ] = dispatch_io;
    driver->MajorFunction[IRP_MJ_WRITE] = dispatch_io;
    driver->MajorFunction[IRP_MJ_QUERY_INFORMATION] = dispatch_query;
    driver->DriverUnload = unload;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\PagingTest");
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &g.device);
    if (!NT_SUCCESS(status)) return status;
    g.device->Flags |= DO_DIRECT_IO;
    g.device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

class PagingIoTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        DriverTest::SetUp();
        g.seen.clear();
        g.written.clear();
        g.status = STATUS_SUCCESS;
        g.pend = false;
        g.rename_status = STATUS_PENDING;
        g.buffer_before = nullptr;
        g.cleanups = 0;
        ASSERT_EQ(create_driver(L"PagingTest", entry), STATUS_SUCCESS);
        m_buffer = static_cast<UCHAR*>(ExAllocatePool2(POOL_FLAG_NON_PAGED, 2 * PAGE_SIZE, kTag));
        ASSERT_NE(m_buffer, nullptr);
        m_mdl = IoAllocateMdl(m_buffer, 2 * PAGE_SIZE, FALSE, FALSE, nullptr);
        ASSERT_NE(m_mdl, nullptr);
        MmBuildMdlForNonPagedPool(m_mdl);
        KeInitializeEvent(&m_event, NotificationEvent, FALSE);
    }
    void TearDown() override {
        if (m_file) ObDereferenceObject(m_file);
        if (m_handle) {
            EXPECT_EQ(ZwClose(m_handle), STATUS_SUCCESS);
        }
        if (m_mdl) IoFreeMdl(m_mdl);
        if (m_buffer) ExFreePoolWithTag(m_buffer, kTag);
        DriverTest::TearDown();
    }

    static NTSTATUS open(const wchar_t* path, HANDLE* handle) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, path);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        return ZwCreateFile(handle, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                            FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
    }

    // Opens `path` and takes the file object the memory manager would hold.
    void open_file(const wchar_t* path = L"\\Device\\PagingTest\\data.bin") {
        ASSERT_EQ(open(path, &m_handle), STATUS_SUCCESS);
        ASSERT_EQ(ObReferenceObjectByHandle(m_handle, 0, *IoFileObjectType, KernelMode,
                                            reinterpret_cast<PVOID*>(&m_file), nullptr),
                  STATUS_SUCCESS);
    }

    // The outcome as the memory manager sees it: the call's status, then (when pending) the event.
    NTSTATUS wait(NTSTATUS returned) {
        if (returned == STATUS_PENDING) {
            EXPECT_EQ(KeWaitForSingleObject(&m_event, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
        }
        EXPECT_EQ(KeReadStateEvent(&m_event), 1) << "the event is set whatever the status";
        return m_iosb.Status;
    }

    static constexpr ULONG kTag = 0x74506f49;  // "IoPt"
    UCHAR* m_buffer = nullptr;
    PMDL m_mdl = nullptr;
    KEVENT m_event{};
    IO_STATUS_BLOCK m_iosb{};
    HANDLE m_handle = nullptr;
    PFILE_OBJECT m_file = nullptr;
};

constexpr ULONG kPagingFlags = IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO;

TEST_F(PagingIoTest, page_read_sends_a_paging_read_with_the_callers_mdl) {
    open_file();
    LARGE_INTEGER offset;
    offset.QuadPart = 3 * PAGE_SIZE;
    m_iosb.Status = STATUS_PENDING;
    const NTSTATUS returned = IoPageRead(m_file, m_mdl, &offset, &m_event, &m_iosb);
    EXPECT_EQ(returned, STATUS_SUCCESS);
    EXPECT_EQ(wait(returned), STATUS_SUCCESS);
    EXPECT_EQ(m_iosb.Information, 2 * PAGE_SIZE);
    ASSERT_EQ(g.seen.size(), 1u);
    EXPECT_EQ(g.seen[0].major, IRP_MJ_READ);
    EXPECT_EQ(g.seen[0].flags & kPagingFlags, kPagingFlags);
    EXPECT_EQ(g.seen[0].mdl, m_mdl);
    EXPECT_EQ(g.seen[0].offset, 3 * PAGE_SIZE);
    EXPECT_EQ(g.seen[0].length, 2 * PAGE_SIZE);
    EXPECT_EQ(g.seen[0].mode, KernelMode);
    for (ULONG i = 0; i < 2 * PAGE_SIZE; ++i)
        ASSERT_EQ(m_buffer[i], static_cast<UCHAR>((3 * PAGE_SIZE + i) * 3)) << i;
    // The MDL is still the caller's: it describes the same pages and is freed by the caller.
    EXPECT_EQ(MmGetMdlVirtualAddress(m_mdl), m_buffer);
    EXPECT_EQ(MmGetMdlByteCount(m_mdl), 2 * PAGE_SIZE);
}

TEST_F(PagingIoTest, a_pended_page_read_completes_through_the_event_and_iosb) {
    open_file();
    g.pend = true;
    LARGE_INTEGER offset{};
    const NTSTATUS returned = IoPageRead(m_file, m_mdl, &offset, &m_event, &m_iosb);
    EXPECT_EQ(returned, STATUS_PENDING);
    EXPECT_EQ(wait(returned), STATUS_SUCCESS);
    EXPECT_EQ(m_iosb.Information, 2 * PAGE_SIZE);
    EXPECT_EQ(m_buffer[1], 3);
}

// A failure is reported like a success: IOSB written, event set (the memory manager waits on it).
TEST_F(PagingIoTest, a_failed_page_read_still_writes_the_iosb_and_sets_the_event) {
    open_file();
    g.status = STATUS_DEVICE_DATA_ERROR;
    LARGE_INTEGER offset{};
    m_iosb.Information = 77;
    NTSTATUS returned = IoPageRead(m_file, m_mdl, &offset, &m_event, &m_iosb);
    EXPECT_EQ(returned, STATUS_DEVICE_DATA_ERROR);
    EXPECT_EQ(wait(returned), STATUS_DEVICE_DATA_ERROR);
    EXPECT_EQ(m_iosb.Information, 0u);

    KeClearEvent(&m_event);
    g.pend = true;
    m_iosb.Status = STATUS_SUCCESS;
    returned = IoPageRead(m_file, m_mdl, &offset, &m_event, &m_iosb);
    EXPECT_EQ(returned, STATUS_PENDING);
    EXPECT_EQ(wait(returned), STATUS_DEVICE_DATA_ERROR);
}

TEST_F(PagingIoTest, synchronous_page_write_sends_a_paging_write_of_the_mdls_data) {
    open_file();
    for (ULONG i = 0; i < 2 * PAGE_SIZE; ++i) m_buffer[i] = static_cast<UCHAR>(i * 7 + 1);
    LARGE_INTEGER offset;
    offset.QuadPart = PAGE_SIZE;
    for (bool pend : {false, true}) {
        g.pend = pend;
        KeClearEvent(&m_event);
        const NTSTATUS returned = IoSynchronousPageWrite(m_file, m_mdl, &offset, &m_event, &m_iosb);
        EXPECT_EQ(returned, pend ? STATUS_PENDING : STATUS_SUCCESS);
        EXPECT_EQ(wait(returned), STATUS_SUCCESS);
        EXPECT_EQ(m_iosb.Information, 2 * PAGE_SIZE);
        ASSERT_EQ(g.written.size(), 2 * PAGE_SIZE);
        EXPECT_EQ(std::memcmp(g.written.data(), m_buffer, 2 * PAGE_SIZE), 0);
    }
    ASSERT_EQ(g.seen.size(), 2u);
    for (const Seen& seen : g.seen) {
        EXPECT_EQ(seen.major, IRP_MJ_WRITE);
        EXPECT_EQ(seen.flags & kPagingFlags, kPagingFlags);
        EXPECT_EQ(seen.mdl, m_mdl);
        EXPECT_EQ(seen.offset, PAGE_SIZE);
        EXPECT_EQ(seen.mode, KernelMode);
    }
}

TEST_F(PagingIoTest, bad_arguments_are_refused_before_any_irp) {
    open_file();
    LARGE_INTEGER offset{};
    LARGE_INTEGER negative;
    negative.QuadPart = -PAGE_SIZE;
    EXPECT_EQ(IoPageRead(nullptr, m_mdl, &offset, &m_event, &m_iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoPageRead(m_file, nullptr, &offset, &m_event, &m_iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoPageRead(m_file, m_mdl, nullptr, &m_event, &m_iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoPageRead(m_file, m_mdl, &offset, nullptr, &m_iosb), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoPageRead(m_file, m_mdl, &offset, &m_event, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoSynchronousPageWrite(m_file, m_mdl, &negative, &m_event, &m_iosb), STATUS_INVALID_PARAMETER);
    FILE_OBJECT own{};  // a FILE_OBJECT the I/O manager did not make
    own.Type = IO_TYPE_FILE;
    own.Size = sizeof(own);
    EXPECT_EQ(IoSynchronousPageWrite(&own, m_mdl, &offset, &m_event, &m_iosb), STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(g.seen.empty());
    EXPECT_EQ(KeReadStateEvent(&m_event), 0);
}

TEST_F(PagingIoTest, a_file_system_replaces_the_name_with_a_longer_one) {
    open_file(L"\\Device\\PagingTest\\grow");
    EXPECT_EQ(g.rename_status, STATUS_SUCCESS);
    EXPECT_TRUE(name_is(m_file, kLongName));
    EXPECT_NE(m_file->FileName.Buffer, g.buffer_before);  // did not fit: a new buffer
    EXPECT_GE(m_file->FileName.MaximumLength, m_file->FileName.Length);
}

TEST_F(PagingIoTest, a_shorter_name_goes_into_the_same_buffer) {
    open_file(L"\\Device\\PagingTest\\shrink-me-please");
    EXPECT_EQ(g.rename_status, STATUS_SUCCESS);
    EXPECT_TRUE(name_is(m_file, kShortName));
    EXPECT_EQ(m_file->FileName.Buffer, g.buffer_before);
}

TEST_F(PagingIoTest, replacing_needs_a_name_to_replace_and_a_whole_number_of_characters) {
    open_file(L"\\Device\\PagingTest");  // the device itself: no file name
    EXPECT_EQ(g.rename_status, STATUS_INVALID_PARAMETER);
    EXPECT_EQ(m_file->FileName.Length, 0u);
    ObDereferenceObject(m_file);
    m_file = nullptr;
    EXPECT_EQ(ZwClose(m_handle), STATUS_SUCCESS);
    m_handle = nullptr;
    open_file(L"\\Device\\PagingTest\\odd");
    EXPECT_EQ(g.rename_status, STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(name_is(m_file, L"\\odd"));
    EXPECT_EQ(IoReplaceFileObjectName(nullptr, const_cast<PWSTR>(kShortName), 4), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoReplaceFileObjectName(m_file, nullptr, 4), STATUS_INVALID_PARAMETER);
    // Called after the open, as a filter might: the object keeps the new name until it goes.
    EXPECT_EQ(IoReplaceFileObjectName(m_file, const_cast<PWSTR>(kLongName), sizeof(kLongName) - sizeof(WCHAR)),
              STATUS_SUCCESS);
    EXPECT_TRUE(name_is(m_file, kLongName));
}

TEST_F(PagingIoTest, fast_query_network_attributes_opens_queries_and_closes) {
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\PagingTest\\data.bin");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    FILE_NETWORK_OPEN_INFORMATION info{};
    IO_STATUS_BLOCK iosb{};
    EXPECT_TRUE(IoFastQueryNetworkAttributes(&oa, FILE_READ_ATTRIBUTES | SYNCHRONIZE, 0, &iosb, &info));
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(info));
    EXPECT_EQ(info.EndOfFile.QuadPart, 12345);
    EXPECT_EQ(info.AllocationSize.QuadPart, 16384);
    EXPECT_EQ(info.FileAttributes, static_cast<ULONG>(FILE_ATTRIBUTE_ARCHIVE));
    EXPECT_EQ(g.cleanups, 1) << "the handle it opened is closed again";

    UNICODE_STRING missing = RTL_CONSTANT_STRING(L"\\Device\\PagingTest\\missing");
    InitializeObjectAttributes(&oa, &missing, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    iosb.Information = 99;
    EXPECT_TRUE(IoFastQueryNetworkAttributes(&oa, FILE_READ_ATTRIBUTES, 0, &iosb, &info));
    EXPECT_EQ(iosb.Status, STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(iosb.Information, 0u);

    UNICODE_STRING nowhere = RTL_CONSTANT_STRING(L"\\Device\\NoSuchPagingDevice");
    InitializeObjectAttributes(&oa, &nowhere, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    EXPECT_TRUE(IoFastQueryNetworkAttributes(&oa, FILE_READ_ATTRIBUTES, 0, &iosb, &info));
    EXPECT_EQ(iosb.Status, STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_TRUE(IoFastQueryNetworkAttributes(nullptr, FILE_READ_ATTRIBUTES, 0, &iosb, &info));
    EXPECT_EQ(iosb.Status, STATUS_INVALID_PARAMETER);
}

}  // namespace
}  // namespace ntio::io::paging_io_test
