// The checks a kernel-mode server makes before acting on a caller's behalf, used as such a server
// uses them: IoCheckDesiredAccess, IoCheckFunctionAccess, IoCheckQuerySetFileInformation,
// IoCheckQuerySetVolumeInformation and IoCheckQuotaBufferValidity, answering as the services do.
#include <gtest/gtest.h>

#include <cstring>

#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace io_file_checks_test {

using FileChecksTest = ntio::test::SystemTest;

TEST_F(FileChecksTest, desired_access_maps_generic_rights_and_checks_them_against_granted) {
    ACCESS_MASK desired = GENERIC_READ;
    EXPECT_EQ(IoCheckDesiredAccess(&desired, FILE_GENERIC_READ), STATUS_SUCCESS);
    EXPECT_EQ(desired, static_cast<ACCESS_MASK>(FILE_GENERIC_READ));  // written back mapped

    desired = GENERIC_WRITE;
    EXPECT_EQ(IoCheckDesiredAccess(&desired, FILE_GENERIC_READ), STATUS_ACCESS_DENIED);
    EXPECT_EQ(desired, static_cast<ACCESS_MASK>(FILE_GENERIC_WRITE));

    desired = FILE_READ_DATA | FILE_WRITE_DATA;
    EXPECT_EQ(IoCheckDesiredAccess(&desired, FILE_READ_DATA), STATUS_ACCESS_DENIED);
    desired = FILE_READ_DATA;
    EXPECT_EQ(IoCheckDesiredAccess(&desired, FILE_ALL_ACCESS), STATUS_SUCCESS);
    desired = 0;
    EXPECT_EQ(IoCheckDesiredAccess(&desired, 0), STATUS_SUCCESS);
    EXPECT_EQ(IoCheckDesiredAccess(nullptr, FILE_ALL_ACCESS), STATUS_INVALID_PARAMETER);
}

TEST_F(FileChecksTest, function_access_asks_what_each_service_asks_of_the_handle) {
    EXPECT_EQ(IoCheckFunctionAccess(FILE_READ_DATA, IRP_MJ_READ, 0, 0, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_WRITE_DATA, IRP_MJ_READ, 0, 0, nullptr, nullptr), STATUS_ACCESS_DENIED);
    // Writes take either FILE_WRITE_DATA or FILE_APPEND_DATA.
    EXPECT_EQ(IoCheckFunctionAccess(FILE_APPEND_DATA, IRP_MJ_WRITE, 0, 0, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_READ_DATA, IRP_MJ_WRITE, 0, 0, nullptr, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_READ_EA, IRP_MJ_QUERY_EA, 0, 0, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_READ_EA, IRP_MJ_SET_EA, 0, 0, nullptr, nullptr), STATUS_ACCESS_DENIED);
    EXPECT_EQ(IoCheckFunctionAccess(0, IRP_MJ_DIRECTORY_CONTROL, IRP_MN_QUERY_DIRECTORY, 0, nullptr, nullptr),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_LIST_DIRECTORY, IRP_MJ_DIRECTORY_CONTROL, IRP_MN_QUERY_DIRECTORY, 0, nullptr,
                                    nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_WRITE_DATA, IRP_MJ_LOCK_CONTROL, IRP_MN_LOCK, 0, nullptr, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_READ_EA, IRP_MJ_LOCK_CONTROL, IRP_MN_LOCK, 0, nullptr, nullptr),
              STATUS_ACCESS_DENIED);
    // Functions that ask nothing of the handle.
    EXPECT_EQ(IoCheckFunctionAccess(0, IRP_MJ_CLEANUP, 0, 0, nullptr, nullptr), STATUS_SUCCESS);
}

TEST_F(FileChecksTest, function_access_of_a_control_code_is_its_required_access) {
    const ULONG any = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
    const ULONG read = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_READ_ACCESS);
    const ULONG both = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS);
    EXPECT_EQ(IoCheckFunctionAccess(0, IRP_MJ_DEVICE_CONTROL, 0, any, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_READ_DATA, IRP_MJ_DEVICE_CONTROL, 0, read, nullptr, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_WRITE_DATA, IRP_MJ_DEVICE_CONTROL, 0, read, nullptr, nullptr),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_READ_DATA, IRP_MJ_FILE_SYSTEM_CONTROL, 0, both, nullptr, nullptr),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_READ_DATA | FILE_WRITE_DATA, IRP_MJ_FILE_SYSTEM_CONTROL, 0, both, nullptr,
                                    nullptr),
              STATUS_SUCCESS);
}

