// The WMI suite's provider: a WDM driver that handles IRP_MJ_SYSTEM_CONTROL by hand, the way a
// driver that does not use the WMI library must. It registers three blocks: a data block with two
// static instance names ("Alpha", "Beta"; a ULONG each, item 1 the ULONG, method 1 adds its input
// and method 2 fires the event), an expensive block ("Expensive0", the ULONG TRUE while collection
// is enabled) and an event-only block ("Event0"). What it was sent is counted in its device
// extension, which the tests read.
#pragma once

#include <wdm.h>
#include <wmistr.h>

namespace ntio::wmi_test {

// {6F1C2A10-8C4B-4E57-9A3D-1B2C3D4E5F01} ...02, ...03
inline constexpr GUID kDataGuid{0x6F1C2A10, 0x8C4B, 0x4E57, {0x9A, 0x3D, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x01}};
inline constexpr GUID kExpensiveGuid{0x6F1C2A10, 0x8C4B, 0x4E57, {0x9A, 0x3D, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x02}};
inline constexpr GUID kEventGuid{0x6F1C2A10, 0x8C4B, 0x4E57, {0x9A, 0x3D, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x03}};
inline constexpr GUID kUnknownGuid{0x6F1C2A10, 0x8C4B, 0x4E57, {0x9A, 0x3D, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x7F}};

inline constexpr ULONG kMethodAdd = 1;
inline constexpr ULONG kMethodFire = 2;
inline constexpr ULONG kItemValue = 1;

struct ProviderExtension {
    PDEVICE_OBJECT self;
    PETHREAD registering_thread;     // the thread inside IoWMIRegistrationControl(REGISTER)
    LONG reginfo_calls;              // IRP_MN_REGINFO_EX requests
    LONG reginfo_too_small;          // ...answered STATUS_BUFFER_TOO_SMALL
    LONG reginfo_on_registering_thread;
    ULONG reginfo_last_size;         // Parameters.WMI.BufferSize of the last one
    ULONG_PTR reginfo_last_data_path;
    BOOLEAN reginfo_passive;
    LONG foreign_provider_ids;       // requests whose ProviderId named another device
    ULONG values[2];                 // the data block's instances
    ULONG last_version;              // WnodeHeader.Version of the last CHANGE_SINGLE_INSTANCE
    LONG enable_collection, disable_collection;
    BOOLEAN collecting;
    LONG enable_events, disable_events;
    ULONG events_header_size;        // BufferSize of the last ENABLE_EVENTS
    LONG queries;                    // QUERY_ALL_DATA / QUERY_SINGLE_INSTANCE requests
    LONG updates;                    // REGINFO_EX with WMIUPDATE
};

// DriverEntry: one device, registered with WMI; DriverUnload deregisters and deletes it.
NTSTATUS NTAPI WmiProviderDriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);
// Fires the event block's event with a ULONG payload (IoWMIWriteEvent); its status.
NTSTATUS WmiProviderFireEvent(PDEVICE_OBJECT device, ULONG payload);

}  // namespace ntio::wmi_test
