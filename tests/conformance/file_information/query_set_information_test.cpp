// NtQueryInformationFile / NtSetInformationFile through the public surface: the class and length
// rules, the access each class needs, the classes the I/O manager answers without the driver, the
// IRPs the driver sees for the rest, and the IOSB rules of synchronous and asynchronous handles.
#include <cstddef>
#include <vector>

#include "conformance/file_information/information_test_driver.hpp"
#include "support/mode_cases.hpp"

namespace ntio::test::info {
namespace {

struct LengthCase {
    FILE_INFORMATION_CLASS info_class;
    ULONG min_length;
};

// Minimum lengths NT enforces before anything else (STATUS_INFO_LENGTH_MISMATCH one byte short).
const LengthCase kQueryLengths[] = {
    {FileBasicInformation, sizeof(FILE_BASIC_INFORMATION)},
    {FileStandardInformation, sizeof(FILE_STANDARD_INFORMATION)},
    {FileInternalInformation, sizeof(FILE_INTERNAL_INFORMATION)},
    {FileEaInformation, sizeof(FILE_EA_INFORMATION)},
    {FileAccessInformation, sizeof(FILE_ACCESS_INFORMATION)},
    {FileNameInformation, sizeof(FILE_NAME_INFORMATION)},
    {FilePositionInformation, sizeof(FILE_POSITION_INFORMATION)},
    {FileModeInformation, sizeof(FILE_MODE_INFORMATION)},
    {FileAlignmentInformation, sizeof(FILE_ALIGNMENT_INFORMATION)},
    {FileAllInformation, sizeof(FILE_ALL_INFORMATION)},
    {FileNetworkOpenInformation, sizeof(FILE_NETWORK_OPEN_INFORMATION)},
    {FileAttributeTagInformation, sizeof(FILE_ATTRIBUTE_TAG_INFORMATION)},
    {FileIoCompletionNotificationInformation, sizeof(ULONG)},
};
const LengthCase kSetLengths[] = {
    {FileBasicInformation, sizeof(FILE_BASIC_INFORMATION)},
    {FileRenameInformation, sizeof(FILE_RENAME_INFORMATION)},
    {FileLinkInformation, sizeof(FILE_LINK_INFORMATION)},
    {FileDispositionInformation, sizeof(FILE_DISPOSITION_INFORMATION)},
    {FilePositionInformation, sizeof(FILE_POSITION_INFORMATION)},
    {FileModeInformation, sizeof(FILE_MODE_INFORMATION)},
    {FileAllocationInformation, sizeof(FILE_ALLOCATION_INFORMATION)},
    {FileEndOfFileInformation, sizeof(FILE_END_OF_FILE_INFORMATION)},
    {FileValidDataLengthInformation, sizeof(FILE_VALID_DATA_LENGTH_INFORMATION)},
    {FileCompletionInformation, 2 * sizeof(PVOID)},
    {FileIoCompletionNotificationInformation, sizeof(ULONG)},  // NT fact F11
    {FileDispositionInformationEx, sizeof(FILE_DISPOSITION_INFORMATION_EX)},
};

TEST_F(InformationTest, unknown_or_wrong_direction_classes_are_invalid_info_class) {
    HANDLE h = open_sync();
    alignas(8) UCHAR buffer[256] = {};
    IO_STATUS_BLOCK iosb = untouched_iosb();
    for (int c : {0, static_cast<int>(FileDirectoryInformation), static_cast<int>(FileEndOfFileInformation),
                  static_cast<int>(FileRenameInformation), static_cast<int>(FileDispositionInformation),
                  static_cast<int>(FileMaximumInformation), 0x7fff}) {
        EXPECT_EQ(NtQueryInformationFile(h, &iosb, buffer, sizeof(buffer), static_cast<FILE_INFORMATION_CLASS>(c)),
                  STATUS_INVALID_INFO_CLASS)
            << c;
    }
    for (int c : {0, static_cast<int>(FileStandardInformation), static_cast<int>(FileNameInformation),
                  static_cast<int>(FileAllInformation), static_cast<int>(FileMaximumInformation)}) {
        EXPECT_EQ(NtSetInformationFile(h, &iosb, buffer, sizeof(buffer), static_cast<FILE_INFORMATION_CLASS>(c)),
                  STATUS_INVALID_INFO_CLASS)
            << c;
    }
    EXPECT_TRUE(is_untouched(iosb));
    EXPECT_TRUE(requests().empty());
    close(h);
}

TEST_F(InformationTest, a_buffer_one_byte_short_is_info_length_mismatch) {
    // NT fact F11 (its length rule) and the minimum-length table of both services.
    HANDLE h = open_sync();
    alignas(8) UCHAR buffer[256] = {};
    for (const LengthCase& c : kQueryLengths) {
        IO_STATUS_BLOCK iosb = untouched_iosb();
        EXPECT_EQ(NtQueryInformationFile(h, &iosb, buffer, c.min_length - 1, c.info_class), STATUS_INFO_LENGTH_MISMATCH)
            << c.info_class;
        EXPECT_TRUE(is_untouched(iosb)) << c.info_class;
    }
    for (const LengthCase& c : kSetLengths) {
        IO_STATUS_BLOCK iosb = untouched_iosb();
        EXPECT_EQ(NtSetInformationFile(h, &iosb, buffer, c.min_length - 1, c.info_class), STATUS_INFO_LENGTH_MISMATCH)
            << c.info_class;
        EXPECT_TRUE(is_untouched(iosb)) << c.info_class;
    }
    EXPECT_TRUE(requests().empty());
    close(h);
}

struct AccessCase {
    bool set;
    FILE_INFORMATION_CLASS info_class;
    ACCESS_MASK needed;
};
const AccessCase kAccess[] = {
    {false, FileBasicInformation, FILE_READ_ATTRIBUTES},
    {false, FileAllInformation, FILE_READ_ATTRIBUTES},
    {false, FileNetworkOpenInformation, FILE_READ_ATTRIBUTES},
    {false, FileAttributeTagInformation, FILE_READ_ATTRIBUTES},
    {false, FileFullEaInformation, FILE_READ_EA},
    {true, FileBasicInformation, FILE_WRITE_ATTRIBUTES},
    {true, FileDispositionInformation, DELETE},
    {true, FileDispositionInformationEx, DELETE},
    {true, FileRenameInformation, DELETE},
    {true, FileEndOfFileInformation, FILE_WRITE_DATA},
    {true, FileAllocationInformation, FILE_WRITE_DATA},
    {true, FileValidDataLengthInformation, FILE_WRITE_DATA},
};

TEST_F(InformationTest, each_class_needs_its_access_on_the_handle) {
    alignas(8) UCHAR buffer[256] = {};
    auto call = [&](HANDLE h, const AccessCase& c, IO_STATUS_BLOCK* iosb) {
        auto* rename = reinterpret_cast<FILE_RENAME_INFORMATION*>(buffer);
        rename->FileNameLength = 2;
        rename->FileName[0] = L'x';
        return c.set ? NtSetInformationFile(h, iosb, buffer, sizeof(buffer), c.info_class)
                     : NtQueryInformationFile(h, iosb, buffer, sizeof(buffer), c.info_class);
    };
    for (const AccessCase& c : kAccess) {
        // Everything but the right the class needs.
        const ACCESS_MASK others =
            (FILE_READ_DATA | FILE_WRITE_DATA | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | FILE_READ_EA |
             FILE_WRITE_EA | DELETE) & ~c.needed;
        HANDLE denied = open_sync(L"\\??\\InfoDev\\file", others);
        IO_STATUS_BLOCK iosb = untouched_iosb();
        EXPECT_EQ(call(denied, c, &iosb), STATUS_ACCESS_DENIED) << c.set << " " << c.info_class;
        EXPECT_TRUE(is_untouched(iosb));
        EXPECT_TRUE(requests().empty());
        close(denied);

        HANDLE granted = open_sync(L"\\??\\InfoDev\\file", c.needed);
        iosb = untouched_iosb();
        EXPECT_EQ(call(granted, c, &iosb), STATUS_SUCCESS) << c.set << " " << c.info_class;
        EXPECT_EQ(requests().size(), 1u) << c.set << " " << c.info_class;
        close(granted);
    }
}

// Classes whose set needs no right on the handle reach the driver from a handle with none but
// SYNCHRONIZE: FileMailslotSetInformation (SetMailslotInfo, used on the mailslot server's handle,
// which has no write access) and FilePositionInformation.
TEST_F(InformationTest, classes_that_need_no_access_reach_the_driver_from_any_handle) {
    HANDLE h = open_sync(L"\\??\\InfoDev\\file", 0);
    alignas(8) UCHAR buffer[64] = {};
    for (FILE_INFORMATION_CLASS info_class : {FileMailslotSetInformation, FilePositionInformation}) {
        IO_STATUS_BLOCK iosb = untouched_iosb();
        EXPECT_EQ(NtSetInformationFile(h, &iosb, buffer, sizeof(buffer), info_class), STATUS_SUCCESS) << info_class;
    }
    EXPECT_EQ(requests().size(), 1u) << "the position is the I/O manager's; the mailslot class goes to the driver";
    close(h);
}

TEST_F(InformationTest, kernel_callers_are_not_access_checked) {
    HANDLE h = open_sync(L"\\??\\InfoDev\\file", FILE_READ_DATA);
    FILE_BASIC_INFORMATION basic{};
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_ACCESS_DENIED);
    EXPECT_EQ(ZwQueryInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
    auto seen = requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].requestor, KernelMode);
    close(h);
}

