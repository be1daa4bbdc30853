// System start: the drive-letter and \SystemRoot links image paths go through, then the boot- and
// system-start services in group order (NT's IopInitializeBootDrivers / IopInitializeSystemDrivers).
#include <algorithm>

#include "io/driver_loader.hpp"
#include "io/driver_loader_registry.hpp"
#include "io/io_manager.hpp"
#include "ntio/system.hpp"
#include "rtl/case_map.hpp"

namespace ntio::io {

using namespace loader;

namespace {

constexpr std::u16string_view kDosDevicesKey =
    u"\\Registry\\Machine\\System\\CurrentControlSet\\Control\\Session Manager\\DOS Devices";
constexpr std::u16string_view kGroupOrderKey = u"\\Registry\\Machine\\System\\CurrentControlSet\\Control\\ServiceGroupOrder";
constexpr std::u16string_view kCurrentVersionKey = u"\\Registry\\Machine\\Software\\Microsoft\\Windows NT\\CurrentVersion";

bool link_exists(std::u16string_view path) {
    std::u16string target;
    return query_link(path, target) != STATUS_OBJECT_NAME_NOT_FOUND;
}

void make_link(std::u16string_view path, std::u16string_view target) {
    NTSTATUS status = create_permanent_link(path, target);
    if (!NT_SUCCESS(status) && status != STATUS_OBJECT_NAME_COLLISION)
        DbgPrintEx(DPFLTR_DEFAULT_ID, DPFLTR_ERROR_LEVEL, "ntio: cannot create the link %s -> %s (status 0x%08X)\n",
                   to_utf8(path).c_str(), to_utf8(target).c_str(), static_cast<unsigned>(status));
}

// What smss does with Session Manager\DOS Devices (each value a \??\<name> link), and ntio's
// defaults for what an NT boot volume would give: \??\C: is the host file system's volume
// (\Device\HostFs, hostfs.sys) when its service starts with the system, and \SystemRoot is \??\ +
// CurrentVersion's SystemRoot (C:\Windows). The link is made before the driver loads, as smss makes
// drive letters for volumes that mount later.
// NT deviation: without the Hostfs service, \??\C: links to the host directory "/" (a target
// starting with '/' names a host directory for image paths); files cannot be opened through it.
void create_dos_device_links() {
    KernelHandle key;
    if (NT_SUCCESS(open_key(kDosDevicesKey, key))) {
        std::vector<std::pair<std::u16string, std::u16string>> values;
        if (NT_SUCCESS(enumerate_string_values(key.get(), values)))
            for (const auto& [name, target] : values)
                if (!name.empty() && !link_exists(u"\\??\\" + name)) make_link(u"\\??\\" + name, target);
    }
    if (!link_exists(u"\\??\\C:")) make_link(u"\\??\\C:", hostfs_starts_with_system() ? kHostfsDevice : std::u16string_view(u"/"));
    if (!link_exists(u"\\SystemRoot")) {
        std::u16string root = u"C:\\Windows";
        KernelHandle version;
        if (NT_SUCCESS(open_key(kCurrentVersionKey, version))) {
            std::u16string configured;
            if (NT_SUCCESS(query_string(version.get(), u"SystemRoot", configured)) && !configured.empty())
                root = configured;
        }
        if (root.size() >= 2 && root[1] == u':') root = u"\\??\\" + root;
        make_link(u"\\SystemRoot", root);
    }
}

struct StartEntry {
    ServiceConfig config;
    std::size_t group_rank = 0;
    std::u16string upcased_name;
};

std::u16string upcased(std::u16string_view text) {
    std::u16string out(text);
    for (char16_t& c : out) c = rtl::upcase(c);
    return out;
}

}  // namespace

NTSTATUS load_start_services(System& system, std::u16string* failed_service) {
    // However the boot ends, the boot-start phase is over when this returns.
    struct BootPhaseEnd {
        System& system;
        ~BootPhaseEnd() { system.io().run_boot_reinitializations(); }
    } boot_phase_end{system};
    create_dos_device_links();
    KernelHandle services;
    if (!NT_SUCCESS(open_key(kServicesKeyPath, services))) return STATUS_SUCCESS;
    std::vector<std::u16string> names;
    if (!NT_SUCCESS(enumerate_subkeys(services.get(), names))) return STATUS_SUCCESS;
    std::vector<std::u16string> groups;
    {
        KernelHandle order;
        if (NT_SUCCESS(open_key(kGroupOrderKey, order))) (void)query_multi_string(order.get(), u"List", groups);
    }
    std::vector<StartEntry> entries;
    for (const std::u16string& name : names) {
        ULONG start = kServiceDemandStart;
        {
            KernelHandle key;
            if (!NT_SUCCESS(open_key(std::u16string(kServicesKeyPath) + u"\\" + name, key)) ||
                !NT_SUCCESS(query_dword(key.get(), u"Start", start)))
                continue;
        }
        if (start != kServiceBootStart && start != kServiceSystemStart) continue;
        StartEntry entry;
        NTSTATUS status = read_service_config(name, entry.config);
        if (!NT_SUCCESS(status)) {
            // load_service reports it (and the ErrorControl decision) below.
            entry.config.name = name;
            entry.config.start = start;
        }
        entry.group_rank = groups.size();
        for (std::size_t i = 0; i < groups.size(); ++i)
            if (equal_ignore_case(groups[i], entry.config.group)) {
                entry.group_rank = i;
                break;
            }
        entry.upcased_name = upcased(name);
        entries.push_back(std::move(entry));
    }
    // Boot-start before system-start; within each, ServiceGroupOrder\List order, ungrouped last.
    // NT deviation: the Tag order of GroupOrderList within a group is not used; services of one
    // group load by name.
    std::sort(entries.begin(), entries.end(), [](const StartEntry& a, const StartEntry& b) {
        if (a.config.start != b.config.start) return a.config.start < b.config.start;
        if (a.group_rank != b.group_rank) return a.group_rank < b.group_rank;
        return a.upcased_name < b.upcased_name;
    });
    // The boot drivers' reinitialization routines run once the last boot-start driver is loaded,
    // before the first system-start one (IoRegisterBootDriverReinitialization).
    bool boot_phase = true;
    for (const StartEntry& entry : entries) {
        if (boot_phase && entry.config.start != kServiceBootStart) {
            boot_phase = false;
            system.io().run_boot_reinitializations();
        }
        PDRIVER_OBJECT driver = nullptr;
        NTSTATUS status = load_service(entry.config.name, &driver);
        if (driver) ObDereferenceObject(driver);
        if (NT_SUCCESS(status) || status == STATUS_IMAGE_ALREADY_LOADED) continue;
        // load_service logged the cause; ErrorControl decides whether the boot goes on.
        if (entry.config.error_control >= kServiceErrorCritical) {
            if (failed_service) *failed_service = entry.config.name;
            system.io().run_boot_reinitializations(false);
            return status;
        }
    }
    return STATUS_SUCCESS;
}

}  // namespace ntio::io
