// FsRtlValidateReparsePointBuffer: well-formed mount point, symbolic link, generic Microsoft and
// third-party (GUID) buffers pass; lengths that disagree with the header, buffers too short or too
// long, names outside the data are STATUS_IO_REPARSE_DATA_INVALID; reserved tags and tag bits are
// STATUS_IO_REPARSE_TAG_INVALID.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlvalidatereparsepointbuffer
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include <ntifs.h>

namespace reparse_buffer_test {

static_assert(REPARSE_DATA_BUFFER_HEADER_SIZE == 8);
static_assert(REPARSE_GUID_DATA_BUFFER_HEADER_SIZE == 24);
static_assert(offsetof(REPARSE_DATA_BUFFER, MountPointReparseBuffer.PathBuffer) == 16);
static_assert(offsetof(REPARSE_DATA_BUFFER, SymbolicLinkReparseBuffer.PathBuffer) == 20);

// A buffer of `bytes` bytes (8-aligned) with the header filled.
struct Buffer {
    explicit Buffer(ULONG tag, USHORT data_length, ULONG bytes) : storage((bytes + 7) / 8 + 1, 0) {
        get()->ReparseTag = tag;
        get()->ReparseDataLength = data_length;
    }
    PREPARSE_DATA_BUFFER get() { return reinterpret_cast<PREPARSE_DATA_BUFFER>(storage.data()); }
    std::vector<ULONGLONG> storage;
};

const WCHAR kSubstitute[] = L"\\??\\C:\\target";
const WCHAR kPrint[] = L"C:\\target";
constexpr USHORT kSubstituteBytes = sizeof(kSubstitute) - sizeof(WCHAR);
constexpr USHORT kPrintBytes = sizeof(kPrint) - sizeof(WCHAR);

// A mount point with both names, back to back, each followed by its terminating NUL.
Buffer mount_point(ULONG* length) {
    const USHORT path = kSubstituteBytes + sizeof(WCHAR) + kPrintBytes + sizeof(WCHAR);
    const USHORT data = 8 + path;
    Buffer b(IO_REPARSE_TAG_MOUNT_POINT, data, REPARSE_DATA_BUFFER_HEADER_SIZE + data);
    auto& m = b.get()->MountPointReparseBuffer;
    m.SubstituteNameOffset = 0;
    m.SubstituteNameLength = kSubstituteBytes;
    m.PrintNameOffset = kSubstituteBytes + sizeof(WCHAR);
    m.PrintNameLength = kPrintBytes;
    std::memcpy(m.PathBuffer, kSubstitute, sizeof(kSubstitute));
    std::memcpy(reinterpret_cast<UCHAR*>(m.PathBuffer) + m.PrintNameOffset, kPrint, sizeof(kPrint));
    *length = REPARSE_DATA_BUFFER_HEADER_SIZE + data;
    return b;
}

TEST(ReparseBufferTest, well_formed_buffers_pass) {
    ULONG length = 0;
    Buffer mount = mount_point(&length);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(length, mount.get()), STATUS_SUCCESS);

    const USHORT link_data = 12 + kSubstituteBytes + kPrintBytes;
    Buffer link(IO_REPARSE_TAG_SYMLINK, link_data, REPARSE_DATA_BUFFER_HEADER_SIZE + link_data);
    auto& s = link.get()->SymbolicLinkReparseBuffer;
    s.PrintNameOffset = 0;
    s.PrintNameLength = kPrintBytes;
    s.SubstituteNameOffset = kPrintBytes;
    s.SubstituteNameLength = kSubstituteBytes;
    s.Flags = 0;
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(REPARSE_DATA_BUFFER_HEADER_SIZE + link_data, link.get()), STATUS_SUCCESS);

    Buffer empty(IO_REPARSE_TAG_DEDUP, 0, REPARSE_DATA_BUFFER_HEADER_SIZE);  // Microsoft tag, no data
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(REPARSE_DATA_BUFFER_HEADER_SIZE, empty.get()), STATUS_SUCCESS);

    // A third-party tag: a REPARSE_GUID_DATA_BUFFER with its 24-byte header.
    Buffer guid(0x00001234, 10, REPARSE_GUID_DATA_BUFFER_HEADER_SIZE + 10);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(REPARSE_GUID_DATA_BUFFER_HEADER_SIZE + 10, guid.get()), STATUS_SUCCESS);

    Buffer biggest(IO_REPARSE_TAG_DEDUP, MAXIMUM_REPARSE_DATA_BUFFER_SIZE - REPARSE_DATA_BUFFER_HEADER_SIZE,
                   MAXIMUM_REPARSE_DATA_BUFFER_SIZE);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(MAXIMUM_REPARSE_DATA_BUFFER_SIZE, biggest.get()), STATUS_SUCCESS);
}