TEST_F(InformationTest, mode_access_and_alignment_are_answered_without_the_driver) {
    // NT fact I11: the mode comes from the create options; FILE_DELETE_ON_CLOSE, FILE_RANDOM_ACCESS,
    // FILE_NO_COMPRESSION and FILE_NON_DIRECTORY_FILE are never reported.
    for (const ModeCase& c : kModeCases) {
        HANDLE h = nullptr;
        ASSERT_EQ(open(L"\\??\\InfoDev\\file", &h, FILE_READ_DATA | DELETE | SYNCHRONIZE, c.options), STATUS_SUCCESS);
        FILE_MODE_INFORMATION mode{0xffffffff};
        IO_STATUS_BLOCK iosb = untouched_iosb();
        EXPECT_EQ(NtQueryInformationFile(h, &iosb, &mode, sizeof(mode), FileModeInformation), STATUS_SUCCESS);
        EXPECT_EQ(mode.Mode, c.mode) << std::hex << c.options;
        EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
        EXPECT_EQ(iosb.Information, sizeof(mode));
        close(h);
    }
    HANDLE h = open_async(L"\\??\\InfoDev\\file", FILE_READ_DATA | FILE_WRITE_EA);
    FILE_ACCESS_INFORMATION access{};
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, &access, sizeof(access), FileAccessInformation), STATUS_SUCCESS);
    EXPECT_EQ(access.AccessFlags, static_cast<ACCESS_MASK>(FILE_READ_DATA | FILE_WRITE_EA));
    FILE_ALIGNMENT_INFORMATION alignment{0xff};
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, &alignment, sizeof(alignment), FileAlignmentInformation), STATUS_SUCCESS);
    EXPECT_EQ(alignment.AlignmentRequirement, static_cast<ULONG>(FILE_BYTE_ALIGNMENT));
    EXPECT_EQ(iosb.Information, sizeof(alignment));
    EXPECT_TRUE(requests().empty());
    close(h);
}

