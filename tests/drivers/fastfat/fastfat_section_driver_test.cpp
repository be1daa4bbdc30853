// Sections over fastfat.sys files through the Nt section services and kernel32's file mappings:
// NT fact N2 (writable and image sections constrain later opens), data through views reaching the
// file and the file's data showing in views, access checks and bad input, the file object a section
// keeps alive, and what a mapped file refuses (truncation, overwrite, delete).
#include "fastfat_driver_support.hpp"

#include <windows.h>
#include <ntio/ntapi.h>

#include <cstring>
#include <mutex>
#include <vector>

namespace ntio::test::drivers {
namespace section_tests {

class FastFatSectionTest : public FastFatTest {
protected:
    void SetUp() override {
        FastFatTest::SetUp();
        if (IsSkipped()) return;
        format({16, 16384, 4, 512, "SECTIONS"});
    }

    static std::vector<uint8_t> pattern(size_t size, uint8_t seed) {
        std::vector<uint8_t> data(size);
        for (size_t i = 0; i < size; ++i) data[i] = static_cast<uint8_t>(seed + i * 7 + i / 251);
        return data;
    }

    static NTSTATUS section(HANDLE file, HANDLE* s, ULONG protection, ULONG attributes = SEC_COMMIT,
                            LONGLONG maximum = 0, ACCESS_MASK access = SECTION_ALL_ACCESS) {
        LARGE_INTEGER size;
        size.QuadPart = maximum;
        *s = nullptr;
        return NtCreateSection(s, access, nullptr, maximum ? &size : nullptr, protection, attributes, file);
    }

    static NTSTATUS map(HANDLE s, void** base, SIZE_T* size, ULONG protection, LONGLONG offset = 0) {
        *base = nullptr;
        LARGE_INTEGER at;
        at.QuadPart = offset;
        return NtMapViewOfSection(s, NtCurrentProcess(), base, 0, 0, &at, size, ViewShare, 0, protection);
    }

    static NTSTATUS unmap(void* base) { return NtUnmapViewOfSection(NtCurrentProcess(), base); }

    static NTSTATUS set_end_of_file(HANDLE h, LONGLONG size) {
        FILE_END_OF_FILE_INFORMATION end{};
        end.EndOfFile.QuadPart = size;
        IO_STATUS_BLOCK iosb{};
        return NtSetInformationFile(h, &iosb, &end, sizeof end, FileEndOfFileInformation);
    }

    static LONGLONG file_size(HANDLE h) {
        FILE_STANDARD_INFORMATION standard{};
        IO_STATUS_BLOCK iosb{};
        EXPECT_EQ(NtQueryInformationFile(h, &iosb, &standard, sizeof standard, FileStandardInformation), STATUS_SUCCESS);
        return standard.EndOfFile.QuadPart;
    }

