// The MDL the I/O manager builds for a DO_DIRECT_IO read or write (NtReadFile / NtWriteFile): what
// a driver finds in it (range, PFN array, flags, process, the system address), that a buffer the
// operation cannot use fails the service with STATUS_ACCESS_VIOLATION before any IRP reaches the
// driver, and that every request's MDL is freed with its IRP, also on the per-thread MDL cache.
#include <sys/mman.h>

#include <cstring>

#include "support/driver_fixture.hpp"

#include <wdm.h>
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

#include "ke/thread.hpp"

namespace {

// What the dispatch routine saw in Irp->MdlAddress.
struct SeenMdl {
    int requests = 0;
    bool had_mdl = false;
    PVOID start_va = nullptr;
    ULONG byte_offset = 0;
    ULONG byte_count = 0;
    CSHORT flags = 0;
    PEPROCESS process = nullptr;
    PEPROCESS current_process = nullptr;
    ULONG_PTR pfn[4] = {};
    ULONG pages = 0;
    PVOID system_address = nullptr;
    bool chained = false;
};
SeenMdl g_seen;

NTSTATUS direct_create_close(PDEVICE_OBJECT, PIRP irp) {
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// Records the MDL, then copies through its system address: a read fills the buffer with 'D', a
// write is checked to read back the caller's bytes.
NTSTATUS direct_read_write(PDEVICE_OBJECT, PIRP irp) {
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    const ULONG length = sp->Parameters.Read.Length;
    PMDL mdl = irp->MdlAddress;
    ++g_seen.requests;
    g_seen.had_mdl = mdl != nullptr;
    NTSTATUS status = STATUS_SUCCESS;
    if (mdl) {
        g_seen.start_va = mdl->StartVa;
        g_seen.byte_offset = mdl->ByteOffset;
        g_seen.byte_count = mdl->ByteCount;
        g_seen.process = mdl->Process;
        g_seen.current_process = IoGetCurrentProcess();
        g_seen.chained = mdl->Next != nullptr;
        g_seen.pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount);
        for (ULONG i = 0; i < g_seen.pages && i < 4; ++i) g_seen.pfn[i] = MmGetMdlPfnArray(mdl)[i];
        g_seen.flags = mdl->MdlFlags;  // before mapping
        auto* va = static_cast<PUCHAR>(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute));
        g_seen.system_address = va;
        if (!va) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        } else if (sp->MajorFunction == IRP_MJ_READ) {
            RtlFillMemory(va, length, 'D');
        } else {
            for (ULONG i = 0; i < length; ++i)
                if (va[i] != 'W') status = STATUS_DATA_ERROR;
        }
    }
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = NT_SUCCESS(status) ? length : 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS direct_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\MdlDirect");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_DISK, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    device->Flags |= DO_DIRECT_IO;
    driver->MajorFunction[IRP_MJ_CREATE] = direct_create_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = direct_create_close;
    driver->MajorFunction[IRP_MJ_CLEANUP] = direct_create_close;
    driver->MajorFunction[IRP_MJ_READ] = direct_read_write;
    driver->MajorFunction[IRP_MJ_WRITE] = direct_read_write;
    driver->DriverUnload = [](PDRIVER_OBJECT d) { IoDeleteDevice(d->DeviceObject); };
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

// Three pages of caller memory; protection per page.
class RequestPages {
public:
    RequestPages() : m_base(static_cast<PUCHAR>(mmap(nullptr, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))) {}
    ~RequestPages() { munmap(m_base, 3 * 4096); }
    RequestPages(const RequestPages&) = delete;
    RequestPages& operator=(const RequestPages&) = delete;
    PUCHAR at(std::size_t offset) const { return m_base + offset; }
    void protect(int page, int prot) { ASSERT_EQ(mprotect(m_base + page * 4096, 4096, prot), 0); }

private:
    PUCHAR m_base;
};

class RequestMdlTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        g_seen = SeenMdl{};
        ASSERT_EQ(create_driver(L"MdlDirect", direct_driver_entry), STATUS_SUCCESS);
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, L"\\Device\\MdlDirect");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        ASSERT_EQ(NtCreateFile(&m_handle, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                               FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0),
                  STATUS_SUCCESS);
    }
    void TearDown() override {
        if (m_handle) {
            EXPECT_EQ(NtClose(m_handle), STATUS_SUCCESS);
        }
        unload_driver();
        EXPECT_EQ(NtioMdlCount(), 0u) << "request MDLs leaked";
        DriverTest::TearDown();
    }
    // A user-mode NtReadFile / NtWriteFile at offset 0.
    NTSTATUS transfer(bool write, PVOID buffer, ULONG length, IO_STATUS_BLOCK* iosb) {
        const KPROCESSOR_MODE saved = ntio::ke::set_previous_mode(UserMode);
        LARGE_INTEGER offset{};
        NTSTATUS status = write ? NtWriteFile(m_handle, nullptr, nullptr, nullptr, iosb, buffer, length, &offset, nullptr)
                                : NtReadFile(m_handle, nullptr, nullptr, nullptr, iosb, buffer, length, &offset, nullptr);
        ntio::ke::set_previous_mode(saved);
        return status;
    }

    HANDLE m_handle = nullptr;
};

