// !devobj, !drvobj, !devstack, !object, !handle, !process and !poolused over the InspectLower /
// InspectFilter stack (verifier-and-inspector.md 6.3-6.5 and the WinDbg layouts of the others).
#include "inspect_fixture.hpp"

namespace ntio::inspect::test {
namespace {

// Spec 6.3 (a bare name gets the \Device\ prefix).
TEST_F(InspectTest, devobj_by_bare_name_full_name_and_address) {
    PDEVICE_OBJECT d = lower_device();
    std::string out = run("!devobj InspectLower");
    std::vector<std::string> l = lines_of(out);
    ASSERT_GE(l.size(), 8u) << out;
    EXPECT_EQ(l[0], "Device object (" + ptr(d) + ") is for:");
    EXPECT_EQ(l[1], " InspectLower \\Driver\\InspectLower DriverObject " + ptr(m_lower));
    EXPECT_EQ(l[2], "Current Irp " + ptr(Addr{0}) + " RefCount " + std::to_string(d->ReferenceCount) +
                        " Type 00000022 Flags " + kd::hex(d->Flags, 8));
    EXPECT_TRUE(contains(l[3], "DevExt " + ptr(d->DeviceExtension) + " DevObjExt " + ptr(d->DeviceObjectExtension)))
        << l[3];
    EXPECT_TRUE(has_line(out, "Characteristics (0x00000100)  FILE_DEVICE_SECURE_OPEN")) << out;
    EXPECT_TRUE(has_line(out, "AttachedDevice (Upper) " + ptr(filter_device()) + " \\Driver\\InspectFilter")) << out;
    EXPECT_TRUE(has_line(out, "Device queue is not busy.")) << out;
    EXPECT_EQ(run("!devobj \\Device\\InspectLower"), out);
    EXPECT_EQ(run("!devobj " + ptr(d)), out);
    std::string filter = run("!devobj " + ptr(filter_device()));
    EXPECT_TRUE(has_line(filter, "AttachedTo (Lower) " + ptr(d) + " \\Driver\\InspectLower")) << filter;
}

// Spec 6.4: device list by default, entry points and the 28 dispatch routines with flag 2.
TEST_F(InspectTest, drvobj_lists_devices_and_dispatch_table) {
    std::string out = run("!drvobj InspectLower");
    std::vector<std::string> l = lines_of(out);
    ASSERT_GE(l.size(), 6u) << out;
    EXPECT_EQ(l[0], "Driver object (" + ptr(m_lower) + ") is for:");
    EXPECT_EQ(l[1], " \\Driver\\InspectLower");
    EXPECT_TRUE(has_line(out, "Driver Extension List: (id , addr)"));
    EXPECT_TRUE(has_line(out, "Device Object list:"));
    EXPECT_TRUE(has_line(out, ptr(lower_device()))) << out;
    EXPECT_FALSE(contains(out, "Dispatch routines:"));

    std::string table = run("!drvobj \\Driver\\InspectLower 2");
    EXPECT_TRUE(contains(table, "DriverEntry:   " + ptr(reinterpret_cast<Addr>(&InspectLowerDriverEntry))));
    EXPECT_TRUE(contains(table, "!InspectLowerDriverEntry")) << table;
    EXPECT_TRUE(has_line(table, "Dispatch routines:"));
    int rows = 0;
    for (const std::string& line : lines_of(table))
        if (line.size() > 4 && line[0] == '[' && line[3] == ']') ++rows;
    EXPECT_EQ(rows, 28);
    EXPECT_TRUE(contains(table, "[0e] IRP_MJ_DEVICE_CONTROL               " +
                                    ptr(reinterpret_cast<Addr>(&InspectLowerDeviceControl)) + "  ")) << table;
    EXPECT_TRUE(contains(table, "[1b] IRP_MJ_PNP")) << table;
    // Unset entries point at the I/O manager's default routine, in the library ("nt").
    std::string pnp_line;
    for (const std::string& line : lines_of(table))
        if (line.rfind("[1b]", 0) == 0) pnp_line = line;
    EXPECT_TRUE(contains(pnp_line, "nt!")) << pnp_line;

    std::string detailed = run("!drvobj InspectLower 5");
    EXPECT_TRUE(contains(detailed, "Device object (" + ptr(lower_device()) + ") is for:")) << detailed;
}

// Spec 6.5: top of the stack first, '>' on the queried device.
TEST_F(InspectTest, devstack_lists_the_stack_top_first) {
    std::string out = run("!devstack InspectLower");
    std::vector<std::string> l = lines_of(out);
    ASSERT_EQ(l.size(), 3u) << out;
    EXPECT_EQ(l[0], "  !DevObj          !DrvObj            !DevExt          ObjectName");
    EXPECT_TRUE(contains(l[1], "  " + ptr(filter_device()) + " \\Driver\\InspectFilter ")) << l[1];
    EXPECT_EQ(l[2].rfind("> " + ptr(lower_device()) + " \\Driver\\InspectLower", 0), 0u) << l[2];
    EXPECT_TRUE(contains(l[2], ptr(lower_device()->DeviceExtension) + " InspectLower")) << l[2];
    std::string from_top = run("!devstack " + ptr(filter_device()));
    EXPECT_EQ(lines_of(from_top).at(1).rfind("> ", 0), 0u) << from_top;
}

// Issue 6: a picture of a device stack that Graphviz renders.
TEST_F(InspectTest, devstack_dot_draws_the_stack_for_graphviz) {
    std::string out = run("!devstack InspectLower --dot");
    std::vector<std::string> l = lines_of(out);
    ASSERT_EQ(l.size(), 7u) << out;
    EXPECT_EQ(l[0], "digraph devstack {");
    const std::string top = "\"d" + ptr(filter_device()) + "\"";
    const std::string lower = "\"d" + ptr(lower_device()) + "\"";
    EXPECT_EQ(l[3].rfind("  " + top + " [label=\"\\\\Driver\\\\InspectFilter\\n(unnamed)\\n", 0), 0u) << l[3];
    EXPECT_TRUE(contains(l[4], ", style=bold];")) << l[4];
    EXPECT_EQ(l[5], "  " + top + " -> " + lower + ";");
    EXPECT_EQ(l[6], "}");
}

TEST_F(InspectTest, object_by_path_and_address_and_directory_listing) {
    std::string out = run("!object \\Device\\InspectLower");
    std::vector<std::string> l = lines_of(out);
    ASSERT_GE(l.size(), 3u) << out;
    EXPECT_EQ(l[0].rfind("Object: " + ptr(lower_device()) + "  Type: (", 0), 0u) << out;
    EXPECT_TRUE(contains(l[0], ") Device")) << out;
    EXPECT_TRUE(contains(l[2], "Name: InspectLower")) << out;
    EXPECT_EQ(run("!object " + ptr(lower_device())), out);
    std::string dir = run("!object \\Device");
    EXPECT_TRUE(contains(dir, ") Directory")) << dir;
    EXPECT_TRUE(contains(dir, ptr(lower_device()) + " Device                    InspectLower")) << dir;
    std::string root = run("!object \\");
    EXPECT_TRUE(contains(root, " Directory                 Device")) << root;
    std::string driver = run("!object \\Driver\\InspectLower");
    EXPECT_TRUE(contains(driver, "Object: " + ptr(m_lower))) << driver;
}

TEST_F(InspectTest, handle_shows_the_file_object_of_a_handle) {
    PFILE_OBJECT file = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(m_file, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&file),
                                        nullptr),
              STATUS_SUCCESS);
    ObDereferenceObject(file);
    std::string out = run("!handle " + kd::hex(reinterpret_cast<Addr>(m_file), 1) + " 3");
    EXPECT_TRUE(contains(out, kd::hex(reinterpret_cast<Addr>(m_file), 4) + ": Object: " + ptr(file) +
                                  "  GrantedAccess: ")) << out;
    EXPECT_TRUE(contains(out, "Object: " + ptr(file) + "  Type: (")) << out;
    EXPECT_TRUE(contains(out, ") File")) << out;
    EXPECT_TRUE(contains(run("!handle 0 1 0"), "PROCESS " + ptr(PsGetCurrentProcess())));
    EXPECT_TRUE(contains(run("!handle 0 3 0 File"), ptr(file)));
}

