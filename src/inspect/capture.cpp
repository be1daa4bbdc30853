// Capture of a live System into a Snapshot. It reads what the owners publish, under the locks they
// take (namespace and driver locks, the process thread lock, each thread's IRP list lock, device
// queue locks), copies it and lets go; it never calls a driver and never writes a field. Objects it
// looks at are held by a reference for the time they are read.
#include <cxxabi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "host/image.hpp"
#include "host/process.hpp"
#include "inspect/snapshot.hpp"
#include "io/loaded_modules.hpp"

#include "config/config_manager.hpp"
#include "ex/pool.hpp"
#include "io/device_object.hpp"
#include "io/irp.hpp"
#include "io/objects.hpp"
#include "io/pnp_manager.hpp"
#include "io/io_manager.hpp"
#include "ke/kernel.hpp"
#include "ntio/system.hpp"
#include "ob/namespace.hpp"
#include "ob/object_manager.hpp"
#include "ob/process.hpp"

// The inspector reads what other threads are changing (an IRP's stack while its driver works on it,
// a thread's IRQL), as a kernel debugger does: the containers stay allocated under the owners'
// locks, the fields may be mid-update. The race detector is told not to watch these reads.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NTIO_INSPECT_RACY_READER __attribute__((no_sanitize("thread")))
#endif
#endif
#if !defined(NTIO_INSPECT_RACY_READER) && defined(__SANITIZE_THREAD__)
#define NTIO_INSPECT_RACY_READER __attribute__((no_sanitize("thread")))
#endif
#ifndef NTIO_INSPECT_RACY_READER
#define NTIO_INSPECT_RACY_READER
#endif

