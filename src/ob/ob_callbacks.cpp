// ObRegisterCallbacks, ObUnRegisterCallbacks and ObGetFilterVersion, and the calls of the
// registered routines around the creation and duplication of process and thread handles.
#include "ob/ob_callbacks.hpp"

#include "ob/object_manager.hpp"

namespace ntio::ob {

namespace {

// The rights a pre-operation routine may take out (ns-wdm-_ob_pre_create_handle_information):
// clearing any other bit of DesiredAccess changes nothing.
ACCESS_MASK removable_rights(const _OBJECT_TYPE* type) noexcept
{
    if (type == &g_process_type)
        return PROCESS_CREATE_PROCESS | PROCESS_CREATE_THREAD | PROCESS_DUP_HANDLE | PROCESS_SET_QUOTA |
               PROCESS_SET_INFORMATION | PROCESS_SUSPEND_RESUME | PROCESS_TERMINATE | PROCESS_VM_OPERATION |
               PROCESS_VM_WRITE;
    return THREAD_DIRECT_IMPERSONATION | THREAD_IMPERSONATE | THREAD_SET_CONTEXT | THREAD_SET_INFORMATION |
           THREAD_SET_LIMITED_INFORMATION | THREAD_SET_THREAD_TOKEN | THREAD_SUSPEND_RESUME | THREAD_TERMINATE;
}

// One routine pair of a registration that covers the operation, with the context its
// pre-operation routine left for its post-operation routine.
struct Call {
    const ObRegistration* registration;
    const OB_OPERATION_REGISTRATION* routines;
    void* call_context;
};

}  // namespace

// NT deviation: no ExDesktopObjectType: ntio has no desktop objects.
bool handle_callback_type(const _OBJECT_TYPE* type) noexcept
{
    return type == &g_process_type || type == &g_thread_type;
}

NTSTATUS ObjectManager::filtered_create_handle(PEPROCESS process, ObjectHeader* header, ACCESS_MASK granted,
                                               ULONG attributes, OpenReason reason, KPROCESSOR_MODE mode,
                                               HANDLE* handle, PEPROCESS source)
{
    HandleOperation op;
    op.header = header;
    op.operation = reason == OpenReason::Duplicate ? OB_OPERATION_HANDLE_DUPLICATE : OB_OPERATION_HANDLE_CREATE;
    op.kernel_handle = process->m_handle_table.kernel();
    if (op.operation == OB_OPERATION_HANDLE_DUPLICATE) {
        op.source_process = source;
        op.target_process = process;
    }

    ObCallbacks::Snapshot taken;
    m_ob_callbacks->take(taken, [&](const ObRegistration& registration) {
        for (std::size_t i = 0; i < registration.operations.size(); ++i)
            if (registration.types[i] == header->type && (registration.operations[i].Operations & op.operation))
                return true;
        return false;
    });
    std::vector<Call> calls;
    for (std::size_t r = 0; r < taken.size(); ++r) {
        const ObRegistration& registration = taken[r];
        for (std::size_t i = 0; i < registration.operations.size(); ++i)
            if (registration.types[i] == header->type && (registration.operations[i].Operations & op.operation))
                calls.push_back({&registration, &registration.operations[i], nullptr});
    }

    // Every pre-operation routine sees what the ones above it left of the access.
    // NT deviation: Learn gives no order; ntio calls pre routines highest altitude first and post
    // routines lowest first, as a filter stack does.
    OB_PRE_OPERATION_PARAMETERS pre_parameters{};
    pre_parameters.DuplicateHandleInformation = {granted, granted, op.source_process, op.target_process};
    // Learn: the routines run with normal kernel APCs disabled.
    KeEnterCriticalRegion();
    for (Call& call : calls) {
        if (!call.routines->PreOperation) continue;
        OB_PRE_OPERATION_INFORMATION info{};
        info.Operation = op.operation;
        info.KernelHandle = op.kernel_handle ? 1 : 0;
        info.Object = header->body();
        info.ObjectType = header->type;
        info.Parameters = &pre_parameters;
        (void)call.routines->PreOperation(call.registration->context, &info);  // OB_PREOP_SUCCESS is the only answer
        call.call_context = info.CallContext;
    }
    // A routine can take removable rights away, never add any.
    const ACCESS_MASK kept = pre_parameters.CreateHandleInformation.DesiredAccess | ~removable_rights(header->type);
    granted &= kept;

    KeLeaveCriticalRegion();

    const NTSTATUS status = insert_handle(process, header, granted, attributes, reason, mode, handle);

    KeEnterCriticalRegion();

    OB_POST_OPERATION_PARAMETERS post_parameters{};
    post_parameters.CreateHandleInformation.GrantedAccess = NT_SUCCESS(status) ? granted : 0;
    for (auto call = calls.rbegin(); call != calls.rend(); ++call) {
        if (!call->routines->PostOperation) continue;
        OB_POST_OPERATION_INFORMATION info{};
        info.Operation = op.operation;
        info.KernelHandle = op.kernel_handle ? 1 : 0;
        info.Object = header->body();
        info.ObjectType = header->type;
        info.CallContext = call->call_context;
        info.ReturnStatus = status;
        info.Parameters = &post_parameters;
        call->routines->PostOperation(call->registration->context, &info);
    }
    KeLeaveCriticalRegion();
    return status;
}

}  // namespace ntio::ob

