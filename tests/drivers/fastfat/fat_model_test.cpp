// Random sequences of creates, writes, size changes, renames and deletes through the engine, checked
// against an in-memory model of what each file should hold: after every step the engine must agree
// with the model, and at checkpoints fsck.fat -n must pass and mtype must read the same bytes.
#include <map>
#include <random>

#include "fat_image.hpp"

namespace ntio::fastfat::test {
namespace {

class FatModelTest : public FatTest, public ::testing::WithParamInterface<std::tuple<ImageSpec, uint32_t>> {
protected:
    // Files live in the root or in one subdirectory; the model keys them by path.
    struct Place {
        ULONG directory;
        std::string prefix;
    };

    FAT_DIRENT open(const std::string& path) {
        FAT_DIRENT d{};
        EXPECT_EQ(lookup_path(&m_volume, path, &d), STATUS_SUCCESS) << path;
        return d;
    }

    void check_all(bool with_tools) {
        for (const auto& [path, data] : m_model) {
            FAT_DIRENT d = open(path);
            ASSERT_EQ(d.FileSize, data.size()) << path;
            ASSERT_EQ(read_all(&m_volume, d), data) << path;
        }
        std::vector<std::string> names = list_names(&m_volume, m_sub.FirstCluster);
        names.push_back("sub");
        for (const auto& n : list_names(&m_volume, root())) {
            if (n != "sub") names.push_back(n);
        }
        EXPECT_EQ(names.size(), m_model.size() + 1);
        if (!with_tools) return;
        expect_clean();
        for (const auto& [path, data] : m_model) EXPECT_EQ(mtype(m_image->path(), path), data) << path;
    }

    std::map<std::string, std::vector<uint8_t>> m_model;
    std::map<std::string, FAT_CHAIN_CURSOR> m_cursors;
    FAT_DIRENT m_sub{};
};

TEST_P(FatModelTest, RandomOperationsAgreeWithTheModel) {
    const auto& [spec, seed] = GetParam();
    format_and_mount(spec);
    m_sub = create_directory(root(), "sub");
    std::mt19937 rng(seed);
    const ULONG cluster = m_volume.BytesPerCluster;
    const Place places[] = {{root(), ""}, {m_sub.FirstCluster, "sub/"}};
    int next_name = 0;
    auto pick = [&]() -> std::string {
        auto it = m_model.begin();
        std::advance(it, static_cast<long>(rng() % m_model.size()));
        return it->first;
    };

    for (int step = 0; step < 400; ++step) {
        unsigned op = m_model.empty() ? 0 : rng() % 6;
        if (op == 0) {
            const Place& place = places[rng() % 2];
            // Alternate short and long names.
            std::string name = (next_name % 2 ? "File number " : "f") + std::to_string(next_name);
            ++next_name;
            std::u16string n = u16(name);
            UNICODE_STRING u = ustr(n);
            FAT_DIRENT d;
            NTSTATUS status = FatCreateEntry(&m_volume, place.directory, &u, 0, &d);
            if (status == STATUS_CANNOT_MAKE || status == STATUS_DISK_FULL) continue;  // full root or disk
            ASSERT_EQ(status, STATUS_SUCCESS) << name;
            m_model[place.prefix + name] = {};
        } else if (op == 1 || op == 2) {
            std::string path = pick();
            auto& data = m_model[path];
            ULONGLONG offset = rng() % (data.size() + cluster * 2 + 1);
            auto bytes = pattern(rng() % (cluster * 3) + 1, static_cast<uint32_t>(rng()));
            FAT_DIRENT d = open(path);
            // Each file keeps a chain cursor across its writes, as a CCB would.
            NTSTATUS status = FatWriteFileEx(&m_volume, &d, offset, static_cast<ULONG>(bytes.size()), bytes.data(),
                                             &m_cursors[path]);
            if (status == STATUS_DISK_FULL) continue;
            ASSERT_EQ(status, STATUS_SUCCESS) << path;
            if (data.size() < offset + bytes.size()) data.resize(offset + bytes.size(), 0);
            std::copy(bytes.begin(), bytes.end(), data.begin() + static_cast<long>(offset));
        } else if (op == 3) {
            std::string path = pick();
            auto& data = m_model[path];
            size_t size = rng() % (data.size() + cluster * 4 + 1);
            FAT_DIRENT d = open(path);
            NTSTATUS status = FatSetFileSize(&m_volume, &d, size);
            if (status == STATUS_DISK_FULL) continue;
            ASSERT_EQ(status, STATUS_SUCCESS) << path;
            if (size < data.size()) m_cursors.erase(path);  // its clusters may be gone
            data.resize(size, 0);
        } else if (op == 4) {
            std::string path = pick();
            FAT_DIRENT d = open(path);
            ASSERT_EQ(FatDeleteEntry(&m_volume, &d), STATUS_SUCCESS) << path;
            m_model.erase(path);
            m_cursors.erase(path);
        } else {
            std::string path = pick();
            const Place& place = places[rng() % 2];
            std::string name = (next_name % 2 ? "Renamed file " : "r") + std::to_string(next_name);
            ++next_name;
            FAT_DIRENT d = open(path);
            std::u16string n = u16(name);
            UNICODE_STRING u = ustr(n);
            NTSTATUS status = FatRenameEntry(&m_volume, &d, place.directory, &u);
            if (status == STATUS_CANNOT_MAKE || status == STATUS_DISK_FULL) {
                // The old name must still be there, unchanged.
                FAT_DIRENT again = open(path);
                ASSERT_EQ(again.FirstCluster, d.FirstCluster);
                continue;
            }
            ASSERT_EQ(status, STATUS_SUCCESS) << path << " -> " << name;
            auto data = std::move(m_model[path]);
            m_model.erase(path);
            m_model[place.prefix + name] = std::move(data);
            // The chain stays where it was, so the cursor moves with the name.
            FAT_CHAIN_CURSOR cursor = m_cursors[path];
            m_cursors.erase(path);
            m_cursors[place.prefix + name] = cursor;
        }
        if (HasFatalFailure()) return;
        if (step % 50 == 49) {
            check_all(step % 200 == 199);
            if (HasFatalFailure()) return;
            // Every so often start again from what is on disk.
            remount();
        }
    }
    check_all(true);
}

INSTANTIATE_TEST_SUITE_P(Seeds, FatModelTest,
                         ::testing::Combine(::testing::Values(ImageSpec{12, 1440, 1, 512, ""},
                                                              ImageSpec{16, 16384, 4, 512, ""},
                                                              ImageSpec{32, 40960, 1, 512, ""}),
                                            ::testing::Values(1u, 2u, 3u)),
                         [](const auto& info) {
                             return "Fat" + std::to_string(std::get<0>(info.param).fat_bits) + "_seed" +
                                    std::to_string(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace ntio::fastfat::test
