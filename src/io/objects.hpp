// Bodies of the I/O object types and the private state ntio keeps next to the Windows layouts.
// A driver object body is DRIVER_OBJECT, then DRIVER_EXTENSION right after it (NT fact L1), then
// DriverPrivate. A device object body is DEVICE_OBJECT, then the device extension (16-byte aligned),
// then DeviceObjectExtension, whose first part is the Windows DEVOBJ_EXTENSION. A file object body
// is FILE_OBJECT then FilePrivate. Procedures of the three types are implemented where their
// behaviour lives (named below) and wired together in object_types.cpp.
#pragma once

#include "io/ddk.hpp"
#include "ob/object_header.hpp"
#include "rtl/user_access.hpp"

#include <memory>
#include <vector>

namespace ntio::ob { struct ParseRequest; }

namespace ntio::io {

// ---- Driver objects (driver_object.cpp) ----
struct DriverPrivate {
    std::u16string service_name;        // "Null" (ServiceKeyName / DriverName buffers point here)
    std::u16string driver_name;         // "\Driver\Null"
    std::u16string registry_path;       // "\REGISTRY\MACHINE\SYSTEM\ControlSet001\Services\Null"
    UNICODE_STRING registry_path_string{};
    std::atomic<bool> unload_requested{false};  // no new opens or attaches once set
    std::atomic<bool> unloaded{false};          // DriverUnload ran
    void* client_extensions = nullptr;          // IoAllocateDriverObjectExtension list
    std::mutex lock;                            // device list and client extensions
    std::atomic<ULONG> verifier_flags{0};       // the verifier's copy of the driver's flags (hot paths)
    // FsRtlRegisterFileSystemFilterCallbacks: the driver's FS_FILTER_CALLBACKS (a copy), and every
    // copy it registered (under lock; freed with the driver, so a replaced one stays readable).
    std::atomic<const FS_FILTER_CALLBACKS*> fs_filter_callbacks{nullptr};
    std::vector<std::unique_ptr<unsigned char[]>> fs_filter_copies;
};
struct DriverBody {
    DRIVER_OBJECT object;
    DRIVER_EXTENSION extension;
    DriverPrivate priv;
};
inline DriverBody* driver_body(PDRIVER_OBJECT d) noexcept { return reinterpret_cast<DriverBody*>(d); }
inline DriverPrivate& driver_private(PDRIVER_OBJECT d) noexcept { return driver_body(d)->priv; }

// ---- Device objects (device_object.cpp) ----
struct DeviceObjectExtension {
    DEVOBJ_EXTENSION doe;                   // Windows part (Type 13, back pointer, AttachedTo...)
    std::atomic<bool> delete_pending{false};     // IoDeleteDevice called: no new opens or attaches
    std::atomic<bool> unlinked{false};      // left DriverObject->DeviceObject (delete pending, no opens)
    std::atomic<LONG> open_count{0};        // file objects opened on it (ReferenceCount mirrors it)
    std::u16string name;                    // "\Device\Null" or empty
    PSECURITY_DESCRIPTOR security = nullptr; // from IoCreateDeviceSecure / default
    PFILE_OBJECT exclusive_owner = nullptr; // DO_EXCLUSIVE: the file object holding it
    std::atomic<void*> trace_log{nullptr};  // the IRP log's entry for this device (irp_log.cpp), once logged
};
inline std::size_t device_extension_offset() noexcept { return (sizeof(DEVICE_OBJECT) + 15) & ~std::size_t{15}; }
inline DeviceObjectExtension* device_private(PDEVICE_OBJECT d) noexcept {
    return reinterpret_cast<DeviceObjectExtension*>(d->DeviceObjectExtension);
}

// ---- File objects (file_object.cpp) ----
// What FILE_OBJECT.FileObjectExtension points at (NULL for most files, as on NT): the device a
// create with a device object hint went to (IoCreateFileSpecifyDeviceObjectHint, IoCreateFileEx),
// which every later IRP on the file goes to as well (IoGetRelatedDeviceObject), and the filters'
// per-file-object contexts (FsRtlInsertPerFileObjectContext, fsrtl/filter_contexts.cpp). The
// extension is set before the create when there is a hint, else by the first context inserted.
struct FileExtension {
    PDEVICE_OBJECT top_device_hint = nullptr;
    KSPIN_LOCK context_lock = 0;
    LIST_ENTRY contexts{};  // FSRTL_PER_FILEOBJECT_CONTEXT.Links; Flink NULL until the first insert
};
struct FilePrivate {
    ACCESS_MASK granted_access = 0;         // of the open (share access and IOCTL checks)
    ULONG share_access = 0;                 // FILE_SHARE_* requested at create
    ULONG create_options = 0;
    bool cleanup_done = false;              // IRP_MJ_CLEANUP sent
    bool create_succeeded = false;          // IRP_MJ_CREATE succeeded (close is sent only then)
    IO_COMPLETION_CONTEXT completion{};     // storage FILE_OBJECT.CompletionContext points at
    ULONG notification_modes = 0;           // FILE_SKIP_* (FileIoCompletionNotificationInformation)
    ULONG_PTR final_information = 0;        // Information recorded with FinalStatus (synchronous files)
    PDEVICE_OBJECT volume_device = nullptr; // opened through a mounted volume: its device (volume_mount.cpp)
    bool raw_volume = false;                // opened whole on a volume mounted raw: holds a reference on Vpb (volume_mount.cpp)
    bool raw_locker = false;                // raw_volume: this file locked the volume (FSCTL_LOCK_VOLUME)
    FileExtension extension{};              // FILE_OBJECT.FileObjectExtension points here when used
    // The ECP list of the create under way (IoCreateFileEx's, or FsRtlSetEcpListIntoIrp's): the
    // create IRP's list while that IRP is out, NULL otherwise (fsrtl/ecp_list.cpp).
    struct _ECP_LIST* create_ecp_list = nullptr;
    // The oplock key an oplock key ECP gave the open, recorded by the oplock package when the file
    // system checks the create (fsrtl/oplock_key.cpp); without one the key is the file object.
    // Written only by the create, before the open is published.
    GUID oplock_key{};
    bool has_oplock_key = false;
    // IoSetFileObjectIgnoreSharing: the share access routines leave this open out (share_access.cpp).
    bool ignore_sharing = false;
};
struct FileBody {
    FILE_OBJECT object;
    FilePrivate priv;
};
inline FilePrivate& file_private(PFILE_OBJECT f) noexcept { return reinterpret_cast<FileBody*>(f)->priv; }

// Type descriptors (object_types.cpp).
extern _OBJECT_TYPE g_driver_type;
extern _OBJECT_TYPE g_device_type;
extern _OBJECT_TYPE g_file_type;

// Whether a pointer a caller passed is a live object of that type (a DDI's check of its argument).
inline bool is_device(PDEVICE_OBJECT device) noexcept { return device && ob::type_of(device) == &g_device_type; }
inline bool is_driver(PDRIVER_OBJECT driver) noexcept { return driver && ob::type_of(driver) == &g_driver_type; }
// A file object the I/O manager made (its private part may be read), not one a driver built itself.
// A driver may pass a FILE_OBJECT of its own, on its stack or in pool: the object header in front of
// it is then not memory of the object's, so the header's type is read with a load that cannot fault
// (rtl/user_access.hpp) and the comparison decides.
inline bool is_file(PFILE_OBJECT file) noexcept {
    if (!file || file->Type != IO_TYPE_FILE) return false;
    ULONG64 type = 0;
    return NT_SUCCESS(ntio_user_load8(&ob::header_of(file)->type, &type)) &&
           type == reinterpret_cast<ULONG64>(&g_file_type);
}
// Whether IoSetFileObjectIgnoreSharing marked the file object.
inline bool ignores_sharing(PFILE_OBJECT file) noexcept {
    return is_file(file) && __atomic_load_n(&file_private(file).ignore_sharing, __ATOMIC_RELAXED);
}

// Type procedures, implemented by the files named.
void driver_delete(void* object);                     // driver_object.cpp
void driver_dump(void* object, std::string& out);     // driver_object.cpp
void device_delete(void* object);                     // device_object.cpp
void device_dump(void* object, std::string& out);     // device_object.cpp
// Opening a name that resolves to a device (\Device\X or \Device\X\rest): builds the file object
// and sends IRP_MJ_CREATE (device_open.cpp). *found is the new file object, referenced.
NTSTATUS device_parse(void* device, ob::ParseRequest& request, void** found);
// Opening a name relative to an open file (RootDirectory is a file handle, IopParseFile's job): the
// rest of the name is opened on that file's device with the file as the new file object's
// RelatedFileObject (device_open.cpp).
NTSTATUS file_parse(void* file, ob::ParseRequest& request, void** found);
// Last handle closed: IRP_MJ_CLEANUP in the closing process (file_object.cpp).
void file_close(PEPROCESS process, void* object, ACCESS_MASK granted, ULONG_PTR process_handle_count,
                ULONG_PTR system_handle_count);
// Last reference: IRP_MJ_CLOSE, then the file object goes (file_object.cpp).
void file_delete(void* object);
// ObQueryNameString on a file: the device name plus, for sub-path opens, the driver's answer to
// FileNameInformation (NT facts K5, K6; file_query_name.cpp).
NTSTATUS file_query_name(void* object, bool has_name, POBJECT_NAME_INFORMATION info, ULONG length,
                         PULONG return_length, KPROCESSOR_MODE mode);
// The part of a file's name after its device's: empty for an open of the device itself, else the
// driver's answer to FileNameInformation (empty when it answers STATUS_NOT_IMPLEMENTED or
// STATUS_INVALID_PARAMETER, NT fact K6). PASSIVE_LEVEL.
NTSTATUS file_name_on_device(PFILE_OBJECT file, std::u16string& path);
void file_dump(void* object, std::string& out);       // file_object.cpp

}  // namespace ntio::io
