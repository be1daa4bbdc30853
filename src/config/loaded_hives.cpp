// Hives loaded from files (NtLoadKey) and unloaded again (NtUnloadKey): a key right below MACHINE
// or USER whose keys live in memory, marked kKeyLoaded so that no change reaches the system store,
// and go back to their file, as the .reg text a save writes, when the hive is flushed, unloaded or
// the system shuts down (NT writes a loaded hive back lazily too).
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regloadkeyw
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regunloadkeyw
#include "config/config_manager.hpp"

#include "config/reg_file.hpp"
#include "host/clock.hpp"

namespace ntio::config {

NTSTATUS ConfigManager::load_hive(KeyNode& parent, std::u16string_view name, std::string_view text,
                                  std::unique_ptr<HiveFile> file, std::string& message, NodeRef& out)
{
    std::lock_guard hives(m_hives_lock);
    NodeRef root;
    {
        WriteLock lock(*this);
        if (parent.deleted) return STATUS_KEY_DELETED;
        if (parent.find_child(name)) return STATUS_OBJECT_NAME_COLLISION;
        root = std::make_shared<KeyNode>();
        root->name = std::u16string(name);
        root->last_write = host::system_time();
        root->flags = kKeyLoaded;
        root->security = parent.security;
        root->parent = &parent;
        parent.children.emplace(upcase(name), root);
        report_locked(parent, REG_NOTIFY_CHANGE_NAME);
    }
    if (!text.empty()) {
        NTSTATUS status = restore_reg(*this, root, text, true, message);
        if (!NT_SUCCESS(status)) {
            (void)delete_tree(*root);
            return status;
        }
    }
    m_hives.push_back(LoadedHive{root, std::move(file)});
    out = std::move(root);
    return STATUS_SUCCESS;
}

NTSTATUS ConfigManager::write_back_locked(const LoadedHive& hive)
{
    std::u16string path;
    NTSTATUS status = full_path(*hive.root, path);
    if (!NT_SUCCESS(status)) return status;
    std::string text;
    status = export_reg(*this, path, text);
    if (!NT_SUCCESS(status)) return status;
    return hive.file->write(text);
}

NTSTATUS ConfigManager::unload_hive(NodeRef root, bool force)
{
    std::lock_guard hives(m_hives_lock);
    auto it = m_hives.begin();
    while (it != m_hives.end() && it->root != root) ++it;
    if (it == m_hives.end()) return STATUS_INVALID_PARAMETER;
    // RegUnLoadKey fails while a key of the hive is open: the root is referenced by the tree, the
    // hive list and the caller besides the Key objects.
    if (!force && (root.use_count() > 3 || keys_open_below(*root))) return STATUS_CANNOT_DELETE;
    NTSTATUS status = write_back_locked(*it);
    if (!NT_SUCCESS(status)) return status;
    (void)delete_tree(*root);
    m_hives.erase(it);  // closes the file
    return STATUS_SUCCESS;
}

NTSTATUS ConfigManager::flush_hive(const KeyNode& node)
{
    const KeyNode* root = hive_of(node);
    if (!root || !(root->flags & kKeyLoaded)) return STATUS_SUCCESS;
    std::lock_guard hives(m_hives_lock);
    for (const LoadedHive& hive : m_hives)
        if (hive.root.get() == root) return write_back_locked(hive);
    return STATUS_SUCCESS;
}

NTSTATUS ConfigManager::with_hive_file(const KeyNode& root, const std::function<NTSTATUS(HiveFile&)>& fn)
{
    std::lock_guard hives(m_hives_lock);
    for (LoadedHive& hive : m_hives)
        if (hive.root.get() == &root) return fn(*hive.file);
    return STATUS_INVALID_PARAMETER;
}

void ConfigManager::unload_all_hives() noexcept
{
    std::lock_guard hives(m_hives_lock);
    for (LoadedHive& hive : m_hives) {
        (void)write_back_locked(hive);
        (void)delete_tree(*hive.root);
    }
    m_hives.clear();
}

}  // namespace ntio::config
