// The other file that uses the unit test's inline function and template sites
// (static_branch_test_sites.hpp): 3 while the key is on, 0 while it is off.
#include "static_branch_test_sites.hpp"

namespace ntio::host {

int other_file_sites() {
    return (inline_site() ? 1 : 0) + (template_site<1>() == 11 ? 1 : 0) + (template_site<2>() == 12 ? 1 : 0);
}

}  // namespace ntio::host
