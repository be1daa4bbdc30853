// RAII reference on an object obtained by handle for the duration of one service call, with the
// type and access checks that the caller's PreviousMode requires.
#pragma once

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

    T* get() const noexcept { return m_object; }
    T* operator->() const noexcept { return m_object; }
    const OBJECT_HANDLE_INFORMATION& info() const noexcept { return m_info; }

private:
    T* m_object = nullptr;
    OBJECT_HANDLE_INFORMATION m_info{};
};

}  // namespace ntio::nt
