// kernel32's attribute, time and copy calls on fastfat.sys through drive X:: GetFileAttributes(Ex),
// SetFileAttributes, GetFileTime / SetFileTime, GetCompressedFileSize, CopyFile and CopyFileEx with
// its progress routine and cancellation; the copies checked by mtools after the unmount.
#include "fastfat_win32_support.hpp"

#include <string>
#include <vector>

namespace ntio::test::drivers {
namespace {

std::vector<unsigned char> pattern(std::size_t size) {
    std::vector<unsigned char> data(size);
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<unsigned char>(i * 7 + i / 4096);
    return data;
}

// A file of `size` bytes of pattern(size), created new.
void write_file(const wchar_t* name, std::size_t size) {
    HANDLE f = CreateFileW(name, GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr);
    ASSERT_NE(f, INVALID_HANDLE_VALUE) << GetLastError();
    const std::vector<unsigned char> data = pattern(size);
    DWORD done = 0;
    if (size) {
        EXPECT_TRUE(WriteFile(f, data.data(), static_cast<DWORD>(size), &done, nullptr));
    }
    EXPECT_EQ(done, DWORD(size));
    EXPECT_TRUE(CloseHandle(f));
}

ULONGLONG as_u64(const FILETIME& ft) { return (ULONGLONG{ft.dwHighDateTime} << 32) | ft.dwLowDateTime; }

TEST_F(FastFatWin32Test, attributes_by_name_follow_set_file_attributes) {
    write_file(L"X:\\plain.txt", 100);
    ASSERT_TRUE(CreateDirectoryW(L"X:\\dir", nullptr));
    const DWORD file = GetFileAttributesW(L"X:\\plain.txt");
    ASSERT_NE(file, INVALID_FILE_ATTRIBUTES) << GetLastError();
    EXPECT_EQ(file & FILE_ATTRIBUTE_DIRECTORY, 0u);
    EXPECT_NE(GetFileAttributesA("X:\\dir") & FILE_ATTRIBUTE_DIRECTORY, 0u);
    EXPECT_EQ(GetFileAttributesW(L"X:\\none.txt"), INVALID_FILE_ATTRIBUTES);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(GetFileAttributesW(L"X:\\nodir\\x.txt"), INVALID_FILE_ATTRIBUTES);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_PATH_NOT_FOUND));

    ASSERT_TRUE(SetFileAttributesW(L"X:\\plain.txt", FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN)) << GetLastError();
    EXPECT_EQ(GetFileAttributesW(L"X:\\plain.txt") & (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN),
              DWORD(FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN));
    // Read-only: no open for writing.
    EXPECT_EQ(CreateFileW(L"X:\\plain.txt", GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr), INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    // 0 clears them (FILE_ATTRIBUTE_NORMAL), as does NORMAL.
    ASSERT_TRUE(SetFileAttributesA("X:\\plain.txt", 0)) << GetLastError();
    EXPECT_EQ(GetFileAttributesW(L"X:\\plain.txt") & (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN), 0u);
    ASSERT_TRUE(SetFileAttributesW(L"X:\\plain.txt", FILE_ATTRIBUTE_SYSTEM));
    ASSERT_TRUE(SetFileAttributesW(L"X:\\plain.txt", FILE_ATTRIBUTE_NORMAL));
    EXPECT_EQ(GetFileAttributesW(L"X:\\plain.txt") & FILE_ATTRIBUTE_SYSTEM, 0u);
    EXPECT_FALSE(SetFileAttributesW(L"X:\\none.txt", FILE_ATTRIBUTE_HIDDEN));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));

    WIN32_FILE_ATTRIBUTE_DATA data{};
    ASSERT_TRUE(GetFileAttributesExW(L"X:\\plain.txt", GetFileExInfoStandard, &data)) << GetLastError();
    EXPECT_EQ(data.nFileSizeLow, 100u);
    EXPECT_EQ(data.nFileSizeHigh, 0u);
    HANDLE h = CreateFileW(L"X:\\plain.txt", GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    BY_HANDLE_FILE_INFORMATION by_handle{};
    ASSERT_TRUE(GetFileInformationByHandle(h, &by_handle));
    EXPECT_TRUE(CloseHandle(h));
    EXPECT_EQ(data.dwFileAttributes, by_handle.dwFileAttributes);
    EXPECT_EQ(as_u64(data.ftLastWriteTime), as_u64(by_handle.ftLastWriteTime));
    EXPECT_EQ(as_u64(data.ftCreationTime), as_u64(by_handle.ftCreationTime));
    EXPECT_FALSE(GetFileAttributesExW(L"X:\\plain.txt", GetFileExMaxInfoLevel, &data));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(GetFileAttributesExA("X:\\none.txt", GetFileExInfoStandard, &data));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));

    // No compression on FAT: the compressed size is the size.
    DWORD high = 7;
    EXPECT_EQ(GetCompressedFileSizeW(L"X:\\plain.txt", &high), 100u);
    EXPECT_EQ(high, 0u);
    EXPECT_EQ(GetCompressedFileSizeA("X:\\none.txt", nullptr), INVALID_FILE_SIZE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
}