// A read spanning two pages: the MDL describes exactly the caller's range, one PFN per page spanned
// (identity pages here), locked for writing into, owned by the caller's process, not yet mapped; the
// system address is the buffer itself (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmprobeandlockpages).
TEST_F(RequestMdlTest, ReadMdlDescribesTheCallersRangeLockedForWriting) {
    RequestPages pages;
    PUCHAR buffer = pages.at(4096 - 100);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(transfer(false, buffer, 200, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 200u);
    ASSERT_TRUE(g_seen.had_mdl);
    EXPECT_EQ(g_seen.start_va, PAGE_ALIGN(buffer));
    EXPECT_EQ(g_seen.byte_offset, 4096u - 100);
    EXPECT_EQ(g_seen.byte_count, 200u);
    EXPECT_FALSE(g_seen.chained);
    ASSERT_EQ(g_seen.pages, 2u);
    EXPECT_EQ(g_seen.pfn[0], reinterpret_cast<ULONG_PTR>(pages.at(0)) >> PAGE_SHIFT);
    EXPECT_EQ(g_seen.pfn[1], g_seen.pfn[0] + 1);
    EXPECT_TRUE(g_seen.flags & MDL_PAGES_LOCKED);
    EXPECT_TRUE(g_seen.flags & MDL_WRITE_OPERATION);
    EXPECT_FALSE(g_seen.flags & MDL_MAPPED_TO_SYSTEM_VA);
    EXPECT_EQ(g_seen.process, g_seen.current_process);
    EXPECT_EQ(g_seen.system_address, buffer);
    for (int i = 0; i < 200; ++i) ASSERT_EQ(buffer[i], 'D') << i;
}

// A write locks the caller's pages for reading only: a read-only buffer is fine.
TEST_F(RequestMdlTest, WriteMdlIsLockedForReadingAndAcceptsAReadOnlyBuffer) {
    RequestPages pages;
    std::memset(pages.at(0), 'W', 4096);
    pages.protect(0, PROT_READ);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(transfer(true, pages.at(0), 4096, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 4096u);
    ASSERT_TRUE(g_seen.had_mdl);
    EXPECT_TRUE(g_seen.flags & MDL_PAGES_LOCKED);
    EXPECT_FALSE(g_seen.flags & MDL_WRITE_OPERATION);
    EXPECT_EQ(g_seen.pages, 1u);
}

// A read into a read-only page, or a transfer over an inaccessible page in the middle of the range,
// fails the service with STATUS_ACCESS_VIOLATION; the driver never sees an IRP and no MDL is left.
TEST_F(RequestMdlTest, BufferTheOperationCannotUseFailsBeforeTheDriver) {
    RequestPages pages;
    pages.protect(0, PROT_READ);
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(transfer(false, pages.at(0), 512, &iosb), STATUS_ACCESS_VIOLATION);
    pages.protect(0, PROT_READ | PROT_WRITE);
    pages.protect(1, PROT_NONE);
    EXPECT_EQ(transfer(false, pages.at(4096 - 512), 8192, &iosb), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(transfer(true, pages.at(4096 - 512), 8192, &iosb), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(g_seen.requests, 0);
    EXPECT_EQ(NtioMdlCount(), 0u);
}

// Many requests in a row reuse the thread's cached MDL blocks: each one still starts clean (no
// mapping, lock or write flag left over from the previous request) and none stays allocated.
TEST_F(RequestMdlTest, SuccessiveRequestsEachGetAFreshMdl) {
    RequestPages pages;
    IO_STATUS_BLOCK iosb{};
    for (int i = 0; i < 200; ++i) {
        const bool write = (i % 3) == 0;
        const ULONG offset = static_cast<ULONG>((i * 97) % 4096);
        const ULONG length = 1 + static_cast<ULONG>((i * 131) % 4096);
        std::memset(pages.at(0), 'W', 3 * 4096);  // a read leaves 'D' behind
        ASSERT_EQ(transfer(write, pages.at(offset), length, &iosb), STATUS_SUCCESS) << i;
        ASSERT_EQ(g_seen.byte_count, length);
        ASSERT_EQ(g_seen.byte_offset, offset);
        ASSERT_EQ((g_seen.flags & MDL_WRITE_OPERATION) != 0, !write) << i;
        ASSERT_FALSE(g_seen.flags & MDL_MAPPED_TO_SYSTEM_VA) << i;
        ASSERT_EQ(NtioMdlCount(), 0u) << i;
    }
    EXPECT_EQ(g_seen.requests, 200);
}

}  // namespace