TEST_F(InformationTest, synchronous_files_keep_their_position_in_the_io_manager) {
    HANDLE h = open_sync();
    FILE_POSITION_INFORMATION position{};
    position.CurrentByteOffset.QuadPart = 0x12345;
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &position, sizeof(position), FilePositionInformation), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 0u);
    position.CurrentByteOffset.QuadPart = 0;
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, &position, sizeof(position), FilePositionInformation), STATUS_SUCCESS);
    EXPECT_EQ(position.CurrentByteOffset.QuadPart, 0x12345);
    EXPECT_EQ(iosb.Information, sizeof(position));
    position.CurrentByteOffset.QuadPart = -1;
    iosb = untouched_iosb();
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &position, sizeof(position), FilePositionInformation),
              STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(is_untouched(iosb));
    EXPECT_TRUE(requests().empty());
    close(h);

    // Asynchronous files have no I/O-manager position: the driver is asked.
    HANDLE a = open_async();
    EXPECT_EQ(NtQueryInformationFile(a, &iosb, &position, sizeof(position), FilePositionInformation), STATUS_SUCCESS);
    auto seen = requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].major, IRP_MJ_QUERY_INFORMATION);
    EXPECT_EQ(seen[0].parameters.QueryFile.FileInformationClass, FilePositionInformation);
    close(a);
}

