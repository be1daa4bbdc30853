// The hostfs.sys tests' fixture: the system-start host file system (\Device\HostFs, root "/"), a
// temporary host directory made for each test and removed after it, helpers that open names under
// it through NtCreateFile and read and write them through the Nt services, and host-side POSIX
// checks of what the driver did.
#pragma once

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "driver_test_support.hpp"
#include "support/host_directory.hpp"

#include <ntifs.h>

namespace ntio::test::drivers {

inline constexpr char16_t kHostfsVolume[] = u"\\Device\\HostFs";

class HostfsTest : public SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        ASSERT_FALSE(m_dir.path().empty());
        m_host = m_dir.path();
    }

    // The test directory's NT name on the volume ("\Device\HostFs\tmp\ntio-hostfs-..."), plus `name`
    // ("\\a.txt"; "" for the directory itself).
    std::u16string nt_path(const std::string& name = "") const {
        std::u16string path = kHostfsVolume;
        for (char c : m_host + name) path.push_back(c == '/' ? u'\\' : static_cast<char16_t>(c));
        return path;
    }

    std::string host(const std::string& name = "") const { return m_dir.host(name); }
    void put_host(const std::string& name, const std::string& data) { m_dir.write(name, data); }
    std::string get_host(const std::string& name) const { return m_dir.read(name); }
    bool host_exists(const std::string& name) const { return m_dir.exists(name); }

    // NtCreateFile of `name` in the test directory.
    NTSTATUS create(const std::string& name, HANDLE* h, ULONG disposition = FILE_OPEN,
                    ACCESS_MASK access = GENERIC_READ | GENERIC_WRITE, ULONG options = 0,
                    ULONG share = FILE_SHARE_READ | FILE_SHARE_WRITE, ULONG_PTR* information = nullptr,
                    ULONG attributes = FILE_ATTRIBUTE_NORMAL) {
        return create_nt(nt_path(name), h, disposition, access, options, share, information, attributes);
    }

    // The names a directory lists (FileDirectoryInformation in a small buffer, query after query).
    std::vector<std::string> list(const std::string& directory, const char* mask = nullptr) {
        HANDLE h = nullptr;
        EXPECT_EQ(create(directory, &h, FILE_OPEN, FILE_LIST_DIRECTORY, FILE_DIRECTORY_FILE), STATUS_SUCCESS);
        if (!h) return {};
        std::vector<std::string> names = query_directory_names(h, mask, 320);
        std::sort(names.begin(), names.end());
        return names;
    }

    HostDirectory m_dir{"ntio-hostfs-"};
    std::string m_host;
};

}  // namespace ntio::test::drivers