TEST_F(FastFatWin32Test, file_times_by_handle_and_setting_them_needs_write_attributes) {
    write_file(L"X:\\times.txt", 10);
    HANDLE h = CreateFileW(L"X:\\times.txt", FILE_WRITE_ATTRIBUTES | FILE_READ_ATTRIBUTES, 0, nullptr, OPEN_EXISTING, 0,
                           nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    FILETIME created{}, written{};
    ASSERT_TRUE(GetFileTime(h, &created, nullptr, &written)) << GetLastError();
    EXPECT_NE(as_u64(written), 0u);
    // 2020-01-01 00:00:00 UTC: an even second, which FAT can hold.
    FILETIME when;
    when.dwLowDateTime = static_cast<DWORD>(132223104000000000ULL);
    when.dwHighDateTime = static_cast<DWORD>(132223104000000000ULL >> 32);
    ASSERT_TRUE(SetFileTime(h, nullptr, nullptr, &when)) << GetLastError();
    FILETIME created_after{}, written_after{};
    ASSERT_TRUE(GetFileTime(h, &created_after, nullptr, &written_after));
    EXPECT_EQ(as_u64(written_after), as_u64(when));
    EXPECT_EQ(as_u64(created_after), as_u64(created));  // a NULL time stays
    EXPECT_TRUE(CloseHandle(h));
    WIN32_FILE_ATTRIBUTE_DATA data{};
    ASSERT_TRUE(GetFileAttributesExW(L"X:\\times.txt", GetFileExInfoStandard, &data));
    EXPECT_EQ(as_u64(data.ftLastWriteTime), as_u64(when));

    // A handle for data: CreateFile adds FILE_READ_ATTRIBUTES to what it asks for, not
    // FILE_WRITE_ATTRIBUTES.
    h = CreateFileW(L"X:\\times.txt", FILE_READ_DATA, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE);
    EXPECT_TRUE(GetFileTime(h, &created, nullptr, nullptr)) << GetLastError();
    EXPECT_FALSE(SetFileTime(h, nullptr, nullptr, &when));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    EXPECT_TRUE(CloseHandle(h));
    EXPECT_FALSE(GetFileTime(INVALID_HANDLE_VALUE, &created, nullptr, nullptr));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_HANDLE));
}

