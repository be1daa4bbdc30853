// !object, !handle, !thread, !process and !poolused: the object manager, thread and pool views, in
// the layouts of the WinDbg extensions of the same names (MicrosoftDocs windows-driver-docs,
// debuggercmds/-object.md, -handle.md, -thread.md, -process.md, -poolused.md), and the debugger's
// own lm (list loaded modules, debuggercmds/lm--list-loaded-modules-.md).
#include <algorithm>
#include <cctype>
#include <map>

#include "inspect/kd_format.hpp"

namespace ntio::inspect::kd {
namespace {

std::string parent_of(const std::string& name) {
    auto slash = name.rfind('\\');
    if (slash == std::string::npos || name == "\\") return {};
    return slash == 0 ? "\\" : name.substr(0, slash);
}

std::string last_component(const std::string& name) {
    if (name == "\\") return name;
    auto slash = name.rfind('\\');
    return slash == std::string::npos ? name : name.substr(slash + 1);
}

std::string type_object(const Snapshot& s, const std::string& type) {
    auto it = s.type_objects.find(type);
    return ptr(it == s.type_objects.end() ? 0 : it->second);
}

// The "Object: ... Type: ..." block !object and !handle print for one object.
void format_object_header(const Snapshot& s, const ObjectSnap& o, const std::string& indent, std::string& out) {
    record(o);
    out += indent + "Object: " + ptr(o.address) + "  Type: (" + type_object(s, o.type) + ") " + o.type + "\n";
    out += indent + "    HandleCount: " + std::to_string(o.handle_count) + "  PointerCount: " +
           std::to_string(o.pointer_count) + "\n";
    if (!o.name.empty()) {
        Addr directory = 0;
        if (const ObjectSnap* parent = s.object_named(parent_of(o.name))) directory = parent->address;
        out += indent + "    Directory Object: " + ptr(directory) + "  Name: " + last_component(o.name) + "\n";
    }
    if (!o.link_target.empty()) out += indent + "    Target String is '" + o.link_target + "'\n";
    if (!o.detail.empty()) out += indent + "    " + o.detail + "\n";
}

bool iequal(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// A pool-tag pattern with '*' and '?' as !poolused takes it.
bool tag_matches(const std::string& pattern, const std::string& tag) {
    std::size_t p = 0, t = 0, star = std::string::npos, mark = 0;
    while (t < tag.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == tag[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

std::string tag_text(std::uint32_t tag) {
    std::string text;
    for (int i = 0; i < 4; ++i) {
        char c = static_cast<char>((tag >> (8 * i)) & 0xFF);
        text.push_back(std::isprint(static_cast<unsigned char>(c)) ? c : '?');
    }
    return text;
}

void format_process_brief(const ProcessSnap& p, std::string& out) {
    record(p);
    out += "PROCESS " + ptr(p.address) + "\n";
    out += "    SessionId: none  Cid: " + hex(p.pid, 4) + "    Peb: 00000000  ParentCid: " + hex(p.parent_pid, 4) + "\n";
    out += "    HandleCount: " + std::to_string(p.handle_count) + ".\n";
    out += "    Image: " + p.image + (p.terminating ? "  (terminating)" : "") + "\n";
}

}  // namespace

int cmd_object(const Snapshot& s, const Args& a, std::string& out) {
    if (a.size() != 1) return fail(out, "Usage: !object <path|address>");
    const ObjectSnap* o = nullptr;
    if (a[0][0] == '\\') {
        o = s.object_named(a[0]);
        if (!o) return fail(out, "Object " + a[0] + " not found");
    } else {
        auto addr = parse_number(a[0]);
        if (!addr) return fail(out, "Usage: !object <path|address>");
        o = s.object(*addr);
        if (!o) return fail(out, a[0] + ": Not a valid object (ObjectType invalid)");
    }
    format_object_header(s, *o, "", out);
    if (o->type == "Directory") {
        std::vector<const ObjectSnap*> children;
        for (const ObjectSnap& child : s.objects)
            if (!child.name.empty() && child.name != o->name && parent_of(child.name) == o->name) children.push_back(&child);
        std::sort(children.begin(), children.end(),
                  [](const ObjectSnap* x, const ObjectSnap* y) { return x->name < y->name; });
        out += "\n    Address          Type                      Name\n";
        out += "    -------          ----                      ----\n";
        for (const ObjectSnap* child : children) {
            char type[32];
            std::snprintf(type, sizeof type, "%-25s", child->type.c_str());
            out += "    " + ptr(child->address) + " " + type + " " + last_component(child->name) + "\n";
            record(*child);
        }
    }
    return 0;
}

int cmd_handle(const Snapshot& s, const Args& a, std::string& out) {
    static const char* const kUsage = "Usage: !handle [Handle [Flags [Process [TypeName]]]]";
    std::uint64_t handle = 0;
    std::uint64_t flags = 3;
    std::vector<const ProcessSnap*> processes;
    std::string type_filter;
    if (a.size() > 4) return fail(out, kUsage);
    if (a.size() >= 1) {
        auto h = parse_number(a[0]);
        if (!h) return fail(out, kUsage);
        handle = *h;
    }
    if (a.size() >= 2) {
        auto f = parse_number(a[1]);
        if (!f) return fail(out, kUsage);
        flags = *f;
    }
    if (a.size() >= 3) {
        auto p = parse_number(a[2]);
        if (!p) return fail(out, kUsage);
        if (*p == 0) {
            for (const ProcessSnap& each : s.processes) processes.push_back(&each);
        } else if (const ProcessSnap* by_addr = s.process(*p)) {
            processes.push_back(by_addr);
        } else if (const ProcessSnap* by_pid = s.process_by_pid(*p)) {
            processes.push_back(by_pid);
        } else {
            return fail(out, "Invalid process " + a[2]);
        }
    } else if (const ProcessSnap* current = s.process(s.current_process)) {
        processes.push_back(current);
    }
    if (a.size() == 4) type_filter = a[3];
    bool found = false;
    for (const ProcessSnap* p : processes) {
        format_process_brief(*p, out);
        out += "\nHandle table with " + std::to_string(p->handles.size()) + " entries in use\n\n";
        for (const HandleSnap& h : p->handles) {
            if (handle && h.handle != handle) continue;
            if (!type_filter.empty() && !iequal(type_filter, h.type)) continue;
            found = true;
            record(h);
            out += hex(h.handle, 4) + ": Object: " + ptr(h.object) + "  GrantedAccess: " + hex(h.granted, 8);
            if (h.attributes & 0x2) out += " Inherit";       // OBJ_INHERIT
            if (h.attributes & 0x1) out += " ProtectClose";  // OBJ_PROTECT_CLOSE
            out += "\n";
            if (flags & 2) {
                if (const ObjectSnap* o = s.object(h.object)) format_object_header(s, *o, "", out);
                out += "\n";
            }
        }
        out += "\n";
    }
    if (handle && !found) return fail(out, "Invalid Handle: 0x" + hex(handle, 1));
    return 0;
}

void format_thread(const Snapshot& s, const ThreadSnap& t, std::string& out) {
    record(t);
    const ProcessSnap* p = s.process(t.process);
    out += "THREAD " + ptr(t.address) + "  Cid " + hex(p ? p->pid : 0, 4) + "." + hex(t.cid, 4) +
           "  Teb: 0000000000000000 Win32Thread: 0000000000000000 " +
           (t.terminated ? "TERMINATED" : t.terminating ? "TERMINATING" : "RUNNING") +
           (t.system_thread ? " (system thread)" : "") + "\n";
    if (!t.irps.empty()) {
        out += "IRP List:\n";
        for (Addr a : t.irps) {
            const IrpSnap* irp = s.irp(a);
            if (!irp) continue;
            record(*irp);
            out += "    " + ptr(a) + ": (" + hex(static_cast<std::uint16_t>(irp->type), 4) + "," + hex(irp->size, 4) +
                   ") Flags: " + hex(irp->flags, 8) + "  Mdl: " + ptr(irp->mdl) + "  seq " + std::to_string(irp->seq) +
                   "\n";
        }
    }
    out += "Not impersonating\n";
    out += "Owning Process            " + ptr(t.process) + "       Image:         " + (p ? p->image : "") + "\n";
    out += "Irql                      " + std::to_string(t.irql) + "\n";
}

int cmd_thread(const Snapshot& s, const Args& a, std::string& out) {
    if (a.size() > 2) return fail(out, "Usage: !thread [Address [Flags]]");
    if (a.empty() || (parse_number(a[0]) && *parse_number(a[0]) == 0 && !s.current_thread)) {
        if (const ThreadSnap* t = s.thread(s.current_thread)) {
            format_thread(s, *t, out);
            return 0;
        }
        // No current thread (a dump, or the attach server): every thread, as !process 0 7 lists them.
        for (const ThreadSnap& t : s.threads) {
            format_thread(s, t, out);
            out += "\n";
        }
        return 0;
    }
    auto addr = parse_number(a[0]);
    if (!addr) return fail(out, "Usage: !thread [Address [Flags]]");
    const ThreadSnap* t = *addr ? s.thread(*addr) : s.thread(s.current_thread);
    if (!t) return fail(out, a[0] + ": Not a thread object of this system");
    format_thread(s, *t, out);
    return 0;
}

int cmd_process(const Snapshot& s, const Args& a, std::string& out) {
    static const char* const kUsage = "Usage: !process [Process [Flags [ImageName]]]";
    if (a.size() > 3) return fail(out, kUsage);
    std::vector<const ProcessSnap*> processes;
    std::uint64_t flags = 7;
    bool all = false;
    if (a.empty()) {
        if (const ProcessSnap* p = s.process(s.current_process)) processes.push_back(p);
    } else {
        auto p = parse_number(a[0]);
        if (!p) return fail(out, kUsage);
        if (*p == 0) {
            all = true;
            for (const ProcessSnap& each : s.processes) processes.push_back(&each);
        } else if (const ProcessSnap* by_addr = s.process(*p)) {
            processes.push_back(by_addr);
        } else if (const ProcessSnap* by_pid = s.process_by_pid(*p)) {
            processes.push_back(by_pid);
        } else {
            return fail(out, a[0] + ": Not a process object of this system");
        }
        flags = 3;
    }
    if (a.size() >= 2) {
        auto f = parse_number(a[1]);
        if (!f) return fail(out, kUsage);
        flags = *f;
    }
    if (all) out += "**** NT ACTIVE PROCESS DUMP ****\n";
    for (const ProcessSnap* p : processes) {
        if (a.size() == 3 && !iequal(a[2], p->image)) continue;
        format_process_brief(*p, out);
        if (flags & 6) {
            out += "\n";
            for (Addr t : p->threads) {
                if (const ThreadSnap* thread = s.thread(t)) {
                    format_thread(s, *thread, out);
                    out += "\n";
                }
            }
        }
        out += "\n";
    }
    return 0;
}

int cmd_poolused(const Snapshot& s, const Args& a, std::string& out) {
    static const char* const kUsage = "Usage: !poolused [Flags [TagString]]";
    if (a.size() > 2) return fail(out, kUsage);
    std::uint64_t flags = 0;
    if (!a.empty()) {
        auto f = parse_number(a[0]);
        if (!f) return fail(out, kUsage);
        flags = *f;
    }
    const std::string pattern = a.size() == 2 ? a[1] : "*";
    struct Row {
        std::uint64_t allocs[2] = {};  // [nonpaged, paged] blocks outstanding
        std::int64_t used[2] = {};
    };
    std::map<std::string, Row> rows;
    for (const PoolSnap& p : s.pool) {
        const std::string tag = tag_text(p.tag);
        if (!tag_matches(pattern, tag)) continue;
        const std::uint64_t outstanding = p.allocations - p.frees;
        if (!(flags & 1) && outstanding == 0 && p.bytes == 0) continue;
        record(p);
        Row& row = rows[tag];
        row.allocs[p.paged ? 1 : 0] += outstanding;
        row.used[p.paged ? 1 : 0] += p.bytes;
    }
    std::vector<std::pair<std::string, Row>> sorted(rows.begin(), rows.end());
    if (flags & 2) {
        std::stable_sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.second.used[0] > y.second.used[0]; });
        out += "   Sorting by NonPaged Pool Consumed\n\n";
    } else if (flags & 4) {
        std::stable_sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.second.used[1] > y.second.used[1]; });
        out += "   Sorting by Paged Pool Consumed\n\n";
    } else {
        out += "   Sorting by Tag\n\n";
    }
    // NT deviation: ntio's pool (and so this table) is shared by every System in the host process.
    out += " Pool Used:\n";
    out += "            NonPaged                    Paged\n";
    out += " Tag    Allocs         Used    Allocs         Used\n\n";
    Row total;
    for (const auto& [tag, row] : sorted) {
        char line[128];
        std::snprintf(line, sizeof line, " %-4s %8llu %12lld  %8llu %12lld\n", tag.c_str(),
                      static_cast<unsigned long long>(row.allocs[0]), static_cast<long long>(row.used[0]),
                      static_cast<unsigned long long>(row.allocs[1]), static_cast<long long>(row.used[1]));
        out += line;
        for (int k = 0; k < 2; ++k) {
            total.allocs[k] += row.allocs[k];
            total.used[k] += row.used[k];
        }
    }
    char line[128];
    std::snprintf(line, sizeof line, " TOTAL %7llu %12lld  %8llu %12lld\n",
                  static_cast<unsigned long long>(total.allocs[0]), static_cast<long long>(total.used[0]),
                  static_cast<unsigned long long>(total.allocs[1]), static_cast<long long>(total.used[1]));
    out += line;
    return 0;
}

// The module name the debugger gives an image: its file name without the extension, "nt" for the
// kernel.
std::string module_name(const std::string& path) {
    const std::size_t slash = path.rfind('\\');
    std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
    std::string lower = file;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "ntoskrnl.exe" || lower == "ntkrnlmp.exe") return "nt";
    const std::size_t dot = file.rfind('.');
    return dot == std::string::npos ? file : file.substr(0, dot);
}

// lm [f] [m Pattern]: the loaded modules in load order, with their symbol state (ntio has no
// symbol files: "(deferred)", as the debugger shows a module whose symbols are not loaded yet) or,
// with f, the image's path. The pattern matches module names, '*' and '?' as wildcards, ignoring case.
int cmd_lm(const Snapshot& s, const Args& a, std::string& out) {
    static const char* const kUsage = "Usage: lm [f] [m Pattern]";
    bool paths = false;
    std::string pattern = "*";
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (iequal(a[i], "f")) {
            paths = true;
        } else if (iequal(a[i], "m") && i + 1 < a.size()) {
            pattern = a[++i];
        } else {
            return fail(out, kUsage);
        }
    }
    for (char& c : pattern) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out += "start            end                module name\n";
    for (const ModuleSnap& m : s.modules) {
        const std::string name = module_name(m.path);
        std::string lower = name;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!tag_matches(pattern, lower)) continue;
        std::string padded = name;
        if (padded.size() < 10) padded.resize(10, ' ');
        out += ptr(m.start) + " " + ptr(m.end) + "   " + padded + " " + (paths ? m.path : "(deferred)") + "\n";
    }
    return 0;
}

}  // namespace ntio::inspect::kd
