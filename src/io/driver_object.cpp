// (being written) Driver objects: NtioCreateDriver, NtioUnloadDriver, driver extensions.
#include "io/objects.hpp"
#include <ntio/ntio.h>

namespace ntio::io {
void driver_delete(void*) {}
void driver_dump(void*, std::string&) {}
}  // namespace ntio::io

extern "C" NTSTATUS NtioUnloadDriver(PDRIVER_OBJECT) { return STATUS_INVALID_DEVICE_REQUEST; }
