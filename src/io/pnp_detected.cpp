// What legacy drivers report to the PnP manager: IoReportDetectedDevice (a device found by probing
// becomes a root-enumerated device whose PDO the driver attaches to), IoReportResourceForDetection
// (claims on the probed resources, with conflicts between claimants reported), and
// IoGetConfigurationInformation (the System's device counters, which drivers update themselves).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioreportdetecteddevice
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioreportresourcefordetection
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iogetconfigurationinformation
#include "io/device_object.hpp"
#include "io/objects.hpp"
#include "io/pnp_manager.hpp"

#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

namespace {

// INTERFACE_TYPE names as the compatible IDs spell them (DETECTED<Interface>\<Driver>).
constexpr const char16_t* kInterfaceNames[] = {
    u"Internal",     u"Isa",         u"Eisa",         u"MicroChannel",      u"TurboChannel", u"PCIBus",
    u"VMEBus",       u"NuBus",       u"PCMCIABus",    u"CBus",              u"MPIBus",       u"MPSABus",
    u"ProcessorInternal", u"InternalPowerBus", u"PNPISABus", u"PNPBus",     u"Vmcs",         u"ACPIBus"};

// The size of a CM_RESOURCE_LIST: its full descriptors, each with its partial descriptors and the
// device-specific data that follows a CmResourceTypeDeviceSpecific one.
std::size_t resource_list_size(const CM_RESOURCE_LIST* list) {
    std::size_t size = FIELD_OFFSET(CM_RESOURCE_LIST, List);
    auto* full = reinterpret_cast<const unsigned char*>(list->List);
    for (ULONG i = 0; i < list->Count; ++i) {
        auto* descriptor = reinterpret_cast<const CM_FULL_RESOURCE_DESCRIPTOR*>(full);
        std::size_t length = FIELD_OFFSET(CM_FULL_RESOURCE_DESCRIPTOR, PartialResourceList.PartialDescriptors);
        for (ULONG j = 0; j < descriptor->PartialResourceList.Count; ++j) {
            const CM_PARTIAL_RESOURCE_DESCRIPTOR& partial = descriptor->PartialResourceList.PartialDescriptors[j];
            length += sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR);
            if (partial.Type == CmResourceTypeDeviceSpecific) length += partial.u.DeviceSpecificData.DataSize;
        }
        size += length;
        full += length;
    }
    return size;
}

// A claimed range of one resource kind (ports, memory, interrupt vectors, DMA channels).
struct Claim {
    ob::ObjectManager* manager;
    const void* owner;  // the driver (DriverList) or the device (DeviceList)
    UCHAR type;
    ULONGLONG start;
    ULONGLONG length;
};

std::mutex g_claims_lock;
std::vector<Claim> g_claims;

void claims_of(ob::ObjectManager* manager, const void* owner, const CM_RESOURCE_LIST* list, std::size_t list_size,
               std::vector<Claim>& out) {
    if (!list || list_size < FIELD_OFFSET(CM_RESOURCE_LIST, List)) return;
    auto* full = reinterpret_cast<const unsigned char*>(list->List);
    for (ULONG i = 0; i < list->Count; ++i) {
        auto* descriptor = reinterpret_cast<const CM_FULL_RESOURCE_DESCRIPTOR*>(full);
        std::size_t length = FIELD_OFFSET(CM_FULL_RESOURCE_DESCRIPTOR, PartialResourceList.PartialDescriptors);
        for (ULONG j = 0; j < descriptor->PartialResourceList.Count; ++j) {
            const CM_PARTIAL_RESOURCE_DESCRIPTOR& p = descriptor->PartialResourceList.PartialDescriptors[j];
            length += sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR);
            switch (p.Type) {
            case CmResourceTypePort:
            case CmResourceTypeMemory:
                out.push_back({manager, owner, p.Type, static_cast<ULONGLONG>(p.u.Port.Start.QuadPart), p.u.Port.Length});
                break;
            case CmResourceTypeInterrupt: out.push_back({manager, owner, p.Type, p.u.Interrupt.Vector, 1}); break;
            case CmResourceTypeDma: out.push_back({manager, owner, p.Type, p.u.Dma.Channel, 1}); break;
            case CmResourceTypeDeviceSpecific: length += p.u.DeviceSpecificData.DataSize; break;
            default: break;
            }
        }
        full += length;
    }
}

bool overlaps(const Claim& a, const Claim& b) {
    return a.manager == b.manager && a.type == b.type && a.owner != b.owner && a.length && b.length &&
           a.start < b.start + b.length && b.start < a.start + a.length;
}

