// Building the WNODE_* requests the IoWMI* consumer routines send and reading the providers'
// answers (wmi_query.cpp), shared by the all-data and the single-instance routines.
#pragma once

#include <string>
#include <vector>

#include "io/wmi_registry.hpp"

namespace ntio::io {

inline ULONG wmi_align8(ULONG n) noexcept { return (n + 7) & ~7u; }

// WMI's buffer for a provider's answer is the caller's room but at most this large at first: a
// caller that says its buffer is huge does not make WMI allocate that much. A provider that needs
// more (WNODE_TOO_SMALL), within the caller's room, is asked again with the size it named.
inline constexpr ULONG kWmiFirstRoom = 0x10000;

// A provider's answer to one request: the WNODE it wrote, or `needed` bytes with
// STATUS_BUFFER_TOO_SMALL (from a WNODE_TOO_SMALL; 0 when it gave none).
struct WmiAnswer {
    NTSTATUS status = STATUS_SUCCESS;
    std::vector<UCHAR> wnode;
    ULONG needed = 0;
};

// Sends `request` (a WNODE whose header BufferSize is its size) as `minor` for `guid` in a
// nonpaged buffer of request.size() bytes.
WmiAnswer wmi_request(const WmiProviderRef& provider, UCHAR minor, const GUID& guid, const std::vector<UCHAR>& request);

// A new WNODE of `size` zeroed bytes with its header filled for `guid`.
std::vector<UCHAR> wmi_new_wnode(ULONG size, const GUID& guid, ULONG flags);
// Writes a counted string (USHORT byte length, then the WCHARs) at `offset`; returns its end.
ULONG wmi_put_counted(std::vector<UCHAR>& buffer, ULONG offset, const std::u16string& name);
ULONG wmi_counted_size(const std::u16string& name) noexcept;

// The index of `name` among the static names (case-insensitive, as WMI compares instance names),
// or -1.
long wmi_static_index(const WmiBlockInfo& block, const std::u16string& name);
// The caller's UNICODE_STRING as a string: STATUS_INVALID_PARAMETER for NULL or a bad one.
NTSTATUS wmi_capture_name(PUNICODE_STRING name, std::u16string* out);

// Copies `answer` (size bytes) to the caller: STATUS_BUFFER_TOO_SMALL with the size when it does
// not fit (or when `out` is NULL), else the bytes and the size.
NTSTATUS wmi_return(const std::vector<UCHAR>& answer, PULONG in_out_size, PVOID out);

}  // namespace ntio::io
