// The DDK headers for ob's C++ code, after the C++ library on purpose: the SAL emulation defines
// __in/__out away, which libstdc++ headers use as identifiers. Every ob header includes this first.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <wdm.h>
