// A handle's object borrowed for one short service step without a reference (ob's lookup
// sections): for services that never block or call a driver while they hold it and whose handle is
// shared by threads on other CPUs, where the reference count would be a contended cache line.
#pragma once

#include "nt/current_system.hpp"
#include "ob/lookup_section.hpp"

namespace ntio::nt {

template <class T>
class HandleBorrow {
public:
    HandleBorrow() = default;
    HandleBorrow(const HandleBorrow&) = delete;
    HandleBorrow& operator=(const HandleBorrow&) = delete;
    ~HandleBorrow() {
        if (m_object) ob::leave_lookup();
    }

    // The statuses of ObReferenceObjectByHandle.
    [[nodiscard]] NTSTATUS borrow(HANDLE handle, ACCESS_MASK access, POBJECT_TYPE type, KPROCESSOR_MODE mode) noexcept {
        void* object = nullptr;
        NTSTATUS status = object_manager().borrow_object_by_handle(handle, access, type, mode, &object, nullptr);
        if (NT_SUCCESS(status)) m_object = static_cast<T*>(object);
        return status;
    }

    T* get() const noexcept { return m_object; }

private:
    T* m_object = nullptr;
};

}  // namespace ntio::nt
