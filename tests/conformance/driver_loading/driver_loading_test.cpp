// Loading and unloading drivers through their service keys: what DriverEntry, dispatch routines and
// DriverUnload see (NT facts L1, L2, L4, L9), ZwLoadDriver / ZwUnloadDriver statuses (L7, L8), bad
// service keys and images, SeLoadDriverPrivilege, image paths through drive letters, export drivers.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "driver_loading_support.hpp"
#include "ob/object_manager.hpp"
#include "ob/process.hpp"
#include "se/token.hpp"

namespace ntio::test {
namespace {

class DriverLoadingTest : public SystemTest {
protected:
    // A demand-start kernel driver service for the image `file`.
    void add_probe(const std::u16string& service, const char* file = "ld_probe.sys") {
        ServiceSpec spec;
        spec.image_path = widen(driver_image(file));
        create_service(service, spec);
    }
};

std::string narrow(const char16_t* text) {
    std::string out;
    while (*text) out += static_cast<char>(*text++);
    return out;
}

// Opens a device with a kernel handle (closed with ZwClose).
NTSTATUS open_device(const char16_t* path, HANDLE* handle) {
    UNICODE_STRING name = unicode(path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    return ZwOpenFile(handle, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, 0, FILE_SYNCHRONOUS_IO_NONALERT);
}

TEST_F(DriverLoadingTest, driver_entry_sees_the_nt_driver_object_and_registry_path) {
    add_probe(u"ld_probe");
    ASSERT_EQ(zw_load(u"ld_probe"), STATUS_SUCCESS);
    // NT fact L1.
    for (const char16_t* check : {u"L1Type", u"L1Size", u"L1NoDevice", u"L1Flags", u"L1Extension", u"L1ServiceKeyName",
                                 u"L1DriverName", u"L1DriverInit", u"L1HardwareDatabase", u"L1RegistryPath",
                                 u"L1RegistryPathLayout", u"L1MajorFunctions"})
        EXPECT_EQ(reported(u"ld_probe", check), 1u) << "check " << narrow(check);
    // NT fact L9: ObReferenceObjectByName(\Driver\<name>) from DriverEntry gives the same object.
    EXPECT_EQ(reported(u"ld_probe", u"L9ReferenceByName"), 1u);
    EXPECT_TRUE(object_exists(u"\\Driver\\ld_probe"));
    ASSERT_EQ(zw_unload(u"ld_probe"), STATUS_SUCCESS);
    EXPECT_FALSE(object_exists(u"\\Driver\\ld_probe"));
}

TEST_F(DriverLoadingTest, dispatch_and_unload_see_the_nt_flags) {
    add_probe(u"ld_probe");
    ASSERT_EQ(zw_load(u"ld_probe"), STATUS_SUCCESS);
    HANDLE device = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\LoaderProbe", &device), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(device), STATUS_SUCCESS);
    // NT fact L2: during dispatch, DRVO_LEGACY_DRIVER | DRVO_INITIALIZED.
    EXPECT_EQ(reported(u"ld_probe", u"DispatchDriverFlags"), ULONG{DRVO_LEGACY_DRIVER | DRVO_INITIALIZED});
    // NT fact L4: DO_DEVICE_INITIALIZING was cleared after DriverEntry.
    ASSERT_TRUE(reported(u"ld_probe", u"DispatchDeviceFlags").has_value());
    EXPECT_EQ(*reported(u"ld_probe", u"DispatchDeviceFlags") & DO_DEVICE_INITIALIZING, 0u);
    ASSERT_EQ(zw_unload(u"ld_probe"), STATUS_SUCCESS);
    // NT facts L2, L4: DRVO_UNLOAD_INVOKED in DriverUnload; the device is DO_DEVICE_HAS_NAME only and
    // its extension DOE_UNLOAD_PENDING.
    EXPECT_EQ(reported(u"ld_probe", u"UnloadDriverFlags"),
              ULONG{DRVO_LEGACY_DRIVER | DRVO_INITIALIZED | DRVO_UNLOAD_INVOKED});
    EXPECT_EQ(reported(u"ld_probe", u"UnloadDeviceFlags"), ULONG{DO_DEVICE_HAS_NAME});
    ASSERT_TRUE(reported(u"ld_probe", u"UnloadDoeFlags").has_value());
    EXPECT_NE(*reported(u"ld_probe", u"UnloadDoeFlags") & DOE_UNLOAD_PENDING, 0u);
}

TEST_F(DriverLoadingTest, loading_a_loaded_driver_and_missing_keys_give_the_nt_statuses) {
    add_probe(u"ld_probe");
    ASSERT_EQ(zw_load(u"ld_probe"), STATUS_SUCCESS);
    // NT fact L7.
    EXPECT_EQ(zw_load(u"ld_probe"), STATUS_IMAGE_ALREADY_LOADED);
    EXPECT_EQ(zw_load(u"ld_no_such_service"), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(zw_unload(u"ld_no_such_service"), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(zw_unload(u"ld_probe"), STATUS_SUCCESS);
    // Loaded again after the unload: the image went with the driver object.
    EXPECT_EQ(zw_load(u"ld_probe"), STATUS_SUCCESS);
    EXPECT_EQ(zw_unload(u"ld_probe"), STATUS_SUCCESS);
}

TEST_F(DriverLoadingTest, a_driver_without_driver_unload_cannot_be_unloaded) {
    add_probe(u"ld_probe");
    set_parameter(u"ld_probe", u"Mode", 2);
    ASSERT_EQ(zw_load(u"ld_probe"), STATUS_SUCCESS);
    // NT fact L7.
    EXPECT_EQ(zw_unload(u"ld_probe"), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_TRUE(object_exists(u"\\Driver\\ld_probe"));
    m_check_leaks = false;  // the driver stays until shutdown, which deletes its devices
}

TEST_F(DriverLoadingTest, a_failing_driver_entry_reports_its_status_and_leaves_nothing) {
    add_probe(u"ld_probe");
    set_parameter(u"ld_probe", u"Mode", 1);
    // NT fact L8.
    EXPECT_EQ(zw_load(u"ld_probe"), STATUS_NOT_IMPLEMENTED);
    EXPECT_FALSE(object_exists(u"\\Driver\\ld_probe"));
    EXPECT_FALSE(object_exists(u"\\Device\\LoaderProbe"));
    set_parameter(u"ld_probe", u"Mode", 0);
    EXPECT_EQ(zw_load(u"ld_probe"), STATUS_SUCCESS);
    EXPECT_EQ(zw_unload(u"ld_probe"), STATUS_SUCCESS);
}

TEST_F(DriverLoadingTest, a_fault_inside_try_in_driver_entry_goes_to_its_own_handler) {
    add_probe(u"ld_probe");
    set_parameter(u"ld_probe", u"Mode", 3);
    ASSERT_EQ(zw_load(u"ld_probe"), STATUS_SUCCESS);
    EXPECT_EQ(reported(u"ld_probe", u"SehCode"), static_cast<ULONG>(STATUS_ACCESS_VIOLATION));
    EXPECT_EQ(zw_unload(u"ld_probe"), STATUS_SUCCESS);
}

TEST_F(DriverLoadingTest, unload_waits_for_the_last_handle) {
    add_probe(u"ld_probe");
    ASSERT_EQ(zw_load(u"ld_probe"), STATUS_SUCCESS);
    HANDLE device = nullptr;
    ASSERT_EQ(open_device(u"\\Device\\LoaderProbe", &device), STATUS_SUCCESS);
    EXPECT_EQ(zw_unload(u"ld_probe"), STATUS_SUCCESS);
    EXPECT_FALSE(reported(u"ld_probe", u"UnloadCalled").has_value());
    // No new opens once the unload started; loading again is refused until the driver went.
    HANDLE second = nullptr;
    EXPECT_FALSE(NT_SUCCESS(open_device(u"\\Device\\LoaderProbe", &second)));
    EXPECT_EQ(zw_load(u"ld_probe"), STATUS_IMAGE_ALREADY_LOADED);
    EXPECT_EQ(ZwClose(device), STATUS_SUCCESS);
    EXPECT_EQ(reported(u"ld_probe", u"UnloadCalled"), 1u);
    EXPECT_FALSE(object_exists(u"\\Driver\\ld_probe"));
    EXPECT_EQ(zw_load(u"ld_probe"), STATUS_SUCCESS);
    EXPECT_EQ(zw_unload(u"ld_probe"), STATUS_SUCCESS);
}

TEST_F(DriverLoadingTest, two_services_cannot_load_one_image) {
    add_probe(u"ld_probe");
    add_probe(u"ld_probe_again");
    ASSERT_EQ(zw_load(u"ld_probe"), STATUS_SUCCESS);
    EXPECT_EQ(zw_load(u"ld_probe_again"), STATUS_IMAGE_ALREADY_LOADED);
    EXPECT_FALSE(object_exists(u"\\Driver\\ld_probe_again"));
    EXPECT_EQ(zw_unload(u"ld_probe"), STATUS_SUCCESS);
    EXPECT_EQ(zw_load(u"ld_probe_again"), STATUS_SUCCESS);
    EXPECT_EQ(zw_unload(u"ld_probe_again"), STATUS_SUCCESS);
}

TEST_F(DriverLoadingTest, bad_service_keys_are_refused) {
    ServiceSpec spec;
    spec.image_path = widen(driver_image("ld_probe.sys"));
    spec.type = 0x10;  // SERVICE_WIN32_OWN_PROCESS: not a driver
    create_service(u"ld_bad_type", spec);
    EXPECT_EQ(zw_load(u"ld_bad_type"), STATUS_ILL_FORMED_SERVICE_ENTRY);
    spec.type = 1;
    spec.start = 7;
    create_service(u"ld_bad_start", spec);
    EXPECT_EQ(zw_load(u"ld_bad_start"), STATUS_ILL_FORMED_SERVICE_ENTRY);
    spec.start = 4;
    create_service(u"ld_disabled", spec);
    EXPECT_EQ(zw_load(u"ld_disabled"), STATUS_DRIVER_UNABLE_TO_LOAD);
    {
        KeyHandle no_type(services_path(u"ld_no_type"));
        no_type.set_dword(u"Start", 3);
    }
    EXPECT_EQ(zw_load(u"ld_no_type"), STATUS_ILL_FORMED_SERVICE_ENTRY);
    EXPECT_FALSE(object_exists(u"\\Driver\\ld_bad_type"));
    EXPECT_FALSE(object_exists(u"\\Driver\\ld_disabled"));
}

TEST_F(DriverLoadingTest, bad_images_give_clear_statuses) {
    ServiceSpec spec;
    spec.image_path = widen(driver_image("ld_missing.sys"));
    create_service(u"ld_missing", spec);
    EXPECT_EQ(zw_load(u"ld_missing"), STATUS_OBJECT_NAME_NOT_FOUND);

    spec.image_path = widen(driver_image("ld_no_entry.sys"));
    create_service(u"ld_no_entry", spec);
    EXPECT_EQ(zw_load(u"ld_no_entry"), STATUS_PROCEDURE_NOT_FOUND);

    char dir_template[] = "/tmp/ntio_ld_XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    const std::string text = std::string(dir_template) + "/not_elf.sys";
    std::ofstream(text) << "this is not an ELF image\n";
    spec.image_path = widen(text);
    create_service(u"ld_not_elf", spec);
    EXPECT_EQ(zw_load(u"ld_not_elf"), STATUS_INVALID_IMAGE_FORMAT);

    spec.image_path = widen(dir_template);
    create_service(u"ld_directory", spec);
    EXPECT_EQ(zw_load(u"ld_directory"), STATUS_INVALID_IMAGE_FORMAT);

    if (geteuid() != 0) {  // root reads any file
        const std::string locked = std::string(dir_template) + "/locked.sys";
        std::ofstream(locked) << "x";
        chmod(locked.c_str(), 0);
        spec.image_path = widen(locked);
        create_service(u"ld_locked", spec);
        EXPECT_EQ(zw_load(u"ld_locked"), STATUS_ACCESS_DENIED);
        unlink(locked.c_str());
    }
    unlink(text.c_str());
    rmdir(dir_template);
    EXPECT_FALSE(object_exists(u"\\Driver\\ld_no_entry"));
}

TEST_F(DriverLoadingTest, image_paths_go_through_drive_letters) {
    // \??\C: is the host file system's volume, whose root is the host's "/" unless configured.
    std::u16string dos = u"C:" + widen(driver_image("ld_probe.sys"));
    for (char16_t& c : dos)
        if (c == u'/') c = u'\\';
    ServiceSpec spec;
    spec.image_path = u"\\??\\" + dos;
    create_service(u"ld_nt_path", spec);
    ASSERT_EQ(zw_load(u"ld_nt_path"), STATUS_SUCCESS);
    EXPECT_EQ(zw_unload(u"ld_nt_path"), STATUS_SUCCESS);
    spec.image_path = dos;
    create_service(u"ld_dos_path", spec);
    ASSERT_EQ(zw_load(u"ld_dos_path"), STATUS_SUCCESS);
    EXPECT_EQ(zw_unload(u"ld_dos_path"), STATUS_SUCCESS);
    // A drive letter nobody linked.
    spec.image_path = u"Q:\\ld_probe.sys";
    create_service(u"ld_no_drive", spec);
    EXPECT_EQ(zw_load(u"ld_no_drive"), STATUS_OBJECT_PATH_NOT_FOUND);
}

TEST_F(DriverLoadingTest, nt_load_driver_needs_the_load_driver_privilege) {
    add_probe(u"ld_probe");
    std::u16string path = services_path(u"ld_probe");
    UNICODE_STRING name = unicode(path.c_str());
    // The application's standard-user token has no SeLoadDriverPrivilege.
    EXPECT_EQ(NtLoadDriver(&name), STATUS_PRIVILEGE_NOT_HELD);
    EXPECT_EQ(NtUnloadDriver(&name), STATUS_PRIVILEGE_NOT_HELD);
    EXPECT_FALSE(object_exists(u"\\Driver\\ld_probe"));

    // An elevated administrator that enabled it.
    std::shared_ptr<se::Token> token = se::Token::create_user(true);
    PEPROCESS admin = nullptr;
    ASSERT_EQ(system().objects().create_process(token, u"admin.exe", &admin), STATUS_SUCCESS);
    {
        ob::ProcessAttach attach(admin);
        EXPECT_EQ(NtLoadDriver(&name), STATUS_PRIVILEGE_NOT_HELD);  // present but not enabled
        ASSERT_EQ(token->adjust_privilege(SE_LOAD_DRIVER_PRIVILEGE, true), STATUS_SUCCESS);
        EXPECT_EQ(NtLoadDriver(&name), STATUS_SUCCESS);
        EXPECT_EQ(NtLoadDriver(&name), STATUS_IMAGE_ALREADY_LOADED);
        EXPECT_EQ(NtUnloadDriver(&name), STATUS_SUCCESS);
        UNICODE_STRING relative = unicode(u"ld_probe");
        EXPECT_EQ(NtLoadDriver(&relative), STATUS_OBJECT_PATH_SYNTAX_BAD);
    }
    system().objects().terminate_process(admin, STATUS_SUCCESS);
    ObDereferenceObject(admin);
}

TEST_F(DriverLoadingTest, export_drivers_are_initialized_before_their_importer_and_unloaded_after) {
    { KeyHandle counters(u"\\Registry\\Machine\\Software\\LoaderExport"); }
    ServiceSpec spec;
    spec.image_path = widen(driver_image("ld_export_user.sys"));
    create_service(u"ld_export_user", spec);
    ASSERT_EQ(zw_load(u"ld_export_user"), STATUS_SUCCESS);
    KeyHandle counters(u"\\Registry\\Machine\\Software\\LoaderExport", false);
    EXPECT_EQ(reported(u"ld_export_user", u"Twice"), 42u);  // DllInitialize ran before DriverEntry
    EXPECT_EQ(counters.dword(u"DllInitialize"), 1u);
    EXPECT_EQ(counters.dword(u"PathMatches"), 1u);
    EXPECT_FALSE(counters.dword(u"DllUnload").has_value());
    ASSERT_EQ(zw_unload(u"ld_export_user"), STATUS_SUCCESS);
    EXPECT_EQ(counters.dword(u"DllUnload"), 1u);
}

TEST_F(DriverLoadingTest, an_export_driver_that_is_also_a_service_is_loaded_as_a_driver_first) {
    { KeyHandle counters(u"\\Registry\\Machine\\Software\\LoaderExport"); }
    ServiceSpec spec;
    spec.image_path = widen(driver_image("ld_export_lib.sys"));
    create_service(u"ld_export_lib", spec);
    spec.image_path = widen(driver_image("ld_export_user.sys"));
    create_service(u"ld_export_user", spec);
    ASSERT_EQ(zw_load(u"ld_export_user"), STATUS_SUCCESS);
    KeyHandle counters(u"\\Registry\\Machine\\Software\\LoaderExport", false);
    EXPECT_TRUE(object_exists(u"\\Driver\\ld_export_lib"));
    EXPECT_EQ(counters.dword(u"DriverEntry"), 1u);
    EXPECT_EQ(counters.dword(u"DllInitialize"), 1u);
    EXPECT_EQ(reported(u"ld_export_user", u"Twice"), 42u);
    ASSERT_EQ(zw_unload(u"ld_export_user"), STATUS_SUCCESS);
    EXPECT_EQ(counters.dword(u"DllUnload"), 1u);
    EXPECT_TRUE(object_exists(u"\\Driver\\ld_export_lib"));  // still a loaded driver
    EXPECT_EQ(zw_unload(u"ld_export_lib"), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test
