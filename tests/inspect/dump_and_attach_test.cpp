// Dumps (write, load, the same output for every command), the bugcheck dump writer (in a child
// process that really stops), live attach over the socket from another thread, and bad input.
#include "inspect_fixture.hpp"

namespace ntio::inspect::test {
namespace {

std::string temp_dir() {
    char pattern[] = "/tmp/ntio-inspect-XXXXXX";
    const char* dir = ::mkdtemp(pattern);
    return dir ? dir : "/tmp";
}

// Every command, with the arguments this stack gives meaning to.
std::vector<std::string> every_command(InspectTest* t, PDEVICE_OBJECT lower, PDRIVER_OBJECT driver, PIRP irp,
                                       HANDLE file) {
    (void)t;
    return {
        "!irp " + ptr(irp),
        "!irp " + ptr(irp) + " detail",
        "!irpfind",
        "!irpfind -v 0 0 device " + ptr(lower),
        "!devobj InspectLower",
        "!drvobj InspectLower 7",
        "!drvobj \\Driver\\InspectFilter 2",
        "!devstack " + ptr(lower),
        "!object \\Device",
        "!object \\Device\\InspectLower",
        "!object " + ptr(driver),
        "!handle 0 3 0",
        "!handle " + kd::hex(reinterpret_cast<Addr>(file), 1) + " 3",
        "!thread",
        "!thread " + ptr(PsGetCurrentThread()),
        "!process 0 0",
        "!process 0 7",
        "!poolused 1",
        "!ioctldecode 222003",
        "!fileobj " + ptr(irp->Tail.Overlay.OriginalFileObject),
        "lm",
        "lm f",
        "!irp 1",  // errors round-trip too
        "!devobj NoSuchDevice",
    };
}

TEST_F(InspectTest, dump_round_trip_gives_the_same_output_for_every_command) {
    send(IOCTL_INSPECT_PARK);
    send(IOCTL_INSPECT_START_IO);
    send(IOCTL_INSPECT_START_IO);
    PIRP irp = parked().at(0);
    Snapshot live = capture(system());
    const std::string dir = temp_dir();
    const std::string path = dir + "/round-trip.dmp";
    std::string error;
    ASSERT_TRUE(write_dump(live, path, &error)) << error;
    Snapshot loaded;
    ASSERT_TRUE(load_dump(path, loaded, error)) << error;
    EXPECT_EQ(loaded.origin, path);
    EXPECT_EQ(loaded.irps.size(), live.irps.size());
    for (const std::string& command : every_command(this, lower_device(), m_lower, irp, m_file)) {
        std::string a, b;
        int ra = run_kd_command(live, command, a);
        int rb = run_kd_command(loaded, command, b);
        EXPECT_EQ(ra, rb) << command;
        EXPECT_EQ(a, b) << command;
        EXPECT_FALSE(a.empty()) << command;
    }
    // The System overload captures and writes in one step; `ntio kd -z` opens the result.
    const std::string second = dir + "/system.dmp";
    ASSERT_TRUE(write_dump(system(), second, &error)) << error;
    std::string args[] = {"kd", "-z", second, "!devobj", "InspectLower"};
    char* argv[] = {args[0].data(), args[1].data(), args[2].data(), args[3].data(), args[4].data()};
    testing::internal::CaptureStdout();
    int status = kd_main(5, argv);
    std::string printed = testing::internal::GetCapturedStdout();
    EXPECT_EQ(status, 0);
    EXPECT_TRUE(contains(printed, "Device object (" + ptr(lower_device()) + ") is for:")) << printed;
    std::filesystem::remove_all(dir);
}

TEST(InspectDump, load_refuses_missing_foreign_and_future_files) {
    const std::string dir = temp_dir();
    Snapshot s;
    std::string error;
    EXPECT_FALSE(load_dump(dir + "/missing.dmp", s, error));
    EXPECT_TRUE(contains(error, "cannot open")) << error;
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir + "/" + name) << text;
        return dir + "/" + name;
    };
    EXPECT_FALSE(load_dump(write("text.dmp", "hello"), s, error));
    EXPECT_TRUE(contains(error, "not an ntio dump")) << error;
    EXPECT_FALSE(load_dump(write("other.dmp", "{\"format\":\"other\",\"version\":1}"), s, error));
    EXPECT_TRUE(contains(error, "not an ntio dump")) << error;
    EXPECT_FALSE(load_dump(write("future.dmp", "{\"format\":\"ntio-dump\",\"version\":99}"), s, error));
    EXPECT_TRUE(contains(error, "version 99 is not supported")) << error;
    EXPECT_FALSE(load_dump(write("bad.dmp", "{\"format\":\"ntio-dump\",\"version\":1,\"irps\":7}"), s, error));
    EXPECT_TRUE(contains(error, "damaged")) << error;
    std::filesystem::remove_all(dir);
}

