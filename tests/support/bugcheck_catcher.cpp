// Placeholder; rtl provides the catcher (bugcheck_catcher.hpp) that tests use to assert stop codes.
namespace ntio::test {}
