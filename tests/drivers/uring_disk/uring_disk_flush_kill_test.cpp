// Data acknowledged by a successful flush survives kill -9 of the process: a child process (this
// test binary, one test selected) loads the disk, writes, flushes, reports, and is killed with
// SIGKILL while idle; the parent then finds the data in the backing file.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "uring_disk_test_support.hpp"

extern char** environ;

namespace ntio::test::drivers::uring {
namespace {

constexpr LONGLONG kOffset = 192 * 1024;
constexpr ULONG kFlushLength = 64 * 1024;

// The child's half: runs only when the parent set the environment.
TEST_F(SystemTest, UringDiskFlushChildWritesFlushesAndWaitsForKill)
{
    const char* path = std::getenv("NTIO_URING_CHILD_FILE");
    const char* fd_text = std::getenv("NTIO_URING_CHILD_FD");
    if (path == nullptr || fd_text == nullptr) GTEST_SKIP() << "runs as the child of FlushedDataSurvivesKill";
    const int report_fd = std::atoi(fd_text);
    Driver driver;
    ASSERT_EQ(driver.load(LoadPath::direct, kService, kImage,
                          {{"FileName", std::string(path)}, {"DiskSize", kDiskSize}, {"QueueDepth", ULONG{8}}}),
              STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open_device(kDeviceName, &h), STATUS_SUCCESS);
    const std::vector<unsigned char> data = pattern(kFlushLength, 42);
    IO_STATUS_BLOCK iosb{};
    ASSERT_EQ(write_at(h, data.data(), kFlushLength, kOffset, &iosb), STATUS_SUCCESS);
    ASSERT_EQ(NtFlushBuffersFile(h, &iosb), STATUS_SUCCESS);
    const char flushed = 'F';
    ASSERT_EQ(write(report_fd, &flushed, 1), 1);
    for (;;) pause();  // killed here, handle and driver still open
}

TEST_F(SystemTest, UringDiskFlushedDataSurvivesKill)
{
    SKIP_WITHOUT_IO_URING();
    ScratchFile file;
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    env_strings.push_back("NTIO_URING_CHILD_FILE=" + file.path());
    env_strings.push_back("NTIO_URING_CHILD_FD=" + std::to_string(fds[1]));
    std::vector<char*> envp;
    for (std::string& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string self = "/proc/self/exe";
    std::string filter = "--gtest_filter=SystemTest.UringDiskFlushChildWritesFlushesAndWaitsForKill";
    char* argv[] = {self.data(), filter.data(), nullptr};
    pid_t child = 0;
    ASSERT_EQ(posix_spawn(&child, "/proc/self/exe", nullptr, nullptr, argv, envp.data()), 0);
    close(fds[1]);
    char report = 0;
    const ssize_t got = read(fds[0], &report, 1);
    close(fds[0]);
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(waitpid(child, &wstatus, 0), child);
    ASSERT_EQ(got, 1) << "the child failed before its flush completed";
    EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
    EXPECT_EQ(file.read_host(kOffset, kFlushLength), pattern(kFlushLength, 42));
}

}  // namespace
}  // namespace ntio::test::drivers::uring
