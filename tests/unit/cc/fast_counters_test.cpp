// The fast read statistics FsRtlCopyRead and FsRtlMdlReadDev count in (CcFastReadWait / NoWait /
// NotPossible / ResourceMiss, CcFastMdlReadWait), the FsRtlIncrementCcFast* routines, and
// FsRtlIsLeadDbcsCharacter under ntio's UTF-8 code pages (no lead bytes), on a file of the cache
// test file system.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlcopyread
#include <thread>

#include "cc_test_support.hpp"

namespace ntio::cc::test {
namespace fast_counters_test {

class CcFastCountersTest : public CcCachedFileTest {
protected:
    void SetUp() override {
        CcCachedFileTest::SetUp();
        prepare(4 * PAGE_SIZE, 41, false);
    }
    BOOLEAN copy_read(LONGLONG offset, ULONG length, BOOLEAN wait) {
        LARGE_INTEGER where;
        where.QuadPart = offset;
        IO_STATUS_BLOCK iosb{};
        m_buffer.assign(length, 0);
        return FsRtlCopyRead(m_file, &where, length, wait, 0, m_buffer.data(), &iosb, IoGetRelatedDeviceObject(m_file));
    }
    static ULONG read(const ULONG& counter) { return __atomic_load_n(&counter, __ATOMIC_RELAXED); }
    std::vector<UCHAR> m_buffer;
};

TEST_F(CcFastCountersTest, copy_reads_count_as_wait_or_no_wait)
{
    const ULONG wait = read(CcFastReadWait);
    const ULONG no_wait = read(CcFastReadNoWait);
    ASSERT_TRUE(copy_read(0, 512, TRUE));
    EXPECT_EQ(std::vector<UCHAR>(m_data.begin(), m_data.begin() + 512), m_buffer);
    EXPECT_EQ(read(CcFastReadWait), wait + 1);
    EXPECT_EQ(read(CcFastReadNoWait), no_wait);
    (void)copy_read(0, 512, FALSE);  // served or not, it counts as a no-wait read
    EXPECT_EQ(read(CcFastReadNoWait), no_wait + 1);
    EXPECT_EQ(read(CcFastReadWait), wait + 1);
}

TEST_F(CcFastCountersTest, a_read_fast_io_cannot_serve_counts_as_not_possible)
{
    auto* header = static_cast<PFSRTL_COMMON_FCB_HEADER>(m_file->FsContext);
    ASSERT_NE(header, nullptr);
    const ULONG not_possible = read(CcFastReadNotPossible);
    const UCHAR was = header->IsFastIoPossible;
    header->IsFastIoPossible = FastIoIsNotPossible;
    EXPECT_FALSE(copy_read(0, 512, TRUE));
    header->IsFastIoPossible = was;
    EXPECT_EQ(read(CcFastReadNotPossible), not_possible + 1);
    ASSERT_TRUE(copy_read(0, 512, TRUE));
    EXPECT_EQ(read(CcFastReadNotPossible), not_possible + 1);
}

TEST_F(CcFastCountersTest, a_no_wait_read_that_cannot_have_the_resource_counts_as_a_miss)
{
    auto* header = static_cast<PFSRTL_COMMON_FCB_HEADER>(m_file->FsContext);
    ASSERT_NE(header, nullptr);
    ASSERT_NE(header->Resource, nullptr);
    KEVENT held, release;
    KeInitializeEvent(&held, NotificationEvent, FALSE);
    KeInitializeEvent(&release, NotificationEvent, FALSE);
    std::thread owner([&] {
        KeEnterCriticalRegion();
        ExAcquireResourceExclusiveLite(header->Resource, TRUE);
        KeSetEvent(&held, IO_NO_INCREMENT, FALSE);
        (void)KeWaitForSingleObject(&release, Executive, KernelMode, FALSE, nullptr);
        ExReleaseResourceLite(header->Resource);
        KeLeaveCriticalRegion();
    });
    ASSERT_EQ(KeWaitForSingleObject(&held, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
    const ULONG miss = read(CcFastReadResourceMiss);
    EXPECT_FALSE(copy_read(0, 512, FALSE));
    EXPECT_EQ(read(CcFastReadResourceMiss), miss + 1);
    KeSetEvent(&release, IO_NO_INCREMENT, FALSE);
    owner.join();
}

TEST_F(CcFastCountersTest, mdl_reads_count_and_the_increment_routines_add_one)
{
    const ULONG mdl = read(CcFastMdlReadWait);
    LARGE_INTEGER offset;
    offset.QuadPart = 0;
    IO_STATUS_BLOCK iosb{};
    PMDL chain = nullptr;
    PDEVICE_OBJECT device = IoGetRelatedDeviceObject(m_file);
    ASSERT_TRUE(FsRtlMdlReadDev(m_file, &offset, 1000, 0, &chain, &iosb, device));
    EXPECT_EQ(read(CcFastMdlReadWait), mdl + 1);
    ASSERT_TRUE(FsRtlMdlReadCompleteDev(m_file, chain, device));

    const ULONG before[5] = {read(CcFastReadNotPossible), read(CcFastReadWait), read(CcFastReadNoWait),
                             read(CcFastReadResourceMiss), read(CcFastMdlReadWait)};
    FsRtlIncrementCcFastReadNotPossible();
    FsRtlIncrementCcFastReadWait();
    FsRtlIncrementCcFastReadWait();
    FsRtlIncrementCcFastReadNoWait();
    FsRtlIncrementCcFastReadResourceMiss();
    FsRtlIncrementCcFastMdlReadWait();
    EXPECT_EQ(read(CcFastReadNotPossible), before[0] + 1);
    EXPECT_EQ(read(CcFastReadWait), before[1] + 2);
    EXPECT_EQ(read(CcFastReadNoWait), before[2] + 1);
    EXPECT_EQ(read(CcFastReadResourceMiss), before[3] + 1);
    EXPECT_EQ(read(CcFastMdlReadWait), before[4] + 1);
}

// ntio's ANSI and OEM code pages are UTF-8: not DBCS code pages, so no byte leads a DBCS character.
TEST(CcFastCountersNls, no_byte_is_a_dbcs_lead_byte)
{
    EXPECT_FALSE(NLS_MB_CODE_PAGE_TAG);
    EXPECT_FALSE(NlsMbCodePageTag);
    for (int c = 0; c < 256; ++c) EXPECT_FALSE(FsRtlIsLeadDbcsCharacter(static_cast<UCHAR>(c))) << c;
}

}  // namespace fast_counters_test
}  // namespace ntio::cc::test
