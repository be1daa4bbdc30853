// ntio::Result<T>: the value of a fallible function or the NTSTATUS that says why there is none.
// A Result holding a value reports STATUS_SUCCESS (or the success/informational status it was given).
#pragma once

#include <cstdlib>
#include <optional>
#include <type_traits>
#include <utility>

#include "rtl/status.hpp"

namespace ntio {

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_value(std::move(value)) {}  // NOLINT: implicit by design
    Result(T value, NTSTATUS success_status) : m_value(std::move(value)), m_status(success_status) {}
    Result(Status status) : m_status(status) {  // NOLINT: implicit by design
        // A failure Result must carry a failure status; a success without a value is a bug.
        if (NT_SUCCESS(status.value())) m_status = STATUS_INTERNAL_ERROR;
    }
    // For T = LONG/NTSTATUS a bare NTSTATUS is a value; return ntio::Status(code) for failures there.
    Result(NTSTATUS status) requires(!std::is_same_v<T, NTSTATUS>) : Result(Status(status)) {}  // NOLINT

    bool ok() const noexcept { return m_value.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    Status status() const noexcept { return m_status; }

    // Precondition: ok(). Accessing the value of a failed Result aborts.
    T& value() & { check(); return *m_value; }
    const T& value() const& { check(); return *m_value; }
    T&& value() && { check(); return std::move(*m_value); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    template <typename U>
    T value_or(U&& fallback) const& {
        return ok() ? *m_value : static_cast<T>(std::forward<U>(fallback));
    }

private:
    void check() const {
        if (!m_value) std::abort();
    }

    std::optional<T> m_value;
    Status m_status = STATUS_SUCCESS;
};

}  // namespace ntio