// A last write time the handle sets is not overwritten when the handle's writes are recorded at its
// close, and -1 keeps the handle's writes from changing it (FILE_BASIC_INFORMATION on Learn).
TEST_F(FastFatWin32Test, a_last_write_time_set_on_a_writing_handle_survives_its_close) {
    FILETIME past;  // 2020-01-01 00:00:00 UTC, an even second
    past.dwLowDateTime = static_cast<DWORD>(132223104000000000ULL);
    past.dwHighDateTime = static_cast<DWORD>(132223104000000000ULL >> 32);
    HANDLE h = CreateFileW(L"X:\\kept.txt", GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    DWORD done = 0;
    ASSERT_TRUE(WriteFile(h, "data", 4, &done, nullptr));
    ASSERT_TRUE(SetFileTime(h, nullptr, nullptr, &past)) << GetLastError();
    ASSERT_TRUE(WriteFile(h, "more", 4, &done, nullptr));  // after the set: the set time still stands
    EXPECT_TRUE(CloseHandle(h));
    WIN32_FILE_ATTRIBUTE_DATA data{};
    ASSERT_TRUE(GetFileAttributesExW(L"X:\\kept.txt", GetFileExInfoStandard, &data));
    EXPECT_EQ(as_u64(data.ftLastWriteTime), as_u64(past));
    EXPECT_EQ(data.nFileSizeLow, 8u);
    EXPECT_NE(data.dwFileAttributes & FILE_ATTRIBUTE_ARCHIVE, 0u);

    // -1 on another handle: its writes leave the time alone.
    h = CreateFileW(L"X:\\kept.txt", GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    FILETIME frozen{0xFFFFFFFFu, 0xFFFFFFFFu};
    ASSERT_TRUE(SetFileTime(h, nullptr, nullptr, &frozen)) << GetLastError();
    ASSERT_TRUE(WriteFile(h, "x", 1, &done, nullptr));
    EXPECT_TRUE(CloseHandle(h));
    ASSERT_TRUE(GetFileAttributesExW(L"X:\\kept.txt", GetFileExInfoStandard, &data));
    EXPECT_EQ(as_u64(data.ftLastWriteTime), as_u64(past));

    // A handle that only writes records its close's time.
    h = CreateFileW(L"X:\\kept.txt", GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    ASSERT_TRUE(WriteFile(h, "y", 1, &done, nullptr));
    EXPECT_TRUE(CloseHandle(h));
    ASSERT_TRUE(GetFileAttributesExW(L"X:\\kept.txt", GetFileExInfoStandard, &data));
    EXPECT_GT(as_u64(data.ftLastWriteTime), as_u64(past));
}

TEST_F(FastFatWin32Test, copy_file_copies_data_attributes_and_last_write_time) {
    constexpr std::size_t kSize = 200 * 1024 + 123;  // several chunks and a tail
    write_file(L"X:\\source.bin", kSize);
    ASSERT_TRUE(SetFileAttributesW(L"X:\\source.bin", FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_ARCHIVE));
    ASSERT_TRUE(CopyFileW(L"X:\\source.bin", L"X:\\copy.bin", TRUE)) << GetLastError();
    WIN32_FILE_ATTRIBUTE_DATA source{}, copy{};
    ASSERT_TRUE(GetFileAttributesExW(L"X:\\source.bin", GetFileExInfoStandard, &source));
    ASSERT_TRUE(GetFileAttributesExW(L"X:\\copy.bin", GetFileExInfoStandard, &copy));
    EXPECT_EQ(copy.nFileSizeLow, DWORD(kSize));
    EXPECT_EQ(copy.dwFileAttributes, source.dwFileAttributes);
    EXPECT_EQ(as_u64(copy.ftLastWriteTime), as_u64(source.ftLastWriteTime));

    // The copy is read-only like its source: copying over it is refused, and so is a hidden target.
    EXPECT_FALSE(CopyFileW(L"X:\\source.bin", L"X:\\copy.bin", FALSE));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    write_file(L"X:\\hidden.bin", 5);
    ASSERT_TRUE(SetFileAttributesW(L"X:\\hidden.bin", FILE_ATTRIBUTE_HIDDEN));
    EXPECT_FALSE(CopyFileA("X:\\source.bin", "X:\\hidden.bin", FALSE));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    // An ordinary target is replaced unless bFailIfExists.
    write_file(L"X:\\old.bin", 3);
    EXPECT_FALSE(CopyFileW(L"X:\\source.bin", L"X:\\old.bin", TRUE));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_EXISTS));
    ASSERT_TRUE(SetFileAttributesW(L"X:\\source.bin", FILE_ATTRIBUTE_NORMAL));
    EXPECT_TRUE(CopyFileA("X:\\source.bin", "X:\\old.bin", FALSE)) << GetLastError();
    EXPECT_EQ(GetCompressedFileSizeW(L"X:\\old.bin", nullptr), DWORD(kSize));

    EXPECT_FALSE(CopyFileW(L"X:\\none.bin", L"X:\\x.bin", FALSE));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(GetFileAttributesW(L"X:\\x.bin"), INVALID_FILE_ATTRIBUTES);
    // A directory is not copied.
    ASSERT_TRUE(CreateDirectoryW(L"X:\\dir", nullptr));
    EXPECT_FALSE(CopyFileW(L"X:\\dir", L"X:\\dir2", FALSE));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_ACCESS_DENIED));
    // A source someone writes without sharing writes cannot be read for the copy.
    HANDLE writer = CreateFileW(L"X:\\source.bin", GENERIC_WRITE, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(writer, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_FALSE(CopyFileW(L"X:\\source.bin", L"X:\\y.bin", FALSE));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_SHARING_VIOLATION));
    EXPECT_TRUE(CloseHandle(writer));
    EXPECT_FALSE(CopyFileExW(L"X:\\source.bin", L"X:\\y.bin", nullptr, nullptr, nullptr, 0x80000000u));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_INVALID_PARAMETER));

    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mtype(m_image, "copy.bin"), pattern(kSize));
    EXPECT_EQ(fat::mtype(m_image, "old.bin"), pattern(kSize));
}