    // The smallest file the memory manager takes for an image: an MZ header whose e_lfanew leads to
    // "PE\0\0", a file header and a PE32+ optional header with its ImageBase and SizeOfImage.
    static std::vector<uint8_t> minimal_pe() {
        std::vector<uint8_t> image(1024, 0);
        image[0] = 'M';
        image[1] = 'Z';
        const uint32_t lfanew = 0x80;
        std::memcpy(&image[0x3C], &lfanew, 4);
        std::memcpy(&image[lfanew], "PE\0\0", 4);
        const uint16_t machine = 0x8664, optional_size = 240, characteristics = 0x0022;
        std::memcpy(&image[lfanew + 4], &machine, 2);
        std::memcpy(&image[lfanew + 4 + 16], &optional_size, 2);
        std::memcpy(&image[lfanew + 4 + 18], &characteristics, 2);
        const size_t optional = lfanew + 24;
        const uint16_t magic = 0x20B;
        const uint64_t image_base = 0x140000000ull;
        const uint32_t alignment = 0x1000, file_alignment = 0x200, size_of_image = 0x2000, size_of_headers = 0x200;
        std::memcpy(&image[optional], &magic, 2);
        std::memcpy(&image[optional + 24], &image_base, 8);
        std::memcpy(&image[optional + 32], &alignment, 4);
        std::memcpy(&image[optional + 36], &file_alignment, 4);
        std::memcpy(&image[optional + 56], &size_of_image, 4);
        std::memcpy(&image[optional + 60], &size_of_headers, 4);
        return image;
    }
};

// NT fact N2: while a writable section (PAGE_READWRITE) of a file exists, an open must share write;
// while an image section (SEC_IMAGE) exists, an open may not ask FILE_WRITE_DATA.
TEST_F(FastFatSectionTest, N2_writable_and_image_sections_constrain_later_opens) {
    put_file("\\n2.dat", pattern(8192, 1));
    HANDLE file = nullptr;
    ASSERT_EQ(create("\\n2.dat", &file, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    HANDLE s = nullptr;
    ASSERT_EQ(section(file, &s, PAGE_READWRITE), STATUS_SUCCESS);
    ASSERT_EQ(NtClose(file), STATUS_SUCCESS);
    HANDLE h = nullptr;
    EXPECT_EQ(create("\\n2.dat", &h, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ), STATUS_SHARING_VIOLATION);
    EXPECT_EQ(create("\\n2.dat", &h, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ | FILE_SHARE_DELETE),
              STATUS_SHARING_VIOLATION);
    ASSERT_EQ(create("\\n2.dat", &h, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ | FILE_SHARE_WRITE), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    // A writable view keeps the constraint after its section handle is gone.
    void* view = nullptr;
    SIZE_T size = 0;
    ASSERT_EQ(map(s, &view, &size, PAGE_READWRITE), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    EXPECT_EQ(create("\\n2.dat", &h, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ), STATUS_SHARING_VIOLATION);
    EXPECT_EQ(unmap(view), STATUS_SUCCESS);
    ASSERT_EQ(create("\\n2.dat", &h, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    // A read-only section is no writable reference.
    ASSERT_EQ(create("\\n2.dat", &file, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    ASSERT_EQ(section(file, &s, PAGE_READONLY), STATUS_SUCCESS);
    ASSERT_EQ(create("\\n2.dat", &h, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(file), STATUS_SUCCESS);

    // An image section: opens to read are fine, opens to write or overwrite are sharing violations,
    // a delete-on-close open cannot delete; all of them succeed once the image section is gone.
    put_file("\\n2.exe", minimal_pe());
    ASSERT_EQ(create("\\n2.exe", &file, FILE_OPEN, GENERIC_READ | GENERIC_EXECUTE, 0, FILE_SHARE_READ), STATUS_SUCCESS);
    ASSERT_EQ(section(file, &s, PAGE_READONLY, SEC_IMAGE), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(file), STATUS_SUCCESS);
    const ULONG all = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    ASSERT_EQ(create("\\n2.exe", &h, FILE_OPEN, GENERIC_READ, 0, all), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(create("\\n2.exe", &h, FILE_OPEN, FILE_WRITE_DATA, 0, all), STATUS_SHARING_VIOLATION);
    EXPECT_EQ(create("\\n2.exe", &h, FILE_OPEN, GENERIC_WRITE, 0, all), STATUS_SHARING_VIOLATION);
    EXPECT_EQ(create("\\n2.exe", &h, FILE_OVERWRITE, GENERIC_WRITE, 0, all), STATUS_SHARING_VIOLATION);
    EXPECT_EQ(create("\\n2.exe", &h, FILE_OPEN, DELETE, FILE_DELETE_ON_CLOSE, all), STATUS_CANNOT_DELETE);
    // FILE_APPEND_DATA alone is not FILE_WRITE_DATA.
    ASSERT_EQ(create("\\n2.exe", &h, FILE_OPEN, FILE_APPEND_DATA, 0, all), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    ASSERT_EQ(create("\\n2.exe", &h, FILE_OPEN, GENERIC_WRITE, 0, FILE_SHARE_READ), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

TEST_F(FastFatSectionTest, data_written_through_a_view_reaches_the_file) {
    const std::vector<uint8_t> original = pattern(10000, 3);
    put_file("\\view.dat", original);
    HANDLE file = nullptr;
    ASSERT_EQ(create("\\view.dat", &file, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    // Read through the cache first, so the cache holds the old data when the view writes.
    std::vector<uint8_t> cached(original.size());
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(read_at(file, cached.data(), ULONG(cached.size()), 0, &iosb), STATUS_SUCCESS);
    HANDLE s = nullptr;
    ASSERT_EQ(section(file, &s, PAGE_READWRITE), STATUS_SUCCESS);
    void* base = nullptr;
    SIZE_T size = 0;
    ASSERT_EQ(map(s, &base, &size, PAGE_READWRITE), STATUS_SUCCESS);
    ASSERT_EQ(size, SIZE_T(3 * PAGE_SIZE));
    auto* bytes = static_cast<uint8_t*>(base);
    EXPECT_EQ(std::memcmp(bytes, original.data(), original.size()), 0);
    for (size_t i = original.size(); i < size; ++i) ASSERT_EQ(bytes[i], 0) << i;  // past the end: zeroes
    std::memcpy(bytes + 10, "first page", 10);
    std::memcpy(bytes + 9000, "last page", 9);
    EXPECT_EQ(unmap(base), STATUS_SUCCESS);
    EXPECT_EQ(unmap(base), STATUS_NOT_MAPPED_VIEW);
    std::vector<uint8_t> expected = original;
    std::memcpy(expected.data() + 10, "first page", 10);
    std::memcpy(expected.data() + 9000, "last page", 9);
    std::vector<uint8_t> back(original.size());
    ASSERT_EQ(read_at(file, back.data(), ULONG(back.size()), 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(back, expected);
    EXPECT_EQ(file_size(file), LONGLONG(original.size()));  // the view's page tail is not the file's

    // NtFlushVirtualMemory writes a view's changes while it stays mapped.
    ASSERT_EQ(map(s, &base, &size, PAGE_READWRITE), STATUS_SUCCESS);
    bytes = static_cast<uint8_t*>(base);
    std::memcpy(bytes + 5000, "flushed", 7);
    PVOID flush_base = bytes + 5000;
    SIZE_T flush_size = 7;
    IO_STATUS_BLOCK flush_iosb{};
    ASSERT_EQ(NtFlushVirtualMemory(NtCurrentProcess(), &flush_base, &flush_size, &flush_iosb), STATUS_SUCCESS);
    EXPECT_EQ(flush_base, static_cast<PVOID>(bytes + PAGE_SIZE));
    EXPECT_EQ(flush_size, SIZE_T(PAGE_SIZE));
    char seven[7] = {};
    ASSERT_EQ(read_at(file, seven, 7, 5000, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::string(seven, 7), "flushed");
    EXPECT_EQ(unmap(base), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(file), STATUS_SUCCESS);
    std::memcpy(expected.data() + 5000, "flushed", 7);
    EXPECT_EQ(get_file("\\view.dat"), expected);
    expect_fsck_clean();
}

TEST_F(FastFatSectionTest, file_data_shows_in_a_new_view_and_copies_stay_private) {
    put_file("\\show.dat", pattern(5000, 9));
    HANDLE file = nullptr;
    ASSERT_EQ(create("\\show.dat", &file, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(file, "cached write", 12, 100, &iosb), STATUS_SUCCESS);  // still in the cache
    HANDLE s = nullptr;
    ASSERT_EQ(section(file, &s, PAGE_READWRITE), STATUS_SUCCESS);
    void* base = nullptr;
    SIZE_T size = 0;
    ASSERT_EQ(map(s, &base, &size, PAGE_READONLY), STATUS_SUCCESS);
    EXPECT_EQ(std::string(static_cast<char*>(base) + 100, 12), "cached write");
    EXPECT_EQ(unmap(base), STATUS_SUCCESS);
    // With no view mapped, a write to the file shows in the next view.
    ASSERT_EQ(write_at(file, "second write", 12, 4000, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(map(s, &base, &size, PAGE_READONLY), STATUS_SUCCESS);
    EXPECT_EQ(std::string(static_cast<char*>(base) + 4000, 12), "second write");
    // Two views of one section share their pages; a copy-on-write view keeps its changes to itself.
    void* writable = nullptr;
    SIZE_T writable_size = 0;
    ASSERT_EQ(map(s, &writable, &writable_size, PAGE_READWRITE), STATUS_SUCCESS);
    void* copy = nullptr;
    SIZE_T copy_size = 0;
    ASSERT_EQ(map(s, &copy, &copy_size, PAGE_WRITECOPY), STATUS_SUCCESS);
    static_cast<char*>(writable)[0] = 'W';
    EXPECT_EQ(static_cast<char*>(base)[0], 'W');
    static_cast<char*>(copy)[1] = 'C';
    EXPECT_NE(static_cast<char*>(base)[1], 'C');
    EXPECT_EQ(unmap(copy), STATUS_SUCCESS);
    EXPECT_EQ(unmap(static_cast<char*>(writable) + 100), STATUS_SUCCESS);  // any address in the view
    EXPECT_EQ(unmap(base), STATUS_SUCCESS);
    char two[2] = {};
    ASSERT_EQ(read_at(file, two, 2, 0, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(two[0], 'W');
    EXPECT_NE(two[1], 'C');
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(file), STATUS_SUCCESS);
}

TEST_F(FastFatSectionTest, create_checks_the_file_handle_and_the_parameters) {
    put_file("\\check.dat", pattern(3000, 5));
    put_file("\\empty.dat", {});
    put_file("\\text.txt", pattern(3000, 'a'));
    std::vector<uint8_t> bad_pe = minimal_pe();
    bad_pe[0x80 + 1] = 'X';  // "PX\0\0"
    put_file("\\bad.exe", bad_pe);
    HANDLE s = nullptr;
    HANDLE h = nullptr;

    ASSERT_EQ(create("\\check.dat", &h, FILE_OPEN, FILE_WRITE_DATA), STATUS_SUCCESS);
    EXPECT_EQ(section(h, &s, PAGE_READONLY), STATUS_ACCESS_DENIED);  // no FILE_READ_DATA
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    ASSERT_EQ(create("\\check.dat", &h, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    EXPECT_EQ(section(h, &s, PAGE_READWRITE), STATUS_ACCESS_DENIED);  // no FILE_WRITE_DATA
    EXPECT_EQ(section(h, &s, PAGE_EXECUTE_READ), STATUS_ACCESS_DENIED);  // no FILE_EXECUTE
    EXPECT_EQ(section(h, &s, PAGE_READONLY, SEC_COMMIT, 8192), STATUS_SECTION_TOO_BIG);  // cannot grow the file
    EXPECT_EQ(section(h, &s, PAGE_NOACCESS), STATUS_INVALID_PAGE_PROTECTION);
    EXPECT_EQ(section(h, &s, PAGE_READONLY | PAGE_READWRITE), STATUS_INVALID_PAGE_PROTECTION);
    EXPECT_EQ(section(h, &s, PAGE_READONLY | PAGE_GUARD), STATUS_INVALID_PAGE_PROTECTION);
    EXPECT_EQ(section(h, &s, PAGE_READONLY, 0), STATUS_INVALID_PARAMETER_6);
    EXPECT_EQ(section(h, &s, PAGE_READONLY, SEC_COMMIT | SEC_IMAGE), STATUS_INVALID_PARAMETER_6);
    EXPECT_EQ(s, nullptr);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    EXPECT_EQ(section(reinterpret_cast<HANDLE>(ULONG_PTR(0x7FF0)), &s, PAGE_READONLY), STATUS_INVALID_HANDLE);
    HANDLE event = nullptr;
    ASSERT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(section(event, &s, PAGE_READONLY), STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(NtClose(event), STATUS_SUCCESS);
    HANDLE directory = nullptr;
    ASSERT_EQ(create("\\dir", &directory, FILE_CREATE, GENERIC_READ, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
    EXPECT_EQ(section(directory, &s, PAGE_READONLY), STATUS_INVALID_FILE_FOR_SECTION);
    EXPECT_EQ(NtClose(directory), STATUS_SUCCESS);

    ASSERT_EQ(create("\\empty.dat", &h, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    EXPECT_EQ(section(h, &s, PAGE_READWRITE), STATUS_MAPPED_FILE_SIZE_ZERO);
    // With a size a writable section grows the empty file.
    ASSERT_EQ(section(h, &s, PAGE_READWRITE, SEC_COMMIT, 6000), STATUS_SUCCESS);
    EXPECT_EQ(file_size(h), 6000);
    SECTION_BASIC_INFORMATION basic{};
    SIZE_T returned = 0;
    ASSERT_EQ(NtQuerySection(s, SectionBasicInformation, &basic, sizeof basic, &returned), STATUS_SUCCESS);
    EXPECT_EQ(returned, sizeof basic);
    EXPECT_EQ(basic.MaximumSize.QuadPart, 6000);
    EXPECT_EQ(basic.AllocationAttributes, ULONG(SEC_FILE | SEC_COMMIT));
    EXPECT_EQ(NtQuerySection(s, SectionBasicInformation, &basic, sizeof basic - 1, nullptr), STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(NtQuerySection(s, static_cast<SECTION_INFORMATION_CLASS>(7), &basic, sizeof basic, nullptr),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    ASSERT_EQ(create("\\text.txt", &h, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    EXPECT_EQ(section(h, &s, PAGE_READONLY, SEC_IMAGE), STATUS_INVALID_IMAGE_NOT_MZ);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    ASSERT_EQ(create("\\bad.exe", &h, FILE_OPEN, GENERIC_READ), STATUS_SUCCESS);
    EXPECT_EQ(section(h, &s, PAGE_READONLY, SEC_IMAGE), STATUS_INVALID_IMAGE_FORMAT);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);

    // Backed by the paging file: a size is required.
    EXPECT_EQ(section(nullptr, &s, PAGE_READWRITE), STATUS_INVALID_PARAMETER_4);
    EXPECT_EQ(section(nullptr, &s, PAGE_READONLY, SEC_IMAGE, 4096), STATUS_INVALID_FILE_FOR_SECTION);
}

TEST_F(FastFatSectionTest, map_checks_access_protection_and_range) {
    put_file("\\map.dat", pattern(3 * PAGE_SIZE, 2));
    HANDLE file = nullptr;
    ASSERT_EQ(create("\\map.dat", &file, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    HANDLE s = nullptr;
    ASSERT_EQ(section(file, &s, PAGE_READONLY), STATUS_SUCCESS);
    void* base = nullptr;
    SIZE_T size = 0;
    EXPECT_EQ(map(s, &base, &size, PAGE_READWRITE), STATUS_SECTION_PROTECTION);
    EXPECT_EQ(map(s, &base, &size, PAGE_EXECUTE_READ), STATUS_SECTION_PROTECTION);
    EXPECT_EQ(map(s, &base, &size, PAGE_READONLY | PAGE_GUARD), STATUS_INVALID_PAGE_PROTECTION);
    EXPECT_EQ(map(s, &base, &size, PAGE_READONLY, 3 * PAGE_SIZE + 0x10000), STATUS_INVALID_VIEW_SIZE);
    size = 4 * PAGE_SIZE;
    EXPECT_EQ(map(s, &base, &size, PAGE_READONLY), STATUS_INVALID_VIEW_SIZE);
    size = 0;
    LARGE_INTEGER offset{};
    EXPECT_EQ(NtMapViewOfSection(s, NtCurrentProcess(), &base, 0, 0, &offset, &size, static_cast<SECTION_INHERIT>(3),
                                 0, PAGE_READONLY),
              STATUS_INVALID_PARAMETER_8);
    EXPECT_EQ(NtMapViewOfSection(s, NtCurrentProcess(), &base, 0, 0, &offset, &size, ViewShare, MEM_RELEASE,
                                 PAGE_READONLY),
              STATUS_INVALID_PARAMETER_9);
    EXPECT_EQ(NtMapViewOfSection(s, reinterpret_cast<HANDLE>(ULONG_PTR(0x7FF0)), &base, 0, 0, &offset, &size,
                                 ViewShare, 0, PAGE_READONLY),
              STATUS_INVALID_HANDLE);
    // A size that is not a page multiple is rounded up; an unaligned offset rounds down to 64 KiB.
    size = 100;
    offset.QuadPart = 5;
    base = nullptr;
    ASSERT_EQ(NtMapViewOfSection(s, NtCurrentProcess(), &base, 0, 0, &offset, &size, ViewShare, 0, PAGE_READONLY),
              STATUS_SUCCESS);
    EXPECT_EQ(size, SIZE_T(PAGE_SIZE));
    EXPECT_EQ(offset.QuadPart, 0);
    EXPECT_EQ(static_cast<uint8_t*>(base)[0], pattern(1, 2)[0]);
    EXPECT_EQ(unmap(base), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    // A closed section handle maps nothing.
    EXPECT_EQ(map(s, &base, &size, PAGE_READONLY), STATUS_INVALID_HANDLE);

    // A handle without SECTION_MAP_WRITE cannot map a writable view of a writable section.
    ASSERT_EQ(section(file, &s, PAGE_READWRITE, SEC_COMMIT, 0, SECTION_MAP_READ | SECTION_QUERY), STATUS_SUCCESS);
    size = 0;
    EXPECT_EQ(map(s, &base, &size, PAGE_READWRITE), STATUS_ACCESS_DENIED);
    ASSERT_EQ(map(s, &base, &size, PAGE_READONLY), STATUS_SUCCESS);
    EXPECT_EQ(unmap(base), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);

    int local = 0;
    EXPECT_EQ(unmap(&local), STATUS_NOT_MAPPED_VIEW);
    PVOID flush_base = &local;
    SIZE_T flush_size = 0;
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtFlushVirtualMemory(NtCurrentProcess(), &flush_base, &flush_size, &iosb), STATUS_NOT_MAPPED_VIEW);
    EXPECT_EQ(NtClose(file), STATUS_SUCCESS);
}

// The section references the file object: its handle may go, the view still reads and writes the
// file, and the file's truncation, overwrite and deletion wait for the section and its views.
TEST_F(FastFatSectionTest, a_section_keeps_its_file_object_and_refuses_truncation) {
    put_file("\\keep.dat", pattern(8192, 4));
    HANDLE file = nullptr;
    ASSERT_EQ(create("\\keep.dat", &file, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    HANDLE s = nullptr;
    ASSERT_EQ(section(file, &s, PAGE_READWRITE), STATUS_SUCCESS);
    ASSERT_EQ(NtClose(file), STATUS_SUCCESS);
    void* base = nullptr;
    SIZE_T size = 0;
    ASSERT_EQ(map(s, &base, &size, PAGE_READWRITE), STATUS_SUCCESS);
    std::memcpy(static_cast<char*>(base) + 8000, "kept", 4);
    HANDLE h = nullptr;
    ASSERT_EQ(create("\\keep.dat", &h, FILE_OPEN, GENERIC_READ | GENERIC_WRITE | DELETE, 0,
                     FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE),
              STATUS_SUCCESS);
    EXPECT_EQ(set_end_of_file(h, 100), STATUS_USER_MAPPED_FILE);
    EXPECT_EQ(set_end_of_file(h, 9000), STATUS_SUCCESS);  // growing is fine
    FILE_DISPOSITION_INFORMATION disposition{TRUE};
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof disposition, FileDispositionInformation),
              STATUS_CANNOT_DELETE);
    HANDLE other = nullptr;
    EXPECT_EQ(create("\\keep.dat", &other, FILE_OVERWRITE, GENERIC_WRITE, 0,
                     FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE),
              STATUS_USER_MAPPED_FILE);
    EXPECT_EQ(unmap(base), STATUS_SUCCESS);
    char four[4] = {};
    ASSERT_EQ(read_at(h, four, 4, 8000, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(std::string(four, 4), "kept");
    // The section alone still covers the old size.
    EXPECT_EQ(set_end_of_file(h, 100), STATUS_USER_MAPPED_FILE);
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    EXPECT_EQ(set_end_of_file(h, 100), STATUS_SUCCESS);
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof disposition, FileDispositionInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    EXPECT_EQ(create("\\keep.dat", &h, FILE_OPEN, GENERIC_READ), STATUS_OBJECT_NAME_NOT_FOUND);
    expect_fsck_clean();
}

TEST_F(FastFatSectionTest, image_sections_map_the_file_bytes) {
    const std::vector<uint8_t> image = minimal_pe();
    put_file("\\img.exe", image);
    HANDLE file = nullptr;
    ASSERT_EQ(create("\\img.exe", &file, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ), STATUS_SUCCESS);
    HANDLE s = nullptr;
    ASSERT_EQ(section(file, &s, PAGE_READONLY, SEC_IMAGE), STATUS_SUCCESS);
    SECTION_BASIC_INFORMATION basic{};
    ASSERT_EQ(NtQuerySection(s, SectionBasicInformation, &basic, sizeof basic, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(basic.AllocationAttributes, ULONG(SEC_FILE | SEC_IMAGE));
    EXPECT_EQ(basic.MaximumSize.QuadPart, 0x2000);  // SizeOfImage
    void* base = nullptr;
    SIZE_T size = 0;
    NTSTATUS status = map(s, &base, &size, PAGE_EXECUTE_WRITECOPY);
    ASSERT_TRUE(status == STATUS_SUCCESS || status == STATUS_IMAGE_NOT_AT_BASE) << std::hex << status;
    EXPECT_EQ(size, SIZE_T(0x2000));
    EXPECT_EQ(std::memcmp(base, image.data(), image.size()), 0);
    static_cast<char*>(base)[0] = 'X';  // copy-on-write: the file keeps its MZ
    EXPECT_EQ(unmap(base), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(file), STATUS_SUCCESS);
    EXPECT_EQ(get_file("\\img.exe"), image);
}

// What a file system driver asks the memory manager, through the file object's section pointers,
// and the Zw section routines a driver calls with kernel handles.
TEST_F(FastFatSectionTest, file_system_ddis_and_zw_routines) {
    put_file("\\ddi.dat", pattern(3 * PAGE_SIZE, 6));
    HANDLE file = nullptr;
    ASSERT_EQ(create("\\ddi.dat", &file, FILE_OPEN, GENERIC_READ | GENERIC_WRITE), STATUS_SUCCESS);
    PFILE_OBJECT object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(file, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&object),
                                        nullptr),
              STATUS_SUCCESS);
    PSECTION_OBJECT_POINTERS pointers = object->SectionObjectPointer;
    ASSERT_NE(pointers, nullptr);
    LARGE_INTEGER zero{};
    EXPECT_EQ(MmDoesFileHaveUserWritableReferences(pointers), 0u);
    EXPECT_TRUE(MmCanFileBeTruncated(pointers, &zero));
    EXPECT_TRUE(MmFlushImageSection(pointers, MmFlushForWrite));
    EXPECT_TRUE(MmFlushImageSection(pointers, MmFlushForDelete));

    HANDLE s = nullptr;
    OBJECT_ATTRIBUTES kernel;
    InitializeObjectAttributes(&kernel, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    ASSERT_EQ(ZwCreateSection(&s, SECTION_ALL_ACCESS, &kernel, nullptr, PAGE_READWRITE, SEC_COMMIT, file), STATUS_SUCCESS);
    EXPECT_NE(pointers->DataSectionObject, nullptr);
    EXPECT_EQ(MmDoesFileHaveUserWritableReferences(pointers), 1u);
    EXPECT_FALSE(MmCanFileBeTruncated(pointers, &zero));
    EXPECT_TRUE(MmFlushImageSection(pointers, MmFlushForWrite));
    EXPECT_FALSE(MmFlushImageSection(pointers, MmFlushForDelete));
    PVOID base = nullptr;
    SIZE_T size = PAGE_SIZE;
    LARGE_INTEGER offset{};
    ASSERT_EQ(ZwMapViewOfSection(s, ZwCurrentProcess(), &base, 0, 0, &offset, &size, ViewUnmap, 0, PAGE_READWRITE),
              STATUS_SUCCESS);
    EXPECT_EQ(MmDoesFileHaveUserWritableReferences(pointers), 2u);
    EXPECT_EQ(ZwClose(s), STATUS_SUCCESS);
    EXPECT_EQ(MmDoesFileHaveUserWritableReferences(pointers), 1u);
    LARGE_INTEGER page;
    page.QuadPart = PAGE_SIZE;
    EXPECT_TRUE(MmCanFileBeTruncated(pointers, &page));  // the view ends at the first page
    EXPECT_FALSE(MmCanFileBeTruncated(pointers, &zero));
    EXPECT_EQ(ZwUnmapViewOfSection(ZwCurrentProcess(), base), STATUS_SUCCESS);
    EXPECT_EQ(pointers->DataSectionObject, nullptr);
    EXPECT_EQ(MmDoesFileHaveUserWritableReferences(pointers), 0u);
    EXPECT_TRUE(MmCanFileBeTruncated(pointers, &zero));

    // An image section makes MmFlushImageSection FALSE for both reasons while it exists.
    put_file("\\ddi.exe", minimal_pe());
    HANDLE image_file = nullptr;
    ASSERT_EQ(create("\\ddi.exe", &image_file, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ), STATUS_SUCCESS);
    PFILE_OBJECT image_object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(image_file, 0, *IoFileObjectType, KernelMode,
                                        reinterpret_cast<PVOID*>(&image_object), nullptr),
              STATUS_SUCCESS);
    ASSERT_EQ(ZwCreateSection(&s, SECTION_ALL_ACCESS, &kernel, nullptr, PAGE_READONLY, SEC_IMAGE, image_file),
              STATUS_SUCCESS);
    EXPECT_NE(image_object->SectionObjectPointer->ImageSectionObject, nullptr);
    EXPECT_FALSE(MmFlushImageSection(image_object->SectionObjectPointer, MmFlushForWrite));
    EXPECT_FALSE(MmFlushImageSection(image_object->SectionObjectPointer, MmFlushForDelete));
    EXPECT_EQ(ZwClose(s), STATUS_SUCCESS);
    EXPECT_TRUE(MmFlushImageSection(image_object->SectionObjectPointer, MmFlushForWrite));
    ObDereferenceObject(image_object);
    EXPECT_EQ(NtClose(image_file), STATUS_SUCCESS);

    // A named section opened by name through ZwOpenSection.
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\BaseNamedObjects\\ntio_zw_section");
    OBJECT_ATTRIBUTES named;
    InitializeObjectAttributes(&named, &name, OBJ_KERNEL_HANDLE, nullptr, nullptr);
    LARGE_INTEGER anonymous_size;
    anonymous_size.QuadPart = 8192;
    ASSERT_EQ(ZwCreateSection(&s, SECTION_ALL_ACCESS, &named, &anonymous_size, PAGE_READWRITE, SEC_COMMIT, nullptr),
              STATUS_SUCCESS);
    HANDLE opened = nullptr;
    ASSERT_EQ(ZwOpenSection(&opened, SECTION_MAP_READ, &named), STATUS_SUCCESS);
    base = nullptr;
    size = 0;
    ASSERT_EQ(ZwMapViewOfSection(opened, ZwCurrentProcess(), &base, 0, 0, nullptr, &size, ViewUnmap, 0, PAGE_READONLY),
              STATUS_SUCCESS);
    EXPECT_EQ(size, SIZE_T(8192));
    EXPECT_EQ(static_cast<char*>(base)[8191], 0);
    EXPECT_EQ(ZwUnmapViewOfSection(ZwCurrentProcess(), base), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(opened), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(s), STATUS_SUCCESS);
    EXPECT_EQ(ZwOpenSection(&opened, SECTION_MAP_READ, &named), STATUS_OBJECT_NAME_NOT_FOUND);

    ObDereferenceObject(object);
    EXPECT_EQ(NtClose(file), STATUS_SUCCESS);
}

class FastFatMappingWin32Test : public FastFatSectionTest {
protected:
    void SetUp() override {
        FastFatSectionTest::SetUp();
        if (IsSkipped()) return;
        UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\M:");
        UNICODE_STRING target = RTL_CONSTANT_STRING(L"\\Device\\Ramdisk0");
        ASSERT_EQ(IoCreateSymbolicLink(&link, &target), STATUS_SUCCESS);
        m_linked = true;
    }
    void TearDown() override {
        if (m_linked) {
            UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\M:");
            EXPECT_EQ(IoDeleteSymbolicLink(&link), STATUS_SUCCESS);
        }
        FastFatSectionTest::TearDown();
    }
    bool m_linked = false;
};

TEST_F(FastFatMappingWin32Test, file_mappings_through_kernel32) {
    HANDLE h = CreateFileW(L"M:\\map.txt", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                           CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    // A zero-length file maps only with a size.
    EXPECT_EQ(CreateFileMappingW(h, nullptr, PAGE_READWRITE, 0, 0, nullptr), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_INVALID));
    const char text[] = "through kernel32";
    DWORD done = 0;
    ASSERT_TRUE(WriteFile(h, text, sizeof(text) - 1, &done, nullptr));
    HANDLE mapping = CreateFileMappingW(h, nullptr, PAGE_READWRITE, 0, 0, L"ntio_fat_mapping");
    ASSERT_NE(mapping, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), DWORD(ERROR_SUCCESS));
    HANDLE again = CreateFileMappingW(h, nullptr, PAGE_READWRITE, 0, 0, L"ntio_fat_mapping");
    ASSERT_NE(again, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ALREADY_EXISTS));
    EXPECT_TRUE(CloseHandle(again));
    HANDLE reader = OpenFileMappingW(FILE_MAP_READ, FALSE, L"ntio_fat_mapping");
    ASSERT_NE(reader, nullptr) << GetLastError();
    EXPECT_EQ(MapViewOfFile(reader, FILE_MAP_WRITE, 0, 0, 0), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    EXPECT_EQ(OpenFileMappingW(FILE_MAP_READ, FALSE, L"ntio_no_such_mapping"), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));

    auto* view = static_cast<char*>(MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0));
    ASSERT_NE(view, nullptr) << GetLastError();
    auto* read_view = static_cast<char*>(MapViewOfFile(reader, FILE_MAP_READ, 0, 0, 0));
    ASSERT_NE(read_view, nullptr) << GetLastError();
    EXPECT_EQ(std::string(view, sizeof(text) - 1), text);
    std::memcpy(view, "THROUGH", 7);
    EXPECT_EQ(std::string(read_view, 7), "THROUGH");
    EXPECT_TRUE(FlushViewOfFile(view, 0));
    EXPECT_TRUE(UnmapViewOfFile(view));
    EXPECT_TRUE(UnmapViewOfFile(read_view));
    EXPECT_FALSE(UnmapViewOfFile(view));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_ADDRESS));
    char back[32] = {};
    ASSERT_EQ(SetFilePointer(h, 0, nullptr, FILE_BEGIN), 0u);
    ASSERT_TRUE(ReadFile(h, back, sizeof back, &done, nullptr));
    EXPECT_EQ(std::string(back, done), "THROUGH kernel32");
    // A mapping larger than a file opened for writing grows the file.
    HANDLE larger = CreateFileMappingW(h, nullptr, PAGE_READWRITE, 0, 10000, nullptr);
    ASSERT_NE(larger, nullptr) << GetLastError();
    LARGE_INTEGER size{};
    ASSERT_TRUE(GetFileSizeEx(h, &size));
    EXPECT_EQ(size.QuadPart, 10000);
    EXPECT_TRUE(CloseHandle(larger));
    EXPECT_TRUE(CloseHandle(reader));
    EXPECT_TRUE(CloseHandle(mapping));
    EXPECT_EQ(CreateFileMappingW(nullptr, nullptr, PAGE_READWRITE, 0, 0, nullptr), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
    EXPECT_TRUE(CloseHandle(h));

    // Backed by the paging file: zeroes, shared by the views of every handle to it.
    HANDLE anonymous = CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0, 65536, L"ntio_anon");
    ASSERT_NE(anonymous, nullptr) << GetLastError();
    HANDLE opened = OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, L"ntio_anon");
    ASSERT_NE(opened, nullptr) << GetLastError();
    auto* a = static_cast<char*>(MapViewOfFile(anonymous, FILE_MAP_ALL_ACCESS, 0, 0, 0));
    auto* b = static_cast<char*>(MapViewOfFileEx(opened, FILE_MAP_READ, 0, 0, 4096, nullptr));
    ASSERT_NE(a, nullptr) << GetLastError();
    ASSERT_NE(b, nullptr) << GetLastError();
    EXPECT_EQ(a[65535], 0);
    a[1] = 'z';
    EXPECT_EQ(b[1], 'z');
    EXPECT_TRUE(UnmapViewOfFile(a));
    EXPECT_TRUE(UnmapViewOfFile(b));
    EXPECT_TRUE(CloseHandle(opened));
    EXPECT_TRUE(CloseHandle(anonymous));
    EXPECT_EQ(CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0, 0, nullptr), nullptr);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
}

// A legacy filter over the FAT volume that records what its PostAcquireForSectionSynchronization
// hears: the status of the acquisition below it, fastfat's own routine's.
struct SectionFilter {
    PDEVICE_OBJECT device = nullptr;
    PDEVICE_OBJECT lower = nullptr;
    std::mutex lock;
    std::vector<NTSTATUS> acquire_statuses;
};
SectionFilter g_section_filter;

NTSTATUS NTAPI section_filter_pass(PDEVICE_OBJECT, PIRP irp) {
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(g_section_filter.lower, irp);
}

VOID NTAPI section_filter_post(PFS_FILTER_CALLBACK_DATA data, NTSTATUS status, PVOID) {
    if (data->Operation != FS_FILTER_ACQUIRE_FOR_SECTION_SYNCHRONIZATION) return;
    std::lock_guard guard(g_section_filter.lock);
    g_section_filter.acquire_statuses.push_back(status);
}

VOID NTAPI section_filter_unload(PDRIVER_OBJECT) {
    IoDetachDevice(g_section_filter.lower);
    IoDeleteDevice(g_section_filter.device);
}

NTSTATUS NTAPI section_filter_entry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    for (auto& major : driver->MajorFunction) major = section_filter_pass;
    driver->DriverUnload = section_filter_unload;
    FS_FILTER_CALLBACKS callbacks{};
    callbacks.SizeOfFsFilterCallbacks = sizeof(callbacks);
    callbacks.PostAcquireForSectionSynchronization = section_filter_post;
    NTSTATUS status = FsRtlRegisterFileSystemFilterCallbacks(driver, &callbacks);
    if (!NT_SUCCESS(status)) return status;
    return IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &g_section_filter.device);
}

// As FastFat, fastfat.sys takes the file for a section itself (its PreAcquireForSectionSynchronization)
// and says whether the file has writers: STATUS_FILE_LOCKED_WITH_ONLY_READERS /
// STATUS_FILE_LOCKED_WITH_WRITERS reach the completion routines of the filters above it.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlregisterfilesystemfiltercallbacks
TEST_F(FastFatSectionTest, fastfat_tells_section_creation_whether_the_file_has_writers) {
    put_file("\\sync.dat", pattern(8192, 4));
    const ULONG all = FILE_SHARE_READ | FILE_SHARE_WRITE;
    HANDLE reader = nullptr;
    ASSERT_EQ(create("\\sync.dat", &reader, FILE_OPEN, GENERIC_READ, 0, all), STATUS_SUCCESS);
    UNICODE_STRING service;
    RtlInitUnicodeString(&service, L"FatSectionFilter");
    PDRIVER_OBJECT filter = nullptr;
    ASSERT_EQ(NtioCreateDriver(&service, section_filter_entry, &filter), STATUS_SUCCESS);
    PVOID object = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(reader, 0, *IoFileObjectType, KernelMode, &object, nullptr), STATUS_SUCCESS);
    PDEVICE_OBJECT volume = static_cast<PFILE_OBJECT>(object)->Vpb->DeviceObject;
    ObDereferenceObject(object);
    ASSERT_EQ(IoAttachDeviceToDeviceStackSafe(g_section_filter.device, volume, &g_section_filter.lower), STATUS_SUCCESS);
    g_section_filter.device->Flags |= g_section_filter.lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
    g_section_filter.device->Flags &= ~DO_DEVICE_INITIALIZING;

    HANDLE s = nullptr;
    ASSERT_EQ(section(reader, &s, PAGE_READONLY), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    HANDLE writer = nullptr;
    ASSERT_EQ(create("\\sync.dat", &writer, FILE_OPEN, GENERIC_READ | GENERIC_WRITE, 0, all), STATUS_SUCCESS);
    ASSERT_EQ(section(reader, &s, PAGE_READONLY), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    {
        std::lock_guard guard(g_section_filter.lock);
        EXPECT_EQ(g_section_filter.acquire_statuses,
                  std::vector<NTSTATUS>({STATUS_FILE_LOCKED_WITH_ONLY_READERS, STATUS_FILE_LOCKED_WITH_WRITERS}));
        g_section_filter.acquire_statuses.clear();
    }
    EXPECT_EQ(NtClose(writer), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(reader), STATUS_SUCCESS);
    EXPECT_EQ(NtioUnloadDriver(filter), STATUS_SUCCESS);
    ObDereferenceObject(filter);
}

}  // namespace section_tests
}  // namespace ntio::test::drivers
