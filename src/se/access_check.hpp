// The Windows access check: decides which of the desired rights a token gets from a security
// descriptor's DACL, with generic mapping, MAXIMUM_ALLOWED, owner rights and privilege overrides.
// Pure and allocation-free: the object manager calls it at every open.
#pragma once

#include "se/token.hpp"

namespace ntio::se {

// `sd` may be absolute or self-relative; nullptr means the object has no security (everything asked
// is granted; MAXIMUM_ALLOWED yields the mapping's GenericAll | STANDARD_RIGHTS_ALL).
// On success *granted holds the granted rights (generic bits mapped, MAXIMUM_ALLOWED expanded) and
// STATUS_SUCCESS is returned; otherwise *granted = 0 and STATUS_ACCESS_DENIED, or
// STATUS_PRIVILEGE_NOT_HELD when ACCESS_SYSTEM_SECURITY was asked without SeSecurityPrivilege.
// Any IRQL; no locks, no allocation.
NTSTATUS access_check(PSECURITY_DESCRIPTOR sd, const Token& token, ACCESS_MASK desired, const GENERIC_MAPPING& mapping,
                      ACCESS_MASK* granted) noexcept;

// Same, with rights already granted (SeAccessCheck's PreviouslyGrantedAccess) that need no check.
NTSTATUS access_check(PSECURITY_DESCRIPTOR sd, const Token& token, ACCESS_MASK desired, ACCESS_MASK previously_granted,
                      const GENERIC_MAPPING& mapping, ACCESS_MASK* granted) noexcept;

// Resolves the token of the calling thread's process for SeCaptureSubjectContext / SeAccessCheck /
// SeSinglePrivilegeCheck. Installed by the object manager; without one (or when it returns null) the
// kernel's SYSTEM token is used.
using SubjectTokenResolver = std::shared_ptr<Token> (*)();
void set_subject_token_resolver(SubjectTokenResolver resolver) noexcept;
// The calling thread's token as the resolver reports it (never null).
std::shared_ptr<Token> current_subject_token();

// Resolves the calling thread's impersonation token (null when it does not impersonate) and its
// level. Installed by the object manager, which keeps impersonation state in thread objects.
using ImpersonationResolver = std::shared_ptr<Token> (*)(SECURITY_IMPERSONATION_LEVEL* level);
void set_impersonation_resolver(ImpersonationResolver resolver) noexcept;
std::shared_ptr<Token> current_client_token(SECURITY_IMPERSONATION_LEVEL* level);
// The token the calling thread acts with: its impersonation token, else its process's.
std::shared_ptr<Token> current_effective_token();

}  // namespace ntio::se