struct ProgressLog {
    std::vector<DWORD> reasons;
    std::vector<LONGLONG> transferred;
    LONGLONG total = -1;
    DWORD answer_at_chunk = PROGRESS_CONTINUE;  // the answer from the first chunk on
    BOOL* cancel_at_chunk = nullptr;            // set TRUE at the first chunk
};

DWORD WINAPI LogProgress(LARGE_INTEGER TotalFileSize, LARGE_INTEGER TotalBytesTransferred, LARGE_INTEGER StreamSize,
                         LARGE_INTEGER StreamBytesTransferred, DWORD dwStreamNumber, DWORD dwCallbackReason,
                         HANDLE hSourceFile, HANDLE hDestinationFile, LPVOID lpData) {
    auto* log = static_cast<ProgressLog*>(lpData);
    log->reasons.push_back(dwCallbackReason);
    log->transferred.push_back(TotalBytesTransferred.QuadPart);
    log->total = TotalFileSize.QuadPart;
    EXPECT_EQ(StreamSize.QuadPart, TotalFileSize.QuadPart);
    EXPECT_EQ(StreamBytesTransferred.QuadPart, TotalBytesTransferred.QuadPart);
    EXPECT_EQ(dwStreamNumber, 1u);
    EXPECT_NE(hSourceFile, nullptr);
    EXPECT_NE(hDestinationFile, nullptr);
    if (dwCallbackReason != CALLBACK_CHUNK_FINISHED) return PROGRESS_CONTINUE;
    if (log->cancel_at_chunk) *log->cancel_at_chunk = TRUE;
    return log->answer_at_chunk;
}

