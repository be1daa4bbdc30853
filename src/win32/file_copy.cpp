// CopyFile and CopyFileEx: the source's data stream read and written in chunks through two handles,
// then its attributes and last write time given to the copy.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-copyfileexw
// https://learn.microsoft.com/windows/win32/api/winbase/nc-winbase-lpprogress_routine
#include <vector>

#include "win32/dos_paths.hpp"

using namespace ntio;

namespace {

constexpr DWORD kKnownFlags = COPY_FILE_FAIL_IF_EXISTS | COPY_FILE_RESTARTABLE | COPY_FILE_OPEN_SOURCE_FOR_WRITE |
                              COPY_FILE_ALLOW_DECRYPTED_DESTINATION | COPY_FILE_COPY_SYMLINK |
                              COPY_FILE_NO_BUFFERING;
constexpr ULONG kChunk = 64 * 1024;

// The request was cancelled by the caller (pbCancel, PROGRESS_CANCEL or PROGRESS_STOP): CopyFileEx
// fails with ERROR_REQUEST_ABORTED.
constexpr NTSTATUS kAborted = STATUS_REQUEST_ABORTED;

struct Handles {
    HANDLE source = nullptr;
    HANDLE target = nullptr;
    ~Handles() {
        if (source) (void)NtClose(source);
        if (target) (void)NtClose(target);
    }
};

struct Progress {
    LPPROGRESS_ROUTINE routine;
    LPVOID data;
    LPBOOL cancel;
    LARGE_INTEGER total;
    bool quiet = false;
};

// What the progress routine answered (PROGRESS_CONTINUE when there is none or it asked for quiet),
// with *pbCancel read first.
DWORD report(Progress& p, const Handles& h, LONGLONG done, DWORD reason) {
    if (p.cancel && *p.cancel) return PROGRESS_CANCEL;
    if (!p.routine || p.quiet) return PROGRESS_CONTINUE;
    LARGE_INTEGER transferred;
    transferred.QuadPart = done;
    const DWORD answer = p.routine(p.total, transferred, p.total, transferred, 1, reason, h.source, h.target, p.data);
    if (answer == PROGRESS_QUIET) p.quiet = true;
    return answer == PROGRESS_CANCEL || answer == PROGRESS_STOP ? answer : PROGRESS_CONTINUE;
}

NTSTATUS copy_data(Progress& p, const Handles& h, bool& keep_target) {
    // PROGRESS_CANCEL: "Cancel the copy operation and delete the destination file."
    // PROGRESS_STOP: "Stop the copy operation. It can be restarted at a later time." (the
    // destination stays).
    const DWORD first = report(p, h, 0, CALLBACK_STREAM_SWITCH);
    if (first != PROGRESS_CONTINUE) {
        keep_target = first == PROGRESS_STOP;
        return kAborted;
    }
    std::vector<unsigned char> buffer(kChunk);
    LONGLONG done = 0;
    for (;;) {
        IO_STATUS_BLOCK iosb{};
        NTSTATUS status = NtReadFile(h.source, nullptr, nullptr, nullptr, &iosb, buffer.data(), kChunk, nullptr, nullptr);
        if (status == STATUS_END_OF_FILE) return STATUS_SUCCESS;
        if (!NT_SUCCESS(status)) return status;
        const ULONG got = static_cast<ULONG>(iosb.Information);
        if (got == 0) return STATUS_SUCCESS;
        status = NtWriteFile(h.target, nullptr, nullptr, nullptr, &iosb, buffer.data(), got, nullptr, nullptr);
        if (!NT_SUCCESS(status)) return status;
        done += got;
        const DWORD answer = report(p, h, done, CALLBACK_CHUNK_FINISHED);
        if (answer != PROGRESS_CONTINUE) {
            keep_target = answer == PROGRESS_STOP;
            return kAborted;
        }
    }
}

BOOL copy_file(win32::DosPathAttributes& from, win32::DosPathAttributes& to, Progress progress, DWORD flags) {
    win32::ensure_system();
    // NT deviation (guessed): flags CopyFileEx does not document fail with ERROR_INVALID_PARAMETER.
    if (flags & ~kKnownFlags) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    NTSTATUS status = from.status();
    if (NT_SUCCESS(status)) status = to.status();
    if (!NT_SUCCESS(status)) return win32::succeeded(status);
    Handles h;
    IO_STATUS_BLOCK iosb{};
    // The source is read with others reading it only (a writer open elsewhere is a sharing violation:
    // "No thread can have the source file opened for writing", Moving and Replacing Files).
    const ACCESS_MASK source_access =
        GENERIC_READ | SYNCHRONIZE | ((flags & COPY_FILE_OPEN_SOURCE_FOR_WRITE) ? GENERIC_WRITE : 0);
    status = NtCreateFile(&h.source, source_access, from.get(), &iosb, nullptr, 0, FILE_SHARE_READ | FILE_SHARE_DELETE,
                          FILE_OPEN, FILE_NON_DIRECTORY_FILE | FILE_SEQUENTIAL_ONLY | FILE_SYNCHRONOUS_IO_NONALERT,
                          nullptr, 0);
    if (!NT_SUCCESS(status)) return win32::succeeded(status);
    FILE_BASIC_INFORMATION basic{};
    FILE_STANDARD_INFORMATION standard{};
    status = NtQueryInformationFile(h.source, &iosb, &basic, sizeof basic, FileBasicInformation);
    if (NT_SUCCESS(status)) status = NtQueryInformationFile(h.source, &iosb, &standard, sizeof standard, FileStandardInformation);
    if (!NT_SUCCESS(status)) return win32::succeeded(status);
    progress.total = standard.EndOfFile;
    // "This function fails with ERROR_ACCESS_DENIED if the destination file already exists and has
    // the FILE_ATTRIBUTE_HIDDEN or FILE_ATTRIBUTE_READONLY attribute set." (CopyFile's remarks)
    FILE_BASIC_INFORMATION existing{};
    const bool exists = NT_SUCCESS(NtQueryAttributesFile(to.get(), &existing));
    if (exists && (flags & COPY_FILE_FAIL_IF_EXISTS)) {
        SetLastError(ERROR_FILE_EXISTS);
        return FALSE;
    }
    if (exists && (existing.FileAttributes & (FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_READONLY))) {
        SetLastError(ERROR_ACCESS_DENIED);
        return FALSE;
    }
    // Created with the source's attributes but read-only (set at the end, with the last write time).
    const ULONG attributes = basic.FileAttributes & FILE_ATTRIBUTE_VALID_SET_FLAGS & ~FILE_ATTRIBUTE_READONLY;
    status = NtCreateFile(&h.target, GENERIC_WRITE | DELETE | SYNCHRONIZE, to.get(), &iosb, nullptr,
                          attributes ? attributes : FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ,
                          (flags & COPY_FILE_FAIL_IF_EXISTS) ? FILE_CREATE : FILE_OVERWRITE_IF,
                          FILE_NON_DIRECTORY_FILE | FILE_SEQUENTIAL_ONLY | FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
    if (status == STATUS_OBJECT_NAME_COLLISION) {
        SetLastError(ERROR_FILE_EXISTS);
        return FALSE;
    }
    if (!NT_SUCCESS(status)) return win32::succeeded(status);
    bool keep_target = true;
    status = copy_data(progress, h, keep_target);
    if (NT_SUCCESS(status)) {
        FILE_BASIC_INFORMATION copied{};
        copied.LastWriteTime = basic.LastWriteTime;
        copied.FileAttributes = basic.FileAttributes & FILE_ATTRIBUTE_VALID_SET_FLAGS;
        if (copied.FileAttributes == 0) copied.FileAttributes = FILE_ATTRIBUTE_NORMAL;
        status = NtSetInformationFile(h.target, &iosb, &copied, sizeof copied, FileBasicInformation);
        if (!NT_SUCCESS(status)) keep_target = false;
    } else if (status != kAborted) {
        // A copy that failed leaves no partial destination unless it may be restarted.
        keep_target = (flags & COPY_FILE_RESTARTABLE) != 0;
    }
    if (!keep_target) {
        FILE_DISPOSITION_INFORMATION dispose{TRUE};
        (void)NtSetInformationFile(h.target, &iosb, &dispose, sizeof dispose, FileDispositionInformation);
    }
    return win32::succeeded(status);
}

}  // namespace

extern "C" {

BOOL WINAPI CopyFileExW(LPCWSTR lpExistingFileName, LPCWSTR lpNewFileName, LPPROGRESS_ROUTINE lpProgressRoutine,
                        LPVOID lpData, LPBOOL pbCancel, DWORD dwCopyFlags) {
    win32::DosPathAttributes from(lpExistingFileName, nullptr);
    win32::DosPathAttributes to(lpNewFileName, nullptr);
    return copy_file(from, to, Progress{lpProgressRoutine, lpData, pbCancel, {}}, dwCopyFlags);
}

BOOL WINAPI CopyFileExA(LPCSTR lpExistingFileName, LPCSTR lpNewFileName, LPPROGRESS_ROUTINE lpProgressRoutine,
                        LPVOID lpData, LPBOOL pbCancel, DWORD dwCopyFlags) {
    win32::DosPathAttributes from(lpExistingFileName, nullptr);
    win32::DosPathAttributes to(lpNewFileName, nullptr);
    return copy_file(from, to, Progress{lpProgressRoutine, lpData, pbCancel, {}}, dwCopyFlags);
}

BOOL WINAPI CopyFileW(LPCWSTR lpExistingFileName, LPCWSTR lpNewFileName, BOOL bFailIfExists) {
    return CopyFileExW(lpExistingFileName, lpNewFileName, nullptr, nullptr, nullptr,
                       bFailIfExists ? COPY_FILE_FAIL_IF_EXISTS : 0);
}

BOOL WINAPI CopyFileA(LPCSTR lpExistingFileName, LPCSTR lpNewFileName, BOOL bFailIfExists) {
    return CopyFileExA(lpExistingFileName, lpNewFileName, nullptr, nullptr, nullptr,
                       bFailIfExists ? COPY_FILE_FAIL_IF_EXISTS : 0);
}

}  // extern "C"
