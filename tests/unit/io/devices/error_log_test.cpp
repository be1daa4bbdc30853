// The error log through a driver's calls: entry sizes as Learn gives them, a device or driver
// object only, a zeroed packet; a written entry is one line of debug output naming the device and
// its driver, the codes and the insertion strings, and it is freed by the I/O manager.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocateerrorlogentry
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowriteerrorlogentry
#include <cstring>
#include <string>

#include <wdm.h>

#include "unit/io/devices/devices_test_support.hpp"

namespace ntio::io::test {
namespace error_log {

using ErrorLogTest = DevicesTest;

TEST_F(ErrorLogTest, entry_sizes_and_objects) {
    static_assert(ERROR_LOG_MAXIMUM_SIZE == 240, "the x64 WDK value");
    PDRIVER_OBJECT driver = load(u"ElogSize");
    PDEVICE_OBJECT device = create(driver);
    ASSERT_NE(device, nullptr);

    auto* packet = static_cast<PIO_ERROR_LOG_PACKET>(IoAllocateErrorLogEntry(device, ERROR_LOG_MAXIMUM_SIZE));
    ASSERT_NE(packet, nullptr);
    const auto* bytes = reinterpret_cast<const unsigned char*>(packet);
    for (ULONG i = 0; i < ERROR_LOG_MAXIMUM_SIZE; ++i) ASSERT_EQ(bytes[i], 0) << "byte " << i;
    IoFreeErrorLogEntry(packet);

    EXPECT_EQ(IoAllocateErrorLogEntry(device, ERROR_LOG_MAXIMUM_SIZE + 1), nullptr);
    EXPECT_EQ(IoAllocateErrorLogEntry(device, sizeof(IO_ERROR_LOG_PACKET) - 1), nullptr);
    EXPECT_EQ(IoAllocateErrorLogEntry(nullptr, sizeof(IO_ERROR_LOG_PACKET)), nullptr);
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    EXPECT_EQ(IoAllocateErrorLogEntry(&event, sizeof(IO_ERROR_LOG_PACKET)), nullptr);

    // A driver object will do; the entry holds it until freed.
    PVOID entry = IoAllocateErrorLogEntry(driver, sizeof(IO_ERROR_LOG_PACKET));
    ASSERT_NE(entry, nullptr);
    IoFreeErrorLogEntry(entry);
    unload(driver);
}

TEST_F(ErrorLogTest, a_written_entry_is_one_line_of_debug_output) {
    PDRIVER_OBJECT driver = load(u"ElogWrite");
    PDEVICE_OBJECT device = create(driver, u"\\Device\\ElogDisk");
    ASSERT_NE(device, nullptr);

    const wchar_t first[] = L"\\Device\\ElogDisk";
    const wchar_t second[] = L"sector 9";
    const UCHAR size = sizeof(IO_ERROR_LOG_PACKET) + sizeof first + sizeof second;
    auto* packet = static_cast<PIO_ERROR_LOG_PACKET>(IoAllocateErrorLogEntry(device, size));
    ASSERT_NE(packet, nullptr);
    packet->ErrorCode = static_cast<NTSTATUS>(0xC0040004);
    packet->FinalStatus = STATUS_DEVICE_DATA_ERROR;
    packet->UniqueErrorValue = 0x77;
    packet->NumberOfStrings = 2;
    packet->StringOffset = sizeof(IO_ERROR_LOG_PACKET);
    auto* strings = reinterpret_cast<unsigned char*>(packet) + packet->StringOffset;
    std::memcpy(strings, first, sizeof first);
    std::memcpy(strings + sizeof first, second, sizeof second);

    testing::internal::CaptureStderr();
    IoWriteErrorLogEntry(packet);
    const std::string out = testing::internal::GetCapturedStderr();
    EXPECT_EQ(out,
              "Error log: \\Device\\ElogDisk (\\Driver\\ElogWrite): ErrorCode 0xC0040004, FinalStatus 0xC000009C, "
              "UniqueErrorValue 0x00000077 strings \"\\Device\\ElogDisk\", \"sector 9\"\n");

    // An unnamed device is named by its driver; an entry of a driver object too.
    PDEVICE_OBJECT unnamed = create(driver);
    testing::internal::CaptureStderr();
    IoWriteErrorLogEntry(IoAllocateErrorLogEntry(unnamed, sizeof(IO_ERROR_LOG_PACKET)));
    IoWriteErrorLogEntry(IoAllocateErrorLogEntry(driver, sizeof(IO_ERROR_LOG_PACKET)));
    EXPECT_EQ(testing::internal::GetCapturedStderr(),
              "Error log: \\Driver\\ElogWrite: ErrorCode 0x00000000, FinalStatus 0x00000000, UniqueErrorValue "
              "0x00000000\n"
              "Error log: \\Driver\\ElogWrite: ErrorCode 0x00000000, FinalStatus 0x00000000, UniqueErrorValue "
              "0x00000000\n");
    // The entries released their objects: the leak check at teardown would see them otherwise.
    unload(driver);
}

}  // namespace error_log
}  // namespace ntio::io::test