TEST(ReparseBufferTest, inconsistent_lengths_are_invalid_data) {
    Buffer b(IO_REPARSE_TAG_DEDUP, 16, 64);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(24, b.get()), STATUS_SUCCESS);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(25, b.get()), STATUS_IO_REPARSE_DATA_INVALID);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(23, b.get()), STATUS_IO_REPARSE_DATA_INVALID);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(7, b.get()), STATUS_IO_REPARSE_DATA_INVALID);   // shorter than a header
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(0, b.get()), STATUS_IO_REPARSE_DATA_INVALID);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(24, nullptr), STATUS_IO_REPARSE_DATA_INVALID);
    Buffer huge(IO_REPARSE_TAG_DEDUP, MAXIMUM_REPARSE_DATA_BUFFER_SIZE - REPARSE_DATA_BUFFER_HEADER_SIZE + 1,
                MAXIMUM_REPARSE_DATA_BUFFER_SIZE + 1);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(MAXIMUM_REPARSE_DATA_BUFFER_SIZE + 1, huge.get()),
              STATUS_IO_REPARSE_DATA_INVALID);
    // A third-party tag measured with the Microsoft header, or shorter than its own header.
    Buffer third(0x00001234, 16, 64);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(24, third.get()), STATUS_IO_REPARSE_DATA_INVALID);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(40, third.get()), STATUS_SUCCESS);
    Buffer short_third(0x00001234, 0, 16);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(8, short_third.get()), STATUS_IO_REPARSE_DATA_INVALID);
}

TEST(ReparseBufferTest, names_outside_the_data_are_invalid) {
    ULONG length = 0;
    Buffer mount = mount_point(&length);
    auto& m = mount.get()->MountPointReparseBuffer;
    m.PrintNameLength += 4;  // runs past the data
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(length, mount.get()), STATUS_IO_REPARSE_DATA_INVALID);
    m.PrintNameLength -= 4;
    m.SubstituteNameOffset = 0xFFF0;
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(length, mount.get()), STATUS_IO_REPARSE_DATA_INVALID);
    // Too little data for a mount point's four name fields.
    Buffer stub(IO_REPARSE_TAG_MOUNT_POINT, 4, 12);
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(12, stub.get()), STATUS_IO_REPARSE_DATA_INVALID);
    Buffer link_stub(IO_REPARSE_TAG_SYMLINK, 8, 16);  // no room for Flags
    EXPECT_EQ(FsRtlValidateReparsePointBuffer(16, link_stub.get()), STATUS_IO_REPARSE_DATA_INVALID);
}

TEST(ReparseBufferTest, reserved_tags_and_bits_are_invalid_tags) {
    for (ULONG tag : {0u, 1u, 2u, 0x80000000u | 0x00010000u, 0x0FFF0000u | 0x1234u}) {
        Buffer b(tag, 0, REPARSE_GUID_DATA_BUFFER_HEADER_SIZE);
        EXPECT_EQ(FsRtlValidateReparsePointBuffer(REPARSE_DATA_BUFFER_HEADER_SIZE, b.get()), STATUS_IO_REPARSE_TAG_INVALID)
            << std::hex << tag;
    }
    EXPECT_TRUE(IsReparseTagValid(static_cast<ULONG>(IO_REPARSE_TAG_SYMLINK)));
    EXPECT_TRUE(IsReparseTagNameSurrogate(static_cast<ULONG>(IO_REPARSE_TAG_MOUNT_POINT)));
    EXPECT_FALSE(IsReparseTagMicrosoft(0x1234u));
}

}  // namespace reparse_buffer_test