namespace ntio::inspect {
namespace {

Addr addr(const volatile void* p) noexcept { return reinterpret_cast<Addr>(p); }
template <class F>
Addr fn_addr(F* f) noexcept { return reinterpret_cast<Addr>(reinterpret_cast<void*>(f)); }

std::string narrow(std::u16string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char32_t c = s[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (s[++i] - 0xDC00);
        }
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else if (c < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (c >> 12)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (c >> 18)));
            out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

// "module!symbol+0x10" the way WinDbg names code: the module is the image's file name without
// directory and suffix, and libntio is "nt" since it plays the kernel.
std::string symbolise(Addr a) {
    if (!a) return {};
    host::AddressSymbol info;
    if (!host::symbol_of(reinterpret_cast<void*>(a), info)) return {};
    std::string module = info.image_path;
    if (auto slash = module.rfind('/'); slash != std::string::npos) module.erase(0, slash + 1);
    if (auto dot = module.find('.'); dot != std::string::npos) module.erase(dot);
    if (module == "libntio") module = "nt";
    char offset[32];
    if (!info.symbol || !info.symbol_address) {
        std::snprintf(offset, sizeof offset, "+0x%llx",
                      static_cast<unsigned long long>(a - reinterpret_cast<Addr>(info.image_base)));
        return module + offset;
    }
    std::string name = info.symbol;
    int status = 0;
    if (char* demangled = abi::__cxa_demangle(info.symbol, nullptr, nullptr, &status); status == 0 && demangled) {
        name = demangled;
        std::free(demangled);
        // WinDbg names functions without their parameter lists.
        int depth = 0;
        for (std::size_t i = 0; i < name.size(); ++i) {
            if (name[i] == '<') ++depth;
            else if (name[i] == '>') --depth;
            else if (name[i] == '(' && depth == 0 && i > 0) {
                name.erase(i);
                break;
            }
        }
    }
    std::string text = module + "!" + name;
    if (Addr delta = a - reinterpret_cast<Addr>(info.symbol_address)) {
        std::snprintf(offset, sizeof offset, "+0x%llx", static_cast<unsigned long long>(delta));
        text += offset;
    }
    return text;
}

// Inspector sequence numbers: an IRP keeps its number while the inspector keeps seeing the same
// request at the same address (same thread, IOSB, event and stack count); a reused address is a
// new request and gets a new number.
// NT deviation: Windows shows no IRP sequence numbers; ntio IRPs carry none either, so the
// inspector assigns them when it first sees an IRP (the verifier's tracked IRPs have their own).
struct SeqEntry {
    std::uint64_t seq;
    std::size_t fingerprint;
};
std::mutex g_seq_lock;
std::unordered_map<Addr, SeqEntry>* g_seqs = nullptr;  // guarded by g_seq_lock; never destroyed
std::uint64_t g_next_seq = 1;

std::size_t fingerprint(const IrpSnap& irp) {
    std::size_t h = std::hash<Addr>{}(irp.thread);
    for (Addr part : {irp.user_iosb, irp.user_event, irp.user_apc_context, Addr(irp.stack_count), irp.original_file})
        h = h * 1000003u ^ std::hash<Addr>{}(part);
    return h;
}

void assign_sequence_numbers(std::vector<IrpSnap>& irps) {
    std::lock_guard guard(g_seq_lock);
    if (!g_seqs) g_seqs = new std::unordered_map<Addr, SeqEntry>();
    std::unordered_map<Addr, SeqEntry> next;
    for (IrpSnap& irp : irps) {
        const std::size_t print = fingerprint(irp);
        auto it = g_seqs->find(irp.address);
        if (it != g_seqs->end() && it->second.fingerprint == print) {
            irp.seq = it->second.seq;
        } else if (auto again = next.find(irp.address); again != next.end()) {
            irp.seq = again->second.seq;
        } else {
            irp.seq = g_next_seq++;
        }
        next[irp.address] = {irp.seq, print};
    }
    // IRPs no longer seen are forgotten, except when the new snapshot saw none at all (another
    // System's, or a quiet moment): then the table is merely extended.
    if (irps.empty()) return;
    *g_seqs = std::move(next);
}

// Bounded attempts on a lock the bugchecking thread (or one it waits for) may hold.
constexpr int kLockAttempts = 2000;

template <class Mutex>
bool try_lock_bounded(Mutex& m) {
    for (int i = 0; i < kLockAttempts; ++i) {
        if (m.try_lock()) return true;
        std::this_thread::yield();
    }
    return false;
}

// A thread's IRP list lock taken the way ThreadIrpListLock takes it, but only tried.
bool try_lock_irp_list(_ETHREAD* t) {
    for (int i = 0; i < kLockAttempts; ++i) {
        if (!t->m_irp_list_lock.exchange(true, std::memory_order_acquire)) return true;
        std::this_thread::yield();
    }
    return false;
}

std::atomic<VerifierLogProvider> g_verifier_log{nullptr};

class Capturer {
public:
    Capturer(System& system, Snapshot& snap, const CaptureOptions& options)
        : m_system(system), m_objects(system.objects()), m_snap(snap), m_options(options) {}

    void run() {
        m_snap.pid = host::process_id();
        m_snap.time = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
        m_snap.origin = "live";
        walk_types();
        walk_namespace(m_objects.root_directory(), u"\\");
        capture_drivers();
        capture_processes();
        capture_device_queues();
        finish_objects();
        assign_sequence_numbers(m_snap.irps);
        capture_pool();
        capture_modules();
        if (VerifierLogProvider provider = g_verifier_log.load(std::memory_order_acquire)) {
            m_snap.verifier = provider(m_system, m_options.at_bugcheck);
        }
        if (_KTHREAD* self = ke::current_thread_if_any(); self && self->m_system == &m_system) {
            m_snap.current_thread = addr(self);
        }
        m_snap.current_process = addr(m_objects.initial_process());
        for (const ThreadSnap& t : m_snap.threads)
            if (t.address == m_snap.current_thread) m_snap.current_process = t.process;
    }

private:
    using Ref = ob::ObRef<void>;

    // ---- Namespace ----

