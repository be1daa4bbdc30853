// The FAT test support: host tool discovery and invocation, temporary directories, the in-memory
// image behind the engine's callbacks, and small helpers that walk the engine's directories.
#include "fat_image.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ntio::fastfat::test {

std::string find_tool(const std::string& name) {
    std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    // mkfs.fat and fsck.fat live in sbin, which a non-root PATH may leave out.
    path += ":/usr/sbin:/sbin:/usr/bin:/bin";
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;
        std::string candidate = dir + "/" + name;
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

std::string missing_tools() {
    std::string missing;
    for (const char* tool : {"mkfs.fat", "fsck.fat", "mcopy", "mmd", "mtype", "mdir"}) {
        if (find_tool(tool).empty()) missing += std::string(missing.empty() ? "" : ", ") + tool;
    }
    if (missing.empty()) return "";
    return "FAT tools missing (" + missing + "): install the Debian packages dosfstools and mtools";
}

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

CommandResult run(const std::string& command) {
    CommandResult result;
    std::string line = "TZ=UTC MTOOLS_SKIP_CHECK=1 MTOOLS_NO_VFAT=0 PATH=\"$PATH:/usr/sbin:/sbin\" " + command + " 2>&1";
    FILE* pipe = popen(line.c_str(), "r");
    if (!pipe) return result;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, n);
    int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

TempDir::TempDir() {
    std::string base = std::filesystem::temp_directory_path().string() + "/ntio_fat_XXXXXX";
    std::vector<char> name(base.begin(), base.end());
    name.push_back('\0');
    if (mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = name.data();
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
}

void FatImage::load() { m_bytes = read_host_file(m_path); }

void FatImage::save() const { write_host_file(m_path, m_bytes); }

FAT_VOLUME_IO FatImage::io() {
    FAT_VOLUME_IO io{};
    io.Read = &FatImage::read_cb;
    io.Write = &FatImage::write_cb;
    io.Context = this;
    io.VolumeLength = m_bytes.size();
    return io;
}

NTSTATUS FatImage::read_cb(PVOID context, ULONGLONG offset, ULONG length, PVOID buffer) {
    auto* self = static_cast<FatImage*>(context);
    if (offset > self->m_bytes.size() || length > self->m_bytes.size() - offset) {
        ++self->m_out_of_range;
        return STATUS_END_OF_FILE;
    }
    if (self->m_reads_left == 0) return STATUS_DEVICE_DATA_ERROR;
    if (self->m_reads_left > 0) --self->m_reads_left;
    std::memcpy(buffer, self->m_bytes.data() + offset, length);
    return STATUS_SUCCESS;
}

NTSTATUS FatImage::write_cb(PVOID context, ULONGLONG offset, ULONG length, const VOID* buffer) {
    auto* self = static_cast<FatImage*>(context);
    if (offset > self->m_bytes.size() || length > self->m_bytes.size() - offset) {
        ++self->m_out_of_range;
        return STATUS_END_OF_FILE;
    }
    if (self->m_writes_left == 0) return STATUS_DEVICE_DATA_ERROR;
    if (self->m_writes_left > 0) --self->m_writes_left;
    std::memcpy(self->m_bytes.data() + offset, buffer, length);
    return STATUS_SUCCESS;
}

std::u16string u16(const std::string& ascii) { return std::u16string(ascii.begin(), ascii.end()); }

std::string narrow(const WCHAR* s, size_t length) {
    std::string out;
    for (size_t i = 0; i < length; ++i) {
        char16_t c = static_cast<char16_t>(s[i]);
        out += c < 0x80 ? static_cast<char>(c) : '?';
    }
    return out;
}

UNICODE_STRING ustr(const std::u16string& s) {
    UNICODE_STRING u;
    u.Buffer = reinterpret_cast<PWCH>(const_cast<char16_t*>(s.data()));
    u.Length = static_cast<USHORT>(s.size() * sizeof(WCHAR));
    u.MaximumLength = u.Length;
    return u;
}

std::vector<uint8_t> pattern(size_t size, uint32_t seed) {
    std::vector<uint8_t> data(size);
    uint32_t x = seed * 2654435761u + 1;
    for (auto& b : data) {
        x = x * 1103515245u + 12345u;
        b = static_cast<uint8_t>(x >> 16);
    }
    return data;
}

void write_host_file(const std::string& path, const std::vector<uint8_t>& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

std::vector<uint8_t> read_host_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    std::vector<uint8_t> data(in ? static_cast<size_t>(in.tellg()) : 0);
    in.seekg(0);
    in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()));
    return data;
}

NTSTATUS lookup_path(PFAT_VOLUME volume, const std::string& path, FAT_DIRENT* dirent) {
    ULONG directory = FatRootDirectory(volume);
    std::stringstream parts(path);
    std::string part;
    bool any = false;
    while (std::getline(parts, part, '/')) {
        if (part.empty()) continue;
        if (any) {
            if (!(dirent->Attributes & FAT_ATTR_DIRECTORY)) return STATUS_OBJECT_PATH_NOT_FOUND;
            directory = dirent->FirstCluster;
        }
        std::u16string name = u16(part);
        UNICODE_STRING u = ustr(name);
        NTSTATUS status = FatLookupName(volume, directory, &u, dirent);
        if (!NT_SUCCESS(status)) return status;
        any = true;
    }
    return any ? STATUS_SUCCESS : STATUS_OBJECT_NAME_INVALID;
}