TEST_F(InspectTest, process_0_0_lists_every_process) {
    std::string out = run("!process 0 0");
    EXPECT_EQ(lines_of(out).at(0), "**** NT ACTIVE PROCESS DUMP ****");
    EXPECT_TRUE(has_line(out, "PROCESS " + ptr(PsGetCurrentProcess()))) << out;
    EXPECT_TRUE(has_line(out, "PROCESS " + ptr(system().objects().system_process()))) << out;
    EXPECT_TRUE(contains(out, "    Image: System")) << out;
    EXPECT_FALSE(contains(out, "THREAD "));
    std::string mine = run("!process " + ptr(PsGetCurrentProcess()) + " 7");
    EXPECT_TRUE(contains(mine, "THREAD " + ptr(PsGetCurrentThread()))) << mine;
}

TEST_F(InspectTest, poolused_counts_outstanding_blocks_by_tag) {
    PVOID block = ExAllocatePoolWithTag(NonPagedPool, 100, 'psnI');
    ASSERT_NE(block, nullptr);
    std::string out = run("!poolused 0 Insp");
    ExFreePoolWithTag(block, 'psnI');
    EXPECT_TRUE(has_line(out, "   Sorting by Tag")) << out;
    EXPECT_TRUE(has_line(out, " Insp        1          100         0            0")) << out;
    EXPECT_FALSE(contains(run("!poolused 0 Insp"), " Insp "));
    EXPECT_TRUE(contains(run("!poolused 2"), "Sorting by NonPaged Pool Consumed"));
}

