// NT fact S24: a driver that over-reads constant data (a fixed-length copy from a shorter literal)
// runs unchanged in the sanitizer builds, its over-reading source exempted from AddressSanitizer by
// the build (ntio_add_driver's UNSANITIZED_SOURCES) rather than edited. Under asan, without the
// exemption this test dies with a global-buffer-overflow report.
#include <cstring>

#include "driver_test_support.hpp"

#include <winioctl.h>

#include "overread.h"

namespace ntio::test::drivers {
namespace {

using OverreadTest = DriverTest;

TEST_F(OverreadTest, a_fixed_length_copy_from_a_shorter_literal_runs_in_every_build) {
    for (LoadPath path : {LoadPath::direct, LoadPath::registry}) {
        SCOPED_TRACE(to_string(path));
        Driver driver;
        ASSERT_EQ(driver.load(path, "Overread", "overread.sys"), STATUS_SUCCESS);
        HANDLE h = nullptr;
        ASSERT_EQ(open_device(u"\\Device\\Overread", &h), STATUS_SUCCESS);
        const char* expected[] = {"1.0", "2.10", "3.0.1"};
        for (ULONG index = 0; index < 3; ++index) {
            union {
                ULONG index;
                char field[OVERREAD_VERSION_FIELD];
            } buffer{};
            buffer.index = index;
            IO_STATUS_BLOCK iosb{};
            ASSERT_EQ(ioctl(h, IOCTL_OVERREAD_VERSION, &buffer, sizeof(ULONG), &buffer, sizeof(buffer), &iosb),
                      STATUS_SUCCESS);
            EXPECT_EQ(iosb.Information, static_cast<ULONG_PTR>(OVERREAD_VERSION_FIELD));
            EXPECT_STREQ(buffer.field, expected[index]);  // the bytes after the literal are whatever follows it
        }
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        EXPECT_EQ(driver.unload(), STATUS_SUCCESS);
    }
}

}  // namespace
}  // namespace ntio::test::drivers
