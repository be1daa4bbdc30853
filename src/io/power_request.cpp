// Power request objects (PoCreatePowerRequest, PoSetPowerRequest, PoClearPowerRequest,
// PoDeletePowerRequest): a driver's counted requests that the system stay running. A request's
// PowerRequestSystemRequired count adds to its power manager's sum, and a non-zero sum puts
// ES_SYSTEM_REQUIRED in the execution state ZwPowerInformation(SystemExecutionState) reports. ntio
// never leaves S0, so the requests change nothing else.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pocreatepowerrequest
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-posetpowerrequest
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-poclearpowerrequest
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-podeletepowerrequest
#include "io/power_manager.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

constexpr ULONG kPowerRequestTag = 'rPoP';
constexpr ULONG kLiveSignature = 0x71655250;  // "PReq"

struct PowerRequestObject {
    ULONG signature;            // kLiveSignature while the object lives
    PowerManager* power;
    PDEVICE_OBJECT device;
    std::atomic<LONG> system_required{0};  // this object's count of the one type drivers may set
};

// Type as the integer the caller passed (a value outside the enumeration must not be read through it).
bool system_required(const POWER_REQUEST_TYPE& type) {
    ULONG raw;
    std::memcpy(&raw, &type, sizeof raw);
    return raw == PowerRequestSystemRequired;
}

// The object PowerRequest names, or null for a pointer that is not a live request.
PowerRequestObject* live(PVOID PowerRequest) {
    auto* request = static_cast<PowerRequestObject*>(PowerRequest);
    return request && request->signature == kLiveSignature ? request : nullptr;
}

}  // namespace
}  // namespace ntio::io

using namespace ntio::io;

extern "C" {

// Learn: STATUS_INVALID_PARAMETER for a NULL DeviceObject, STATUS_INSUFFICIENT_RESOURCES without
// memory, and NULL in *PowerRequest whenever the call fails. Context is optional; when given, ntio
// also refuses (STATUS_INVALID_PARAMETER) a version other than POWER_REQUEST_CONTEXT_VERSION or flags
// outside the documented ones, since it could not tell what the structure holds.
NTKERNELAPI NTSTATUS NTAPI PoCreatePowerRequest(PVOID* PowerRequest, PDEVICE_OBJECT DeviceObject,
                                                PCOUNTED_REASON_CONTEXT Context) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, APC_LEVEL);
    if (!PowerRequest) return STATUS_INVALID_PARAMETER;
    *PowerRequest = nullptr;
    if (!DeviceObject) return STATUS_INVALID_PARAMETER;
    if (Context && (Context->Version != POWER_REQUEST_CONTEXT_VERSION || (Context->Flags & DIAGNOSTIC_REASON_INVALID_FLAGS)))
        return STATUS_INVALID_PARAMETER;
    void* block = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(PowerRequestObject), kPowerRequestTag);
    if (!block) return STATUS_INSUFFICIENT_RESOURCES;
    auto* request = new (block) PowerRequestObject{};
    request->power = &power_of(DeviceObject);
    request->device = DeviceObject;
    request->signature = kLiveSignature;
    *PowerRequest = request;
    return STATUS_SUCCESS;
}

// Learn: increments the count of the type; drivers may set only PowerRequestSystemRequired, any
// other type is STATUS_NOT_SUPPORTED. A pointer that is no live request: STATUS_INVALID_PARAMETER.
NTKERNELAPI NTSTATUS NTAPI PoSetPowerRequest(PVOID PowerRequest, POWER_REQUEST_TYPE Type) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    PowerRequestObject* request = live(PowerRequest);
    if (!request) return STATUS_INVALID_PARAMETER;
    if (!system_required(Type)) return STATUS_NOT_SUPPORTED;
    request->system_required.fetch_add(1, std::memory_order_relaxed);
    request->power->system_required_requests.fetch_add(1, std::memory_order_relaxed);
    return STATUS_SUCCESS;
}

// Learn: decrements the count; the default behaviour returns once the count reaches zero. A clear
// with no set outstanding on this object changes nothing (the count never goes below zero), and
// returns STATUS_SUCCESS: Learn names no failure for it.
NTKERNELAPI NTSTATUS NTAPI PoClearPowerRequest(PVOID PowerRequest, POWER_REQUEST_TYPE Type) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    PowerRequestObject* request = live(PowerRequest);
    if (!request) return STATUS_INVALID_PARAMETER;
    if (!system_required(Type)) return STATUS_NOT_SUPPORTED;
    LONG count = request->system_required.load(std::memory_order_relaxed);
    do {
        if (count == 0) return STATUS_SUCCESS;
    } while (!request->system_required.compare_exchange_weak(count, count - 1, std::memory_order_relaxed));
    request->power->system_required_requests.fetch_sub(1, std::memory_order_relaxed);
    return STATUS_SUCCESS;
}

// Learn: deletes the object (before the device it was created for is deleted). Requests still set
// on it end with it.
NTKERNELAPI VOID NTAPI PoDeletePowerRequest(PVOID PowerRequest) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, APC_LEVEL);
    PowerRequestObject* request = live(PowerRequest);
    if (!request) return;
    request->signature = 0;
    const LONG outstanding = request->system_required.exchange(0, std::memory_order_relaxed);
    if (outstanding) request->power->system_required_requests.fetch_sub(outstanding, std::memory_order_relaxed);
    request->~PowerRequestObject();
    ExFreePoolWithTag(request, kPowerRequestTag);
}

}  // extern "C"
