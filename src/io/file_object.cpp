// (being written) File objects: cleanup and close.
#include "io/objects.hpp"

namespace ntio::io {
void file_close(PEPROCESS, void*, ACCESS_MASK, ULONG_PTR, ULONG_PTR) {}
void file_delete(void*) {}
void file_dump(void*, std::string&) {}
}  // namespace ntio::io