// The child half of the bugcheck tests: boots a System, parks an IOCTL in InspectLower and stops
// for real (no hook); with "locked" it stops while holding its own thread's IRP list lock, as a
// bugcheck raised inside a rundown does. Skipped unless a parent test below runs it.
TEST(InspectBugcheckChild, stops_with_a_dump) {
    const char* mode = std::getenv("NTIO_INSPECT_BUGCHECK_CHILD");
    if (!mode) GTEST_SKIP() << "run by the InspectBugcheck tests";
    NtioSetBugCheckHook(nullptr, nullptr);
    ntio::System system;
    UNICODE_STRING service;
    RtlInitUnicodeString(&service, L"InspectLower");
    PDRIVER_OBJECT driver = nullptr;
    if (NtioCreateDriver(&service, InspectLowerDriverEntry, &driver) != STATUS_SUCCESS) ::_exit(118);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\InspectLower");
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb;
    HANDLE file = nullptr;
    if (NtCreateFile(&file, GENERIC_READ, &attributes, &iosb, nullptr, 0, 0, FILE_OPEN, 0, nullptr, 0) != STATUS_SUCCESS)
        ::_exit(117);
    static IO_STATUS_BLOCK pending;
    static ULONG buffer;
    if (NtDeviceIoControlFile(file, nullptr, nullptr, nullptr, &pending, IOCTL_INSPECT_PARK, &buffer, sizeof buffer,
                              &buffer, sizeof buffer) != STATUS_PENDING)
        ::_exit(116);
    if (std::string(mode) == "locked") {
        ntio::io::ThreadIrpListLock lock(PsGetCurrentThread());
        KeBugCheckEx(0xE2, 1, 2, 3, 4);  // MANUALLY_INITIATED_CRASH
    }
    KeBugCheckEx(0xE2, 1, 2, 3, 4);
}

