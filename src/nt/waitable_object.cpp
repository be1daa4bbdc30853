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
    // A file object is waited on through its Event (NT's DefaultObject of the File type): signalled
    // while the file is idle, reset by each request, set when one completes (NT facts H1-H3, H5).
    if (type == *IoFileObjectType) return &static_cast<PFILE_OBJECT>(body)->Event;
    return nullptr;
}

}  // namespace ntio::nt
