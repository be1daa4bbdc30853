// SeAppendPrivileges and SeSetAccessStateGenericMapping over the auxiliary data of an ACCESS_STATE.
#include "se/access_state.hpp"

#include <ntio_ddk/ex.h>

namespace ntio::se {
namespace {

constexpr ULONG kInitialPrivilegeCount = 3;  // INITIAL_PRIVILEGE_SET holds three
constexpr ULONG kPrivilegeSetTag = 'rPeS';

std::size_t privilege_set_size(ULONG count) noexcept
{
    return offsetof(PRIVILEGE_SET, Privilege) + std::size_t{count} * sizeof(LUID_AND_ATTRIBUTES);
}

PPRIVILEGE_SET inline_set(ACCESS_STATE& state) noexcept
{
    return reinterpret_cast<PPRIVILEGE_SET>(&state.Privileges.InitialPrivilegeSet);
}

}  // namespace

void attach_aux_data(ACCESS_STATE& state, AuxAccessData& aux, const GENERIC_MAPPING* mapping) noexcept
{
    aux = {};
    state.Privileges.InitialPrivilegeSet.PrivilegeCount = 0;
    state.Privileges.InitialPrivilegeSet.Control = 0;
    state.PrivilegesAllocated = FALSE;
    aux.PrivilegesUsed = inline_set(state);
    if (mapping) aux.GenericMapping = *mapping;
    state.AuxData = &aux;
}

void release_appended_privileges(ACCESS_STATE& state) noexcept
{
    auto* aux = static_cast<AuxAccessData*>(state.AuxData);
    if (!aux || !state.PrivilegesAllocated) return;
    ExFreePoolWithTag(aux->PrivilegesUsed, kPrivilegeSetTag);
    aux->PrivilegesUsed = inline_set(state);
    state.PrivilegesAllocated = FALSE;
}

}  // namespace ntio::se

extern "C" {

// Appends the privileges of Privileges to the access state's privilege set: in place while the
// state's own set (three entries) has room, else in a new paged-pool set holding the current and
// the new privileges (PrivilegesAllocated becomes TRUE; a set allocated earlier is freed).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-seappendprivileges
// NT deviation: an access state without auxiliary data (one a driver filled itself) or a NULL
// argument is STATUS_INVALID_PARAMETER where NT would fault.
NTKERNELAPI NTSTATUS NTAPI SeAppendPrivileges(PACCESS_STATE AccessState, PPRIVILEGE_SET Privileges)
{
    if (AccessState == nullptr || Privileges == nullptr || AccessState->AuxData == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    auto* aux = static_cast<ntio::se::AuxAccessData*>(AccessState->AuxData);
    PPRIVILEGE_SET current = aux->PrivilegesUsed;
    const ULONG total = current->PrivilegeCount + Privileges->PrivilegeCount;
    if (!AccessState->PrivilegesAllocated && total <= ntio::se::kInitialPrivilegeCount) {
        std::memcpy(&current->Privilege[current->PrivilegeCount], Privileges->Privilege,
                    Privileges->PrivilegeCount * sizeof(LUID_AND_ATTRIBUTES));
        current->PrivilegeCount = total;
        return STATUS_SUCCESS;
    }
    auto* grown = static_cast<PPRIVILEGE_SET>(
        ExAllocatePoolWithTag(PagedPool, ntio::se::privilege_set_size(total), ntio::se::kPrivilegeSetTag));
    if (grown == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
    grown->PrivilegeCount = total;
    grown->Control = current->Control;
    std::memcpy(grown->Privilege, current->Privilege, current->PrivilegeCount * sizeof(LUID_AND_ATTRIBUTES));
    std::memcpy(&grown->Privilege[current->PrivilegeCount], Privileges->Privilege,
                Privileges->PrivilegeCount * sizeof(LUID_AND_ATTRIBUTES));
    ntio::se::release_appended_privileges(*AccessState);
    aux->PrivilegesUsed = grown;
    AccessState->PrivilegesAllocated = TRUE;
    return STATUS_SUCCESS;
}

// Sets the generic mapping of the access state's auxiliary data (the object type's mapping, which
// the object manager's later checks use).
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-sesetaccessstategenericmapping
// NT deviation: an access state without auxiliary data, or a NULL argument, is ignored.
NTKERNELAPI VOID NTAPI SeSetAccessStateGenericMapping(PACCESS_STATE AccessState, PGENERIC_MAPPING GenericMapping)
{
    if (AccessState == nullptr || GenericMapping == nullptr || AccessState->AuxData == nullptr) return;
    static_cast<ntio::se::AuxAccessData*>(AccessState->AuxData)->GenericMapping = *GenericMapping;
}

}  // extern "C"
