// A handle's object referenced for one service call, looked up inline in the service: a handle of
// the caller's own process table takes the lookup of ob/handles.cpp with its statuses (invalid
// handle, type mismatch, then the access a UserMode caller needs, NT facts I7, H4) without the call
// into the object manager, which is most of the cost of a small read or of a port dequeue. Pseudo
// and kernel handles, and a system with the verifier on (whose ObReferenceObjectByHandle checks the
// IRQL), go through ObReferenceObjectByHandle.
// `hold` is the same lookup for a service that uses the object only until it returns: its thread
// holds the object instead of referencing it when it can (ob/object_hold.hpp).
#pragma once

#include <utility>

#include <wdm.h>

#include "ob/handle_lookup.hpp"
#include "ob/object_hold.hpp"
#include "ob/process.hpp"
#include "verifier/verifier.hpp"

namespace ntio::nt {

template <class T>
class InlineReference {
public:
    InlineReference() = default;
    InlineReference(const InlineReference&) = delete;
    InlineReference& operator=(const InlineReference&) = delete;
    ~InlineReference() {
        if (!m_object) return;
        if (m_held) ob::end_hold();
        else ObDereferenceObject(m_object);
    }

    // `type` is the type's descriptor itself (for files &io::g_file_type: *IoFileObjectType is it,
    // two loads further away). *granted, when asked for, gets the handle's granted access.
    template <bool kHold = false>
    [[nodiscard]] [[gnu::always_inline]] NTSTATUS reference(HANDLE handle, ACCESS_MASK desired, _OBJECT_TYPE* type,
                                                            KPROCESSOR_MODE mode, ACCESS_MASK* granted = nullptr) noexcept {
        PEPROCESS process = ob::current_process();
        if (process && !ob::is_pseudo_handle(handle) && !ob::is_kernel_handle(handle) &&
            !ntio::verifier::hooks_on()) [[likely]] {
            ob::HandleInfo entry;
            const NTSTATUS status =
                ob::lookup_handle_entry(process->m_handle_table, handle, desired, type, mode, !kHold, entry);
            if (!NT_SUCCESS(status)) return status;
            if constexpr (kHold) {
                // Still inside the lookup's section: the hold is published by leaving it.
                m_held = ob::hold(entry.object);
                if (!m_held) ob::reference(entry.object);
                ob::leave_lookup();
            }
            m_object = static_cast<T*>(entry.object->body());
            if (granted) *granted = entry.granted;
            return STATUS_SUCCESS;
        }
        PVOID object = nullptr;
        OBJECT_HANDLE_INFORMATION info{};
        NTSTATUS status = ObReferenceObjectByHandle(handle, desired, type, mode, &object, &info);
        if (!NT_SUCCESS(status)) return status;
        m_object = static_cast<T*>(object);
        if (granted) *granted = info.GrantedAccess;
        return STATUS_SUCCESS;
    }

    [[nodiscard]] [[gnu::always_inline]] NTSTATUS hold(HANDLE handle, ACCESS_MASK desired, _OBJECT_TYPE* type,
                                                       KPROCESSOR_MODE mode, ACCESS_MASK* granted = nullptr) noexcept {
        return reference<true>(handle, desired, type, mode, granted);
    }

    T* get() const noexcept { return m_object; }
    // True when the thread holds the object rather than a reference to it: whoever the object is
    // released to ends the hold (ob::end_hold) instead of dereferencing it.
    bool held() const noexcept { return m_held; }
    T* release() noexcept { return std::exchange(m_object, nullptr); }

private:
    T* m_object = nullptr;
    bool m_held = false;
};

}  // namespace ntio::nt
