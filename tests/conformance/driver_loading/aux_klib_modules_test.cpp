// AuxKlibQueryModuleInformation: the size query, the kernel listed first, a loaded driver image
// listed with the range and ImagePath its driver object and service give, gone once unloaded; the
// basic and extended element forms agree; too small a buffer and bad element sizes.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/aux_klib/nf-aux_klib-auxklibquerymoduleinformation
#include <cstring>
#include <string>
#include <vector>

#include "driver_loading_support.hpp"

#include <aux_klib.h>
#include <ntio/ntio.h>

namespace ntio::test {
namespace aux_klib_modules {

class AuxKlibModulesTest : public SystemTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        ASSERT_EQ(AuxKlibInitialize(), STATUS_SUCCESS);
    }
};

std::vector<AUX_MODULE_EXTENDED_INFO> query_extended() {
    ULONG size = 0;
    EXPECT_EQ(AuxKlibQueryModuleInformation(&size, sizeof(AUX_MODULE_EXTENDED_INFO), nullptr), STATUS_SUCCESS);
    EXPECT_EQ(size % sizeof(AUX_MODULE_EXTENDED_INFO), 0u);
    std::vector<AUX_MODULE_EXTENDED_INFO> modules(size / sizeof(AUX_MODULE_EXTENDED_INFO));
    EXPECT_EQ(AuxKlibQueryModuleInformation(&size, sizeof(AUX_MODULE_EXTENDED_INFO), modules.data()), STATUS_SUCCESS);
    modules.resize(size / sizeof(AUX_MODULE_EXTENDED_INFO));
    return modules;
}

std::string path_of(const AUX_MODULE_EXTENDED_INFO& module) { return reinterpret_cast<const char*>(module.FullPathName); }
std::string file_of(const AUX_MODULE_EXTENDED_INFO& module) {
    return reinterpret_cast<const char*>(module.FullPathName + module.FileNameOffset);
}

const AUX_MODULE_EXTENDED_INFO* find_base(const std::vector<AUX_MODULE_EXTENDED_INFO>& modules, PVOID base) {
    for (const AUX_MODULE_EXTENDED_INFO& module : modules)
        if (module.BasicInfo.ImageBase == base) return &module;
    return nullptr;
}

TEST_F(AuxKlibModulesTest, the_kernel_comes_first_and_holds_the_kernel_routines) {
    const std::vector<AUX_MODULE_EXTENDED_INFO> modules = query_extended();
    ASSERT_FALSE(modules.empty());
    const AUX_MODULE_EXTENDED_INFO& kernel = modules[0];
    EXPECT_EQ(file_of(kernel), "ntoskrnl.exe");
    const auto base = reinterpret_cast<ULONG_PTR>(kernel.BasicInfo.ImageBase);
    const auto routine = reinterpret_cast<ULONG_PTR>(&IofCallDriver);
    EXPECT_LE(base, routine);
    EXPECT_LT(routine, base + kernel.ImageSize);
}

TEST_F(AuxKlibModulesTest, a_loaded_driver_image_is_listed_until_it_is_unloaded) {
    ServiceSpec spec;
    spec.image_path = widen(driver_image("ld_image_probe.sys"));
    create_service(u"ld_image_probe", spec);
    ASSERT_EQ(zw_load(u"ld_image_probe"), STATUS_SUCCESS);
    PDRIVER_OBJECT driver = reference_driver(u"ld_image_probe");
    ASSERT_NE(driver, nullptr);
    PVOID const start = driver->DriverStart;
    const ULONG size = driver->DriverSize;
    ObDereferenceObject(driver);

    std::vector<AUX_MODULE_EXTENDED_INFO> modules = query_extended();
    const AUX_MODULE_EXTENDED_INFO* image = find_base(modules, start);
    ASSERT_NE(image, nullptr);
    EXPECT_EQ(image->ImageSize, size);
    // The ImagePath, a host path here, named as a DOS path under C:\ (the host's root).
    std::string expected_path = "\\??\\C:";
    for (char16_t c : spec.image_path) expected_path += c == u'/' ? '\\' : static_cast<char>(c);
    EXPECT_EQ(path_of(*image), expected_path);
    EXPECT_EQ(file_of(*image), "ld_image_probe.sys");

    // The basic form lists the same bases in the same order.
    ULONG basic_size = 0;
    ASSERT_EQ(AuxKlibQueryModuleInformation(&basic_size, sizeof(AUX_MODULE_BASIC_INFO), nullptr), STATUS_SUCCESS);
    ASSERT_EQ(basic_size / sizeof(AUX_MODULE_BASIC_INFO), modules.size());
    std::vector<AUX_MODULE_BASIC_INFO> bases(modules.size());
    ASSERT_EQ(AuxKlibQueryModuleInformation(&basic_size, sizeof(AUX_MODULE_BASIC_INFO), bases.data()), STATUS_SUCCESS);
    for (std::size_t i = 0; i < modules.size(); ++i) EXPECT_EQ(bases[i].ImageBase, modules[i].BasicInfo.ImageBase);

    ASSERT_EQ(zw_unload(u"ld_image_probe"), STATUS_SUCCESS);
    modules = query_extended();
    EXPECT_EQ(find_base(modules, start), nullptr);
}

TEST_F(AuxKlibModulesTest, a_short_buffer_gets_the_size_needed_and_bad_arguments_are_refused) {
    ULONG needed = 0;
    ASSERT_EQ(AuxKlibQueryModuleInformation(&needed, sizeof(AUX_MODULE_EXTENDED_INFO), nullptr), STATUS_SUCCESS);
    ASSERT_GE(needed, sizeof(AUX_MODULE_EXTENDED_INFO));
    std::vector<AUX_MODULE_EXTENDED_INFO> modules(needed / sizeof(AUX_MODULE_EXTENDED_INFO));
    ULONG size = needed - 1;
    EXPECT_EQ(AuxKlibQueryModuleInformation(&size, sizeof(AUX_MODULE_EXTENDED_INFO), modules.data()),
              STATUS_BUFFER_TOO_SMALL);
    EXPECT_EQ(size, needed);

    size = needed;
    EXPECT_EQ(AuxKlibQueryModuleInformation(&size, sizeof(AUX_MODULE_BASIC_INFO) + 1, modules.data()),
              STATUS_INVALID_PARAMETER_2);
    EXPECT_EQ(AuxKlibQueryModuleInformation(nullptr, sizeof(AUX_MODULE_BASIC_INFO), nullptr),
              STATUS_INVALID_PARAMETER_1);
}

}  // namespace aux_klib_modules
}  // namespace ntio::test
