// JSON forms of the snapshot types (nlohmann-json), shared by dump files and the commands' --json mode.
#pragma once

#include <nlohmann/json.hpp>

#include "inspect/snapshot.hpp"

namespace ntio::inspect {

void to_json(nlohmann::json& j, const StackLocationSnap& v);
void from_json(const nlohmann::json& j, StackLocationSnap& v);
void to_json(nlohmann::json& j, const IrpSnap& v);
void from_json(const nlohmann::json& j, IrpSnap& v);
void to_json(nlohmann::json& j, const DriverSnap& v);
void from_json(const nlohmann::json& j, DriverSnap& v);
void to_json(nlohmann::json& j, const DeviceSnap& v);
void from_json(const nlohmann::json& j, DeviceSnap& v);
void to_json(nlohmann::json& j, const FileSnap& v);
void from_json(const nlohmann::json& j, FileSnap& v);
void to_json(nlohmann::json& j, const VpbSnap& v);
void from_json(const nlohmann::json& j, VpbSnap& v);
void to_json(nlohmann::json& j, const ObjectSnap& v);
void from_json(const nlohmann::json& j, ObjectSnap& v);
void to_json(nlohmann::json& j, const HandleSnap& v);
void from_json(const nlohmann::json& j, HandleSnap& v);
void to_json(nlohmann::json& j, const ThreadSnap& v);
void from_json(const nlohmann::json& j, ThreadSnap& v);
void to_json(nlohmann::json& j, const ProcessSnap& v);
void from_json(const nlohmann::json& j, ProcessSnap& v);
void to_json(nlohmann::json& j, const PoolSnap& v);
void from_json(const nlohmann::json& j, PoolSnap& v);
void to_json(nlohmann::json& j, const ModuleSnap& v);
void from_json(const nlohmann::json& j, ModuleSnap& v);
void to_json(nlohmann::json& j, const BugcheckSnap& v);
void from_json(const nlohmann::json& j, BugcheckSnap& v);

}  // namespace ntio::inspect
