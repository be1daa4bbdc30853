// MmForceSectionClosed as a file system calls it before it deletes or dismounts a file: on the cache
// test file system's file 'd', with data and image sections made through NtCreateSection and views
// through NtMapViewOfSection. A section or a view in use keeps the file's section; once the last
// goes, nothing is left and the call answers TRUE.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmforcesectionclosed
#include "cc_test_support.hpp"

namespace ntio::cc::test {
namespace {

class MmForceSectionClosedTest : public CcFsTest {
protected:
    // The smallest image the memory manager accepts: MZ header, e_lfanew to "PE\0\0", a file
    // header and a PE32+ optional header with ImageBase and SizeOfImage; two pages long.
    static std::vector<UCHAR> image_bytes() {
        std::vector<UCHAR> image(2 * PAGE_SIZE, 0);
        image[0] = 'M';
        image[1] = 'Z';
        const uint32_t lfanew = 0x80;
        std::memcpy(&image[0x3C], &lfanew, 4);
        std::memcpy(&image[lfanew], "PE\0\0", 4);
        const uint16_t machine = 0x8664, optional_size = 240;
        std::memcpy(&image[lfanew + 4], &machine, 2);
        std::memcpy(&image[lfanew + 4 + 16], &optional_size, 2);
        const size_t optional = lfanew + 24;
        const uint16_t magic = 0x20B;
        const uint64_t image_base = 0x140000000ull;
        const uint32_t size_of_image = 0x2000;
        std::memcpy(&image[optional], &magic, 2);
        std::memcpy(&image[optional + 24], &image_base, 8);
        std::memcpy(&image[optional + 56], &size_of_image, 4);
        return image;
    }
    static NTSTATUS section(HANDLE file, ULONG protection, ULONG attributes, HANDLE* out) {
        return NtCreateSection(out, SECTION_ALL_ACCESS, nullptr, nullptr, protection, attributes, file);
    }
};

// No section: TRUE, whether or not the stream is cached (the cache keeps no section here), and
// for no section object pointers at all.
TEST_F(MmForceSectionClosedTest, a_file_without_sections_is_closed_at_once)
{
    auto [h, file] = cached_file(L'd', pattern(4 * PAGE_SIZE, 51));
    ASSERT_TRUE(CcIsFileCached(file));
    EXPECT_TRUE(MmForceSectionClosed(file->SectionObjectPointer, FALSE));
    EXPECT_TRUE(MmForceSectionClosed(file->SectionObjectPointer, TRUE));
    EXPECT_TRUE(MmForceSectionClosed(nullptr, FALSE));
    ObDereferenceObject(file);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// A data section in use, or a view of it after its handle closed, keeps it: FALSE. With DelayClose
// the section goes by itself once its last view is unmapped, and the call then answers TRUE.
TEST_F(MmForceSectionClosedTest, a_data_section_in_use_stays_until_its_last_view_goes)
{
    put_on_disk(L'd', 0, pattern(4 * PAGE_SIZE, 52));
    HANDLE h = open(L'd');
    PFILE_OBJECT file = file_object(h);
    HANDLE s = nullptr;
    ASSERT_EQ(section(h, PAGE_READWRITE, SEC_COMMIT, &s), STATUS_SUCCESS);
    EXPECT_FALSE(MmForceSectionClosed(file->SectionObjectPointer, FALSE));
    EXPECT_NE(file->SectionObjectPointer->DataSectionObject, nullptr) << "FALSE left the section alone";
    void* base = nullptr;
    SIZE_T size = 0;
    ASSERT_EQ(NtMapViewOfSection(s, NtCurrentProcess(), &base, 0, 0, nullptr, &size, ViewShare, 0, PAGE_READWRITE),
              STATUS_SUCCESS);
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    EXPECT_FALSE(MmForceSectionClosed(file->SectionObjectPointer, TRUE)) << "the view still maps it";
    EXPECT_EQ(NtUnmapViewOfSection(NtCurrentProcess(), base), STATUS_SUCCESS);
    EXPECT_EQ(file->SectionObjectPointer->DataSectionObject, nullptr);
    EXPECT_TRUE(MmForceSectionClosed(file->SectionObjectPointer, FALSE));
    ObDereferenceObject(file);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

// An image section counts as a data section does.
TEST_F(MmForceSectionClosedTest, an_image_section_in_use_keeps_the_file)
{
    put_on_disk(L'd', 0, image_bytes());
    HANDLE h = open(L'd');
    PFILE_OBJECT file = file_object(h);
    HANDLE s = nullptr;
    ASSERT_EQ(section(h, PAGE_READONLY, SEC_IMAGE, &s), STATUS_SUCCESS);
    EXPECT_EQ(file->SectionObjectPointer->DataSectionObject, nullptr);
    EXPECT_FALSE(MmForceSectionClosed(file->SectionObjectPointer, FALSE));
    EXPECT_EQ(NtClose(s), STATUS_SUCCESS);
    EXPECT_TRUE(MmForceSectionClosed(file->SectionObjectPointer, FALSE));
    ObDereferenceObject(file);
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::cc::test
