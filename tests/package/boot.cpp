// Boots the ntio System before main() for app.c. The architecture promises a default System booted
// on first use for applications that never boot one; until libntio has it (or a C entry point such
// as NtioSystemStart), an application boots its own, as this static object does.
#include <ntio/system.hpp>

namespace {
ntio::System g_system;
}