TEST_F(InformationTest, no_intermediate_buffering_positions_must_be_aligned) {
    g_state.alignment = FILE_WORD_ALIGNMENT;
    ASSERT_EQ(NtioUnloadDriver(m_driver), STATUS_SUCCESS);
    ObDereferenceObject(m_driver);
    UNICODE_STRING service;
    RtlInitUnicodeString(&service, L"InfoTest2");
    ASSERT_EQ(NtioCreateDriver(&service, information_driver_entry, &m_driver), STATUS_SUCCESS);
    HANDLE h = nullptr;
    ASSERT_EQ(open(L"\\??\\InfoDev\\file", &h, FILE_READ_DATA | SYNCHRONIZE,
                   FILE_SYNCHRONOUS_IO_NONALERT | FILE_NO_INTERMEDIATE_BUFFERING),
              STATUS_SUCCESS);
    FILE_POSITION_INFORMATION position{};
    position.CurrentByteOffset.QuadPart = 3;
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &position, sizeof(position), FilePositionInformation),
              STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(is_untouched(iosb));
    position.CurrentByteOffset.QuadPart = 4;
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &position, sizeof(position), FilePositionInformation), STATUS_SUCCESS);
    close(h);
}

TEST_F(InformationTest, mode_set_changes_only_what_nt_lets_change) {
    HANDLE h = open_sync();
    IO_STATUS_BLOCK iosb = untouched_iosb();
    FILE_MODE_INFORMATION mode{FILE_SYNCHRONOUS_IO_NONALERT | FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY};
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &mode, sizeof(mode), FileModeInformation), STATUS_SUCCESS);
    FILE_MODE_INFORMATION now{};
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, &now, sizeof(now), FileModeInformation), STATUS_SUCCESS);
    EXPECT_EQ(now.Mode, mode.Mode);
    for (ULONG bad : {ULONG{0} /* drops the synchronous mode */, ULONG{FILE_NO_INTERMEDIATE_BUFFERING |
                                                                       FILE_SYNCHRONOUS_IO_NONALERT},
                      ULONG{FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT}}) {
        iosb = untouched_iosb();
        mode.Mode = bad;
        EXPECT_EQ(NtSetInformationFile(h, &iosb, &mode, sizeof(mode), FileModeInformation), STATUS_INVALID_PARAMETER)
            << bad;
        EXPECT_TRUE(is_untouched(iosb));
    }
    EXPECT_TRUE(requests().empty());
    close(h);
    HANDLE a = open_async();
    mode.Mode = FILE_SYNCHRONOUS_IO_NONALERT;
    EXPECT_EQ(NtSetInformationFile(a, &iosb, &mode, sizeof(mode), FileModeInformation), STATUS_INVALID_PARAMETER);
    close(a);
}

