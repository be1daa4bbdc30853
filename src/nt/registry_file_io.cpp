// Whole-file transfers for the registry's file services (registry_file_io.hpp).
#include "nt/registry_file_io.hpp"

#include <ntifs.h>

namespace ntio::nt {

namespace {

// One synchronous transfer at `offset`, whether or not the handle was opened for synchronous I/O.
template <class Transfer>
NTSTATUS transfer_at(HANDLE file, LONGLONG offset, Transfer&& transfer, ULONG_PTR* information) {
    HANDLE event = nullptr;
    NTSTATUS status = ZwCreateEvent(&event, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE);
    if (!NT_SUCCESS(status)) return status;
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER at;
    at.QuadPart = offset;
    status = transfer(event, &iosb, &at);
    if (status == STATUS_PENDING) {
        (void)ZwWaitForSingleObject(event, FALSE, nullptr);
        status = iosb.Status;
    }
    (void)ZwClose(event);
    if (information) *information = NT_SUCCESS(status) ? iosb.Information : 0;
    return status;
}

}  // namespace

NTSTATUS write_whole_file(HANDLE file, const std::string& text) {
    ULONG_PTR written = 0;
    NTSTATUS status = transfer_at(
        file, 0,
        [&](HANDLE event, PIO_STATUS_BLOCK iosb, PLARGE_INTEGER at) {
            return ZwWriteFile(file, event, nullptr, nullptr, iosb, const_cast<char*>(text.data()),
                               static_cast<ULONG>(text.size()), at, nullptr);
        },
        &written);
    if (!NT_SUCCESS(status)) return status;
    if (written != text.size()) return STATUS_REGISTRY_IO_FAILED;
    // A longer file keeps no bytes of what it held before.
    FILE_END_OF_FILE_INFORMATION end{};
    end.EndOfFile.QuadPart = static_cast<LONGLONG>(text.size());
    IO_STATUS_BLOCK iosb{};
    return ZwSetInformationFile(file, &iosb, &end, sizeof(end), FileEndOfFileInformation);
}

NTSTATUS read_whole_file(HANDLE file, std::string& text) {
    FILE_STANDARD_INFORMATION standard{};
    IO_STATUS_BLOCK iosb{};
    NTSTATUS status = ZwQueryInformationFile(file, &iosb, &standard, sizeof(standard), FileStandardInformation);
    if (!NT_SUCCESS(status)) return status;
    if (standard.EndOfFile.QuadPart > kMaxSavedKeyBytes) return STATUS_INSUFFICIENT_RESOURCES;
    text.assign(static_cast<std::size_t>(standard.EndOfFile.QuadPart), '\0');
    if (text.empty()) return STATUS_SUCCESS;
    ULONG_PTR read = 0;
    status = transfer_at(
        file, 0,
        [&](HANDLE event, PIO_STATUS_BLOCK io, PLARGE_INTEGER at) {
            return ZwReadFile(file, event, nullptr, nullptr, io, text.data(), static_cast<ULONG>(text.size()), at,
                              nullptr);
        },
        &read);
    if (status == STATUS_END_OF_FILE) status = STATUS_SUCCESS;
    text.resize(read);
    return status;
}

}  // namespace ntio::nt
