// Makes the test thread act in a process whose primary token is SYSTEM's (every privilege, the
// non-mandatory Administrators group) for the lifetime of the object: what a service running as
// LocalSystem has.
#pragma once

#include "support/administrator_process.hpp"

namespace ntio::test {

class SystemTokenProcess : public TokenProcess {
public:
    SystemTokenProcess(System& system, const char16_t* image_name)
        : TokenProcess(system, se::Token::create_system(), image_name) {}
};

}  // namespace ntio::test
