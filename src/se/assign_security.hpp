// The security descriptor of a new object (SeAssignSecurity / SeAssignSecurityEx): owner and group
// from the creator's explicit descriptor, the parent or the token; DACL and SACL from the explicit
// descriptor, the parent's inheritable ACEs or the token's default DACL.
#pragma once

#include "se/security_descriptor.hpp"
#include "se/token.hpp"

namespace ntio::se {

struct AssignRequest {
    PSECURITY_DESCRIPTOR parent = nullptr;     // absolute or self-relative, may be null
    PSECURITY_DESCRIPTOR explicit_sd = nullptr;  // the creator's descriptor, may be null
    bool container = false;                    // the new object is a directory (container)
    ULONG flags = 0;                           // SEF_*
    const Token* creator = nullptr;            // the subject's effective token
    GENERIC_MAPPING mapping{};
};

// Builds the new object's descriptor. Statuses: the validation errors of either input descriptor,
// STATUS_INVALID_OWNER (an explicit owner the creator may not assign), STATUS_PRIVILEGE_NOT_HELD
// (an explicit SACL without SeSecurityPrivilege). PASSIVE_LEVEL (allocates).
NTSTATUS assign_security(const AssignRequest& request, SecurityDescriptor& out);

// Whether `token` may make `owner` the owner of an object: its user, one of its groups with
// SE_GROUP_OWNER, or any SID with SeRestorePrivilege enabled.
bool owner_assignable(const Token& token, const SID* owner) noexcept;

}  // namespace ntio::se
