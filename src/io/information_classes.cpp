// NT's per-class tables of the information services and of IoCheckQuerySet*Information /
// IoCheckFunctionAccess (the I/O manager's IopQueryOperationLength /
// IopSetOperationAccess family): for each class and direction the minimum buffer length (0: the
// class is not valid that way, STATUS_INVALID_INFO_CLASS) and the access the handle must grant.
// Access rules: https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwqueryinformationfile,
// .../nf-wdm-zwsetinformationfile and .../ntifs/nf-ntifs-ntqueryvolumeinformationfile.
// NT deviation: classes newer than the ones listed (FileIoPriorityHintInformation,
// FileIsRemoteDeviceInformation, FileStatInformation and later) are not supported and return
// STATUS_INVALID_INFO_CLASS.
#include "io/information_classes.hpp"

namespace ntio::io::info {
namespace {

struct Entry {
    int info_class;
    ClassRule rule;
};

constexpr ULONG kPipeLocalSize = 10 * sizeof(ULONG);
constexpr ULONG kStreamSize = 32;          // FILE_STREAM_INFORMATION
constexpr ULONG kPipeRemoteSize = 16;      // FILE_PIPE_REMOTE_INFORMATION
constexpr ULONG kMailslotQuerySize = 24;   // FILE_MAILSLOT_QUERY_INFORMATION
constexpr ULONG kMailslotSetSize = 8;      // FILE_MAILSLOT_SET_INFORMATION
constexpr ULONG kCompressionSize = 16;     // FILE_COMPRESSION_INFORMATION
constexpr ULONG kObjectIdSize = 72;        // FILE_OBJECTID_INFORMATION
constexpr ULONG kReparsePointSize = 16;    // FILE_REPARSE_POINT_INFORMATION
constexpr ULONG kCompletionSize = 16;      // FILE_COMPLETION_INFORMATION (HANDLE Port, PVOID Key)
constexpr ULONG kMoveClusterSize = 24;     // FILE_MOVE_CLUSTER_INFORMATION
constexpr ULONG kProcessIdsSize = 16;      // FILE_PROCESS_IDS_USING_FILE_INFORMATION
constexpr ULONG kStandardLinkSize = 12;    // FILE_STANDARD_LINK_INFORMATION
constexpr ULONG kIdSize = 24;              // FILE_ID_INFORMATION

constexpr Entry kQueryFile[] = {
    {FileBasicInformation, {sizeof(FILE_BASIC_INFORMATION), FILE_READ_ATTRIBUTES}},
    {FileStandardInformation, {sizeof(FILE_STANDARD_INFORMATION), 0}},
    {FileInternalInformation, {sizeof(FILE_INTERNAL_INFORMATION), 0}},
    {FileEaInformation, {sizeof(FILE_EA_INFORMATION), 0}},
    {FileAccessInformation, {sizeof(FILE_ACCESS_INFORMATION), 0}},
    {FileNameInformation, {sizeof(FILE_NAME_INFORMATION), 0}},
    {FilePositionInformation, {sizeof(FILE_POSITION_INFORMATION), 0}},
    {FileFullEaInformation, {sizeof(FILE_FULL_EA_INFORMATION), FILE_READ_EA}},
    {FileModeInformation, {sizeof(FILE_MODE_INFORMATION), 0}},
    {FileAlignmentInformation, {sizeof(FILE_ALIGNMENT_INFORMATION), 0}},
    {FileAllInformation, {sizeof(FILE_ALL_INFORMATION), FILE_READ_ATTRIBUTES}},
    {FileAlternateNameInformation, {sizeof(FILE_NAME_INFORMATION), 0}},
    {FileStreamInformation, {kStreamSize, 0}},
    {FilePipeInformation, {2 * sizeof(ULONG), FILE_READ_ATTRIBUTES}},
    {FilePipeLocalInformation, {kPipeLocalSize, FILE_READ_ATTRIBUTES}},
    {FilePipeRemoteInformation, {kPipeRemoteSize, FILE_READ_ATTRIBUTES}},
    {FileMailslotQueryInformation, {kMailslotQuerySize, 0}},
    {FileCompressionInformation, {kCompressionSize, 0}},
    {FileObjectIdInformation, {kObjectIdSize, 0}},
    {FileQuotaInformation, {sizeof(FILE_QUOTA_INFORMATION), 0}},
    {FileReparsePointInformation, {kReparsePointSize, 0}},
    {FileNetworkOpenInformation, {sizeof(FILE_NETWORK_OPEN_INFORMATION), FILE_READ_ATTRIBUTES}},
    {FileAttributeTagInformation, {sizeof(FILE_ATTRIBUTE_TAG_INFORMATION), FILE_READ_ATTRIBUTES}},
    {FileIoCompletionNotificationInformation, {sizeof(ULONG), 0}},
    {FileProcessIdsUsingFileInformation, {kProcessIdsSize, 0}},
    {FileNormalizedNameInformation, {sizeof(FILE_NAME_INFORMATION), 0}},
    {FileNetworkPhysicalNameInformation, {sizeof(FILE_NAME_INFORMATION), 0}},
    {FileStandardLinkInformation, {kStandardLinkSize, 0}},
    {FileIdInformation, {kIdSize, 0}},
    {FileCaseSensitiveInformation, {sizeof(ULONG), 0}},
};

constexpr Entry kSetFile[] = {
    {FileBasicInformation, {sizeof(FILE_BASIC_INFORMATION), FILE_WRITE_ATTRIBUTES}},
    {FileRenameInformation, {sizeof(FILE_RENAME_INFORMATION), DELETE}},
    {FileLinkInformation, {sizeof(FILE_LINK_INFORMATION), 0}},
    {FileDispositionInformation, {sizeof(FILE_DISPOSITION_INFORMATION), DELETE}},
    {FilePositionInformation, {sizeof(FILE_POSITION_INFORMATION), 0}},
    {FileModeInformation, {sizeof(FILE_MODE_INFORMATION), 0}},
    {FileAllocationInformation, {sizeof(FILE_ALLOCATION_INFORMATION), FILE_WRITE_DATA}},
    {FileEndOfFileInformation, {sizeof(FILE_END_OF_FILE_INFORMATION), FILE_WRITE_DATA}},
    {FilePipeInformation, {2 * sizeof(ULONG), FILE_WRITE_ATTRIBUTES}},
    {FilePipeRemoteInformation, {kPipeRemoteSize, FILE_WRITE_ATTRIBUTES}},
    // No access: SetMailslotInfo is the mailslot server's call ("These functions are used by the
    // mailslot server", Creating a Mailslot on Microsoft Learn), and the server's handle from
    // CreateMailslot cannot write (Windows answers its NtWriteFile with STATUS_ACCESS_DENIED).
    {FileMailslotSetInformation, {kMailslotSetSize, 0}},
    {FileObjectIdInformation, {kObjectIdSize, 0}},
    {FileCompletionInformation, {kCompletionSize, 0}},
    {FileMoveClusterInformation, {kMoveClusterSize, FILE_WRITE_DATA}},
    {FileQuotaInformation, {sizeof(FILE_QUOTA_INFORMATION), FILE_WRITE_DATA}},
    {FileValidDataLengthInformation, {sizeof(FILE_VALID_DATA_LENGTH_INFORMATION), FILE_WRITE_DATA}},
    {FileShortNameInformation, {sizeof(FILE_NAME_INFORMATION), DELETE}},
    {FileIoCompletionNotificationInformation, {sizeof(ULONG), 0}},
    {FileReplaceCompletionInformation, {kCompletionSize, 0}},
    {FileDispositionInformationEx, {sizeof(FILE_DISPOSITION_INFORMATION_EX), DELETE}},
    {FileRenameInformationEx, {sizeof(FILE_RENAME_INFORMATION), DELETE}},
    {FileLinkInformationEx, {sizeof(FILE_LINK_INFORMATION), 0}},
    {FileCaseSensitiveInformation, {sizeof(ULONG), FILE_WRITE_ATTRIBUTES}},
};

constexpr Entry kQueryVolume[] = {
    {FileFsVolumeInformation, {sizeof(FILE_FS_VOLUME_INFORMATION), 0}},
    {FileFsSizeInformation, {sizeof(FILE_FS_SIZE_INFORMATION), 0}},
    {FileFsDeviceInformation, {sizeof(FILE_FS_DEVICE_INFORMATION), 0}},
    {FileFsAttributeInformation, {sizeof(FILE_FS_ATTRIBUTE_INFORMATION), 0}},
    {FileFsControlInformation, {sizeof(FILE_FS_CONTROL_INFORMATION), FILE_READ_DATA}},
    {FileFsFullSizeInformation, {sizeof(FILE_FS_FULL_SIZE_INFORMATION), 0}},
    {FileFsObjectIdInformation, {sizeof(FILE_FS_OBJECTID_INFORMATION), 0}},
    {FileFsDriverPathInformation, {sizeof(FILE_FS_DRIVER_PATH_INFORMATION), 0}},
    {FileFsVolumeFlagsInformation, {sizeof(FILE_FS_VOLUME_FLAGS_INFORMATION), 0}},
    {FileFsSectorSizeInformation, {sizeof(FILE_FS_SECTOR_SIZE_INFORMATION), 0}},
    {FileFsDataCopyInformation, {sizeof(FILE_FS_DATA_COPY_INFORMATION), 0}},
    {FileFsMetadataSizeInformation, {sizeof(FILE_FS_METADATA_SIZE_INFORMATION), 0}},
    {FileFsFullSizeInformationEx, {sizeof(FILE_FS_FULL_SIZE_INFORMATION_EX), 0}},
    {FileFsGuidInformation, {sizeof(FILE_FS_GUID_INFORMATION), 0}},
};

constexpr Entry kSetVolume[] = {
    {FileFsLabelInformation, {sizeof(FILE_FS_LABEL_INFORMATION), FILE_WRITE_DATA}},
    {FileFsControlInformation, {sizeof(FILE_FS_CONTROL_INFORMATION), FILE_WRITE_DATA}},
    {FileFsObjectIdInformation, {sizeof(FILE_FS_OBJECTID_INFORMATION), FILE_WRITE_DATA}},
    {FileFsVolumeFlagsInformation, {sizeof(FILE_FS_VOLUME_FLAGS_INFORMATION), FILE_WRITE_ATTRIBUTES}},
};

template <std::size_t N>
ClassRule find(const Entry (&table)[N], int info_class) noexcept {
    for (const Entry& entry : table)
        if (entry.info_class == info_class) return entry.rule;
    return {};
}

}  // namespace

ClassRule query_file_rule(FILE_INFORMATION_CLASS c) noexcept { return find(kQueryFile, static_cast<int>(c)); }
ClassRule set_file_rule(FILE_INFORMATION_CLASS c) noexcept { return find(kSetFile, static_cast<int>(c)); }
ClassRule query_volume_rule(FS_INFORMATION_CLASS c) noexcept { return find(kQueryVolume, static_cast<int>(c)); }
ClassRule set_volume_rule(FS_INFORMATION_CLASS c) noexcept { return find(kSetVolume, static_cast<int>(c)); }

}  // namespace ntio::io::info
