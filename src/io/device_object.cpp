// (being written) Device objects.
#include "io/objects.hpp"

namespace ntio::io {
void device_delete(void*) {}
void device_dump(void*, std::string&) {}
}  // namespace ntio::io
