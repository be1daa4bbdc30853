// The object manager of the System the calling thread belongs to: every service acts there.
#pragma once

// libstdc++ uses __in/__out as identifiers, which the SAL emulation defines away, and spells
// `try` as the macro __try, which the SEH emulation takes over: every standard header this
// component needs comes first, then __try is handed to <wdm.h>.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <thread>
#include <unordered_set>
#include <cstddef>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#undef __try

#include "ntio/system.hpp"
#include "ob/object_manager.hpp"

namespace ntio::nt {

inline ob::ObjectManager& object_manager() noexcept { return System::current()->objects(); }

}  // namespace ntio::nt