    // The Type objects first: whether an entry may be looked up by name depends on its type's parse
    // procedure (looking a device up by name would open it).
    void walk_types() {
        void* dir = reference_by_name(u"\\ObjectTypes");
        if (!dir) return;
        Ref hold = Ref::adopt(dir);
        std::vector<ob::DirectoryEntryInfo> entries;
        if (!NT_SUCCESS(m_objects.enumerate_directory(dir, entries))) return;
        for (const auto& e : entries) {
            void* body = reference_by_name(u"\\ObjectTypes\\" + e.name);
            if (!body) continue;
            Ref type_ref = Ref::adopt(body);
            if (ob::type_of(body) != &ob::g_type_type) continue;
            _OBJECT_TYPE* descriptor = static_cast<ob::TypeObjectBody*>(body)->descriptor;
            m_descriptors[e.name] = descriptor;
            m_snap.type_objects[narrow(e.name)] = addr(body);
        }
    }

    void* reference_by_name(const std::u16string& name) {
        void* body = nullptr;
        NTSTATUS status = m_objects.reference_object_by_name(name, nullptr, OBJ_CASE_INSENSITIVE | OBJ_OPENLINK,
                                                             nullptr, KernelMode, 0, nullptr, &body);
        return NT_SUCCESS(status) ? body : nullptr;
    }

    bool safe_to_look_up(const std::u16string& type_name) const {
        auto it = m_descriptors.find(type_name);
        if (it == m_descriptors.end() || !it->second) return false;
        // Links are returned themselves with OBJ_OPENLINK; other parse procedures act (open a device,
        // a key), so those objects are reached through their owners instead.
        return !it->second->parse || it->second == &ob::g_symbolic_link_type;
    }

    void walk_namespace(void* dir, const std::u16string& path) {
        if (!dir) return;
        if (path == u"\\") add_object(dir, "\\");
        std::vector<ob::DirectoryEntryInfo> entries;
        if (!NT_SUCCESS(m_objects.enumerate_directory(dir, entries))) return;
        for (const auto& e : entries) {
            std::u16string full = path == u"\\" ? u"\\" + e.name : path + u"\\" + e.name;
            if (!safe_to_look_up(e.type_name)) {
                ObjectSnap o;
                o.type = narrow(e.type_name);
                o.name = narrow(full);
                m_named_only.push_back(std::move(o));
                continue;
            }
            void* body = reference_by_name(full);
            if (!body) continue;  // gone meanwhile
            Ref hold = Ref::adopt(body);
            add_object(body, narrow(full));
            if (ob::type_of(body) == &ob::g_directory_type) walk_namespace(body, full);
            if (ob::type_of(body) == &io::g_driver_type) keep_driver(body);
        }
    }

    // Records an object held by the caller's reference (counts exclude that reference).
    NTIO_INSPECT_RACY_READER ObjectSnap* add_object(void* body, std::string name) {
        const Addr a = addr(body);
        if (auto it = m_object_index.find(a); it != m_object_index.end()) return &m_snap.objects[it->second];
        ob::ObjectHeader* h = ob::header_of(body);
        ObjectSnap o;
        o.address = a;
        o.type = narrow(ob::type_name(h->type));
        o.name = name.empty() ? narrow(m_objects.full_name(body)) : std::move(name);
        o.pointer_count = h->pointer_count.load(std::memory_order_relaxed) - 1;
        o.handle_count = h->handle_count.load(std::memory_order_relaxed);
        if (h->type == &ob::g_symbolic_link_type) {
            std::u16string target;
            if (NT_SUCCESS(m_objects.query_symbolic_link(body, target))) o.link_target = narrow(target);
        } else if (h->type->dump) {
            h->type->dump(body, o.detail);
        }
        m_object_index[a] = m_snap.objects.size();
        m_snap.objects.push_back(std::move(o));
        return &m_snap.objects.back();
    }

    // ---- Drivers and devices ----

    void keep_driver(void* body) {
        if (m_driver_seen.insert(body).second) m_drivers.push_back(Ref::share(body));
    }

