// (being written) Opening a device through its parse procedure.
#include "io/objects.hpp"

namespace ntio::io {
NTSTATUS device_parse(void*, ob::ParseRequest&, void**) { return STATUS_OBJECT_TYPE_MISMATCH; }
}  // namespace ntio::io