// Spec 6: every command also answers in JSON, with the entries it printed.
TEST_F(InspectTest, json_mode_returns_the_entries_a_command_prints) {
    send(IOCTL_INSPECT_PARK);
    PIRP irp = parked().at(0);
    nlohmann::json devobj = nlohmann::json::parse(run("!devobj InspectLower --json"));
    EXPECT_EQ(devobj["status"], 0);
    EXPECT_EQ(devobj["text"], run("!devobj InspectLower --windbg"));
    ASSERT_EQ(devobj["devices"].size(), 1u);
    EXPECT_EQ(devobj["devices"][0]["address"].get<Addr>(), reinterpret_cast<Addr>(lower_device()));
    EXPECT_EQ(devobj["devices"][0]["name"], "\\Device\\InspectLower");
    EXPECT_EQ(devobj["devices"][0]["attached_device"].get<Addr>(), reinterpret_cast<Addr>(filter_device()));

    nlohmann::json found = nlohmann::json::parse(run("!irp " + ptr(irp) + " --json"));
    ASSERT_EQ(found["irps"].size(), 1u);
    const auto& j = found["irps"][0];
    EXPECT_EQ(j["address"].get<Addr>(), reinterpret_cast<Addr>(irp));
    EXPECT_EQ(j["stack_count"], 2);
    EXPECT_EQ(j["current_location"], 1);
    EXPECT_EQ(j["stack"][0]["control"], 0xe1);
    EXPECT_EQ(j["stack"][0]["completion"].get<Addr>(), reinterpret_cast<Addr>(&InspectFilterCompletion));
    EXPECT_TRUE(contains(found["symbols"][ptr(reinterpret_cast<Addr>(&InspectFilterCompletion))].get<std::string>(),
                         "InspectFilterCompletion"));

    std::string text;
    EXPECT_EQ(run_kd_command(system(), "!devobj Nope --json", text), 1);
    nlohmann::json error = nlohmann::json::parse(text);
    EXPECT_EQ(error["status"], 1);
    EXPECT_TRUE(contains(error["error"].get<std::string>(), "Invalid device object Nope"));
}

}  // namespace
}  // namespace ntio::inspect::test
