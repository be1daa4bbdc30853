// !fileobj and !vpb: a file object and a volume parameter block in the layout of the WinDbg
// extensions (debuggercmds/-fileobj.md and -vpb.md on Microsoft Learn, whose example output they
// follow: name, device and driver, VPB, event state, access and sharing, decoded flags, file-system
// contexts, position and cache data; the VPB's flags, devices, reference count and label).
#include "inspect/kd_format.hpp"

namespace ntio::inspect::kd {
namespace {

// FO_* (wdm.h), in bit order, named as !fileobj prints them.
constexpr std::pair<std::uint32_t, const char*> kFileFlags[] = {
    {0x00000001, "File Open"},           {0x00000002, "Synchronous IO"},
    {0x00000004, "Alertable IO"},        {0x00000008, "No Intermediate Buffering"},
    {0x00000010, "Write Through"},       {0x00000020, "Sequential Only"},
    {0x00000040, "Cache Supported"},     {0x00000080, "Named Pipe"},
    {0x00000100, "Stream File"},         {0x00000200, "Mailslot"},
    {0x00000400, "Generate Audit On Close"}, {0x00000800, "Direct Device Open"},
    {0x00001000, "File Modified"},       {0x00002000, "File Size Changed"},
    {0x00004000, "Cleanup Complete"},    {0x00008000, "Temporary File"},
    {0x00010000, "Delete On Close"},     {0x00020000, "Opened Case Sensitive"},
    {0x00040000, "Handle Created"},      {0x00080000, "Fast IO Read"},
    {0x00100000, "Random Access"},       {0x00200000, "File Open Cancelled"},
    {0x00400000, "Volume Open"},         {0x01000000, "Remote Origin"},
    {0x02000000, "Disallow Exclusive"},  {0x04000000, "Skip Set Event"},
    {0x08000000, "Skip Set Fast IO"},    {0x10000000, "Indirect Wait Object"},
    {0x20000000, "Section Minstore Treatment"},
};

// VPB_* (wdm.h), as !vpb prints them.
constexpr std::pair<std::uint16_t, const char*> kVpbFlags[] = {
    {0x0001, "mounted"}, {0x0002, "locked"}, {0x0004, "persistent"},
    {0x0008, "remove_pending"}, {0x0010, "raw_mount"}, {0x0020, "direct_writes_allowed"},
};

std::string hex0x(Addr a) { return "0x" + ptr(a); }

}  // namespace

int cmd_fileobj(const Snapshot& s, const Args& a, std::string& out) {
    if (a.size() != 1) return fail(out, "Usage: !fileobj <address>");
    auto address = parse_number(a[0]);
    const FileSnap* f = address ? s.file(*address) : nullptr;
    if (!f) return fail(out, "Invalid file object " + a[0] + ": not a file object reached by a handle or an IRP");
    out += "\n" + f->name + "\n\n";
    std::string driver = f->device ? s.driver_name_of_device(f->device) : std::string();
    out += "Device Object: " + hex0x(f->device) + (driver.empty() ? "" : "   " + driver) + "\n";
    out += "Vpb: " + hex0x(f->vpb) + "\n";
    if (f->event_signalled) out += "Event signalled\n";
    std::string access;
    for (const auto& [on, name] : {std::pair{f->read_access, "Read"}, {f->write_access, "Write"},
                                   {f->delete_access, "Delete"}, {f->shared_read, "SharedRead"},
                                   {f->shared_write, "SharedWrite"}, {f->shared_delete, "SharedDelete"}})
        if (on) access += std::string(" ") + name;
    out += "Access:" + access + "\n";
    out += "\nFlags:  " + hex(f->flags, 1) + "\n";
    for (const auto& [bit, name] : kFileFlags)
        if (f->flags & bit) out += std::string("\t") + name + "\n";
    if (f->delete_pending) out += "\tDelete Pending\n";
    if (f->lock_operation) out += "\tLock Operation\n";
    out += "\nFsContext: " + hex0x(f->fs_context) + "\tFsContext2: " + hex0x(f->fs_context2) + "\n";
    if (f->private_cache_map) out += "Private Cache Map: " + hex0x(f->private_cache_map) + "\n";
    if (f->related_file) out += "Related File Object: " + hex0x(f->related_file) + "\n";
    out += "CurrentByteOffset: " + hex(static_cast<std::uint64_t>(f->current_byte_offset), 1) + "\n";
    if (f->final_status) out += "Final Status: " + hex(static_cast<std::uint32_t>(f->final_status), 8) + "\n";
    if (f->section_object_pointer) {
        out += "Cache Data:\n";
        out += "  Section Object Pointers: " + ptr(f->section_object_pointer) + "\n";
        out += "  Shared Cache Map: " + ptr(f->shared_cache_map) + "\n";
    }
    return 0;
}

int cmd_vpb(const Snapshot& s, const Args& a, std::string& out) {
    if (a.size() != 1) return fail(out, "Usage: !vpb <address>");
    auto address = parse_number(a[0]);
    const VpbSnap* v = address ? s.vpb(*address) : nullptr;
    if (!v) return fail(out, "Invalid VPB " + a[0] + ": not the VPB of a device of this system");
    out += "Vpb at " + hex0x(v->address) + "\n";
    out += "Flags: " + hex(v->flags, 1);
    for (const auto& [bit, name] : kVpbFlags)
        if (v->flags & bit) out += std::string(" ") + name;
    out += "\n";
    out += "DeviceObject: " + hex0x(v->device_object) + "\n";
    // The I/O manager's stand-in for RAW mounts a volume no file system recognizes without a volume
    // device (io/volume_mount.cpp): files opened on it go to the real device's own stack.
    if (!v->device_object && (v->flags & 0x0010)) out += "  (raw mount: no volume device, the real device serves it)\n";
    out += "RealDevice:   " + hex0x(v->real_device) + "\n";
    out += "RefCount: " + std::to_string(v->reference_count) + "\n";
    out += "Volume Label: " + v->volume_label + "\n";
    return 0;
}

}  // namespace ntio::inspect::kd
