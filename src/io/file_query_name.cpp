// (being written) File object names.
#include "io/objects.hpp"

namespace ntio::io {
NTSTATUS file_query_name(void*, bool, POBJECT_NAME_INFORMATION, ULONG, PULONG, KPROCESSOR_MODE) {
    return STATUS_OBJECT_TYPE_MISMATCH;
}
}  // namespace ntio::io
