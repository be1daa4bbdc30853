// A temporary host directory for tests of host files (made by mkdtemp, removed with everything in
// it), with the host-side reads, writes and checks the tests make with POSIX calls.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ntio::test {

class HostDirectory {
public:
    // `prefix`: the directory's name before mkdtemp's six characters, under /tmp.
    explicit HostDirectory(const char* prefix) {
        std::string pattern = std::string("/tmp/").append(prefix).append("XXXXXX");
        if (mkdtemp(pattern.data())) m_path = pattern;
    }
    ~HostDirectory() {
        std::error_code ignored;
        if (!m_path.empty()) std::filesystem::remove_all(m_path, ignored);
    }
    HostDirectory(const HostDirectory&) = delete;
    HostDirectory& operator=(const HostDirectory&) = delete;

    // Empty when mkdtemp failed.
    const std::string& path() const { return m_path; }
    // The host path of `name` ("\\a.txt" or "/a.txt"; "" for the directory itself).
    std::string host(const std::string& name = "") const {
        std::string out = m_path;
        for (char c : name) out.push_back(c == '\\' ? '/' : c);
        return out;
    }
    void write(const std::string& name, const std::string& data) const {
        std::ofstream out(host(name), std::ios::binary);
        out << data;
    }
    std::string read(const std::string& name) const {
        std::ifstream in(host(name), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
    bool exists(const std::string& name) const {
        struct stat st;
        return stat(host(name).c_str(), &st) == 0;
    }

private:
    std::string m_path;
};

}  // namespace ntio::test
