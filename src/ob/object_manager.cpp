// Boot and shutdown of one System's object manager: the built-in types, the System and initial
// processes, the namespace skeleton; accounting; the namespace dump for the ntio command.
#include "ob/object_manager.hpp"

#include <algorithm>
#include <new>

#include "ke/kernel.hpp"
#include "ntio/system.hpp"
#include "ob/ps_notify.hpp"
#include "ob/ob_callbacks.hpp"
#include "ob/thread_objects.hpp"
#include "se/access_check.hpp"
#include "se/token.hpp"

namespace ntio::ob {

void register_builtin_object_types();

namespace {
// Boot objects: SYSTEM and Administrators full control; Everyone READ_CONTROL plus query/traverse
// (directories), query/traverse/create object/create subdirectory (\BaseNamedObjects), query (links).
constexpr std::string_view kDirectorySddl = "O:SYG:SYD:(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x20003;;;WD)";
constexpr std::string_view kBaseNamedObjectsSddl = "O:SYG:SYD:(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x2000F;;;WD)";
constexpr std::string_view kLinkSddl = "O:SYG:SYD:(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x20001;;;WD)";
}  // namespace
std::vector<_OBJECT_TYPE*> registered_object_types();

ObjectManager::ObjectManager(System& system) : m_system(system)
{
    register_builtin_object_types();
    // SeCaptureSubjectContext & co. use the token of the process the calling thread acts in.
    se::set_subject_token_resolver([]() -> std::shared_ptr<se::Token> {
        PEPROCESS process = current_process();
        return process ? process->m_token : nullptr;
    });
    se::set_impersonation_resolver(current_impersonation);
    m_threads = std::make_unique<ThreadObjects>(*this);
    m_ps_notify = std::make_unique<PsNotify>();
    m_ob_callbacks = std::make_unique<ObCallbacks>();
    // The kernel outlives this manager's threads: Kernel::stop runs before the manager goes.
    m_system.kernel().add_thread_rundown_hook(thread_rundown_notify, this);

    // The System process takes client id 4, as on Windows.
    NTSTATUS status = create_process_object(se::Token::create_system(), u"System", true, &m_system_process);
    if (NT_SUCCESS(status)) status = create_process(se::Token::create_user(false), u"ntio-app", &m_initial_process);
    if (!NT_SUCCESS(status)) KeBugCheckEx(OBJECT_INITIALIZATION_FAILED, 1, static_cast<ULONG_PTR>(status), 0, 0);
    boot_namespace();
    m_system.kernel().set_thread_provider(m_threads.get());
    set_live(true);
}

void ObjectManager::end_application_processes()
{
    end_processes(true);
}

// Terminates every process not yet terminated (the System process too unless keep_system).
void ObjectManager::end_processes(bool keep_system)
{
    for (;;) {
        PEPROCESS victim = nullptr;
        {
            std::lock_guard<std::mutex> guard(m_process_lock);
            for (PEPROCESS p : m_processes) {
                if (p->m_terminated.load(std::memory_order_acquire)) continue;
                if (keep_system && p == m_system_process) continue;
                // A process whose last reference is going away is closed by its delete procedure.
                LONG_PTR count = header_of(p)->pointer_count.load(std::memory_order_relaxed);
                while (count > 0 &&
                       !header_of(p)->pointer_count.compare_exchange_weak(count, count + 1, std::memory_order_relaxed)) {
                }
                if (count > 0) { victim = p; break; }
            }
        }
        if (!victim) break;
        terminate_process(victim, STATUS_SUCCESS);
        dereference(header_of(victim));
    }
}

ObjectManager::~ObjectManager()
{
    set_live(false);
    // Every process's handles go first (they hold most references), then the names.
    end_processes(false);
    teardown_namespace();
    m_system.kernel().set_thread_provider(nullptr);
    PEPROCESS initial = std::exchange(m_initial_process, nullptr);
    PEPROCESS sys = std::exchange(m_system_process, nullptr);
    if (initial) dereference(header_of(initial));
    if (sys) dereference(header_of(sys));
}

std::size_t ObjectManager::object_count(const _OBJECT_TYPE* type) const noexcept
{
    return type && type->index < kMaxObjectTypes ? m_type_objects[type->index].load(std::memory_order_relaxed) : 0;
}

std::size_t ObjectManager::handle_count(const _OBJECT_TYPE* type) const noexcept
{
    return type && type->index < kMaxObjectTypes ? m_type_handles[type->index].load(std::memory_order_relaxed) : 0;
}

void ObjectManager::object_created(_OBJECT_TYPE* type) noexcept
{
    m_objects.fetch_add(1, std::memory_order_relaxed);
    m_type_objects[type->index].fetch_add(1, std::memory_order_relaxed);
}

void ObjectManager::object_deleted(_OBJECT_TYPE* type) noexcept
{
    m_type_objects[type->index].fetch_sub(1, std::memory_order_relaxed);
    m_objects.fetch_sub(1, std::memory_order_relaxed);
}

std::shared_ptr<se::Token> ObjectManager::creator_token()
{
    PEPROCESS process = current_process();
    if (process && process->m_manager == this && process->m_token) return process->m_token;
    if (m_system_process) return m_system_process->m_token;
    return nullptr;
}

void ObjectManager::directory_created(void* body)
{
    std::unique_lock lock(m_namespace_lock);
    m_directories.insert(body);
}

void ObjectManager::directory_deleted(void* body)
{
    std::unique_lock lock(m_namespace_lock);
    m_directories.erase(body);
}

// ---- Namespace skeleton ------------------------------------------------------------------------

NTSTATUS ObjectManager::make_boot_directory(void* parent, std::u16string_view name, void** body_out)
{
    void* body = nullptr;
    NTSTATUS status = create_object(KernelMode, &g_directory_type, nullptr, sizeof(DirectoryBody), &body);
    if (!NT_SUCCESS(status)) return status;
    new (body) DirectoryBody();
    directory_created(body);
    ObjectHeader* h = header_of(body);
    h->create_info.reset();
    h->flags.fetch_or(kObjectInserted | kObjectPermanent, std::memory_order_relaxed);
    // Everyone may list and traverse (\BaseNamedObjects: also create), as on Windows.
    h->security = se::SecurityDescriptor::from_sddl(name == u"BaseNamedObjects" ? kBaseNamedObjectsSddl
                                                                                  : kDirectorySddl);
    if (parent) {
        std::unique_lock lock(m_namespace_lock);
        auto* dir = static_cast<DirectoryBody*>(parent);
        h->name.assign(name);
        h->directory = parent;
        dir->entries.emplace(upcase_name(name), h);
        h->flags.fetch_or(kObjectNamed, std::memory_order_relaxed);
        reference(header_of(parent));
        // The creation reference becomes the name's own reference.
    }
    if (body_out) *body_out = body;
    return STATUS_SUCCESS;
}

NTSTATUS ObjectManager::make_boot_link(void* parent, std::u16string_view name, std::u16string_view target)
{
    void* body = nullptr;
    NTSTATUS status = create_object(KernelMode, &g_symbolic_link_type, nullptr, sizeof(SymbolicLinkBody), &body);
    if (!NT_SUCCESS(status)) return status;
    auto* link = new (body) SymbolicLinkBody();
    link->target.assign(target);
    KeQuerySystemTime(&link->creation_time);
    ObjectHeader* h = header_of(body);
    h->security = se::SecurityDescriptor::from_sddl(kLinkSddl);
    h->create_info.reset();
    h->flags.fetch_or(kObjectInserted | kObjectPermanent | kObjectNamed, std::memory_order_relaxed);
    std::unique_lock lock(m_namespace_lock);
    h->name.assign(name);
    h->directory = parent;
    static_cast<DirectoryBody*>(parent)->entries.emplace(upcase_name(name), h);
    reference(header_of(parent));
    return STATUS_SUCCESS;
}

void ObjectManager::boot_namespace()
{
    NTSTATUS status = make_boot_directory(nullptr, u"", &m_root);
    void* object_types = nullptr;
    void* base_named = nullptr;
    if (NT_SUCCESS(status)) status = make_boot_directory(m_root, u"ObjectTypes", &object_types);
    for (auto name : {u"Device", u"Driver", u"FileSystem", u"KernelObjects", u"Callback", u"Sessions"}) {
        if (NT_SUCCESS(status)) status = make_boot_directory(m_root, name, nullptr);
    }
    if (NT_SUCCESS(status)) status = make_boot_directory(m_root, u"??", &m_dos_devices);
    if (NT_SUCCESS(status)) status = make_boot_directory(m_root, u"GLOBAL??", &m_global_dos_devices);
    if (NT_SUCCESS(status)) status = make_boot_directory(m_root, u"BaseNamedObjects", &base_named);
    if (NT_SUCCESS(status)) status = make_boot_link(m_root, u"DosDevices", u"\\??");
    if (NT_SUCCESS(status)) status = make_boot_link(m_global_dos_devices, u"GLOBALROOT", u"");
    if (NT_SUCCESS(status)) status = make_boot_link(m_global_dos_devices, u"Global", u"\\GLOBAL??");
    if (NT_SUCCESS(status)) status = make_boot_link(base_named, u"Global", u"\\BaseNamedObjects");
    if (NT_SUCCESS(status)) status = make_boot_link(base_named, u"Local", u"\\BaseNamedObjects");
    for (_OBJECT_TYPE* type : registered_object_types()) {
        if (!NT_SUCCESS(status)) break;
        void* body = nullptr;
        status = create_object(KernelMode, &g_type_type, nullptr, sizeof(TypeObjectBody), &body);
        if (!NT_SUCCESS(status)) break;
        new (body) TypeObjectBody{type};
        ObjectHeader* h = header_of(body);
        h->create_info.reset();
        h->flags.fetch_or(kObjectInserted | kObjectPermanent | kObjectNamed, std::memory_order_relaxed);
        std::unique_lock lock(m_namespace_lock);
        h->name.assign(type_name(type));
        h->directory = object_types;
        static_cast<DirectoryBody*>(object_types)->entries.emplace(upcase_name(h->name), h);
        reference(header_of(object_types));
    }
    if (!NT_SUCCESS(status)) KeBugCheckEx(OBJECT_INITIALIZATION_FAILED, 2, static_cast<ULONG_PTR>(status), 0, 0);
}

void ObjectManager::remove_name_locked(ObjectHeader* header, std::vector<ObjectHeader*>& to_release)
{
    auto* dir = static_cast<DirectoryBody*>(header->directory);
    auto range = dir->entries.equal_range(upcase_name(header->name));
    for (auto it = range.first; it != range.second; ++it) {
        if (it->second == header) {
            dir->entries.erase(it);
            break;
        }
    }
    header->directory = nullptr;
    header->flags.fetch_and(~ULONG{kObjectNamed}, std::memory_order_release);
    to_release.push_back(header);
    to_release.push_back(header_of(dir));
}

void ObjectManager::teardown_namespace()
{
    std::vector<ObjectHeader*> release;
    {
        std::unique_lock lock(m_namespace_lock);
        m_dos_devices = nullptr;
        m_global_dos_devices = nullptr;
        for (void* d : m_directories) {
            auto* dir = static_cast<DirectoryBody*>(d);
            while (!dir->entries.empty()) {
                ObjectHeader* h = dir->entries.begin()->second;
                h->flags.fetch_and(~ULONG{kObjectPermanent}, std::memory_order_relaxed);
                remove_name_locked(h, release);
            }
        }
    }
    for (ObjectHeader* h : release) dereference(h);
    if (void* root = std::exchange(m_root, nullptr)) dereference(header_of(root));
}

// ---- Dump --------------------------------------------------------------------------------------

namespace {
void append_utf8(std::string& out, std::u16string_view s)
{
    for (char16_t c : s) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xE0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
}

void dump_directory_locked(DirectoryBody* dir, int depth, std::string& out)
{
    std::vector<ObjectHeader*> children;
    for (auto& [key, h] : dir->entries) children.push_back(h);
    std::sort(children.begin(), children.end(), [](ObjectHeader* a, ObjectHeader* b) { return a->name < b->name; });
    for (ObjectHeader* h : children) {
        out.append(static_cast<std::size_t>(depth) * 2, ' ');
        append_utf8(out, h->name);
        out += " (";
        append_utf8(out, type_name(h->type));
        out += ")";
        if (h->type->dump) h->type->dump(h->body(), out);
        out += "\n";
        if (h->type == &g_directory_type) dump_directory_locked(static_cast<DirectoryBody*>(h->body()), depth + 1, out);
    }
}
}  // namespace

void ObjectManager::dump_namespace(std::string& out)
{
    std::shared_lock lock(m_namespace_lock);
    if (!m_root) return;
    out += "\\ (Directory)\n";
    dump_directory_locked(static_cast<DirectoryBody*>(m_root), 1, out);
}

}  // namespace ntio::ob