// Runs the child in `mode` and returns its dump, loaded.
void run_bugcheck_child(const char* mode, Snapshot& s, long& child_pid) {
    const std::string dir = temp_dir();
    const std::string log = dir + "/stderr.txt";
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::setenv("NTIO_INSPECT_BUGCHECK_CHILD", mode, 1);
        ::setenv("NTIO_DUMP_DIR", dir.c_str(), 1);
        ::setenv("NTIO_KD", "0", 1);
        if (!std::freopen(log.c_str(), "w", stderr) || !std::freopen("/dev/null", "w", stdout)) ::_exit(119);
        char self[4096];
        ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) ::_exit(120);
        self[n] = 0;
        ::execl(self, self, "--gtest_filter=InspectBugcheckChild.stops_with_a_dump", static_cast<char*>(nullptr));
        ::_exit(121);
    }
    child_pid = child;
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "exit " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    EXPECT_EQ(WTERMSIG(status), SIGABRT);
    std::ifstream in(log);
    std::string screen((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_TRUE(contains(screen, "*** STOP: 0x000000E2")) << screen;
    auto at = screen.find("Dump file: " + dir + "/ntio-" + std::to_string(child) + "-");
    ASSERT_NE(at, std::string::npos) << screen;
    std::string path = screen.substr(at + 11);
    path = path.substr(0, path.find('\n'));
    std::string error;
    ASSERT_TRUE(load_dump(path, s, error)) << error;
    std::filesystem::remove_all(dir);
}

TEST(InspectBugcheck, bugcheck_writes_a_dump_with_the_irps_in_flight) {
    Snapshot s;
    long child = 0;
    ASSERT_NO_FATAL_FAILURE(run_bugcheck_child("plain", s, child));
    ASSERT_TRUE(s.bugcheck.has_value());
    EXPECT_EQ(s.bugcheck->code, 0xE2u);
    EXPECT_EQ(s.bugcheck->params[0], 1u);
    EXPECT_EQ(s.bugcheck->params[3], 4u);
    EXPECT_EQ(s.pid, child);
    std::string out;
    EXPECT_EQ(run_kd_command(s, "!process 0 0", out), 0);
    EXPECT_TRUE(contains(out, "Image: System")) << out;
    EXPECT_EQ(run_kd_command(s, "!irpfind", out), 0);
    EXPECT_TRUE(contains(out, "irpStack: ( e,0)")) << out;
    EXPECT_TRUE(contains(out, "[\\Driver\\InspectLower]")) << out;
    EXPECT_EQ(run_kd_command(s, "!devobj InspectLower", out), 0) << out;
    // !analyze: the code named and its arguments; no verifier report, so no driver to blame.
    EXPECT_EQ(run_kd_command(s, "!analyze -v", out), 0) << out;
    EXPECT_TRUE(contains(out, "\nMANUALLY_INITIATED_CRASH (e2)\n")) << out;
    EXPECT_TRUE(contains(out, "\nArguments:\nArg1: 0000000000000001\n")) << out;
    EXPECT_TRUE(contains(out, "\nBUGCHECK_P4: 4\n")) << out;
    EXPECT_EQ(run_kd_command(s, "!analyze", out), 0) << out;
    EXPECT_TRUE(contains(out, "\nProbably caused by : Unknown_Image\n")) << out;
}

// !analyze needs a bug check; -show describes any code; bad options get the usage line.
TEST_F(InspectTest, analyze_needs_a_bugcheck_and_show_describes_a_code) {
    EXPECT_TRUE(contains(run("!analyze -v", 1), "No bug check")) << run("!analyze -v", 1);
    const std::string shown = run("!analyze -show c4 62 1 2 3");
    EXPECT_TRUE(contains(shown, "DRIVER_VERIFIER_DETECTED_VIOLATION (c4)\n")) << shown;
    EXPECT_TRUE(contains(shown, "Arg1: 0000000000000062\nArg2: 0000000000000001\n")) << shown;
    EXPECT_EQ(run("!analyze -x", 1), "Usage: !analyze [-v] | !analyze -show BugCheckCode [BugParameters]\n");
    EXPECT_EQ(run("!analyze -show", 1), "Usage: !analyze -show BugCheckCode [BugParameters]\n");
    EXPECT_EQ(run("!analyze -show zz", 1), "Usage: !analyze -show BugCheckCode [BugParameters]\n");
}

// A bugcheck raised with a lock the capture needs still produces a dump: what the lock guards is
// left out instead of hanging the stop.
TEST(InspectBugcheck, bugcheck_holding_an_irp_list_lock_still_writes_a_dump) {
    Snapshot s;
    long child = 0;
    ASSERT_NO_FATAL_FAILURE(run_bugcheck_child("locked", s, child));
    ASSERT_TRUE(s.bugcheck.has_value());
    EXPECT_TRUE(s.irps.empty());
    std::string out;
    EXPECT_EQ(run_kd_command(s, "!devobj InspectLower", out), 0) << out;
}

// Live attach: a client on another thread gets what the inspector prints in-process.
TEST_F(InspectTest, attach_over_the_socket_from_another_thread) {
    ::unsetenv("NTIO_KD");
    send(IOCTL_INSPECT_PARK);
    kd_system_started(system());
    ASSERT_TRUE(kd_server_running());
    const std::string commands[] = {"!devobj InspectLower", "!irpfind", "!devstack InspectLower", "!nope"};
    std::string remote[4];
    int status[4] = {};
    std::thread client([&] {
        for (int i = 0; i < 4; ++i) status[i] = kd_client(::getpid(), commands[i], remote[i]);
    });
    client.join();
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(status[i], 0) << commands[i] << remote[i];
        EXPECT_EQ(remote[i], run(commands[i])) << commands[i];
    }
    EXPECT_EQ(status[3], 1);
    EXPECT_EQ(remote[3], "No export nope found\n");
    // `ntio kd -p PID` with two commands on one line.
    std::string args[] = {"kd", "-p", std::to_string(::getpid()), "!devstack", "InspectLower;", "!frob"};
    char* argv[] = {args[0].data(), args[1].data(), args[2].data(), args[3].data(), args[4].data(), args[5].data()};
    testing::internal::CaptureStdout();
    int tool_status = kd_main(6, argv);
    std::string printed = testing::internal::GetCapturedStdout();
    EXPECT_EQ(tool_status, 1);  // the second command failed
    EXPECT_EQ(printed, run("!devstack InspectLower") + "No export frob found\n");
    // The System registered itself at boot too: one stop leaves the server up; the System's own
    // registration gone as well, it stops, and a client cannot attach.
    kd_system_stopping(system());
    EXPECT_TRUE(kd_server_running());
    kd_system_stopping(system());
    EXPECT_FALSE(kd_server_running());
    std::string out;
    EXPECT_EQ(kd_client(::getpid(), "!irpfind", out), 2);
    EXPECT_TRUE(contains(out, "Cannot attach to process")) << out;
    kd_system_started(system());  // give back the System's registration, which its shutdown ends
}

