// Referencing the process or thread object behind a kernel32 handle (process_handles.hpp).
#include "win32/process_handles.hpp"

#include "ntio/system.hpp"
#include "ob/object_manager.hpp"
#include "ob/object_type.hpp"

namespace ntio::win32 {
namespace {

template <class T>
NTSTATUS reference_typed(HANDLE handle, ACCESS_MASK rights, _OBJECT_TYPE* type, ob::ObRef<T>& out) {
    ob::ObjectManager& manager = ensure_system().objects();
    void* body = nullptr;
    OBJECT_HANDLE_INFORMATION info{};
    NTSTATUS status = manager.reference_object_by_handle(handle, 0, type, UserMode, &body, &info);
    if (!NT_SUCCESS(status)) return status;
    auto ref = ob::ObRef<T>::adopt(static_cast<T*>(body));
    if (rights && (info.GrantedAccess & rights) == 0) return STATUS_ACCESS_DENIED;
    out = std::move(ref);
    return STATUS_SUCCESS;
}

}  // namespace

NTSTATUS reference_process(HANDLE handle, ACCESS_MASK rights, ob::ObRef<_EPROCESS>& out) {
    return reference_typed(handle, rights, &ob::g_process_type, out);
}

NTSTATUS reference_thread(HANDLE handle, ACCESS_MASK rights, ob::ObRef<_ETHREAD>& out) {
    return reference_typed(handle, rights, &ob::g_thread_type, out);
}

}  // namespace ntio::win32
