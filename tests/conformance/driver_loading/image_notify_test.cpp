// The load-image notify routine for a driver image the I/O manager loads: called once, with the
// service's ImagePath, ProcessId NULL and an IMAGE_INFO describing a system-mode image mapped where
// the driver object says; a removed routine hears of no later load.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-pssetloadimagenotifyroutine
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nc-ntddk-pload_image_notify_routine
#include <cstring>
#include <string>
#include <vector>

#include "driver_loading_support.hpp"

#include <ntddk.h>
#include <ntio/ntio.h>

namespace ntio::test {
namespace image_notify {

class ImageNotifyTest : public SystemTest {};

struct Loaded {
    std::u16string name;
    HANDLE process;
    IMAGE_INFO info;
};
std::vector<Loaded> g_loaded;

VOID on_image(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo) {
    g_loaded.push_back({std::u16string(reinterpret_cast<const char16_t*>(FullImageName->Buffer),
                                       FullImageName->Length / sizeof(WCHAR)),
                        ProcessId, *ImageInfo});
}

TEST_F(ImageNotifyTest, a_loaded_driver_image_is_reported_as_a_system_image) {
    g_loaded.clear();
    ServiceSpec spec;
    spec.image_path = widen(driver_image("ld_image_probe.sys"));
    create_service(u"ld_image_probe", spec);
    ASSERT_EQ(PsSetLoadImageNotifyRoutine(on_image), STATUS_SUCCESS);
    ASSERT_EQ(zw_load(u"ld_image_probe"), STATUS_SUCCESS);

    PDRIVER_OBJECT driver = reference_driver(u"ld_image_probe");
    ASSERT_NE(driver, nullptr);
    ASSERT_EQ(g_loaded.size(), 1u);
    const Loaded& loaded = g_loaded[0];
    EXPECT_EQ(loaded.name, spec.image_path);
    EXPECT_EQ(loaded.process, nullptr) << "a driver image has ProcessId 0";
    EXPECT_EQ(loaded.info.SystemModeImage, 1u);
    EXPECT_EQ(loaded.info.ImageAddressingMode, ULONG{IMAGE_ADDRESSING_MODE_32BIT});
    EXPECT_EQ(loaded.info.ImageMappedToAllPids, 0u);
    EXPECT_EQ(loaded.info.ImageBase, driver->DriverStart);
    EXPECT_EQ(loaded.info.ImageSize, SIZE_T{driver->DriverSize});
    EXPECT_NE(loaded.info.ImageBase, nullptr);
    ObDereferenceObject(driver);
    ASSERT_EQ(zw_unload(u"ld_image_probe"), STATUS_SUCCESS);

    ASSERT_EQ(PsRemoveLoadImageNotifyRoutine(on_image), STATUS_SUCCESS);
    ASSERT_EQ(zw_load(u"ld_image_probe"), STATUS_SUCCESS);
    EXPECT_EQ(g_loaded.size(), 1u) << "a removed routine is not called";
    ASSERT_EQ(zw_unload(u"ld_image_probe"), STATUS_SUCCESS);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioqueryfulldriverpath
TEST_F(ImageNotifyTest, the_full_driver_path_is_the_loaded_images) {
    ServiceSpec spec;
    spec.image_path = widen(driver_image("ld_image_probe.sys"));
    create_service(u"ld_image_probe", spec);
    ASSERT_EQ(zw_load(u"ld_image_probe"), STATUS_SUCCESS);
    PDRIVER_OBJECT driver = reference_driver(u"ld_image_probe");
    ASSERT_NE(driver, nullptr);
    UNICODE_STRING path;
    std::memset(&path, 0xCC, sizeof path);  // need not be initialized
    ASSERT_EQ(IoQueryFullDriverPath(driver, &path), STATUS_SUCCESS);
    EXPECT_EQ(std::u16string(reinterpret_cast<const char16_t*>(path.Buffer), path.Length / sizeof(WCHAR)),
              spec.image_path);
    EXPECT_GE(path.MaximumLength, path.Length);
    ExFreePool(path.Buffer);  // the caller's to free
    EXPECT_EQ(IoQueryFullDriverPath(driver, nullptr), STATUS_INVALID_PARAMETER);
    ObDereferenceObject(driver);
    ASSERT_EQ(zw_unload(u"ld_image_probe"), STATUS_SUCCESS);
}

VOID NTAPI InProcessUnload(PDRIVER_OBJECT) {}
NTSTATUS NTAPI InProcessEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    DriverObject->DriverUnload = InProcessUnload;
    return STATUS_SUCCESS;
}

TEST_F(ImageNotifyTest, a_driver_without_an_image_has_no_path) {
    UNICODE_STRING name = unicode(u"ld_no_image");
    PDRIVER_OBJECT driver = nullptr;
    ASSERT_EQ(NtioCreateDriver(&name, InProcessEntry, &driver), STATUS_SUCCESS);
    UNICODE_STRING path{};
    EXPECT_EQ(IoQueryFullDriverPath(driver, &path), STATUS_NOT_FOUND);
    EXPECT_EQ(NtioUnloadDriver(driver), STATUS_SUCCESS);
    ObDereferenceObject(driver);
}

}  // namespace image_notify
}  // namespace ntio::test