TEST_F(InformationTest, queries_reach_the_driver_buffered_and_copy_back_information_bytes) {
    HANDLE h = open_sync();
    g_state.reply = std::string(sizeof(FILE_STANDARD_INFORMATION), 'S');
    g_state.information = 10;
    UCHAR buffer[sizeof(FILE_STANDARD_INFORMATION) + 8];
    std::memset(buffer, 'u', sizeof(buffer));
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, buffer, sizeof(buffer), FileStandardInformation), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 10u);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), 12), std::string(10, 'S') + "uu");
    auto seen = requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].major, IRP_MJ_QUERY_INFORMATION);
    EXPECT_EQ(seen[0].parameters.QueryFile.Length, sizeof(buffer));
    EXPECT_EQ(seen[0].parameters.QueryFile.FileInformationClass, FileStandardInformation);
    EXPECT_EQ(seen[0].irp_flags & (IRP_BUFFERED_IO | IRP_INPUT_OPERATION), ULONG{IRP_BUFFERED_IO | IRP_INPUT_OPERATION});
    EXPECT_NE(seen[0].system_buffer, nullptr);
    EXPECT_NE(seen[0].system_buffer, static_cast<PVOID>(buffer));
    EXPECT_EQ(seen[0].user_buffer, static_cast<PVOID>(buffer));
    EXPECT_EQ(seen[0].requestor, UserMode);
    close(h);
}

TEST_F(InformationTest, all_information_carries_the_io_managers_parts) {
    HANDLE h = open_sync(L"\\??\\InfoDev\\file", FILE_READ_ATTRIBUTES | FILE_READ_DATA);
    g_state.information = sizeof(FILE_ALL_INFORMATION);
    FILE_ALL_INFORMATION all;
    std::memset(&all, 0xcc, sizeof(all));
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, &all, sizeof(all), FileAllInformation), STATUS_SUCCESS);
    EXPECT_EQ(all.AccessInformation.AccessFlags, static_cast<ACCESS_MASK>(FILE_READ_ATTRIBUTES | FILE_READ_DATA | SYNCHRONIZE));
    EXPECT_EQ(all.ModeInformation.Mode, static_cast<ULONG>(FILE_SYNCHRONOUS_IO_NONALERT));
    EXPECT_EQ(all.AlignmentInformation.AlignmentRequirement, static_cast<ULONG>(FILE_BYTE_ALIGNMENT));
    EXPECT_EQ(iosb.Information, sizeof(all));
    ASSERT_EQ(requests().size(), 1u);
    close(h);
}

TEST_F(InformationTest, sets_pass_a_captured_copy_and_nt_parameters) {
    HANDLE h = open_sync();
    FILE_END_OF_FILE_INFORMATION eof{};
    eof.EndOfFile.QuadPart = 0x4142434445464748;
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &eof, sizeof(eof), FileEndOfFileInformation), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    FILE_DISPOSITION_INFORMATION disposition{TRUE};
    EXPECT_EQ(NtSetInformationFile(h, &iosb, &disposition, sizeof(disposition), FileDispositionInformation),
              STATUS_SUCCESS);
    alignas(8) UCHAR rename_buffer[64] = {};
    auto* rename = reinterpret_cast<FILE_RENAME_INFORMATION*>(rename_buffer);
    rename->ReplaceIfExists = TRUE;
    rename->FileNameLength = 4;
    rename->FileName[0] = L'n';
    rename->FileName[1] = L'2';
    EXPECT_EQ(NtSetInformationFile(h, &iosb, rename, sizeof(rename_buffer), FileRenameInformation), STATUS_SUCCESS);

    auto seen = requests();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].major, IRP_MJ_SET_INFORMATION);
    EXPECT_EQ(seen[0].parameters.SetFile.FileInformationClass, FileEndOfFileInformation);
    EXPECT_EQ(seen[0].parameters.SetFile.Length, sizeof(eof));
    EXPECT_EQ(seen[0].parameters.SetFile.FileObject, nullptr);
    EXPECT_EQ(seen[0].input, std::string(reinterpret_cast<char*>(&eof), sizeof(eof)));
    EXPECT_NE(seen[0].system_buffer, static_cast<PVOID>(&eof));
    EXPECT_EQ(seen[0].irp_flags & IRP_INPUT_OPERATION, 0u);
    EXPECT_EQ(seen[1].parameters.SetFile.FileInformationClass, FileDispositionInformation);
    EXPECT_EQ(seen[1].parameters.SetFile.DeleteHandle, h);
    // A bare name with no RootDirectory renames in place: no target file object.
    EXPECT_EQ(seen[2].parameters.SetFile.FileInformationClass, FileRenameInformation);
    EXPECT_EQ(seen[2].parameters.SetFile.FileObject, nullptr);
    EXPECT_TRUE(seen[2].parameters.SetFile.ReplaceIfExists);
    close(h);
}