    void capture_drivers() {
        for (const Ref& ref : m_drivers) capture_driver(static_cast<PDRIVER_OBJECT>(ref.get()));
        for (Ref& device : m_devices) capture_device(static_cast<PDEVICE_OBJECT>(device.get()));
    }

    NTIO_INSPECT_RACY_READER void capture_driver(PDRIVER_OBJECT d) {
        io::DriverPrivate& priv = io::driver_private(d);
        DriverSnap s;
        s.address = addr(d);
        s.name = narrow(priv.driver_name);
        s.service = narrow(priv.service_name);
        s.registry_path = narrow(priv.registry_path);
        s.flags = d->Flags;
        s.unload_requested = priv.unload_requested.load(std::memory_order_relaxed);
        s.unloaded = priv.unloaded.load(std::memory_order_relaxed);
        s.driver_init = symbol(fn_addr(d->DriverInit));
        s.start_io = symbol(fn_addr(d->DriverStartIo));
        s.unload = symbol(fn_addr(d->DriverUnload));
        s.add_device = d->DriverExtension ? symbol(fn_addr(d->DriverExtension->AddDevice)) : 0;
        s.fast_io = addr(d->FastIoDispatch);
        for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) s.major.push_back(symbol(fn_addr(d->MajorFunction[i])));
        // Devices leave this list under the same lock before they go, so each is alive here.
        std::unique_lock guard(priv.lock, std::defer_lock);
        if (m_options.at_bugcheck ? try_lock_bounded(guard) : (guard.lock(), true)) {
            for (PDEVICE_OBJECT dev = d->DeviceObject; dev; dev = dev->NextDevice) {
                s.devices.push_back(addr(dev));
                if (m_device_seen.insert(dev).second) m_devices.push_back(Ref::share(dev));
            }
            guard.unlock();
        }
        m_snap.drivers.push_back(std::move(s));
    }

    // AttachedDevice is published with release stores and read without the database lock by the I/O
    // path itself (IoGetAttachedDevice); AttachedTo changes under the lock only, so both are read with
    // the lock when this thread may take a KSPIN_LOCK, else with acquire loads (the attach server's
    // thread is not an NT thread and must not become one).
    template <class F>
    void with_database_lock(F&& fn) {
        if (ke::current_thread_if_any() && !m_options.at_bugcheck) {
            KIRQL irql = io::device_database_lock();
            fn();
            io::device_database_unlock(irql);
        } else {
            fn();
        }
    }

    NTIO_INSPECT_RACY_READER void capture_device(PDEVICE_OBJECT dev) {
        DeviceSnap s;
        s.address = addr(dev);
        io::DeviceObjectExtension* ext = io::device_private(dev);
        s.name = narrow(ext->name);
        s.driver = addr(dev->DriverObject);
        s.reference_count = dev->ReferenceCount;
        s.device_type = dev->DeviceType;
        s.flags = dev->Flags;
        s.characteristics = dev->Characteristics;
        s.stack_size = dev->StackSize;
        s.vpb = addr(dev->Vpb);
        if (dev->Vpb && m_vpb_seen.insert(addr(dev->Vpb)).second) capture_vpb(dev->Vpb);
        s.security = addr(dev->SecurityDescriptor ? dev->SecurityDescriptor : ext->security);
        s.extension = addr(dev->DeviceExtension);
        s.object_extension = addr(dev->DeviceObjectExtension);
        s.dope = addr(ext->doe.Dope);
        s.devnode = addr(ext->doe.DeviceNode);
        s.extension_flags = ext->doe.ExtensionFlags;
        s.current_irp = addr(__atomic_load_n(&dev->CurrentIrp, __ATOMIC_ACQUIRE));
        with_database_lock([&] {
            s.attached_device = addr(__atomic_load_n(&dev->AttachedDevice, __ATOMIC_ACQUIRE));
            s.attached_to = addr(__atomic_load_n(&ext->doe.AttachedTo, __ATOMIC_ACQUIRE));
        });
        s.queue_busy = __atomic_load_n(&dev->DeviceQueue.Busy, __ATOMIC_ACQUIRE) != 0;
        if (io::PnpNode* node = io::pnp_node_of(dev)) {
            s.instance_path = narrow(io::pnp_instance_path(*node));
            s.service = enum_service(io::pnp_instance_path(*node));
        }
        m_device_queues.push_back(dev);
        m_snap.devices.push_back(std::move(s));
    }

