// Reads an enum parameter as the integer the caller passed. Callers may pass values outside the
// enumeration (and the services must reject them); loading such a value through the enum type is
// undefined behaviour in C++, so it is copied out as raw bits first.
#pragma once

#include <cstring>
#include <type_traits>

namespace ntio::nt {

template <class E>
inline unsigned long enum_value(const E& e) noexcept {
    static_assert(std::is_enum_v<E>);
    std::underlying_type_t<E> raw;
    std::memcpy(&raw, &e, sizeof(raw));
    return static_cast<unsigned long>(raw);
}

}  // namespace ntio::nt
