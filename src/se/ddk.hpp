// The DDK headers for se's C++ code. The standard library comes first on purpose: the SAL macros
// (__in, __out, ...) would otherwise rewrite parameter names inside libstdc++ headers.
#pragma once

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ntio_ddk/basetypes.h>
#include <ntio_ddk/sal.h>
#include <ntio_ddk/ntstatus.h>
#include <ntio_ddk/se.h>
#include <ntio_ddk/se_assign.h>
#include <ntio_ddk/se_token.h>
