// Stress: fastfat.sys with threads creating, writing, reading back and deleting their own files in one
// directory at once, on each FAT width. Every allocation rewrites FAT sectors other files' chains
// share (FAT12 entries even share bytes), while the others' paging and non-cached reads walk their
// chains through those sectors.
// Invariant: every thread reads back exactly its own data, through the cache and non-cached; the
// files kept hold their data afterwards; the image checks clean with as many files as were kept.
#include "fastfat_driver_support.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

namespace ntio::test::drivers {
namespace {

constexpr ULONG kSector = 512;

class FastFatConcurrencyStressTest : public FastFatTest, public ::testing::WithParamInterface<fat::ImageSpec> {};

std::vector<uint8_t> data_of(int thread, int round) {
    return fat::pattern(1000 + 997 * ((thread + round) % 9), uint32_t(thread * 1000 + round));
}

std::string name_of(int thread, int round) {
    return "\\t" + std::to_string(thread) + "_" + std::to_string(round) + ".bin";
}

struct FreeAligned {
    void operator()(uint8_t* p) const { std::free(p); }
};

TEST_P(FastFatConcurrencyStressTest, concurrent_file_lifecycles_keep_each_file_its_own) {
    format(GetParam());
    constexpr int kThreads = 4;
    constexpr int kRounds = 20;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < kRounds; ++round) {
                const std::string name = name_of(t, round);
                const std::vector<uint8_t> data = data_of(t, round);
                HANDLE h = nullptr;
                if (create(name, &h, FILE_CREATE, GENERIC_READ | GENERIC_WRITE | DELETE) != STATUS_SUCCESS) {
                    ++failures;
                    continue;
                }
                IO_STATUS_BLOCK iosb{};
                std::vector<uint8_t> back(data.size());
                if (write_at(h, data.data(), ULONG(data.size()), 0, &iosb) != STATUS_SUCCESS ||
                    read_at(h, back.data(), ULONG(back.size()), 0, &iosb) != STATUS_SUCCESS || back != data) {
                    ++failures;
                }
                // The whole sectors again through a non-cached handle: the cache is written first,
                // then the chain is walked while the other threads allocate.
                const ULONG sectors = ULONG(data.size()) / kSector * kSector;
                HANDLE direct = nullptr;
                if (create(name, &direct, FILE_OPEN, GENERIC_READ, FILE_NO_INTERMEDIATE_BUFFERING,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE) != STATUS_SUCCESS) {
                    ++failures;
                } else {
                    std::unique_ptr<uint8_t, FreeAligned> buffer(static_cast<uint8_t*>(std::aligned_alloc(4096, 4096 * 4)));
                    if (read_at(direct, buffer.get(), sectors, 0, &iosb) != STATUS_SUCCESS ||
                        iosb.Information != sectors || std::memcmp(buffer.get(), data.data(), sectors) != 0) {
                        ++failures;
                    }
                    if (NtClose(direct) != STATUS_SUCCESS) ++failures;
                }
                // Every other file stays; the rest are deleted.
                if (round % 2) {
                    FILE_DISPOSITION_INFORMATION disposition{TRUE};
                    if (NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation) !=
                        STATUS_SUCCESS) {
                        ++failures;
                    }
                }
                if (NtClose(h) != STATUS_SUCCESS) ++failures;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    for (int t = 0; t < kThreads; ++t) {
        for (int round = 0; round < kRounds; round += 2) {
            EXPECT_EQ(get_file(name_of(t, round)), data_of(t, round)) << name_of(t, round);
        }
    }
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mdir_tree(m_image).size(), size_t(kThreads * kRounds / 2));
}

INSTANTIATE_TEST_SUITE_P(Types, FastFatConcurrencyStressTest,
                         ::testing::Values(fat::ImageSpec{12, 2048, 1, 512, ""}, fat::ImageSpec{16, 16384, 4, 512, ""},
                                           fat::ImageSpec{32, 40000, 1, 512, ""}),
                         [](const ::testing::TestParamInfo<fat::ImageSpec>& info) {
                             return "FAT" + std::to_string(info.param.fat_bits);
                         });

}  // namespace
}  // namespace ntio::test::drivers
