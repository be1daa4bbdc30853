// The DDK headers for io's C++ code, after the C++ library on purpose: the SAL emulation defines
// __in/__out away, which libstdc++ headers use as identifiers. Every io header includes this first.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ntifs.h>
