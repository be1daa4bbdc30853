// ntio::Status: a [[nodiscard]] NTSTATUS so an ignored status is a compiler warning, with the NT
// severity predicates as members. Converts implicitly to and from NTSTATUS for use at the DDK boundary.
#pragma once

#include <wdm.h>

namespace ntio {

class [[nodiscard]] Status {
public:
    constexpr Status() noexcept = default;
    constexpr Status(NTSTATUS value) noexcept : m_value(value) {}  // NOLINT: implicit by design
    constexpr operator NTSTATUS() const noexcept { return m_value; }

    constexpr NTSTATUS value() const noexcept { return m_value; }
    constexpr bool ok() const noexcept { return NT_SUCCESS(m_value); }
    constexpr bool is_success() const noexcept { return ok(); }
    constexpr bool is_information() const noexcept { return NT_INFORMATION(m_value); }
    constexpr bool is_warning() const noexcept { return NT_WARNING(m_value); }
    constexpr bool is_error() const noexcept { return NT_ERROR(m_value); }
    constexpr bool is_pending() const noexcept { return m_value == STATUS_PENDING; }
    // Name such as "STATUS_PENDING" (see ntio::rtl::status_name).
    const char* name() const noexcept;

    // Explicitly drop a status whose failure does not matter here.
    constexpr void ignore() const noexcept {}

private:
    NTSTATUS m_value = STATUS_SUCCESS;
};

namespace rtl {
// Symbolic name of a status ("STATUS_ACCESS_DENIED"); "<unknown NTSTATUS>" when the value is not in
// ntstatus.h. Never null; the string is static.
const char* status_name(NTSTATUS status) noexcept;
// Whether status_name knows the value.
bool status_known(NTSTATUS status) noexcept;
}  // namespace rtl

inline const char* Status::name() const noexcept { return rtl::status_name(m_value); }

}  // namespace ntio
