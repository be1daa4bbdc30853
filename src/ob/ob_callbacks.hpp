// The handle-operation callbacks drivers register with ObRegisterCallbacks, one stack per System:
// the pre-operation routines of every registration that covers the object's type and the
// operation run before a process or thread handle is created or duplicated (highest altitude
// first) and may take rights out of the access the handle gets; the post-operation routines run
// once the handle exists (or failed), lowest altitude first, and see the access it got.
#pragma once

#include <vector>

#include "ob/altitude_list.hpp"
#include "ob/object_type.hpp"

namespace ntio::ob {

struct ObjectHeader;

struct ObRegistration : AltitudeEntry {
    void* context = nullptr;
    std::vector<OB_OPERATION_REGISTRATION> operations;  // ObjectType resolved: points at the type pointer
    std::vector<_OBJECT_TYPE*> types;                    // operations[i]'s type
};

using ObCallbacks = AltitudeList<ObRegistration>;

// The object types handle callbacks exist for (Learn: processes, threads, desktops; ntio has no
// desktop objects).
bool handle_callback_type(const _OBJECT_TYPE* type) noexcept;

// What a handle creation tells the callbacks.
struct HandleOperation {
    ObjectHeader* header = nullptr;
    OB_OPERATION operation = OB_OPERATION_HANDLE_CREATE;
    bool kernel_handle = false;
    PEPROCESS source_process = nullptr;  // duplicate only
    PEPROCESS target_process = nullptr;  // duplicate only
};

}  // namespace ntio::ob