std::vector<uint8_t> read_all(PFAT_VOLUME volume, const FAT_DIRENT& dirent) {
    std::vector<uint8_t> data(dirent.FileSize);
    ULONG done = 0;
    if (data.empty()) return data;
    EXPECT_EQ(FatReadFile(volume, &dirent, 0, static_cast<ULONG>(data.size()), data.data(), &done), STATUS_SUCCESS);
    EXPECT_EQ(done, data.size());
    return data;
}

std::vector<std::string> list_names(PFAT_VOLUME volume, ULONG directory) {
    std::vector<std::string> names;
    ULONG resume = 0;
    FAT_DIRENT d;
    NTSTATUS status;
    while ((status = FatEnumerateDirectory(volume, directory, &resume, &d)) == STATUS_SUCCESS) {
        std::string name = d.LongNameLength ? narrow(d.LongName, d.LongNameLength) : narrow(d.ShortName, d.ShortNameLength);
        if (name == "." || name == "..") continue;
        names.push_back(name);
    }
    EXPECT_EQ(status, STATUS_NO_MORE_FILES);
    return names;
}

CommandResult fsck(const std::string& image) { return run(quote(find_tool("fsck.fat")) + " -n " + quote(image)); }

std::vector<uint8_t> mtype(const std::string& image, const std::string& path) {
    std::string line = "MTOOLS_SKIP_CHECK=1 " + quote(find_tool("mtype")) + " -i " + quote(image) + " " + quote("::/" + path);
    std::vector<uint8_t> data;
    FILE* pipe = popen(line.c_str(), "r");
    if (!pipe) return data;
    uint8_t buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) data.insert(data.end(), buffer, buffer + n);
    int status = pclose(pipe);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "mtype " << path;
    return data;
}

std::vector<std::string> mdir_tree(const std::string& image) {
    CommandResult r = run(quote(find_tool("mdir")) + " -b -/ -i " + quote(image) + " ::/");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::vector<std::string> paths;
    std::stringstream lines(r.output);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("::/", 0) == 0) paths.push_back(line.substr(3));
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

void FatTest::format_and_mount(const ImageSpec& spec) {
    m_image = std::make_unique<FatImage>(m_dir.file("volume.img"));
    make_image(m_image->path(), spec);
    m_image->load();
    remount();
}

void FatTest::remount() {
    FAT_VOLUME_IO io = m_image->io();
    ASSERT_EQ(FatMountVolume(&io, &m_volume), STATUS_SUCCESS);
}

void FatTest::expect_clean() {
    m_image->save();
    CommandResult r = fsck(m_image->path());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(m_image->out_of_range(), 0);
}

FAT_DIRENT FatTest::create_file(ULONG directory, const std::string& name, const std::vector<uint8_t>& data) {
    FAT_DIRENT d{};
    std::u16string n = u16(name);
    UNICODE_STRING u = ustr(n);
    EXPECT_EQ(FatCreateEntry(&m_volume, directory, &u, FAT_ATTR_ARCHIVE, &d), STATUS_SUCCESS) << name;
    if (!data.empty()) {
        EXPECT_EQ(FatWriteFile(&m_volume, &d, 0, static_cast<ULONG>(data.size()), data.data()), STATUS_SUCCESS) << name;
    }
    return d;
}

FAT_DIRENT FatTest::create_directory(ULONG directory, const std::string& name) {
    FAT_DIRENT d{};
    std::u16string n = u16(name);
    UNICODE_STRING u = ustr(n);
    EXPECT_EQ(FatCreateEntry(&m_volume, directory, &u, FAT_ATTR_DIRECTORY, &d), STATUS_SUCCESS) << name;
    return d;
}

std::string ImageSpec::describe() const {
    return "FAT" + std::to_string(fat_bits) + " " + std::to_string(size_kib) + " KiB, " +
           std::to_string(sectors_per_cluster) + " x " + std::to_string(sector_size) + " bytes per cluster";
}

void make_image(const std::string& path, const ImageSpec& spec) {
    std::string command = quote(find_tool("mkfs.fat")) + " -C -F " + std::to_string(spec.fat_bits) + " -s " +
                          std::to_string(spec.sectors_per_cluster) + " -S " + std::to_string(spec.sector_size) +
                          " -i 1234ABCD";
    if (!spec.label.empty()) command += " -n " + quote(spec.label);
    command += " " + quote(path) + " " + std::to_string(spec.size_kib);
    CommandResult r = run(command);
    ASSERT_EQ(r.exit_code, 0) << command << "\n" << r.output;
}

}  // namespace ntio::fastfat::test
