// lm: the loaded modules, the kernel first (named nt, covering the kernel's routines), a driver
// image loaded through its service listed with its driver object's range until it is unloaded, the
// f and m options, their run-together forms and bad options.
#include "ntio_test_config.h"  // NTIO_DRIVERS_DIR

#include "inspect_fixture.hpp"

namespace ntio::inspect::test {
namespace {

// The row of module `name` in lm's output, "" when there is none.
std::string module_row(const std::string& out, const std::string& name) {
    for (const std::string& line : lines_of(out)) {
        if (line.size() > 37 && line.compare(36, name.size() + 1, name + " ") == 0) return line;
    }
    return {};
}

TEST_F(InspectTest, lm_lists_the_kernel_first) {
    const std::string out = run("lm");
    const std::vector<std::string> lines = lines_of(out);
    ASSERT_GE(lines.size(), 2u) << out;
    EXPECT_EQ(lines[0], "start            end                module name");
    const std::string nt = module_row(out, "nt");
    ASSERT_EQ(nt, lines[1]) << out;
    const auto start = kd::parse_number(nt.substr(0, 16));
    const auto end = kd::parse_number(nt.substr(17, 16));
    ASSERT_TRUE(start && end) << nt;
    const auto routine = reinterpret_cast<Addr>(&IofCallDriver);
    EXPECT_LE(*start, routine);
    EXPECT_LT(routine, *end);
    EXPECT_TRUE(contains(nt, "(deferred)")) << nt;
    EXPECT_TRUE(contains(run("lm f"), "\\SystemRoot\\system32\\ntoskrnl.exe")) << run("lm f");
    EXPECT_EQ(run("lmf"), run("lm f"));
}

// A service for null.sys under a name of this test's, loaded and unloaded with ZwLoadDriver.
class LmImageTest : public InspectTest {
protected:
    static constexpr const WCHAR* kService = L"InspectLmNull";
    void write_service() {
        ASSERT_EQ(RtlCreateRegistryKey(RTL_REGISTRY_SERVICES, const_cast<PWSTR>(kService)), STATUS_SUCCESS);
        const std::string image = std::string(NTIO_DRIVERS_DIR) + "/null.sys";
        std::u16string wide(image.begin(), image.end());
        ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_SERVICES, kService, L"ImagePath", REG_SZ, wide.data(),
                                        static_cast<ULONG>((wide.size() + 1) * sizeof(char16_t))),
                  STATUS_SUCCESS);
        for (const auto& [name, value] : {std::pair{L"Type", 1ul}, {L"Start", 3ul}, {L"ErrorControl", 1ul}}) {
            ULONG data = value;
            ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_SERVICES, kService, name, REG_DWORD, &data, sizeof data),
                      STATUS_SUCCESS);
        }
    }
    UNICODE_STRING service_name() {
        static const WCHAR path[] = L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\InspectLmNull";
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, path);
        return name;
    }
};

TEST_F(LmImageTest, a_loaded_driver_image_is_listed_until_it_is_unloaded) {
    write_service();
    UNICODE_STRING name = service_name();
    ASSERT_EQ(ZwLoadDriver(&name), STATUS_SUCCESS);
    UNICODE_STRING driver_name = RTL_CONSTANT_STRING(L"\\Driver\\InspectLmNull");
    PVOID object = nullptr;
    ASSERT_EQ(ObReferenceObjectByName(&driver_name, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDriverObjectType, KernelMode,
                                      nullptr, &object),
              STATUS_SUCCESS);
    auto* driver = static_cast<PDRIVER_OBJECT>(object);
    const std::string expected = ptr(driver->DriverStart) + " " +
                                 ptr(reinterpret_cast<Addr>(driver->DriverStart) + driver->DriverSize) + "   null";
    ObDereferenceObject(driver);

    const std::string out = run("lm");
    EXPECT_EQ(module_row(out, "null").substr(0, expected.size()), expected) << out;
    EXPECT_EQ(lines_of(run("lm m nul?")).size(), 2u);  // the header and null
    EXPECT_EQ(run("lmm NULL"), run("lm m nul?"));
    EXPECT_TRUE(contains(run("lm f m null"), "\\null.sys")) << run("lm f m null");

    ASSERT_EQ(ZwUnloadDriver(&name), STATUS_SUCCESS);
    EXPECT_EQ(module_row(run("lm"), "null"), "");
}

TEST_F(InspectTest, lm_refuses_unknown_options) {
    EXPECT_EQ(run("lm x", 1), "Usage: lm [f] [m Pattern]\n");
    EXPECT_EQ(run("lm m", 1), "Usage: lm [f] [m Pattern]\n");
    EXPECT_EQ(lines_of(run("lm m nosuchmodule")).size(), 1u);  // the header alone
}

}  // namespace
}  // namespace ntio::inspect::test
