// A C driver image that imports the run-once, cache-aware run-down, version, group, time,
// debugger, OEM string and file-system security routines loads, and each family works from its
// DriverEntry (reported back in its service key).
#include <string>

#include "driver_loading_support.hpp"

namespace ntio::test {
namespace {

class ExportsProbeTest : public SystemTest {};

TEST_F(ExportsProbeTest, a_c_driver_importing_the_routines_loads_and_each_family_works) {
    ServiceSpec spec;
    spec.image_path = widen(driver_image("ld_exports_probe.sys"));
    create_service(u"ld_exports_probe", spec);
    ASSERT_EQ(zw_load(u"ld_exports_probe"), STATUS_SUCCESS);
    for (const char16_t* check : {u"Imported", u"RunOnce", u"CacheAwareRundown", u"Version", u"Groups", u"Time",
                                 u"Debugger", u"Strings", u"Security", u"AuxKlib"}) {
        std::string name;
        for (const char16_t* c = check; *c; ++c) name += static_cast<char>(*c);
        EXPECT_EQ(reported(u"ld_exports_probe", check), 1u) << name;
    }
    ASSERT_EQ(zw_unload(u"ld_exports_probe"), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test