TEST_F(InformationTest, rename_to_a_full_path_passes_the_opened_target) {
    HANDLE h = open_sync();
    const wchar_t target[] = L"\\??\\InfoDev\\other";
    alignas(8) UCHAR buffer[128] = {};
    auto* rename = reinterpret_cast<FILE_RENAME_INFORMATION*>(buffer);
    rename->FileNameLength = sizeof(target) - sizeof(WCHAR);
    std::memcpy(rename->FileName, target, rename->FileNameLength);
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtSetInformationFile(h, &iosb, rename, sizeof(buffer), FileRenameInformation), STATUS_SUCCESS);
    auto seen = requests();
    ASSERT_EQ(seen.size(), 1u);
    ASSERT_NE(seen[0].parameters.SetFile.FileObject, nullptr);
    EXPECT_NE(seen[0].parameters.SetFile.FileObject, seen[0].file);
    EXPECT_FALSE(seen[0].parameters.SetFile.ReplaceIfExists);

    // A name that does not fit the buffer, and a target on another device.
    rename->FileNameLength = sizeof(buffer);
    iosb = untouched_iosb();
    EXPECT_EQ(NtSetInformationFile(h, &iosb, rename, sizeof(buffer), FileRenameInformation), STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(is_untouched(iosb));
    const wchar_t elsewhere[] = L"\\??\\InfoRaw\\x";
    rename->FileNameLength = sizeof(elsewhere) - sizeof(WCHAR);
    std::memcpy(rename->FileName, elsewhere, rename->FileNameLength);
    EXPECT_EQ(NtSetInformationFile(h, &iosb, rename, sizeof(buffer), FileRenameInformation), STATUS_NOT_SAME_DEVICE);
    EXPECT_TRUE(is_untouched(iosb));
    EXPECT_TRUE(requests().empty());
    close(h);
}

TEST_F(InformationTest, bad_handles_and_pointers_leave_the_iosb_alone) {
    BadMemory bad;
    FILE_BASIC_INFORMATION basic{};
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtQueryInformationFile(nullptr, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtQueryInformationFile(reinterpret_cast<HANDLE>(0x7777770), &iosb, &basic, sizeof(basic),
                                     FileBasicInformation),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(NtSetInformationFile(nullptr, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_INVALID_HANDLE);
    EXPECT_TRUE(is_untouched(iosb));
    HANDLE event = nullptr;
    ASSERT_EQ(NtCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(NtQueryInformationFile(event, &iosb, &basic, sizeof(basic), FileBasicInformation),
              STATUS_OBJECT_TYPE_MISMATCH);
    close(event);
    HANDLE h = open_sync();
    EXPECT_EQ(NtQueryInformationFile(h, nullptr, &basic, sizeof(basic), FileBasicInformation), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryInformationFile(h, bad.read_only<IO_STATUS_BLOCK>(), &basic, sizeof(basic), FileBasicInformation),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, nullptr, sizeof(basic), FileBasicInformation), STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, bad.read_only<UCHAR>(), sizeof(basic), FileBasicInformation),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtSetInformationFile(h, &iosb, bad.no_access<UCHAR>(), sizeof(basic), FileBasicInformation),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, reinterpret_cast<UCHAR*>(&basic) + 1, sizeof(basic) - 8,
                                     FileModeInformation),
              STATUS_DATATYPE_MISALIGNMENT);
    EXPECT_TRUE(is_untouched(iosb));
    EXPECT_TRUE(requests().empty());
    close(h);
}