TEST_F(FileChecksTest, function_access_of_information_classes_comes_from_the_class) {
    FILE_INFORMATION_CLASS file_class = FileBasicInformation;
    EXPECT_EQ(IoCheckFunctionAccess(FILE_READ_ATTRIBUTES, IRP_MJ_QUERY_INFORMATION, 0, 0, &file_class, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_READ_ATTRIBUTES, IRP_MJ_SET_INFORMATION, 0, 0, &file_class, nullptr),
              STATUS_ACCESS_DENIED);  // setting basic information needs FILE_WRITE_ATTRIBUTES
    file_class = FileDispositionInformation;
    EXPECT_EQ(IoCheckFunctionAccess(DELETE, IRP_MJ_SET_INFORMATION, 0, 0, &file_class, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_WRITE_DATA, IRP_MJ_SET_INFORMATION, 0, 0, &file_class, nullptr),
              STATUS_ACCESS_DENIED);
    file_class = FileStandardInformation;  // needs nothing
    EXPECT_EQ(IoCheckFunctionAccess(0, IRP_MJ_QUERY_INFORMATION, 0, 0, &file_class, nullptr), STATUS_SUCCESS);

    FS_INFORMATION_CLASS fs_class = FileFsLabelInformation;
    EXPECT_EQ(IoCheckFunctionAccess(FILE_WRITE_DATA, IRP_MJ_SET_VOLUME_INFORMATION, 0, 0, nullptr, &fs_class),
              STATUS_SUCCESS);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_READ_DATA, IRP_MJ_SET_VOLUME_INFORMATION, 0, 0, nullptr, &fs_class),
              STATUS_ACCESS_DENIED);
    fs_class = FileFsSizeInformation;
    EXPECT_EQ(IoCheckFunctionAccess(0, IRP_MJ_QUERY_VOLUME_INFORMATION, 0, 0, nullptr, &fs_class), STATUS_SUCCESS);

    // Missing class pointers, and classes not valid in that direction.
    EXPECT_EQ(IoCheckFunctionAccess(FILE_ALL_ACCESS, IRP_MJ_QUERY_INFORMATION, 0, 0, nullptr, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoCheckFunctionAccess(FILE_ALL_ACCESS, IRP_MJ_QUERY_VOLUME_INFORMATION, 0, 0, &file_class, nullptr),
              STATUS_INVALID_PARAMETER);
    file_class = FileRenameInformation;  // set only
    EXPECT_EQ(IoCheckFunctionAccess(FILE_ALL_ACCESS, IRP_MJ_QUERY_INFORMATION, 0, 0, &file_class, nullptr),
              STATUS_INVALID_INFO_CLASS);
}

