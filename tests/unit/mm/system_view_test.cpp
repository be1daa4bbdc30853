// Views of a section in system and session space: the section's memory, shared with a process's view
// of it, kept after the section object goes; each unmap routine unmaps only its own kind of view; a
// read-only section gives a read-only view; bad arguments get statuses, not faults.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmmapviewinsystemspace
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmunmapviewinsystemspace
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-mmmapviewinsessionspace
#include <gtest/gtest.h>

#include <cstring>

#include <ntifs.h>

#include "support/system_fixture.hpp"

namespace system_view_test {

class SystemViewTest : public ntio::test::SystemTest {
protected:
    // A section of the paging file of `bytes` bytes, referenced by pointer (the handle is closed).
    PVOID make_section(LONGLONG bytes, ULONG protection) {
        LARGE_INTEGER size;
        size.QuadPart = bytes;
        HANDLE handle = nullptr;
        OBJECT_ATTRIBUTES attributes;
        InitializeObjectAttributes(&attributes, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
        EXPECT_EQ(ZwCreateSection(&handle, SECTION_ALL_ACCESS, &attributes, &size, protection, SEC_COMMIT, nullptr),
                  STATUS_SUCCESS);
        PVOID section = nullptr;
        EXPECT_EQ(ObReferenceObjectByHandle(handle, SECTION_MAP_READ, *MmSectionObjectType, KernelMode, &section, nullptr),
                  STATUS_SUCCESS);
        ZwClose(handle);
        return section;
    }
};

NTSTATUS write_byte(volatile char* at) {
    volatile NTSTATUS status = STATUS_SUCCESS;
    __try {
        *at = 1;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}

TEST_F(SystemViewTest, system_and_session_views_share_the_sections_memory) {
    PVOID section = make_section(3 * PAGE_SIZE, PAGE_READWRITE);
    ASSERT_NE(section, nullptr);
    PVOID system_view = nullptr;
    SIZE_T system_size = 0;  // the whole section
    ASSERT_EQ(MmMapViewInSystemSpace(section, &system_view, &system_size), STATUS_SUCCESS);
    ASSERT_NE(system_view, nullptr);
    EXPECT_EQ(system_size, 3u * PAGE_SIZE);
    std::memcpy(static_cast<char*>(system_view) + PAGE_SIZE, "shared", 7);

    PVOID session_view = nullptr;
    SIZE_T session_size = PAGE_SIZE + 1;  // rounded up to whole pages
    ASSERT_EQ(MmMapViewInSessionSpace(section, &session_view, &session_size), STATUS_SUCCESS);
    EXPECT_EQ(session_size, 2u * PAGE_SIZE);
    EXPECT_NE(session_view, system_view);
    EXPECT_STREQ(static_cast<char*>(session_view) + PAGE_SIZE, "shared");

    // A process's view of the same section sees the same bytes.
    HANDLE handle = nullptr;
    ASSERT_EQ(ObOpenObjectByPointer(section, OBJ_KERNEL_HANDLE, nullptr, SECTION_MAP_READ, *MmSectionObjectType,
                                    KernelMode, &handle),
              STATUS_SUCCESS);
    PVOID process_view = nullptr;
    SIZE_T process_size = 0;
    ASSERT_EQ(ZwMapViewOfSection(handle, ZwCurrentProcess(), &process_view, 0, 0, nullptr, &process_size, ViewUnmap, 0,
                                 PAGE_READONLY),
              STATUS_SUCCESS);
    ZwClose(handle);
    EXPECT_STREQ(static_cast<char*>(process_view) + PAGE_SIZE, "shared");

    // Each unmap routine unmaps only its own space's views.
    EXPECT_EQ(MmUnmapViewInSystemSpace(process_view), STATUS_NOT_MAPPED_VIEW);
    EXPECT_EQ(MmUnmapViewInSystemSpace(session_view), STATUS_NOT_MAPPED_VIEW);
    EXPECT_EQ(MmUnmapViewInSessionSpace(system_view), STATUS_NOT_MAPPED_VIEW);
    EXPECT_EQ(ZwUnmapViewOfSection(ZwCurrentProcess(), system_view), STATUS_NOT_MAPPED_VIEW);
    EXPECT_EQ(ZwUnmapViewOfSection(ZwCurrentProcess(), process_view), STATUS_SUCCESS);

    // The views outlive the section object.
    ObDereferenceObject(section);
    std::memcpy(session_view, "still", 6);
    EXPECT_STREQ(static_cast<char*>(system_view), "still");
    EXPECT_EQ(MmUnmapViewInSessionSpace(session_view), STATUS_SUCCESS);
    EXPECT_EQ(MmUnmapViewInSystemSpace(static_cast<char*>(system_view) + 100), STATUS_SUCCESS) << "any address inside";
    EXPECT_EQ(MmUnmapViewInSystemSpace(system_view), STATUS_NOT_MAPPED_VIEW) << "already unmapped";
}

TEST_F(SystemViewTest, a_read_only_section_gives_a_read_only_view) {
    PVOID section = make_section(PAGE_SIZE, PAGE_READONLY);
    ASSERT_NE(section, nullptr);
    PVOID view = nullptr;
    SIZE_T size = 0;
    ASSERT_EQ(MmMapViewInSystemSpace(section, &view, &size), STATUS_SUCCESS);
    EXPECT_EQ(static_cast<volatile char*>(view)[0], 0) << "readable, zero-filled";
    EXPECT_EQ(write_byte(static_cast<volatile char*>(view)), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(MmUnmapViewInSystemSpace(view), STATUS_SUCCESS);
    ObDereferenceObject(section);
}

TEST_F(SystemViewTest, bad_arguments_get_statuses) {
    PVOID section = make_section(PAGE_SIZE, PAGE_READWRITE);
    ASSERT_NE(section, nullptr);
    PVOID view = nullptr;
    SIZE_T size = 2 * PAGE_SIZE;  // more than the section holds
    EXPECT_EQ(MmMapViewInSystemSpace(section, &view, &size), STATUS_INVALID_VIEW_SIZE);
    EXPECT_EQ(view, nullptr);
    size = 0;
    EXPECT_EQ(MmMapViewInSystemSpace(nullptr, &view, &size), STATUS_INVALID_PARAMETER_1);
    EXPECT_EQ(MmMapViewInSystemSpace(section, nullptr, &size), STATUS_INVALID_PARAMETER_2);
    EXPECT_EQ(MmMapViewInSessionSpace(section, &view, nullptr), STATUS_INVALID_PARAMETER_3);
    // Another kind of object is not mapped.
    HANDLE event_handle = nullptr;
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    ASSERT_EQ(ZwCreateEvent(&event_handle, EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE), STATUS_SUCCESS);
    PVOID event = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(event_handle, 0, *ExEventObjectType, KernelMode, &event, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(MmMapViewInSystemSpace(event, &view, &size), STATUS_OBJECT_TYPE_MISMATCH);
    ObDereferenceObject(event);
    ZwClose(event_handle);
    char not_a_view[16];
    EXPECT_EQ(MmUnmapViewInSystemSpace(not_a_view), STATUS_NOT_MAPPED_VIEW);
    EXPECT_EQ(MmUnmapViewInSessionSpace(nullptr), STATUS_NOT_MAPPED_VIEW);
    ObDereferenceObject(section);
}

TEST_F(SystemViewTest, physical_addresses_map_back_and_node_allocations_check_the_node) {
    char local[32];
    const PHYSICAL_ADDRESS physical = MmGetPhysicalAddress(local);
    EXPECT_EQ(MmGetVirtualForPhysical(physical), static_cast<PVOID>(local));
    PHYSICAL_ADDRESS unmapped;
    unmapped.QuadPart = PAGE_SIZE;  // the first 64 KiB are never mapped
    EXPECT_EQ(MmGetVirtualForPhysical(unmapped), nullptr);
    unmapped.QuadPart = 0;
    EXPECT_EQ(MmGetVirtualForPhysical(unmapped), nullptr);

    PHYSICAL_ADDRESS low, high, boundary;
    low.QuadPart = 0;
    high.QuadPart = -1;
    boundary.QuadPart = 0;
    PVOID block = MmAllocateContiguousMemorySpecifyCacheNode(PAGE_SIZE, low, high, boundary, MmCached, MM_ANY_NODE_OK);
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(BYTE_OFFSET(block), 0u);
    MmFreeContiguousMemory(block);
    block = MmAllocateContiguousMemorySpecifyCacheNode(PAGE_SIZE, low, high, boundary, MmCached, 0);
    ASSERT_NE(block, nullptr);
    MmFreeContiguousMemory(block);
    EXPECT_EQ(MmAllocateContiguousMemorySpecifyCacheNode(PAGE_SIZE, low, high, boundary, MmCached, 1), nullptr)
        << "there is no node 1";
    EXPECT_EQ(MmAllocateContiguousMemorySpecifyCacheNode(PAGE_SIZE, low, high, boundary, static_cast<MEMORY_CACHING_TYPE>(99),
                                                         0),
              nullptr);
    EXPECT_FALSE(MmIsRecursiveIoFault());
}

}  // namespace system_view_test
