// NtSaveKey(Ex) and NtRestoreKey with their Zw forms: a key and everything below it written to a
// file the caller opened, and such a file read back over a key.
// NT deviation: the file holds .reg text ("Windows Registry Editor Version 5.00", UTF-8), not the
// binary hive format Windows writes: ntio's hives are SQLite files, and the text is what `ntio reg
// export` writes and `ntio reg import` reads (docs/nt-deviations.md, config).
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include <string>

#include "config/key_object.hpp"
#include "config/reg_file.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/registry_file_io.hpp"
#include "nt/registry_callback_call.hpp"

using namespace ntio::nt;
using ntio::config::KeyBody;

namespace {

POBJECT_TYPE key_type() noexcept { return &ntio::config::g_key_type; }

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwsavekey (no page for
// the Ex form; RegSaveKeyEx gives its formats): the caller needs SeBackupPrivilege, the file handle
// write access; the key handle needs no particular right. Every format writes the same text.
NTSTATUS NTAPI NtSaveKeyEx(HANDLE KeyHandle, HANDLE FileHandle, ULONG Format) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (Format != REG_STANDARD_FORMAT && Format != REG_LATEST_FORMAT && Format != REG_NO_COMPRESSION)
        return STATUS_INVALID_PARAMETER;
    if (mode != KernelMode && !SeSinglePrivilegeCheck(SeExports->SeBackupPrivilege, mode))
        return STATUS_PRIVILEGE_NOT_HELD;
    HandleReference<KeyBody> key;
    NTSTATUS status = key.reference(KeyHandle, 0, key_type(), mode);
    if (!NT_SUCCESS(status)) return status;
    // The file handle checked as the caller's own; the I/O then runs as a kernel caller's on the
    // same handle, as NT's kernel-mode I/O may use a user handle.
    HandleReference<FILE_OBJECT> file;
    status = file.reference(FileHandle, FILE_WRITE_DATA, *IoFileObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    auto make_info = [&] {
        REG_SAVE_KEY_INFORMATION info{};
        info.FileHandle = FileHandle;
        info.Format = Format;
        return info;
    };
    return with_callbacks(*key.get(), RegNtPreSaveKey, make_info, [&]() -> NTSTATUS {
        std::u16string path;
        NTSTATUS found = key->manager->full_path(*key->node, path);  // STATUS_KEY_DELETED
        if (!NT_SUCCESS(found)) return found;
        std::string text;
        NTSTATUS saved = ntio::config::export_reg(*key->manager, path, text);
        if (!NT_SUCCESS(saved)) return saved;
        KernelModeCall kernel;
        return write_whole_file(FileHandle, text);
    });
}

NTSTATUS NTAPI NtSaveKey(HANDLE KeyHandle, HANDLE FileHandle) {
    return NtSaveKeyEx(KeyHandle, FileHandle, REG_STANDARD_FORMAT);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwrestorekey (flags as
// RegRestoreKey's page gives them): the caller needs SeRestorePrivilege, the file handle read
// access. The key keeps its name; its values and subkeys become the saved key's. A key open below
// it fails the restore (STATUS_CANNOT_DELETE) unless REG_FORCE_RESTORE. REG_NO_LAZY_FLUSH changes
// nothing (every change is committed when made).
// NT deviation: REG_WHOLE_HIVE_VOLATILE and REG_REFRESH_HIVE are STATUS_NOT_IMPLEMENTED (ntio makes
// no hive but the system's and keeps no flushed image to go back to).
NTSTATUS NTAPI NtRestoreKey(HANDLE KeyHandle, HANDLE FileHandle, ULONG Flags) {
    const KPROCESSOR_MODE mode = previous_mode();
    constexpr ULONG kValid = REG_WHOLE_HIVE_VOLATILE | REG_REFRESH_HIVE | REG_NO_LAZY_FLUSH | REG_FORCE_RESTORE;
    if (Flags & ~kValid) return STATUS_INVALID_PARAMETER;
    if (mode != KernelMode && !SeSinglePrivilegeCheck(SeExports->SeRestorePrivilege, mode))
        return STATUS_PRIVILEGE_NOT_HELD;
    HandleReference<KeyBody> key;
    NTSTATUS status = key.reference(KeyHandle, 0, key_type(), mode);
    if (!NT_SUCCESS(status)) return status;
    // The file handle checked as the caller's own; the I/O then runs as a kernel caller's on the
    // same handle, as NT's kernel-mode I/O may use a user handle.
    HandleReference<FILE_OBJECT> file;
    status = file.reference(FileHandle, FILE_READ_DATA, *IoFileObjectType, mode);
    if (!NT_SUCCESS(status)) return status;
    if (Flags & (REG_WHOLE_HIVE_VOLATILE | REG_REFRESH_HIVE)) return STATUS_NOT_IMPLEMENTED;
    auto make_info = [&] {
        REG_RESTORE_KEY_INFORMATION info{};
        info.FileHandle = FileHandle;
        info.Flags = Flags;
        return info;
    };
    return with_callbacks(*key.get(), RegNtPreRestoreKey, make_info, [&]() -> NTSTATUS {
        std::string text;
        {
            KernelModeCall kernel;
            NTSTATUS read = read_whole_file(FileHandle, text);
            if (!NT_SUCCESS(read)) return read;
        }
        std::string message;
        return ntio::config::restore_reg(*key->manager, key->node, text, (Flags & REG_FORCE_RESTORE) != 0, message);
    });
}

NTSTATUS NTAPI ZwSaveKey(HANDLE KeyHandle, HANDLE FileHandle) {
    KernelModeCall kernel;
    return NtSaveKeyEx(KeyHandle, FileHandle, REG_STANDARD_FORMAT);
}

NTSTATUS NTAPI ZwSaveKeyEx(HANDLE KeyHandle, HANDLE FileHandle, ULONG Format) {
    KernelModeCall kernel;
    return NtSaveKeyEx(KeyHandle, FileHandle, Format);
}

NTSTATUS NTAPI ZwRestoreKey(HANDLE KeyHandle, HANDLE FileHandle, ULONG Flags) {
    KernelModeCall kernel;
    return NtRestoreKey(KeyHandle, FileHandle, Flags);
}

}  // extern "C"