    // A VPB lives as long as the device that owns it (device_object.cpp) or, for one a dismount swapped
    // out, as long as the files that hold a reference on it; both are held here.
    NTIO_INSPECT_RACY_READER void capture_vpb(PVPB vpb) {
        VpbSnap v;
        v.address = addr(vpb);
        v.flags = vpb->Flags;
        v.device_object = addr(vpb->DeviceObject);
        v.real_device = addr(vpb->RealDevice);
        v.serial_number = vpb->SerialNumber;
        v.reference_count = vpb->ReferenceCount;
        const std::size_t length = std::min<std::size_t>(vpb->VolumeLabelLength / sizeof(WCHAR),
                                                         sizeof(vpb->VolumeLabel) / sizeof(WCHAR));
        v.volume_label = narrow(std::u16string_view(reinterpret_cast<const char16_t*>(vpb->VolumeLabel), length));
        m_snap.vpbs.push_back(std::move(v));
    }

    // A file object the caller holds (a handle's reference, or an IRP's under its list lock). The
    // section object pointers belong to the file system and stay valid until IRP_MJ_CLOSE, which a
    // referenced file object has not seen.
    NTIO_INSPECT_RACY_READER void capture_file(PFILE_OBJECT file) {
        if (!file || !m_file_seen.insert(addr(file)).second) return;
        FileSnap f;
        f.address = addr(file);
        f.name = narrow(std::u16string_view(reinterpret_cast<const char16_t*>(file->FileName.Buffer),
                                            file->FileName.Buffer ? file->FileName.Length / sizeof(WCHAR) : 0));
        f.device = addr(file->DeviceObject);
        f.vpb = addr(file->Vpb);
        // A file keeps the VPB it was opened through (a VPB reference) even once a dismount gave the
        // device a new one, so that VPB may be known only here.
        if (file->Vpb && m_vpb_seen.insert(addr(file->Vpb)).second) capture_vpb(file->Vpb);
        f.fs_context = addr(file->FsContext);
        f.fs_context2 = addr(file->FsContext2);
        f.section_object_pointer = addr(file->SectionObjectPointer);
        if (file->SectionObjectPointer) f.shared_cache_map = addr(file->SectionObjectPointer->SharedCacheMap);
        f.private_cache_map = addr(file->PrivateCacheMap);
        f.related_file = addr(file->RelatedFileObject);
        f.flags = file->Flags;
        f.final_status = file->FinalStatus;
        f.current_byte_offset = file->CurrentByteOffset.QuadPart;
        f.event_signalled = file->Event.Header.SignalState != 0;
        f.lock_operation = file->LockOperation;
        f.delete_pending = file->DeletePending;
        f.read_access = file->ReadAccess;
        f.write_access = file->WriteAccess;
        f.delete_access = file->DeleteAccess;
        f.shared_read = file->SharedRead;
        f.shared_write = file->SharedWrite;
        f.shared_delete = file->SharedDelete;
        m_snap.files.push_back(std::move(f));
    }