using namespace ntio;

namespace {

ob::ObjectManager* current_manager()
{
    if (PEPROCESS process = ob::current_process()) return process->m_manager;
    return nullptr;
}

// OB_CALLBACK_REGISTRATION as Learn requires it: STATUS_INVALID_PARAMETER for anything else.
NTSTATUS build_registration(const OB_CALLBACK_REGISTRATION& in, ob::ObRegistration& out)
{
    if (in.Version != OB_FLT_REGISTRATION_VERSION || in.OperationRegistrationCount == 0 || !in.OperationRegistration)
        return STATUS_INVALID_PARAMETER;
    const UNICODE_STRING& altitude = in.Altitude;
    // NT deviation: an empty altitude is refused; Learn names no status for it.
    if (altitude.Length == 0 || (altitude.Length & 1) || !altitude.Buffer) return STATUS_INVALID_PARAMETER;
    out.altitude.assign(reinterpret_cast<const char16_t*>(altitude.Buffer), altitude.Length / sizeof(WCHAR));
    out.context = in.RegistrationContext;
    for (USHORT i = 0; i < in.OperationRegistrationCount; ++i) {
        const OB_OPERATION_REGISTRATION& operation = in.OperationRegistration[i];
        if (!operation.ObjectType || !ob::handle_callback_type(*operation.ObjectType)) return STATUS_INVALID_PARAMETER;
        const OB_OPERATION known = OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE;
        if (!(operation.Operations & known) || (operation.Operations & ~known)) return STATUS_INVALID_PARAMETER;
        if (!operation.PreOperation && !operation.PostOperation) return STATUS_INVALID_PARAMETER;
        out.operations.push_back(operation);
        out.types.push_back(*operation.ObjectType);
    }
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

// Registers the routines of a registration for handle creates and duplicates of the object types
// it names, at its altitude.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-obregistercallbacks
// NT deviation: never STATUS_ACCESS_DENIED. NT requires the routines to be in an image linked with
// /integritycheck (IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY); an ELF driver image carries no such flag.
NTSTATUS ObRegisterCallbacks(POB_CALLBACK_REGISTRATION CallbackRegistration, PVOID* RegistrationHandle)
{
    ob::ObjectManager* manager = current_manager();
    if (!CallbackRegistration || !RegistrationHandle || !manager) return STATUS_INVALID_PARAMETER;
    auto registration = std::make_unique<ob::ObRegistration>();
    NTSTATUS status = build_registration(*CallbackRegistration, *registration);
    if (!NT_SUCCESS(status)) return status;
    ob::ObRegistration* added = registration.get();
    status = manager->ob_callbacks().add(std::move(registration));
    if (NT_SUCCESS(status)) *RegistrationHandle = added;
    return status;
}

// Removes a registration made by ObRegisterCallbacks; returns once none of its routines runs.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-obunregistercallbacks
// NT deviation: a handle that names no registration of the caller's System is ignored (Learn
// documents nothing for it).
VOID ObUnRegisterCallbacks(PVOID RegistrationHandle)
{
    ob::ObjectManager* manager = current_manager();
    if (!RegistrationHandle || !manager) return;
    (void)manager->ob_callbacks().remove(
        [&](const ob::ObRegistration& registration) { return &registration == RegistrationHandle; });
}

// The version of the callback registration interface: OB_FLT_REGISTRATION_VERSION.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-obgetfilterversion
USHORT ObGetFilterVersion(VOID)
{
    return OB_FLT_REGISTRATION_VERSION;
}

}  // extern "C"
