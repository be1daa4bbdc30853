// Placeholder so the ke object library is never empty; remove once real sources exist.
namespace ntio::ke {}
