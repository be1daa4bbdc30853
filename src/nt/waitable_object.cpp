// Waitable object types (see waitable_object.hpp).
#include "nt/current_system.hpp"
#include "nt/waitable_object.hpp"

namespace ntio::nt {

PVOID waitable_object(PVOID body) noexcept {
    const POBJECT_TYPE type = ObGetObjectType(body);
    if (type == *ExEventObjectType || type == *ExSemaphoreObjectType || type == *ExMutantObjectType ||
        type == *ExTimerObjectType || type == *PsProcessType || type == *PsThreadType) {
        // Each of these bodies starts with its DISPATCHER_HEADER.
        return body;
    }
    return nullptr;
}

}  // namespace ntio::nt
