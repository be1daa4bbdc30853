// The auxiliary data of an ACCESS_STATE (AUX_ACCESS_DATA, what ACCESS_STATE::AuxData points to):
// the privilege set in use and the object type's generic mapping, which SeAppendPrivileges and
// SeSetAccessStateGenericMapping change. ntio fills an access state for every IRP_MJ_CREATE.
#pragma once

#include "se/ddk.hpp"

#include <ntio_ddk/io_types.h>

namespace ntio::se {

// The leading fields of NT's AUX_ACCESS_DATA, in NT's order: PrivilegesUsed points to the privilege
// set in use (the access state's own three-entry set until SeAppendPrivileges needs more room).
struct AuxAccessData {
    PPRIVILEGE_SET PrivilegesUsed;
    GENERIC_MAPPING GenericMapping;
    ACCESS_MASK AccessesToAudit;
    ACCESS_MASK MaximumAuditMask;
};

// Points state.AuxData at `aux` and starts both with no privileges and `mapping` (zero without one).
// The caller has captured the subject context and set the access masks.
void attach_aux_data(ACCESS_STATE& state, AuxAccessData& aux, const GENERIC_MAPPING* mapping) noexcept;
// Frees a privilege set SeAppendPrivileges allocated (PrivilegesAllocated); the state keeps none.
void release_appended_privileges(ACCESS_STATE& state) noexcept;

}  // namespace ntio::se