    // The Service value of the node's Enum key (what !devstack prints as ServiceName).
    std::string enum_service(const std::u16string& instance) {
        config::NodeRef node;
        const std::u16string path = u"\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Enum\\" + instance;
        if (!NT_SUCCESS(m_system.config().open_path(path, node)) || !node) return {};
        std::vector<unsigned char> out;
        ULONG length = 0;
        if (!NT_SUCCESS(m_system.config().query_value(*node, u"Service", KeyValuePartialInformation, 1024, out,
                                                      length)))
            return {};
        if (out.size() < offsetof(KEY_VALUE_PARTIAL_INFORMATION, Data)) return {};
        auto* info = reinterpret_cast<const KEY_VALUE_PARTIAL_INFORMATION*>(out.data());
        if (info->Type != REG_SZ && info->Type != REG_EXPAND_SZ) return {};
        std::size_t bytes = std::min<std::size_t>(info->DataLength, out.size() - offsetof(KEY_VALUE_PARTIAL_INFORMATION, Data));
        std::u16string text(reinterpret_cast<const char16_t*>(info->Data), bytes / sizeof(char16_t));
        while (!text.empty() && text.back() == u'\0') text.pop_back();
        return narrow(text);
    }

    // IRPs waiting in a KDEVICE_QUEUE belong to the queue while it holds them; they are read under
    // the queue's lock, which only an NT thread may take.
    void capture_device_queues() {
        const bool may_lock = ke::current_thread_if_any() != nullptr && !m_options.at_bugcheck;
        for (std::size_t i = 0; i < m_device_queues.size(); ++i) {
            PDEVICE_OBJECT dev = m_device_queues[i];
            DeviceSnap& s = m_snap.devices[i];
            if (!may_lock) continue;
            s.queue_listed = true;
            KIRQL irql = KeAcquireSpinLockRaiseToDpc(&dev->DeviceQueue.Lock);
            PLIST_ENTRY head = &dev->DeviceQueue.DeviceListHead;
            for (PLIST_ENTRY e = head->Flink; e && e != head; e = e->Flink) {
                PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.DeviceQueueEntry.DeviceListEntry);
                s.queued_irps.push_back(addr(irp));
                if (m_irp_seen.insert(addr(irp)).second) capture_irp(irp, "device-queue");
            }
            KeReleaseSpinLock(&dev->DeviceQueue.Lock, irql);
        }
    }

    // ---- Processes, threads, handles, IRPs ----

    void capture_processes() {
        std::deque<PEPROCESS> todo;
        std::vector<Ref> held;
        auto enqueue = [&](PEPROCESS p) {
            if (p && m_process_seen.insert(p).second) {
                held.push_back(Ref::share(p));
                todo.push_back(p);
            }
        };
        enqueue(m_objects.system_process());
        enqueue(m_objects.initial_process());
        while (!todo.empty()) {
            PEPROCESS p = todo.front();
            todo.pop_front();
            capture_process(p, enqueue);
        }
    }

    template <class Enqueue>
    void capture_process(PEPROCESS p, Enqueue& enqueue) {
        ProcessSnap s;
        s.address = addr(p);
        s.pid = reinterpret_cast<std::uint64_t>(p->m_unique_id);
        s.parent_pid = reinterpret_cast<std::uint64_t>(p->m_parent_id);
        s.image = narrow(p->m_image_name);
        s.system = p->m_is_system;
        s.terminating = p->m_terminating.load(std::memory_order_relaxed);
        s.handle_count = p->m_handle_table.count();
        add_object(p, {});
        {
            // Thread objects leave the list under this lock before they go; their IRP lists are
            // read under each list's own lock, inside it (no driver code runs in either).
            std::unique_lock guard(p->m_thread_lock, std::defer_lock);
            if (m_options.at_bugcheck ? try_lock_bounded(guard) : (guard.lock(), true)) {
                for (_ETHREAD* t : p->m_threads) {
                    s.threads.push_back(addr(t));
                    capture_thread(t);
                }
            }
        }
        p->m_handle_table.for_each([&](HANDLE handle, const ob::HandleInfo& info) {
            Ref hold = Ref::adopt(info.object->body());
            HandleSnap h;
            h.handle = reinterpret_cast<std::uint64_t>(handle);
            h.object = addr(info.object->body());
            h.granted = info.granted;
            h.attributes = info.attributes;
            ObjectSnap* o = add_object(info.object->body(), {});
            h.type = o->type;
            h.name = o->name;
            s.handles.push_back(std::move(h));
            if (info.object->type == &ob::g_process_type) enqueue(static_cast<PEPROCESS>(info.object->body()));
            if (info.object->type == &io::g_file_type) capture_file(static_cast<PFILE_OBJECT>(info.object->body()));
        });
        m_snap.processes.push_back(std::move(s));
    }

