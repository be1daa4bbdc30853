// Placeholder so the host object library is never empty; remove once real sources exist.
namespace ntio::host {}
