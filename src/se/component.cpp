// Placeholder so the se object library is never empty; remove once real sources exist.
namespace ntio::se {}