    NTIO_INSPECT_RACY_READER void capture_thread(_ETHREAD* t) {
        ThreadSnap s;
        s.address = addr(t);
        s.cid = reinterpret_cast<std::uint64_t>(t->m_cid_thread);
        s.process = addr(t->m_process);
        s.irql = t->m_irql;
        s.system_thread = t->m_is_system_thread;
        s.terminated = ke::is_terminated(t);
        s.terminating = t->m_terminating.load(std::memory_order_relaxed);
        // An IRP on the list stays allocated while the list lock is held (irp.hpp).
        auto read_list = [&] {
            for (PLIST_ENTRY e = t->m_irp_list.Flink; e != &t->m_irp_list; e = e->Flink) {
                PIRP irp = CONTAINING_RECORD(e, IRP, ThreadListEntry);
                s.irps.push_back(addr(irp));
                if (m_irp_seen.insert(addr(irp)).second) capture_irp(irp, "thread");
            }
        };
        if (!m_options.at_bugcheck) {
            io::ThreadIrpListLock lock(t);
            read_list();
        } else if (try_lock_irp_list(t)) {
            read_list();
            t->m_irp_list_lock.store(false, std::memory_order_release);
        }
        m_snap.threads.push_back(std::move(s));
    }

    // Reads one IRP the caller keeps allocated (list or queue lock held). No allocation happens
    // here except the snapshot's own vectors.
    NTIO_INSPECT_RACY_READER void capture_irp(PIRP irp, const char* found_on) {
        IrpSnap s;
        s.address = addr(irp);
        s.found_on = found_on;
        s.type = irp->Type;
        s.size = irp->Size;
        s.stack_count = irp->StackCount;
        s.current_location = irp->CurrentLocation;
        s.current_stack = addr(irp->Tail.Overlay.CurrentStackLocation);
        auto* first = reinterpret_cast<PIO_STACK_LOCATION>(irp + 1);
        s.first_stack = addr(first);
        s.flags = irp->Flags;
        s.status = irp->IoStatus.Status;
        s.information = irp->IoStatus.Information;
        s.requestor_mode = static_cast<std::uint8_t>(irp->RequestorMode);
        s.apc_environment = static_cast<std::uint8_t>(irp->ApcEnvironment);
        s.cancel_irql = irp->CancelIrql;
        s.pending_returned = irp->PendingReturned;
        s.cancel = irp->Cancel;
        s.mdl = addr(irp->MdlAddress);
        if (irp->MdlAddress) s.mdl_process = addr(irp->MdlAddress->Process);
        // SystemBuffer shares its union with MasterIrp/IrpCount; it means a buffer only for
        // buffered I/O (IRP_BUFFERED_IO), as WinDbg reads it.
        if (irp->Flags & IRP_BUFFERED_IO) s.system_buffer = addr(irp->AssociatedIrp.SystemBuffer);
        s.user_buffer = addr(irp->UserBuffer);
        s.user_iosb = addr(irp->UserIosb);
        s.user_event = addr(irp->UserEvent);
        s.user_apc_routine = symbol(fn_addr(irp->Overlay.AsynchronousParameters.UserApcRoutine));
        s.user_apc_context = addr(irp->Overlay.AsynchronousParameters.UserApcContext);
        s.cancel_routine = symbol(fn_addr(__atomic_load_n(&irp->CancelRoutine, __ATOMIC_ACQUIRE)));
        s.thread = addr(irp->Tail.Overlay.Thread);
        if (irp->Tail.Overlay.Thread) s.process = addr(irp->Tail.Overlay.Thread->m_process);
        s.original_file = addr(irp->Tail.Overlay.OriginalFileObject);
        capture_file(irp->Tail.Overlay.OriginalFileObject);  // the IRP holds a reference on it
        const int count = irp->StackCount > 0 ? irp->StackCount : 0;
        for (int i = 0; i < count; ++i) {
            const IO_STACK_LOCATION& l = first[i];
            StackLocationSnap sl;
            sl.major = l.MajorFunction;
            sl.minor = l.MinorFunction;
            sl.flags = l.Flags;
            sl.control = l.Control;
            sl.device = addr(l.DeviceObject);
            sl.file = addr(l.FileObject);
            sl.completion = symbol(fn_addr(l.CompletionRoutine));
            sl.context = addr(l.Context);
            sl.args[0] = addr(l.Parameters.Others.Argument1);
            sl.args[1] = addr(l.Parameters.Others.Argument2);
            sl.args[2] = addr(l.Parameters.Others.Argument3);
            sl.args[3] = addr(l.Parameters.Others.Argument4);
            s.stack.push_back(sl);
        }
        m_snap.irps.push_back(std::move(s));
    }