TEST_F(FileChecksTest, query_set_file_information_checks_class_and_length) {
    EXPECT_EQ(IoCheckQuerySetFileInformation(FileBasicInformation, sizeof(FILE_BASIC_INFORMATION), FALSE),
              STATUS_SUCCESS);
    EXPECT_EQ(IoCheckQuerySetFileInformation(FileBasicInformation, sizeof(FILE_BASIC_INFORMATION) + 8, TRUE),
              STATUS_SUCCESS);
    EXPECT_EQ(IoCheckQuerySetFileInformation(FileBasicInformation, sizeof(FILE_BASIC_INFORMATION) - 1, FALSE),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(IoCheckQuerySetFileInformation(FileEndOfFileInformation, 0, TRUE), STATUS_INFO_LENGTH_MISMATCH);
    // Query-only and set-only classes, and classes that do not exist.
    EXPECT_EQ(IoCheckQuerySetFileInformation(FileStandardInformation, sizeof(FILE_STANDARD_INFORMATION), TRUE),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(IoCheckQuerySetFileInformation(FileEndOfFileInformation, sizeof(FILE_END_OF_FILE_INFORMATION), FALSE),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(IoCheckQuerySetFileInformation(static_cast<FILE_INFORMATION_CLASS>(0), 64, FALSE),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(IoCheckQuerySetFileInformation(static_cast<FILE_INFORMATION_CLASS>(0x7fff), 64, TRUE),
              STATUS_INVALID_INFO_CLASS);
}

TEST_F(FileChecksTest, query_set_volume_information_checks_class_and_length) {
    EXPECT_EQ(IoCheckQuerySetVolumeInformation(FileFsSizeInformation, sizeof(FILE_FS_SIZE_INFORMATION), FALSE),
              STATUS_SUCCESS);
    EXPECT_EQ(IoCheckQuerySetVolumeInformation(FileFsSizeInformation, sizeof(FILE_FS_SIZE_INFORMATION) - 1, FALSE),
              STATUS_INFO_LENGTH_MISMATCH);
    EXPECT_EQ(IoCheckQuerySetVolumeInformation(FileFsLabelInformation, sizeof(FILE_FS_LABEL_INFORMATION), TRUE),
              STATUS_SUCCESS);
    EXPECT_EQ(IoCheckQuerySetVolumeInformation(FileFsLabelInformation, sizeof(FILE_FS_LABEL_INFORMATION), FALSE),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(IoCheckQuerySetVolumeInformation(FileFsSizeInformation, sizeof(FILE_FS_SIZE_INFORMATION), TRUE),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(IoCheckQuerySetVolumeInformation(static_cast<FS_INFORMATION_CLASS>(0), 64, FALSE),
              STATUS_INVALID_INFO_CLASS);
}

// A FILE_QUOTA_INFORMATION list of SIDs with `subs` sub-authorities each, entries packed at
// ULONG-aligned offsets, built in ULONGLONG storage so that the buffer itself is aligned.
class QuotaList {
public:
    void add(UCHAR subs) {
        constexpr ULONG kHeader = FIELD_OFFSET(FILE_QUOTA_INFORMATION, Sid);
        const ULONG sid_length = FIELD_OFFSET(SID, SubAuthority) + subs * sizeof(ULONG);
        const ULONG size = (kHeader + sid_length + 7) & ~7u;
        if (m_last != ~0u) entry(m_last)->NextEntryOffset = m_length - m_last;
        m_last = m_length;
        m_length += size;
        FILE_QUOTA_INFORMATION* e = entry(m_last);
        e->NextEntryOffset = 0;
        e->SidLength = sid_length;
        SID* sid = reinterpret_cast<SID*>(&e->Sid);
        sid->Revision = SID_REVISION;
        sid->SubAuthorityCount = subs;
        sid->IdentifierAuthority.Value[5] = 5;  // NT authority
        for (UCHAR i = 0; i < subs; ++i) sid->SubAuthority[i] = 32u + i;
    }
    FILE_QUOTA_INFORMATION* entry(ULONG offset) {
        return reinterpret_cast<FILE_QUOTA_INFORMATION*>(reinterpret_cast<UCHAR*>(m_storage) + offset);
    }
    PFILE_QUOTA_INFORMATION buffer() { return entry(0); }
    ULONG length() const { return m_length; }

private:
    ULONGLONG m_storage[64]{};
    ULONG m_length = 0;
    ULONG m_last = ~0u;
};

TEST_F(FileChecksTest, quota_buffer_validity_accepts_a_well_formed_list) {
    QuotaList list;
    list.add(1);
    list.add(2);
    list.add(5);
    ULONG offset = 0xdead;
    EXPECT_EQ(IoCheckQuotaBufferValidity(list.buffer(), list.length(), &offset), STATUS_SUCCESS);
    EXPECT_EQ(offset, 0xdeadu);  // only written on error
}

TEST_F(FileChecksTest, quota_buffer_validity_reports_the_offending_entry) {
    QuotaList list;
    list.add(1);
    list.add(2);
    const ULONG second = list.buffer()->NextEntryOffset;
    ULONG offset = 0;

    // SidLength disagreeing with the SID's own length.
    list.entry(second)->SidLength += 4;
    EXPECT_EQ(IoCheckQuotaBufferValidity(list.buffer(), list.length(), &offset), STATUS_QUOTA_LIST_INCONSISTENT);
    EXPECT_EQ(offset, second);
    list.entry(second)->SidLength -= 4;

    // Not a SID (revision 2).
    reinterpret_cast<SID*>(&list.entry(second)->Sid)->Revision = 2;
    EXPECT_EQ(IoCheckQuotaBufferValidity(list.buffer(), list.length(), &offset), STATUS_QUOTA_LIST_INCONSISTENT);
    EXPECT_EQ(offset, second);
    reinterpret_cast<SID*>(&list.entry(second)->Sid)->Revision = SID_REVISION;

    // A link that is not ULONG-aligned, and one that leaves the buffer.
    list.buffer()->NextEntryOffset = second + 2;
    EXPECT_EQ(IoCheckQuotaBufferValidity(list.buffer(), list.length(), &offset), STATUS_QUOTA_LIST_INCONSISTENT);
    EXPECT_EQ(offset, 0u);
    list.buffer()->NextEntryOffset = list.length();
    EXPECT_EQ(IoCheckQuotaBufferValidity(list.buffer(), list.length(), &offset), STATUS_QUOTA_LIST_INCONSISTENT);
    EXPECT_EQ(offset, 0u);
    list.buffer()->NextEntryOffset = second;

    // A length that cuts the last entry short.
    EXPECT_EQ(IoCheckQuotaBufferValidity(list.buffer(), list.length() - 12, &offset), STATUS_QUOTA_LIST_INCONSISTENT);
    EXPECT_EQ(offset, second);
    EXPECT_EQ(IoCheckQuotaBufferValidity(list.buffer(), list.length(), &offset), STATUS_SUCCESS);
}

TEST_F(FileChecksTest, quota_buffer_validity_refuses_misaligned_and_empty_buffers) {
    QuotaList list;
    list.add(1);
    ULONG offset = 0xdead;
    auto* misaligned = reinterpret_cast<PFILE_QUOTA_INFORMATION>(reinterpret_cast<UCHAR*>(list.buffer()) + 2);
    EXPECT_EQ(IoCheckQuotaBufferValidity(misaligned, list.length() - 2, &offset), STATUS_DATATYPE_MISALIGNMENT);
    EXPECT_EQ(IoCheckQuotaBufferValidity(list.buffer(), 0, &offset), STATUS_QUOTA_LIST_INCONSISTENT);
    EXPECT_EQ(offset, 0u);
    EXPECT_EQ(IoCheckQuotaBufferValidity(nullptr, 64, &offset), STATUS_QUOTA_LIST_INCONSISTENT);
}

}  // namespace io_file_checks_test
