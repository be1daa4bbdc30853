// FsRtlNotifyVolumeEvent(Ex) as a file system calls them around a volume lock or dismount, with the
// file object of the volume open that asked. ntio has no target-device-change listeners, so what
// there is to see is the routines' checking of their input.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifyvolumeevent
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlnotifyvolumeeventex
#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace {

class VolumeEventTest : public ntio::test::SystemTest {
protected:
    FILE_OBJECT m_volume_open{};
};

// Every FSRTL_VOLUME_* code is accepted; codes outside them are STATUS_INVALID_PARAMETER.
TEST_F(VolumeEventTest, every_documented_event_code_is_accepted)
{
    const ULONG codes[] = {FSRTL_VOLUME_DISMOUNT,     FSRTL_VOLUME_DISMOUNT_FAILED, FSRTL_VOLUME_LOCK,
                           FSRTL_VOLUME_LOCK_FAILED,  FSRTL_VOLUME_UNLOCK,          FSRTL_VOLUME_MOUNT,
                           FSRTL_VOLUME_NEEDS_CHKDSK, FSRTL_VOLUME_WORM_NEAR_FULL,  FSRTL_VOLUME_WEARING_OUT,
                           FSRTL_VOLUME_FORCED_CLOSED, FSRTL_VOLUME_INFO_MAKE_COMPAT, FSRTL_VOLUME_PREPARING_EJECT,
                           FSRTL_VOLUME_CHANGE_SIZE,  FSRTL_VOLUME_BACKGROUND_FORMAT};
    for (ULONG code : codes) EXPECT_EQ(FsRtlNotifyVolumeEvent(&m_volume_open, code), STATUS_SUCCESS) << code;
    const ULONG bad[] = {0, 15, 0x100, 0xFFFFFFFF};
    for (ULONG code : bad)
        EXPECT_EQ(FsRtlNotifyVolumeEvent(&m_volume_open, code), STATUS_INVALID_PARAMETER) << code;
}

// No file object: STATUS_INVALID_PARAMETER, not a crash.
TEST_F(VolumeEventTest, a_missing_file_object_is_invalid)
{
    EXPECT_EQ(FsRtlNotifyVolumeEvent(nullptr, FSRTL_VOLUME_LOCK), STATUS_INVALID_PARAMETER);
}

// The Ex form takes the caller's custom notification, set up as Learn asks (Version 1, FileObject
// NULL); a missing one, or one smaller than its header, is STATUS_INVALID_PARAMETER, and the event
// code is checked as for FsRtlNotifyVolumeEvent.
TEST_F(VolumeEventTest, ex_checks_its_custom_notification)
{
    struct {
        TARGET_DEVICE_CUSTOM_NOTIFICATION header;
        UCHAR more[16];
    } custom{};
    custom.header.Version = 1;
    custom.header.Size = sizeof custom;
    custom.header.Event = GUID{0x12345678, 0x1234, 0x5678, {1, 2, 3, 4, 5, 6, 7, 8}};
    custom.header.FileObject = nullptr;
    custom.header.NameBufferOffset = -1;
    EXPECT_EQ(FsRtlNotifyVolumeEventEx(&m_volume_open, FSRTL_VOLUME_LOCK, &custom.header), STATUS_SUCCESS);
    EXPECT_EQ(FsRtlNotifyVolumeEventEx(&m_volume_open, 0, &custom.header), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlNotifyVolumeEventEx(&m_volume_open, FSRTL_VOLUME_LOCK, nullptr), STATUS_INVALID_PARAMETER);
    custom.header.Size = FIELD_OFFSET(TARGET_DEVICE_CUSTOM_NOTIFICATION, CustomDataBuffer) - 1;
    EXPECT_EQ(FsRtlNotifyVolumeEventEx(&m_volume_open, FSRTL_VOLUME_LOCK, &custom.header), STATUS_INVALID_PARAMETER);
    custom.header.Size = FIELD_OFFSET(TARGET_DEVICE_CUSTOM_NOTIFICATION, CustomDataBuffer);
    EXPECT_EQ(FsRtlNotifyVolumeEventEx(&m_volume_open, FSRTL_VOLUME_LOCK, &custom.header), STATUS_SUCCESS);
}

}  // namespace
