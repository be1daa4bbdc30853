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

// Overwrites (FILE_OVERWRITE_IF, which truncates and purges the file's cache) racing cached reads of
// the same file. Invariant: nothing hangs (an overwrite holding the paging I/O resource while it
// purges must not wait for a read that holds the cache and waits for that resource); every open,
// write and read succeeds (a read past the end of the truncated file says so); the file ends with
// the last overwrite's data and the image checks clean.
TEST_P(FastFatConcurrencyStressTest, overwrites_racing_cached_reads_of_the_file) {
    format(GetParam());
    const std::string name = "\\overwritten.bin";
    constexpr ULONG kSize = 32 * 1024;
    put_file(name, fat::pattern(kSize, 1));
    constexpr int kOverwrites = 60;
    std::atomic<bool> done{false};
    std::atomic<int> failures{0};
    std::thread reader([&] {
        HANDLE h = nullptr;
        if (create(name, &h, FILE_OPEN, GENERIC_READ, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE) !=
            STATUS_SUCCESS) {
            ++failures;
            return;
        }
        std::vector<uint8_t> buffer(4096);
        for (ULONG i = 0; !done.load(); ++i) {
            IO_STATUS_BLOCK iosb{};
            const NTSTATUS status = read_at(h, buffer.data(), ULONG(buffer.size()), (i * 4096) % kSize, &iosb);
            if (status != STATUS_SUCCESS && status != STATUS_END_OF_FILE) ++failures;
        }
        if (NtClose(h) != STATUS_SUCCESS) ++failures;
    });
    std::vector<uint8_t> last;
    for (int round = 0; round < kOverwrites; ++round) {
        last = fat::pattern(kSize, uint32_t(round + 2));
        HANDLE h = nullptr;
        if (create(name, &h, FILE_OVERWRITE_IF, GENERIC_READ | GENERIC_WRITE, FILE_NON_DIRECTORY_FILE,
                   FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE) != STATUS_SUCCESS) {
            ++failures;
            continue;
        }
        IO_STATUS_BLOCK iosb{};
        if (write_at(h, last.data(), kSize, 0, &iosb) != STATUS_SUCCESS || iosb.Information != kSize) ++failures;
        if (NtClose(h) != STATUS_SUCCESS) ++failures;
    }
    done.store(true);
    reader.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(get_file(name), last);
    unmount();
    expect_fsck_clean();
}

INSTANTIATE_TEST_SUITE_P(Types, FastFatConcurrencyStressTest,
                         ::testing::Values(fat::ImageSpec{12, 2048, 1, 512, ""}, fat::ImageSpec{16, 16384, 4, 512, ""},
                                           fat::ImageSpec{32, 40000, 1, 512, ""}),
                         [](const ::testing::TestParamInfo<fat::ImageSpec>& info) {
                             return "FAT" + std::to_string(info.param.fat_bits);
                         });

}  // namespace
}  // namespace ntio::test::drivers