// NT fact E13 (the inferred half: NtQueryInformationFile / NtSetInformationFile block like the
// volume query): both handle kinds block; a pended error reaches the IOSB only on async handles.
TEST_F(InformationTest, query_and_set_block_on_both_handle_kinds) {
    for (bool async : {false, true}) {
        HANDLE h = async ? open_async() : open_sync();
        g_state.pend = true;
        g_state.status = STATUS_DEVICE_NOT_READY;
        FILE_BASIC_INFORMATION basic{};
        IO_STATUS_BLOCK iosb = untouched_iosb();
        EXPECT_EQ(NtQueryInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_DEVICE_NOT_READY);
        if (async) {
            EXPECT_EQ(iosb.Status, STATUS_DEVICE_NOT_READY);
            EXPECT_EQ(iosb.Information, 0u);
        } else {
            EXPECT_TRUE(is_untouched(iosb));
        }
        iosb = untouched_iosb();
        EXPECT_EQ(NtSetInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_DEVICE_NOT_READY);
        EXPECT_EQ(is_untouched(iosb), !async);
        g_state.status = STATUS_SUCCESS;
        iosb = untouched_iosb();
        EXPECT_EQ(NtQueryInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_SUCCESS);
        EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
        EXPECT_EQ(iosb.Information, 0u);
        // A non-pended error leaves the IOSB alone on both (NT facts E2, E5).
        g_state.pend = false;
        g_state.status = STATUS_UNSUCCESSFUL;
        iosb = untouched_iosb();
        EXPECT_EQ(NtQueryInformationFile(h, &iosb, &basic, sizeof(basic), FileBasicInformation), STATUS_UNSUCCESSFUL);
        EXPECT_TRUE(is_untouched(iosb));
        for (const Record& r : requests()) EXPECT_TRUE(r.synchronous_api);
        close(h);
        g_state.status = STATUS_SUCCESS;
    }
}

// NT facts F3 and F11, the services' part: the completion classes go to the ports code, never to
// the driver. The completion semantics themselves are the ports suite's.
TEST_F(InformationTest, completion_classes_never_reach_the_driver) {
    HANDLE sync = open_sync();
    PVOID completion[2] = {nullptr, nullptr};
    IO_STATUS_BLOCK iosb = untouched_iosb();
    const NTSTATUS status = NtSetInformationFile(sync, &iosb, completion, sizeof(completion), FileCompletionInformation);
    EXPECT_TRUE(requests().empty());
    EXPECT_EQ(status, STATUS_INVALID_PARAMETER);  // NT fact F3: synchronous handle
    ULONG flags = 0x1;                            // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
    EXPECT_EQ(NtSetInformationFile(sync, &iosb, &flags, sizeof(flags), FileIoCompletionNotificationInformation),
              STATUS_INVALID_PARAMETER);          // NT fact F11
    close(sync);
    HANDLE async = open_async();
    flags = 0xdeadbeef & ~0x1u;
    iosb = untouched_iosb();
    EXPECT_EQ(NtSetInformationFile(async, &iosb, &flags, sizeof(flags), FileIoCompletionNotificationInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    iosb = untouched_iosb();
    EXPECT_EQ(NtQueryInformationFile(async, &iosb, &flags, sizeof(flags), FileIoCompletionNotificationInformation),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(flags));
    EXPECT_TRUE(requests().empty());
    close(async);
}

}  // namespace
}  // namespace ntio::test::info
