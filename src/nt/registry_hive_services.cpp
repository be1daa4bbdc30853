// NtLoadKey(2), NtUnloadKey(2) and NtReplaceKey with their Zw forms: a hive file mounted as a key right below
// \REGISTRY\MACHINE or \REGISTRY\USER, and taken away again. The file is opened by the system,
// exclusively, and held until the unload; the hive's keys are written back to it, as the .reg text
// NtSaveKey writes, when a key of it is flushed, when it is unloaded and when the system shuts down.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regloadkeyw
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regunloadkeyw
// NT deviation: the file holds .reg text, not the binary hive format (docs/nt-deviations.md, config).
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>
#include <ntifs.h>

#include "config/config_manager.hpp"
#include "config/key_object.hpp"
#include "nt/object_attributes.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/registry_file_io.hpp"
#include "config/reg_file.hpp"

#include <cstring>
#include <vector>

using namespace ntio::nt;
using ntio::config::ConfigManager;
using ntio::config::KeyBody;
using ntio::config::NodeRef;

namespace {

POBJECT_TYPE key_type() noexcept { return &ntio::config::g_key_type; }

// The hive's file, held open by the system until the unload.
class KernelHiveFile final : public ConfigManager::HiveFile {
public:
    explicit KernelHiveFile(HANDLE handle) : m_handle(handle) {}
    HANDLE handle() const noexcept { return m_handle; }
    ~KernelHiveFile() override {
        KernelModeCall kernel;
        (void)ZwClose(m_handle);
    }
    NTSTATUS write(const std::string& text) override {
        KernelModeCall kernel;
        NTSTATUS status = write_whole_file(m_handle, text);
        if (NT_SUCCESS(status)) {
            IO_STATUS_BLOCK iosb{};
            status = ZwFlushBuffersFile(m_handle, &iosb);
        }
        return status;
    }

private:
    HANDLE m_handle;
};

// A hive file opened by the system (a kernel handle, synchronous I/O, no sharing). Kernel mode.
NTSTATUS open_exclusive(const OBJECT_ATTRIBUTES& attributes, ACCESS_MASK access, ULONG disposition, HANDLE& file) {
    OBJECT_ATTRIBUTES kernel_attributes = attributes;
    kernel_attributes.Attributes |= OBJ_KERNEL_HANDLE;
    IO_STATUS_BLOCK iosb{};
    return ZwCreateFile(&file, access | SYNCHRONIZE, &kernel_attributes, &iosb, nullptr, FILE_ATTRIBUTE_NORMAL, 0,
                        disposition, FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
}

// Renames the file `file` is open on to `name` (below `root` when not null). Kernel mode.
NTSTATUS rename_file(HANDLE file, HANDLE root, const char16_t* name, std::size_t chars) {
    std::vector<unsigned char> buffer(FIELD_OFFSET(FILE_RENAME_INFORMATION, FileName) + chars * sizeof(WCHAR));
    auto* info = reinterpret_cast<PFILE_RENAME_INFORMATION>(buffer.data());
    info->ReplaceIfExists = FALSE;
    info->RootDirectory = root;
    info->FileNameLength = static_cast<ULONG>(chars * sizeof(WCHAR));
    std::memcpy(info->FileName, name, info->FileNameLength);
    IO_STATUS_BLOCK iosb{};
    return ZwSetInformationFile(file, &iosb, info, static_cast<ULONG>(buffer.size()), FileRenameInformation);
}

// The full NT name of the file `file` is open on. Kernel mode.
NTSTATUS file_name(HANDLE file, std::u16string& name) {
    std::vector<unsigned char> buffer(sizeof(OBJECT_NAME_INFORMATION) + 1024 * sizeof(WCHAR));
    ULONG needed = 0;
    NTSTATUS status = ZwQueryObject(file, ObjectNameInformation, buffer.data(), static_cast<ULONG>(buffer.size()),
                                    &needed);
    if (status == STATUS_INFO_LENGTH_MISMATCH || status == STATUS_BUFFER_OVERFLOW) {
        buffer.resize(needed);
        status = ZwQueryObject(file, ObjectNameInformation, buffer.data(), needed, &needed);
    }
    if (!NT_SUCCESS(status)) return status;
    const auto* info = reinterpret_cast<const OBJECT_NAME_INFORMATION*>(buffer.data());
    name.assign(reinterpret_cast<const char16_t*>(info->Name.Buffer), info->Name.Length / sizeof(WCHAR));
    return name.empty() ? STATUS_OBJECT_NAME_INVALID : STATUS_SUCCESS;
}

void unload_hives_at_shutdown(void* context) { static_cast<ConfigManager*>(context)->unload_all_hives(); }

// The absolute key name `attributes` gives (ObjectName, below RootDirectory when that is a key
// handle), without a trailing backslash.
NTSTATUS target_name(POBJECT_ATTRIBUTES attributes, KPROCESSOR_MODE mode, std::u16string& path) {
    if (!attributes || !attributes->ObjectName || !attributes->ObjectName->Buffer) return STATUS_OBJECT_NAME_INVALID;
    std::u16string name(reinterpret_cast<const char16_t*>(attributes->ObjectName->Buffer),
                        attributes->ObjectName->Length / sizeof(WCHAR));
    if (attributes->RootDirectory) {
        HandleReference<KeyBody> root;
        NTSTATUS status = root.reference(attributes->RootDirectory, 0, key_type(), mode);
        if (!NT_SUCCESS(status)) return status;
        status = root->manager->full_path(*root->node, path);
        if (!NT_SUCCESS(status)) return status;
        if (name.empty() || name.front() == u'\\') return STATUS_OBJECT_NAME_INVALID;
        path += u'\\';
        path += name;
    } else {
        if (name.empty() || name.front() != u'\\') return STATUS_OBJECT_NAME_INVALID;
        path = std::move(name);
    }
    while (path.size() > 1 && path.back() == u'\\') path.pop_back();
    return STATUS_SUCCESS;
}

// Splits `path` into the hive's parent (\REGISTRY\MACHINE or \REGISTRY\USER) and its one-component
// name; STATUS_INVALID_PARAMETER for any other place (RegLoadKey: "This function always loads
// information at the top of the registry hierarchy").
NTSTATUS split_hive_name(const std::u16string& path, std::u16string& parent, std::u16string& name) {
    const std::size_t sep = path.rfind(u'\\');
    if (sep == std::u16string::npos || sep + 1 >= path.size()) return STATUS_INVALID_PARAMETER;
    parent = path.substr(0, sep);
    name = path.substr(sep + 1);
    if (!ntio::config::names_equal(parent, u"\\REGISTRY\\MACHINE") &&
        !ntio::config::names_equal(parent, u"\\REGISTRY\\USER"))
        return STATUS_INVALID_PARAMETER;
    if (name.size() > ntio::config::kMaxKeyNameChars) return STATUS_OBJECT_NAME_INVALID;
    return STATUS_SUCCESS;
}

// A hive's key as the caller names it: TargetKey captured, its absolute name in `path`, split into
// the parent (MACHINE or USER) and the hive's name.
struct HiveTarget {
    CapturedObjectAttributes attributes;
    std::u16string path, parent, name;

    NTSTATUS capture(POBJECT_ATTRIBUTES target, KPROCESSOR_MODE mode) {
        NTSTATUS status = attributes.capture(target, mode);
        if (!NT_SUCCESS(status)) return status;
        if (!attributes.get()) return STATUS_INVALID_PARAMETER;
        status = target_name(attributes.get(), mode, path);
        return NT_SUCCESS(status) ? split_hive_name(path, parent, name) : status;
    }
};

// RegLoadKey and RegUnLoadKey: "the calling process must have the SE_RESTORE_NAME and
// SE_BACKUP_NAME privileges"; NtLoadKey's own check is SeRestorePrivilege's, which ntio makes for
// both services (kernel callers are trusted).
bool may_load(KPROCESSOR_MODE mode) {
    return mode == KernelMode || SeSinglePrivilegeCheck(SeExports->SeRestorePrivilege, mode);
}

}  // namespace

extern "C" {

// Statuses: STATUS_PRIVILEGE_NOT_HELD without SeRestorePrivilege; STATUS_INVALID_PARAMETER for Flags
// or a key not right below MACHINE or USER; STATUS_OBJECT_NAME_COLLISION when that key exists (a
// guess: Learn does not say); the file's open status (a file already loaded is held exclusively:
// STATUS_SHARING_VIOLATION); STATUS_REGISTRY_CORRUPT for a file that is not a saved key.
NTSTATUS NTAPI NtLoadKey2(POBJECT_ATTRIBUTES TargetKey, POBJECT_ATTRIBUTES SourceFile, ULONG Flags) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (Flags != 0) return STATUS_INVALID_PARAMETER;
    if (!may_load(mode)) return STATUS_PRIVILEGE_NOT_HELD;
    HiveTarget target;
    NTSTATUS status = target.capture(TargetKey, mode);
    if (!NT_SUCCESS(status)) return status;
    CapturedObjectAttributes source;
    status = source.capture(SourceFile, mode);
    if (!NT_SUCCESS(status)) return status;
    if (!source.get()) return STATUS_INVALID_PARAMETER;
    ConfigManager& config = ntio::System::current()->config();
    NodeRef parent;
    status = config.open_path(target.parent, parent);
    if (!NT_SUCCESS(status)) return status;

    KernelModeCall kernel;
    HANDLE file = nullptr;
    status = open_exclusive(*source.get(), GENERIC_READ | GENERIC_WRITE | DELETE, FILE_OPEN_IF, file);
    if (!NT_SUCCESS(status)) return status;
    auto hive_file = std::make_unique<KernelHiveFile>(file);
    std::string text;
    status = read_whole_file(file, text);
    if (!NT_SUCCESS(status)) return status;
    std::string message;
    NodeRef root;
    status = config.load_hive(*parent, target.name, text, std::move(hive_file), message, root);
    if (!NT_SUCCESS(status)) return status;
    if (config.claim_hive_shutdown()) ntio::System::current()->at_shutdown(unload_hives_at_shutdown, &config);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtLoadKey(POBJECT_ATTRIBUTES TargetKey, POBJECT_ATTRIBUTES SourceFile) {
    return NtLoadKey2(TargetKey, SourceFile, 0);
}

// STATUS_INVALID_PARAMETER for a key that is not a loaded hive's root (or Flags other than
// REG_FORCE_UNLOAD); STATUS_CANNOT_DELETE while a key of the hive is open, unless REG_FORCE_UNLOAD
// (then the open keys read as deleted). The hive is written back to its file first; a write that
// fails leaves it loaded.
NTSTATUS NTAPI NtUnloadKey2(POBJECT_ATTRIBUTES TargetKey, ULONG Flags) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (Flags & ~ULONG{REG_FORCE_UNLOAD}) return STATUS_INVALID_PARAMETER;
    if (!may_load(mode)) return STATUS_PRIVILEGE_NOT_HELD;
    HiveTarget target;
    NTSTATUS status = target.capture(TargetKey, mode);
    if (!NT_SUCCESS(status)) return status;
    ConfigManager& config = ntio::System::current()->config();
    NodeRef root;
    status = config.open_path(target.path, root);
    if (!NT_SUCCESS(status)) return status;
    return config.unload_hive(std::move(root), (Flags & REG_FORCE_UNLOAD) != 0);
}

NTSTATUS NTAPI NtUnloadKey(POBJECT_ATTRIBUTES TargetKey) { return NtUnloadKey2(TargetKey, 0); }

// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regreplacekeyw: the hive's file is
// renamed to OldFile (the loaded hive keeps writing to it) and NewFile, a saved key, takes the
// hive's file name, so the next load of that file gives NewFile's keys. SeRestorePrivilege; the key
// must be a hive's root (STATUS_INVALID_PARAMETER otherwise, a guess); OldFile must not exist.
// NT deviation: only a hive NtLoadKey loaded has a file of its own: the system's hives (SOFTWARE,
// SYSTEM, ...) share one store and give STATUS_NOT_SUPPORTED.
NTSTATUS NTAPI NtReplaceKey(POBJECT_ATTRIBUTES NewFile, HANDLE TargetHandle, POBJECT_ATTRIBUTES OldFile) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!may_load(mode)) return STATUS_PRIVILEGE_NOT_HELD;
    CapturedObjectAttributes new_file;
    NTSTATUS status = new_file.capture(NewFile, mode);
    if (!NT_SUCCESS(status)) return status;
    CapturedObjectAttributes old_file;
    status = old_file.capture(OldFile, mode);
    if (!NT_SUCCESS(status)) return status;
    if (!new_file.get() || !old_file.get() || !old_file.get()->ObjectName || !old_file.get()->ObjectName->Buffer)
        return STATUS_INVALID_PARAMETER;
    HandleReference<KeyBody> key;
    status = key.reference(TargetHandle, 0, key_type(), mode);
    if (!NT_SUCCESS(status)) return status;
    ConfigManager& config = *key->manager;
    const ntio::config::KeyNode* root = config.hive_of(*key->node);
    if (!root) return STATUS_KEY_DELETED;
    if (root != key->node.get() || !root->parent) return STATUS_INVALID_PARAMETER;
    if (!(root->flags & ntio::config::kKeyLoaded)) return STATUS_NOT_SUPPORTED;

    KernelModeCall kernel;
    HANDLE replacement = nullptr;
    status = open_exclusive(*new_file.get(), GENERIC_READ | DELETE, FILE_OPEN, replacement);
    if (!NT_SUCCESS(status)) return status;
    std::string text;
    status = read_whole_file(replacement, text);
    std::string message;
    if (NT_SUCCESS(status) && !text.empty()) status = ntio::config::check_saved_key(text, message);
    if (NT_SUCCESS(status)) {
        const OBJECT_ATTRIBUTES& old_attributes = *old_file.get();
        status = config.with_hive_file(*root, [&](ConfigManager::HiveFile& file) -> NTSTATUS {
            const HANDLE held = static_cast<KernelHiveFile&>(file).handle();
            std::u16string hive_name;
            NTSTATUS done = file_name(held, hive_name);
            if (!NT_SUCCESS(done)) return done;
            done = rename_file(held, old_attributes.RootDirectory,
                               reinterpret_cast<const char16_t*>(old_attributes.ObjectName->Buffer),
                               old_attributes.ObjectName->Length / sizeof(WCHAR));
            if (!NT_SUCCESS(done)) return done;
            done = rename_file(replacement, nullptr, hive_name.data(), hive_name.size());
            // The hive's file goes back to its name when the new one cannot take it.
            if (!NT_SUCCESS(done)) (void)rename_file(held, nullptr, hive_name.data(), hive_name.size());
            return done;
        });
    }
    (void)ZwClose(replacement);
    return status;
}

NTSTATUS NTAPI ZwReplaceKey(POBJECT_ATTRIBUTES NewFileObjectAttributes, HANDLE KeyHandle,
                            POBJECT_ATTRIBUTES OldFileObjectAttributes) {
    KernelModeCall kernel;
    return NtReplaceKey(NewFileObjectAttributes, KeyHandle, OldFileObjectAttributes);
}

NTSTATUS NTAPI ZwLoadKey(POBJECT_ATTRIBUTES KeyObjectAttributes, POBJECT_ATTRIBUTES FileObjectAttributes) {
    KernelModeCall kernel;
    return NtLoadKey2(KeyObjectAttributes, FileObjectAttributes, 0);
}

NTSTATUS NTAPI ZwUnloadKey(POBJECT_ATTRIBUTES KeyObjectAttributes) {
    KernelModeCall kernel;
    return NtUnloadKey2(KeyObjectAttributes, 0);
}

}  // extern "C"
