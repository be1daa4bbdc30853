// The KTM engine's entry points for the object procedures (ex/ktm_objects.cpp): enlisting under the
// lock, a resource manager's last handle, a transaction's last handle.
#pragma once

#include <vector>

#include "ex/ktm.hpp"

namespace ntio::ex::ktm {

// Links `en` (initialised, not yet listed) into `tx` and references both `tx` and `rm` for it.
// Caller holds lock(). STATUS_TRANSACTION_NOT_ACTIVE once commit or rollback has begun.
NTSTATUS enlist_locked(PKENLISTMENT en, PKRESOURCEMANAGER rm, PKTRANSACTION tx);
// The enlistments of `rm`, each referenced. Caller holds lock().
std::vector<PKENLISTMENT> enlistments_of_locked(PKRESOURCEMANAGER rm);
// The resource manager's last handle went: its queue is dropped, the transactions it had not yet
// prepared roll back, and the commit and rollback answers it owes are taken as given.
void disconnect_resource_manager(PKRESOURCEMANAGER rm);
// The transaction's last handle went: an active transaction rolls back.
void rollback_if_active(PKTRANSACTION tx);

}  // namespace ntio::ex::ktm
