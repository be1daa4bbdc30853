// Placeholder so the ex object library is never empty; remove once real sources exist.
namespace ntio::ex {}