    // ---- Objects known only by name, pool ----

    void finish_objects() {
        // Devices (and the other objects whose type parses names) are known by address through
        // their drivers; the namespace walk knows them by name only.
        std::unordered_map<std::string, Addr> device_names;
        for (const DeviceSnap& d : m_snap.devices)
            if (!d.name.empty()) device_names[d.name] = d.address;
        for (Ref& dev : m_devices) add_object(dev.get(), {});
        for (ObjectSnap& o : m_named_only) {
            auto it = device_names.find(o.name);
            if (it != device_names.end() && m_object_index.count(it->second)) continue;
            m_snap.objects.push_back(std::move(o));
        }
    }

    void capture_modules() {
        for (const io::LoadedModule& m : io::loaded_modules(m_system, m_options.at_bugcheck)) {
            const Addr start = reinterpret_cast<Addr>(m.base);
            m_snap.modules.push_back({start, start + m.size, m.path});
        }
    }

    void capture_pool() {
        for (const ex::PoolTagUsage& row : ex::pool_snapshot()) {
            PoolSnap p;
            p.tag = row.tag;
            p.paged = row.paged;
            p.allocations = row.allocations;
            p.frees = row.frees;
            p.bytes = row.bytes_outstanding;
            m_snap.pool.push_back(p);
        }
    }

    Addr symbol(Addr a) {
        if (a && !m_snap.symbols.count(a)) {
            std::string text = symbolise(a);
            if (!text.empty()) m_snap.symbols.emplace(a, std::move(text));
        }
        return a;
    }

    System& m_system;
    ob::ObjectManager& m_objects;
    Snapshot& m_snap;
    CaptureOptions m_options;
    std::unordered_map<std::u16string, _OBJECT_TYPE*> m_descriptors;
    std::unordered_map<Addr, std::size_t> m_object_index;
    std::vector<ObjectSnap> m_named_only;
    std::set<void*> m_driver_seen;
    std::vector<Ref> m_drivers;
    std::set<void*> m_device_seen;
    std::vector<Ref> m_devices;
    std::vector<PDEVICE_OBJECT> m_device_queues;  // parallel to m_snap.devices
    std::set<PEPROCESS> m_process_seen;
    std::set<Addr> m_irp_seen;
    std::set<Addr> m_file_seen;
    std::set<Addr> m_vpb_seen;
};

}  // namespace

void set_verifier_log_provider(VerifierLogProvider provider) noexcept {
    g_verifier_log.store(provider, std::memory_order_release);
}

Snapshot capture(System& system) { return capture(system, CaptureOptions{}); }

Snapshot capture(System& system, const CaptureOptions& options) {
    Snapshot snap;
    Capturer(system, snap, options).run();
    return snap;
}

}  // namespace ntio::inspect
