// CcSetFileSizesEx, CcGetFileObjectFromSectionPtrsRef and CcRemapBcb on a file of the cache test
// file system, called at the DDI level as a file system would: the Ex form returns the outcome of
// the purge a truncation makes; the Ref form hands out a reference; a remapped BCB keeps its range
// mapped after the BCB it came from is unpinned.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccsetfilesizesex
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccgetfileobjectfromsectionptrsref
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ccremapbcb
#include "cc_test_support.hpp"

namespace cc_ex_test {

using ntio::cc::test::kCcTestFsCapacity;

class CcExTest : public ntio::cc::test::CcCachedFileTest {
protected:
    CC_FILE_SIZES sizes(LONGLONG file_size) {
        CC_FILE_SIZES s;
        s.AllocationSize.QuadPart = kCcTestFsCapacity;
        s.FileSize.QuadPart = file_size;
        s.ValidDataLength.QuadPart = file_size;
        return s;
    }
};

TEST_F(CcExTest, set_file_sizes_ex_returns_the_purges_outcome) {
    prepare(4 * PAGE_SIZE, 7);
    CC_FILE_SIZES bigger = sizes(8 * PAGE_SIZE);
    EXPECT_EQ(CcSetFileSizesEx(m_file, &bigger), STATUS_SUCCESS);
    // A BCB pins the view: the truncation cannot purge the pages past the new end.
    LARGE_INTEGER offset;
    offset.QuadPart = 2 * PAGE_SIZE;
    PVOID bcb = nullptr;
    PVOID buffer = nullptr;
    ASSERT_TRUE(CcPinRead(m_file, &offset, 512, PIN_WAIT, &bcb, &buffer));
    CC_FILE_SIZES smaller = sizes(PAGE_SIZE);
    EXPECT_EQ(CcSetFileSizesEx(m_file, &smaller), STATUS_UNABLE_TO_DELETE_SECTION);
    CcUnpinData(bcb);
    // Without the pin the same truncation purges.
    EXPECT_EQ(CcSetFileSizesEx(m_file, &bigger), STATUS_SUCCESS);
    EXPECT_EQ(CcSetFileSizesEx(m_file, &smaller), STATUS_SUCCESS);
    EXPECT_TRUE(CcPurgeCacheSection(m_file->SectionObjectPointer, nullptr, 0, 0));
    // Bad arguments; a file object that is not cached has nothing to update.
    EXPECT_EQ(CcSetFileSizesEx(m_file, nullptr), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(CcSetFileSizesEx(nullptr, &smaller), STATUS_INVALID_PARAMETER);
    FILE_OBJECT uncached{};
    EXPECT_EQ(CcSetFileSizesEx(&uncached, &smaller), STATUS_SUCCESS);
}

TEST_F(CcExTest, file_object_from_section_pointers_comes_referenced) {
    prepare(2 * PAGE_SIZE, 8);
    PFILE_OBJECT plain = CcGetFileObjectFromSectionPtrs(m_file->SectionObjectPointer);
    ASSERT_NE(plain, nullptr);
    PFILE_OBJECT referenced = CcGetFileObjectFromSectionPtrsRef(m_file->SectionObjectPointer);
    EXPECT_EQ(referenced, plain);
    // The reference is the caller's: dropping it leaves the stream's file object alive and usable.
    ObDereferenceObject(referenced);
    std::vector<UCHAR> data(PAGE_SIZE);
    ASSERT_EQ(read(m_handle, 0, PAGE_SIZE, data.data()), STATUS_SUCCESS);
    EXPECT_EQ(data, std::vector<UCHAR>(m_data.begin(), m_data.begin() + PAGE_SIZE));
    EXPECT_EQ(CcGetFileObjectFromSectionPtrsRef(nullptr), nullptr);
    SECTION_OBJECT_POINTERS none{};
    EXPECT_EQ(CcGetFileObjectFromSectionPtrsRef(&none), nullptr);
}

TEST_F(CcExTest, a_remapped_bcb_outlives_the_original) {
    prepare(4 * PAGE_SIZE, 9);
    LARGE_INTEGER offset;
    offset.QuadPart = PAGE_SIZE + 100;
    PVOID bcb = nullptr;
    PVOID buffer = nullptr;
    ASSERT_TRUE(CcMapData(m_file, &offset, 200, MAP_WAIT, &bcb, &buffer));
    PVOID remapped = CcRemapBcb(bcb);
    ASSERT_NE(remapped, nullptr);
    EXPECT_NE(remapped, bcb);
    auto* public_bcb = static_cast<PPUBLIC_BCB>(remapped);
    EXPECT_EQ(public_bcb->MappedFileOffset.QuadPart, offset.QuadPart);
    EXPECT_EQ(public_bcb->MappedLength, 200u);
    EXPECT_EQ(CcGetFileObjectFromBcb(remapped), CcGetFileObjectFromBcb(bcb));
    CcUnpinData(bcb);
    // Still mapped: the view cannot be purged, and the data is there.
    EXPECT_FALSE(CcPurgeCacheSection(m_file->SectionObjectPointer, nullptr, 0, 0));
    const auto* bytes = static_cast<const UCHAR*>(buffer);
    EXPECT_EQ(std::vector<UCHAR>(bytes, bytes + 200),
              std::vector<UCHAR>(m_data.begin() + offset.QuadPart, m_data.begin() + offset.QuadPart + 200));
    CcUnpinData(remapped);
    EXPECT_TRUE(CcPurgeCacheSection(m_file->SectionObjectPointer, nullptr, 0, 0));
}

}  // namespace cc_ex_test
