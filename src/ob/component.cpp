// Placeholder so the ob object library is never empty; remove once real sources exist.
namespace ntio::ob {}
