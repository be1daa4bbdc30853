// ZwQuerySystemInformation(SystemModuleInformation) from a C driver that declares it itself, as
// drivers do on Windows: the size query, then the list, in which the driver finds its own image
// (the range DriverStart / DriverSize give and its file name) after the kernel.
// https://learn.microsoft.com/windows/win32/sysinfo/zwquerysysteminformation
#include <string>

#include "driver_loading_support.hpp"

namespace ntio::test {
namespace {

class ModuleListProbeTest : public SystemTest {};

TEST_F(ModuleListProbeTest, a_driver_finds_its_own_image_in_the_module_list) {
    ServiceSpec spec;
    spec.image_path = widen(driver_image("ld_module_list_probe.sys"));
    create_service(u"ld_module_list_probe", spec);
    ASSERT_EQ(zw_load(u"ld_module_list_probe"), STATUS_SUCCESS);
    EXPECT_EQ(reported(u"ld_module_list_probe", u"SizeStatus"), static_cast<ULONG>(STATUS_INFO_LENGTH_MISMATCH));
    EXPECT_EQ(reported(u"ld_module_list_probe", u"ListStatus"), static_cast<ULONG>(STATUS_SUCCESS));
    for (const char16_t* check :
         {u"SizeNeeded", u"WrittenIsNeeded", u"FoundOnce", u"KernelFirst", u"RangeIsDriverStart", u"FileName"}) {
        std::string name;
        for (const char16_t* c = check; *c; ++c) name += static_cast<char>(*c);
        EXPECT_EQ(reported(u"ld_module_list_probe", check), 1u) << name;
    }
    ASSERT_EQ(zw_unload(u"ld_module_list_probe"), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test
