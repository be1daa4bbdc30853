// The Driver, Device and File object types: their generic mappings (devices and files use the
// file rights, winnt.h FILE_GENERIC_*) and the procedures that tie them to the I/O manager.
#include "io/io_completion.hpp"
#include "io/objects.hpp"

#include "io/io_manager.hpp"
#include "io/wmi_registry.hpp"
#include "ob/object_type.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

namespace {
constexpr GENERIC_MAPPING kFileMapping{FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS};
}  // namespace

_OBJECT_TYPE g_driver_type{
    .name = u"Driver",
    .generic_mapping = kFileMapping,
    .valid_access_mask = FILE_ALL_ACCESS,
    .pool_type = NonPagedPool,
    .case_insensitive = true,
    .del = driver_delete,
    .dump = driver_dump,
};

_OBJECT_TYPE g_device_type{
    .name = u"Device",
    .generic_mapping = kFileMapping,
    .valid_access_mask = FILE_ALL_ACCESS,
    .pool_type = NonPagedPool,
    .case_insensitive = true,
    .security_required = true,
    .del = device_delete,
    .parse = device_parse,
    .dump = device_dump,
};

_OBJECT_TYPE g_file_type{
    .name = u"File",
    .generic_mapping = kFileMapping,
    .valid_access_mask = FILE_ALL_ACCESS,
    .pool_type = NonPagedPool,
    .case_insensitive = true,
    .close = file_close,
    .del = file_delete,
    .parse = file_parse,
    .query_name = file_query_name,
    .dump = file_dump,
    .delete_at_passive = true,  // IRP_MJ_CLOSE at PASSIVE_LEVEL, on the FILE_OBJECT the create saw
};

void register_types() {
    ob::register_object_type(g_driver_type);
    ob::register_object_type(g_device_type);
    ob::register_object_type(g_file_type);
    register_completion_ports();  // the IoCompletion type and the final stage's port sink
    register_wmi_types();         // WMI data block objects (WmiGuid)
}

}  // namespace ntio::io

extern "C" {
static POBJECT_TYPE g_file_type_pointer = &ntio::io::g_file_type;
static POBJECT_TYPE g_device_type_pointer = &ntio::io::g_device_type;
static POBJECT_TYPE g_driver_type_pointer = &ntio::io::g_driver_type;
NTIO_API POBJECT_TYPE* IoFileObjectType = &g_file_type_pointer;
NTIO_API POBJECT_TYPE* IoDeviceObjectType = &g_device_type_pointer;
NTIO_API POBJECT_TYPE* IoDriverObjectType = &g_driver_type_pointer;
}

extern "C" {

// The GENERIC_MAPPING of file objects, the one the object manager maps a file open's generic
// rights with (FILE_GENERIC_READ / WRITE / EXECUTE, FILE_ALL_ACCESS); a file system passes it to
// SeAccessCheck or RtlMapGenericMask for its own files.
// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetfileobjectgenericmapping
PGENERIC_MAPPING NTAPI IoGetFileObjectGenericMapping(VOID)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    // A copy of its own: a caller that writes through the pointer cannot change the type's mapping.
    static GENERIC_MAPPING mapping = ntio::io::kFileMapping;
    return &mapping;
}

}  // extern "C"
