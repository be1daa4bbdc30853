// Boot-time pieces of executive callback objects: the Callback object type, and the callback
// objects every System has for drivers to open (\Callback\SetSystemTime, \Callback\PowerState,
// \Callback\ProcessorAdd).
#pragma once

namespace ntio::ob { class ObjectManager; }

namespace ntio::ex {

// Before the System's object manager is created (it lists the types in \ObjectTypes).
void register_callback_type();
// Once the object manager and the kernel run. PASSIVE_LEVEL.
void create_standard_callbacks(ob::ObjectManager& manager);

}  // namespace ntio::ex
