// RAII reference on an object obtained by handle for the duration of one service call, with the
// type and access checks that the caller's PreviousMode requires.
#pragma once

#include <utility>

#include <wdm.h>

namespace ntio::nt {

template <class T>
class HandleReference {
public:
    HandleReference() = default;
    HandleReference(const HandleReference&) = delete;
    HandleReference& operator=(const HandleReference&) = delete;
    ~HandleReference() {
        if (m_object) ObDereferenceObject(m_object);
    }

    // STATUS_INVALID_HANDLE, STATUS_OBJECT_TYPE_MISMATCH or STATUS_ACCESS_DENIED as ob decides.
    [[nodiscard]] NTSTATUS reference(HANDLE handle, ACCESS_MASK access, POBJECT_TYPE type,
                                     KPROCESSOR_MODE mode) noexcept {
        PVOID object = nullptr;
        NTSTATUS status = ObReferenceObjectByHandle(handle, access, type, mode, &object, &m_info);
        if (NT_SUCCESS(status)) m_object = static_cast<T*>(object);
        return status;
    }

    // For an information class whose rights kernel32 documents as alternatives (THREAD_QUERY_INFORMATION
    // or THREAD_QUERY_LIMITED_INFORMATION, and the like): the handle is looked up for no access, then
    // a UserMode caller's handle must grant any one of `rights` (else STATUS_ACCESS_DENIED).
    [[nodiscard]] NTSTATUS reference_any(HANDLE handle, ACCESS_MASK rights, POBJECT_TYPE type,
                                         KPROCESSOR_MODE mode) noexcept {
        NTSTATUS status = reference(handle, 0, type, mode);
        if (!NT_SUCCESS(status)) return status;
        if (mode != KernelMode && (m_info.GrantedAccess & rights) == 0) return STATUS_ACCESS_DENIED;
        return STATUS_SUCCESS;
    }

    T* get() const noexcept { return m_object; }
    T* operator->() const noexcept { return m_object; }
    // Hands the reference to the caller (an I/O request takes the lookup's reference as its own).
    T* release() noexcept { return std::exchange(m_object, nullptr); }
    const OBJECT_HANDLE_INFORMATION& info() const noexcept { return m_info; }

private:
    T* m_object = nullptr;
    OBJECT_HANDLE_INFORMATION m_info{};
};

// The event of an I/O request: referenced for EVENT_MODIFY_STATE (the service then resets it, NT
// fact E6). No handle is no event; an invalid one fails the call before anything else happens (H4).
inline NTSTATUS reference_event(HANDLE handle, KPROCESSOR_MODE mode, PKEVENT* event) noexcept {
    *event = nullptr;
    if (!handle) return STATUS_SUCCESS;
    PVOID object = nullptr;
    NTSTATUS status = ObReferenceObjectByHandle(handle, EVENT_MODIFY_STATE, *ExEventObjectType, mode, &object, nullptr);
    if (NT_SUCCESS(status)) *event = static_cast<PKEVENT>(object);
    return status;
}

}  // namespace ntio::nt
