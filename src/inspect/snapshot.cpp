// Lookups over a Snapshot (linear: snapshots are small and commands are interactive).
#include "inspect/snapshot.hpp"

#include <algorithm>
#include <cctype>

namespace ntio::inspect {
namespace {

bool iequal(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

template <class T, class Pred>
const T* find_if_ptr(const std::vector<T>& v, Pred pred) {
    auto it = std::find_if(v.begin(), v.end(), pred);
    return it == v.end() ? nullptr : &*it;
}

}  // namespace

const DriverSnap* Snapshot::driver(Addr a) const {
    return find_if_ptr(drivers, [&](const DriverSnap& d) { return d.address == a; });
}
const DriverSnap* Snapshot::driver_named(const std::string& full_name) const {
    return find_if_ptr(drivers, [&](const DriverSnap& d) { return iequal(d.name, full_name); });
}
const DeviceSnap* Snapshot::device(Addr a) const {
    return find_if_ptr(devices, [&](const DeviceSnap& d) { return d.address == a; });
}
const DeviceSnap* Snapshot::device_named(const std::string& full_name) const {
    return find_if_ptr(devices, [&](const DeviceSnap& d) { return !d.name.empty() && iequal(d.name, full_name); });
}
const FileSnap* Snapshot::file(Addr a) const {
    return find_if_ptr(files, [&](const FileSnap& f) { return f.address == a; });
}
const VpbSnap* Snapshot::vpb(Addr a) const {
    return find_if_ptr(vpbs, [&](const VpbSnap& v) { return v.address == a; });
}
const IrpSnap* Snapshot::irp(Addr a) const {
    return find_if_ptr(irps, [&](const IrpSnap& i) { return i.address == a; });
}
const IrpSnap* Snapshot::irp_by_seq(std::uint64_t seq) const {
    return find_if_ptr(irps, [&](const IrpSnap& i) { return i.seq == seq; });
}
const ThreadSnap* Snapshot::thread(Addr a) const {
    return find_if_ptr(threads, [&](const ThreadSnap& t) { return t.address == a; });
}
const ProcessSnap* Snapshot::process(Addr a) const {
    return find_if_ptr(processes, [&](const ProcessSnap& p) { return p.address == a; });
}
const ProcessSnap* Snapshot::process_by_pid(std::uint64_t pid) const {
    return find_if_ptr(processes, [&](const ProcessSnap& p) { return p.pid == pid; });
}
const ObjectSnap* Snapshot::object(Addr a) const {
    if (!a) return nullptr;
    return find_if_ptr(objects, [&](const ObjectSnap& o) { return o.address == a; });
}
const ObjectSnap* Snapshot::object_named(const std::string& full_name) const {
    return find_if_ptr(objects, [&](const ObjectSnap& o) { return !o.name.empty() && iequal(o.name, full_name); });
}

std::string Snapshot::driver_name_of_device(Addr a) const {
    const DeviceSnap* d = device(a);
    if (!d) return {};
    const DriverSnap* drv = driver(d->driver);
    return drv ? drv->name : std::string();
}

std::string Snapshot::symbol(Addr a) const {
    auto it = symbols.find(a);
    return it == symbols.end() ? std::string() : it->second;
}

}  // namespace ntio::inspect