TEST_F(FastFatWin32Test, copy_file_ex_reports_progress_and_stops_or_cancels_on_request) {
    constexpr std::size_t kSize = 150 * 1024;
    write_file(L"X:\\big.bin", kSize);

    ProgressLog full;
    ASSERT_TRUE(CopyFileExW(L"X:\\big.bin", L"X:\\full.bin", LogProgress, &full, nullptr, 0)) << GetLastError();
    ASSERT_GE(full.reasons.size(), 3u);
    EXPECT_EQ(full.reasons[0], DWORD(CALLBACK_STREAM_SWITCH));
    EXPECT_EQ(full.transferred[0], 0);
    for (std::size_t i = 1; i < full.reasons.size(); ++i) {
        EXPECT_EQ(full.reasons[i], DWORD(CALLBACK_CHUNK_FINISHED));
        EXPECT_GT(full.transferred[i], full.transferred[i - 1]);
    }
    EXPECT_EQ(full.transferred.back(), LONGLONG(kSize));
    EXPECT_EQ(full.total, LONGLONG(kSize));

    // PROGRESS_QUIET: no more calls, the copy completes.
    ProgressLog quiet;
    quiet.answer_at_chunk = PROGRESS_QUIET;
    ASSERT_TRUE(CopyFileExW(L"X:\\big.bin", L"X:\\quiet.bin", LogProgress, &quiet, nullptr, 0)) << GetLastError();
    EXPECT_EQ(quiet.reasons.size(), 2u);
    EXPECT_EQ(GetCompressedFileSizeW(L"X:\\quiet.bin", nullptr), DWORD(kSize));

    // PROGRESS_CANCEL deletes the destination; PROGRESS_STOP keeps what was copied.
    ProgressLog cancel;
    cancel.answer_at_chunk = PROGRESS_CANCEL;
    EXPECT_FALSE(CopyFileExW(L"X:\\big.bin", L"X:\\cancel.bin", LogProgress, &cancel, nullptr, 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_REQUEST_ABORTED));
    EXPECT_EQ(cancel.reasons.size(), 2u);
    EXPECT_EQ(GetFileAttributesW(L"X:\\cancel.bin"), INVALID_FILE_ATTRIBUTES);
    ProgressLog stop;
    stop.answer_at_chunk = PROGRESS_STOP;
    EXPECT_FALSE(CopyFileExW(L"X:\\big.bin", L"X:\\stop.bin", LogProgress, &stop, nullptr, 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_REQUEST_ABORTED));
    const DWORD stopped = GetCompressedFileSizeW(L"X:\\stop.bin", nullptr);
    EXPECT_GT(stopped, 0u);
    EXPECT_LT(stopped, DWORD(kSize));

    // *pbCancel set during the copy cancels it at the next check, as PROGRESS_CANCEL does.
    BOOL cancel_flag = FALSE;
    ProgressLog flagged;
    flagged.cancel_at_chunk = &cancel_flag;
    EXPECT_FALSE(CopyFileExW(L"X:\\big.bin", L"X:\\flagged.bin", LogProgress, &flagged, &cancel_flag, 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_REQUEST_ABORTED));
    EXPECT_EQ(flagged.reasons.size(), 2u);
    EXPECT_EQ(GetFileAttributesW(L"X:\\flagged.bin"), INVALID_FILE_ATTRIBUTES);
    cancel_flag = TRUE;  // set before the copy: nothing is copied
    EXPECT_FALSE(CopyFileExW(L"X:\\big.bin", L"X:\\never.bin", nullptr, nullptr, &cancel_flag, 0));
    EXPECT_EQ(GetLastError(), DWORD(ERROR_REQUEST_ABORTED));
    EXPECT_EQ(GetFileAttributesW(L"X:\\never.bin"), INVALID_FILE_ATTRIBUTES);

    unmount();
    expect_fsck_clean();
    EXPECT_EQ(fat::mtype(m_image, "full.bin"), pattern(kSize));
    EXPECT_EQ(fat::mtype(m_image, "quiet.bin"), pattern(kSize));
    const std::vector<unsigned char> partial = fat::mtype(m_image, "stop.bin");
    const std::vector<unsigned char> expected = pattern(kSize);
    EXPECT_EQ(partial, std::vector<unsigned char>(expected.begin(), expected.begin() + partial.size()));
}

}  // namespace
}  // namespace ntio::test::drivers
