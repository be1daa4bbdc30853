// The registry services' calls around a key operation: the pre-notification, the operation and the
// post-notification of the CmRegisterCallback(Ex) registrations (config/registry_callbacks.hpp).
#pragma once

#include "config/config_manager.hpp"
#include "config/key_object.hpp"

namespace ntio::nt {

// Runs a key operation between its registry callback notifications (config/registry_callbacks.hpp);
// `make_info()` builds the pre-notification's structure, whose Object is the key. While nobody
// registered, one branch and the operation.
template <class MakeInfo, class Operation>
NTSTATUS with_callbacks(config::KeyBody& key, REG_NOTIFY_CLASS pre_class, MakeInfo&& make_info, Operation&& operation) {
    ntio::config::RegistryCallbacks& callbacks = key.manager->callbacks();
    if (!callbacks.active()) [[likely]]
        return operation();
    auto info = make_info();
    info.Object = &key;
    void* const object = &key;
    return callbacks.around(pre_class, info, &object, operation);
}

}  // namespace ntio::nt