// Replaces the owner's claims with `list`'s; whether another owner claims any of them. Shared
// interrupts and the like are not told apart: ntio's reading is that detection claims are exclusive.
bool claim(ob::ObjectManager* manager, const void* owner, const CM_RESOURCE_LIST* list, std::size_t size) {
    std::vector<Claim> wanted;
    claims_of(manager, owner, list, size, wanted);
    std::lock_guard guard(g_claims_lock);
    std::erase_if(g_claims, [&](const Claim& c) { return c.manager == manager && c.owner == owner; });
    bool conflict = false;
    for (const Claim& w : wanted)
        for (const Claim& c : g_claims)
            if (overlaps(w, c)) conflict = true;
    if (!conflict) g_claims.insert(g_claims.end(), wanted.begin(), wanted.end());
    return conflict;
}

}  // namespace

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iogetconfigurationinformation
PCONFIGURATION_INFORMATION NTAPI IoGetConfigurationInformation(VOID) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    return pnp_configuration_information();
}

NTSTATUS NTAPI IoReportDetectedDevice(PDRIVER_OBJECT DriverObject, INTERFACE_TYPE LegacyBusType, ULONG BusNumber,
                                      ULONG SlotNumber, PCM_RESOURCE_LIST ResourceList,
                                      PIO_RESOURCE_REQUIREMENTS_LIST ResourceRequirements, BOOLEAN ResourceAssigned,
                                      PDEVICE_OBJECT* DeviceObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!is_driver(DriverObject)) return STATUS_INVALID_PARAMETER_1;
    if (!DeviceObject) return STATUS_INVALID_PARAMETER_8;
    // "If the caller supplies a PDO, the PnP manager does not create a new PDO": one of ours is
    // already what the report would make.
    if (*DeviceObject) return pnp_is_pdo(*DeviceObject) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER_8;
    // "Interface is the string name of the INTERFACE_TYPE of the first bus specified in the
    // ResourceList parameter. Interface is set to "Internal" if no bus is specified."
    std::u16string interface_name = u"Internal";
    std::vector<unsigned char> resources;
    if (ResourceList) {
        const std::size_t size = resource_list_size(ResourceList);
        const auto* bytes = reinterpret_cast<const unsigned char*>(ResourceList);
        resources.assign(bytes, bytes + size);
        if (ResourceList->Count > 0) {
            const int type = ResourceList->List[0].InterfaceType;
            if (type >= 0 && type < static_cast<int>(std::size(kInterfaceNames))) interface_name = kInterfaceNames[type];
        }
        // The PnP manager claims them for the device unless the driver did (ResourceAssigned).
        if (!ResourceAssigned) (void)claim(&ob::manager_of(DriverObject), DriverObject, ResourceList, size);
    }
    (void)LegacyBusType;  // matching a report to a PnP-enumerated instance: root devices only here
    (void)BusNumber;
    (void)SlotNumber;
    (void)ResourceRequirements;
    const UNICODE_STRING& service = DriverObject->DriverExtension->ServiceKeyName;
    const std::u16string driver_name(reinterpret_cast<const char16_t*>(service.Buffer), service.Length / sizeof(WCHAR));
    std::u16string ids = u"DETECTED";
    ids.append(interface_name).append(u"\\").append(driver_name).push_back(u'\0');
    ids.append(u"DETECTED\\").append(driver_name).push_back(u'\0');
    return pnp_report_detected_device(DriverObject, ids, std::move(resources), DeviceObject);
}

NTSTATUS NTAPI IoReportResourceForDetection(PDRIVER_OBJECT DriverObject, PCM_RESOURCE_LIST DriverList,
                                            ULONG DriverListSize, PDEVICE_OBJECT DeviceObject,
                                            PCM_RESOURCE_LIST DeviceList, ULONG DeviceListSize,
                                            PBOOLEAN ConflictDetected) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, PASSIVE_LEVEL);
    if (!is_driver(DriverObject)) return STATUS_INVALID_PARAMETER_1;
    if (!ConflictDetected) return STATUS_INVALID_PARAMETER_7;
    *ConflictDetected = FALSE;
    // A DeviceList (claimed for DeviceObject) wins over a DriverList (claimed for the driver); an invalid
    // list is STATUS_UNSUCCESSFUL.
    const bool for_device = DeviceList != nullptr;
    if (for_device && (!DeviceObject || ob::type_of(DeviceObject) != &g_device_type)) return STATUS_INVALID_PARAMETER_4;
    const CM_RESOURCE_LIST* list = for_device ? DeviceList : DriverList;
    const ULONG size = for_device ? DeviceListSize : DriverListSize;
    if (list && (size < FIELD_OFFSET(CM_RESOURCE_LIST, List) || resource_list_size(list) > size))
        return STATUS_UNSUCCESSFUL;
    const void* owner = for_device ? static_cast<const void*>(DeviceObject) : static_cast<const void*>(DriverObject);
    // A list with a Count of zero (or none) releases the owner's claims; a new list replaces them.
    if (claim(&ob::manager_of(DriverObject), owner, list, list ? size : 0)) {
        *ConflictDetected = TRUE;
        return STATUS_CONFLICTING_ADDRESSES;
    }
    return STATUS_SUCCESS;
}

}  // extern "C"
