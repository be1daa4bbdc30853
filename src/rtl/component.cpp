// Placeholder so the rtl object library is never empty; remove once real sources exist.
namespace ntio::rtl {}