TEST_F(InspectTest, attach_server_stays_off_with_ntio_kd_0) {
    kd_system_stopping(system());  // the registration the System made at boot, with NTIO_KD unset
    ::setenv("NTIO_KD", "0", 1);
    kd_system_started(system());
    EXPECT_FALSE(kd_server_running());
    std::string out;
    EXPECT_EQ(kd_client(::getpid(), "!irpfind", out), 2);
    ::unsetenv("NTIO_KD");  // the System's shutdown ends the registration made above
}

// Unknown addresses, names and commands give WinDbg-style error lines, never a crash.
TEST_F(InspectTest, bad_input_gets_an_error_line) {
    struct Case {
        const char* command;
        const char* error;
    } cases[] = {
        {"!irp 1234", "IRP signature does not match, probably not an IRP"},
        {"!irp zz", "IRP signature does not match"},
        {"!irp", "Usage: !irp"},
        {"!irp #999999999", "IRP signature does not match"},
        {"!devobj NoSuchDevice", "Invalid device object NoSuchDevice"},
        {"!devobj 0", "Invalid device object 0"},
        {"!devstack \\Device\\Nope", "Invalid device object"},
        {"!drvobj NoSuchDriver", "Driver object NoSuchDriver not found"},
        {"!drvobj InspectLower zz", "Usage: !drvobj"},
        {"!object \\No\\Such", "Object \\No\\Such not found"},
        {"!object 12345678", "12345678: Not a valid object"},
        {"!handle 0 3 777777", "Invalid process 777777"},
        {"!handle fff0 3", "Invalid Handle: 0xfff0"},
        {"!thread 1234", "1234: Not a thread object"},
        {"!process 1234abcd 0", "Not a process object"},
        {"!irpfind 0 0 device", "Usage: !irpfind"},
        {"!irpfind 0 0 colour 5", "Usage: !irpfind"},
        {"!ioctldecode", "Usage: !ioctldecode"},
        {"!poolused x y z", "Usage: !poolused"},
        {"!frobnicate", "No export frobnicate found"},
        {"irp 5", "Couldn't resolve error at 'irp'"},
        {"", "No command given"},
    };
    for (const Case& c : cases) {
        std::string out;
        EXPECT_NE(run_kd_command(system(), c.command, out), 0) << c.command;
        EXPECT_TRUE(contains(out, c.error)) << c.command << " -> " << out;
        EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << c.command << " -> " << out;
    }
}

}  // namespace
}  // namespace ntio::inspect::test
