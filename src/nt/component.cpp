// Placeholder so the nt object library is never empty; remove once real sources exist.
namespace ntio::nt {}
