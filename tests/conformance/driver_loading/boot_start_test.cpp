// Boot- and system-start services load when a System boots, boot-start first, then by
// ServiceGroupOrder\List, ungrouped last; a failing one is logged and the boot goes on unless its
// ErrorControl is critical. Each test writes its services into a hive file, then boots from it.
#include <unistd.h>

#include <memory>
#include <string>

#include "driver_loading_support.hpp"

namespace ntio::test {
namespace {

class BootStartTest : public ::testing::Test {
protected:
    void SetUp() override {
        char dir[] = "/tmp/ntio_boot_XXXXXX";
        ASSERT_NE(mkdtemp(dir), nullptr);
        m_dir = dir;
        m_options.hive_path = m_dir + "/system.hive";
        m_options.processors = 2;
    }
    void TearDown() override {
        std::string cleanup = "rm -rf '" + m_dir + "'";
        ASSERT_EQ(std::system(cleanup.c_str()), 0);
    }
    void add_service(const std::u16string& name, const char* image, ULONG start, const std::u16string& group,
                     ULONG error_control = 1) {
        ServiceSpec spec;
        spec.start = start;
        spec.group = group;
        spec.error_control = error_control;
        spec.image_path = widen(image[0] == '/' ? std::string(image) : driver_image(image));
        create_service(name, spec);
    }
    std::string m_dir;
    BootOptions m_options;
};

TEST_F(BootStartTest, boot_and_system_start_services_load_in_group_order) {
    {
        System setup(m_options);
        add_service(u"ld_probe", "ld_probe.sys", 1, u"");           // system start, no group
        add_service(u"ld_probe2", "ld_probe2.sys", 1, u"Base");     // system start, listed group
        add_service(u"ld_probe3", "ld_probe3.sys", 0, u"NoSuchGroup");  // boot start
        add_service(u"ld_demand", "ld_no_entry.sys", 3, u"");       // demand start: not at boot
        set_parameter(u"ld_probe2", u"SecondDevice", 1);
        set_parameter(u"ld_probe3", u"SecondDevice", 1);
        KeyHandle order(u"\\Registry\\Machine\\Software\\LoaderOrder");
        order.set_dword(u"Next", 1);
    }
    System system(m_options);
    // Boot start first; then system start: the listed group "Base" before the ungrouped service.
    // ld_probe2 and ld_probe3 both create \Device\LoaderProbe2; the one that loads second fails
    // its DriverEntry (name collision), which is logged and does not stop the boot.
    EXPECT_EQ(reported(u"ld_probe3", u"LoadOrder"), 1u);
    EXPECT_EQ(reported(u"ld_probe2", u"LoadOrder"), 2u);
    EXPECT_EQ(reported(u"ld_probe", u"LoadOrder"), 3u);
    EXPECT_TRUE(object_exists(u"\\Driver\\ld_probe3"));
    EXPECT_FALSE(object_exists(u"\\Driver\\ld_probe2"));
    EXPECT_TRUE(object_exists(u"\\Driver\\ld_probe"));
    EXPECT_FALSE(object_exists(u"\\Driver\\ld_demand"));
    // The links image paths go through.
    EXPECT_TRUE(object_exists(u"\\??\\C:"));
    EXPECT_TRUE(object_exists(u"\\SystemRoot"));
}

std::u16string boot_start_link_target(const char16_t* link) {
    UNICODE_STRING name = unicode(link);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE handle = nullptr;
    if (!NT_SUCCESS(ZwOpenSymbolicLinkObject(&handle, GENERIC_READ, &oa))) return {};
    WCHAR buffer[256];
    UNICODE_STRING target{0, sizeof(buffer), buffer};
    const NTSTATUS status = ZwQuerySymbolicLinkObject(handle, &target, nullptr);
    ZwClose(handle);
    if (!NT_SUCCESS(status)) return {};
    return std::u16string(reinterpret_cast<const char16_t*>(target.Buffer), target.Length / sizeof(WCHAR));
}

// \??\C: is the host file system's volume when the Hostfs service starts with the system (the
// default hive); a hive whose Session Manager\DOS Devices names C: keeps its own link. A driver whose
// ImagePath is a C:\ path loads either way.
TEST_F(BootStartTest, c_is_the_host_volume_unless_the_hive_configures_it) {
    std::u16string dos = u"C:" + widen(driver_image("ld_probe.sys"));
    for (char16_t& c : dos)
        if (c == u'/') c = u'\\';
    {
        System setup(m_options);
        ServiceSpec spec;
        spec.start = 1;
        spec.image_path = dos;
        create_service(u"ld_probe", spec);
    }
    {
        System system(m_options);
        EXPECT_EQ(boot_start_link_target(u"\\??\\C:"), u"\\Device\\HostFs");
        EXPECT_TRUE(object_exists(u"\\Device\\HostFs"));
        EXPECT_TRUE(object_exists(u"\\Driver\\ld_probe"));
    }
    {
        System setup(m_options);
        KeyHandle devices(u"\\Registry\\Machine\\System\\CurrentControlSet\\Control\\Session Manager\\DOS Devices");
        ASSERT_EQ(devices.status(), STATUS_SUCCESS);
        devices.set_string(u"C:", u"/");
    }
    System system(m_options);
    EXPECT_EQ(boot_start_link_target(u"\\??\\C:"), u"/");
    EXPECT_TRUE(object_exists(u"\\Driver\\ld_probe"));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioregisterbootdriverreinitialization:
// a boot driver's reinitialization routine runs once every boot-start driver is loaded, before the
// system-start ones, with Count 1 and its context.
TEST_F(BootStartTest, boot_driver_reinitialization_runs_after_the_boot_start_drivers) {
    {
        System setup(m_options);
        // By name ld_probe2 loads first, so its routine must wait for ld_probe3. ld_probe's device
        // name collides with ld_probe3's: its DriverEntry fails after taking its number.
        add_service(u"ld_probe2", "ld_probe2.sys", 0, u"");  // boot start, registers the routine
        add_service(u"ld_probe3", "ld_probe3.sys", 0, u"");  // boot start
        add_service(u"ld_probe", "ld_probe.sys", 1, u"");    // system start
        set_parameter(u"ld_probe2", u"BootReinit", 1);
        set_parameter(u"ld_probe2", u"SecondDevice", 1);
        KeyHandle order(u"\\Registry\\Machine\\Software\\LoaderOrder");
        order.set_dword(u"Next", 1);
    }
    System system(m_options);
    EXPECT_EQ(reported(u"ld_probe2", u"LoadOrder"), 1u);
    EXPECT_EQ(reported(u"ld_probe3", u"LoadOrder"), 2u);
    EXPECT_EQ(reported(u"ld_probe2", u"BootReinitOrder"), 3u);
    EXPECT_EQ(reported(u"ld_probe", u"LoadOrder"), 4u);
    EXPECT_EQ(reported(u"ld_probe2", u"BootReinitCount"), 1u);
    EXPECT_EQ(reported(u"ld_probe2", u"BootReinitContext"), 1u);
    EXPECT_FALSE(reported(u"ld_probe3", u"BootReinitOrder").has_value());
}

TEST_F(BootStartTest, a_failing_boot_driver_stops_the_boot_only_when_critical) {
    {
        System setup(m_options);
        add_service(u"ld_critical", "/nonexistent/ld_critical.sys", 1, u"", 1);
    }
    {
        // ErrorControl normal: logged, and the boot goes on.
        System system(m_options);
        EXPECT_FALSE(object_exists(u"\\Driver\\ld_critical"));
        KeyHandle key(services_path(u"ld_critical"));
        key.set_dword(u"ErrorControl", 3);
    }
    try {
        System system(m_options);
        ADD_FAILURE() << "the boot went on";
    } catch (const BootError& error) {
        EXPECT_EQ(error.status(), STATUS_OBJECT_NAME_NOT_FOUND);
        EXPECT_NE(std::string(error.what()).find("ld_critical"), std::string::npos);
    }
}

// A system that ends while a handle is still open on a driver's device: NT ends the processes
// before the I/O system shuts down, so an application's handle closes while its driver is loaded;
// a kernel handle still open then is a leak, closed once the drivers were asked to unload. Either
// way the driver's unload runs (it used to run after the I/O manager was gone, and crash).
class EndedWithHandleTest : public BootStartTest, public ::testing::WithParamInterface<bool> {};

TEST_P(EndedWithHandleTest, a_system_ended_with_a_handle_open_on_a_device_still_unloads_its_driver) {
    const bool kernel_handle = GetParam();
    {
        System setup(m_options);
        add_service(u"ld_probe", "ld_probe.sys", 1, u"");
    }
    {
        System system(m_options);
        ASSERT_TRUE(object_exists(u"\\Driver\\ld_probe"));
        UNICODE_STRING name = unicode(u"\\Device\\LoaderProbe");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | (kernel_handle ? OBJ_KERNEL_HANDLE : 0), nullptr,
                                   nullptr);
        IO_STATUS_BLOCK iosb{};
        HANDLE device = nullptr;
        ASSERT_EQ((kernel_handle ? ZwOpenFile : NtOpenFile)(&device, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, 0,
                                                            FILE_SYNCHRONOUS_IO_NONALERT),
                  STATUS_SUCCESS);
        KeyHandle key(services_path(u"ld_probe"));
        key.set_dword(u"UnloadCalled", 0);
        // The handle stays open: the system ends with it.
    }
    System after(m_options);
    EXPECT_EQ(reported(u"ld_probe", u"UnloadCalled"), 1u);
}

INSTANTIATE_TEST_SUITE_P(Handles, EndedWithHandleTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "kernel" : "application"; });

}  // namespace
}  // namespace ntio::test
