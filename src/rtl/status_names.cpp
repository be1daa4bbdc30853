// NTSTATUS -> symbolic name. The table is generated from ntstatus.h at build time (one entry per
// macro), so every status the headers define has a name; aliases resolve to the first spelling.
#include <algorithm>
#include <array>
#include <cstddef>

#include "rtl/status.hpp"

namespace ntio::rtl {
namespace {

struct StatusName {
    ULONG value;
    const char* name;
};

constexpr StatusName kStatusNames[] = {
#define NTIO_NAME_ENTRY(name, value) {static_cast<ULONG>(value##UL), #name},
#include "ntstatus_names.inc"
#undef NTIO_NAME_ENTRY
};
constexpr std::size_t kCount = sizeof(kStatusNames) / sizeof(kStatusNames[0]);

// Sorted by value, keeping header order among aliases, so a binary search finds the first spelling.
constexpr std::array<StatusName, kCount> make_sorted() {
    std::array<StatusName, kCount> sorted{};
    for (std::size_t i = 0; i < kCount; ++i) sorted[i] = kStatusNames[i];
    // Insertion sort: stable and usable in a constant expression.
    for (std::size_t i = 1; i < kCount; ++i) {
        StatusName entry = sorted[i];
        std::size_t j = i;
        while (j > 0 && sorted[j - 1].value > entry.value) {
            sorted[j] = sorted[j - 1];
            --j;
        }
        sorted[j] = entry;
    }
    return sorted;
}
constexpr auto kSorted = make_sorted();

const StatusName* find(NTSTATUS status) noexcept {
    const auto value = static_cast<ULONG>(status);
    const auto* it = std::lower_bound(kSorted.begin(), kSorted.end(), value,
                                      [](const StatusName& e, ULONG v) { return e.value < v; });
    return (it != kSorted.end() && it->value == value) ? it : nullptr;
}

}  // namespace

const char* status_name(NTSTATUS status) noexcept {
    const StatusName* entry = find(status);
    return entry ? entry->name : "<unknown NTSTATUS>";
}

bool status_known(NTSTATUS status) noexcept { return find(status) != nullptr; }

}  // namespace ntio::rtl
