// DRIVER_OBJECT DriverStart / DriverSize of a driver loaded from its image: DriverEntry finds its own
// code and data inside the range (what the verifier's "code in the driver's image" checks of 0xCE and
// !drvobj rely on), and not its stack.
#include <string>

#include "driver_loading_support.hpp"

#include <ntio/ntio.h>

namespace ntio::test {
namespace {

class DriverImageRangeTest : public SystemTest {};

TEST_F(DriverImageRangeTest, driver_entry_sees_a_driver_start_and_size_covering_its_image) {
    ServiceSpec spec;
    spec.image_path = widen(driver_image("ld_image_probe.sys"));
    create_service(u"ld_image_probe", spec);
    ASSERT_EQ(zw_load(u"ld_image_probe"), STATUS_SUCCESS);
    for (const char16_t* check : {u"StartSet", u"EntryInImage", u"UnloadInImage", u"DataInImage", u"StackNotInImage",
                                 u"DriverInitIsEntry"}) {
        std::string name;
        for (const char16_t* c = check; *c; ++c) name += static_cast<char>(*c);
        EXPECT_EQ(reported(u"ld_image_probe", check), 1u) << name;
    }
    ASSERT_EQ(zw_unload(u"ld_image_probe"), STATUS_SUCCESS);
    EXPECT_EQ(reported(u"ld_image_probe", u"UnloadSameRange"), 1u);
}

// A driver created in-process (NtioCreateDriver, no image of its own) gets no range: the loader
// sets one only for images it mapped.
VOID NTAPI InProcessUnload(PDRIVER_OBJECT) {}

NTSTATUS NTAPI InProcessEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->DriverUnload = InProcessUnload;
    return STATUS_SUCCESS;
}

TEST_F(DriverImageRangeTest, an_in_process_driver_has_no_image_range) {
    UNICODE_STRING name = unicode(u"ld_in_process");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&name, InProcessEntry, &driver), STATUS_SUCCESS);
    EXPECT_EQ(driver->DriverStart, nullptr);
    EXPECT_EQ(driver->DriverSize, 0u);
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
}

}  // namespace
}  // namespace ntio::test
