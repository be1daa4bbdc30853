// IoConnectInterrupt(Ex) and IoDisconnectInterrupt(Ex): interrupt objects built from the driver's
// parameters (fully specified) or from the interrupts assigned to its device (line-based and
// message-based, NtioSetDeviceInterrupts), connected to the System's interrupt controller
// (ke/interrupt.cpp); soft connect and disconnect (IoReportInterruptActive/Inactive).
// https://learn.microsoft.com/windows-hardware/drivers/kernel/registering-an-isr
#include <map>
#include <unordered_map>

#include "io/io_manager.hpp"
#include "io/pnp_manager.hpp"
#include "ke/interrupt.hpp"
#include "ob/object_manager.hpp"
#include "verifier/verifier.hpp"
#include <ntio/ntio.h>

namespace ntio::io {

namespace {

constexpr ULONG kTag = 'tnIK';
constexpr ULONG kMaxMessages = 2048;
// What a connection context handed to a driver is (InterruptController::remember_context).
constexpr ULONG kInterruptObject = CONNECT_FULLY_SPECIFIED;
constexpr ULONG kMessageTable = CONNECT_MESSAGE_BASED;
// The MSI address window of x86 processors: what a message's MessageAddress holds.
constexpr LONGLONG kMessageAddress = 0xFEE00000;

// Learn asks for PASSIVE_LEVEL; the verifier checks that for verified drivers (IrqlIoPassive2).
// NT deviation: the routines are pageable code on Windows, which faults (0xA) above APC_LEVEL when its
// page is out; ntio stops every call above APC_LEVEL with that code (P1/P4 the routine, P2 the IRQL,
// P3 8: execute), whether or not the driver is verified. A disconnect there could also wait for an ISR
// it interrupted.
void require_passive(const void* routine) {
    const KIRQL irql = KeGetCurrentIrql();
    if (irql > APC_LEVEL) {
        const ULONG_PTR address = reinterpret_cast<ULONG_PTR>(routine);
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, address, irql, 8, address);
    }
}

// A context IoConnectInterruptEx did not return, or one already disconnected: Windows frees the
// interrupt objects (again) and stops on the double free; ntio stops before touching them, with the
// code its pool gives a double free.
[[noreturn]] void not_connected(const void* context) {
    KeBugCheckEx(BAD_POOL_CALLER, 0x07, 0, 0, reinterpret_cast<ULONG_PTR>(context));
}

ke::InterruptController& controller() {
    ke::InterruptController* c = ke::current_interrupt_controller();
    if (!c) KeBugCheckEx(PHASE1_INITIALIZATION_FAILED, STATUS_INVALID_DEVICE_STATE, 0, 0, 0);
    return *c;
}

KAFFINITY active_processors() {
    KAFFINITY active = 0;
    (void)KeQueryActiveProcessorCount(&active);
    return active;
}

// One interrupt object's parameters.
struct Spec {
    PKSERVICE_ROUTINE service = nullptr;
    PKMESSAGE_SERVICE_ROUTINE message = nullptr;
    ULONG message_id = 0;
    PVOID context = nullptr;
    PKSPIN_LOCK lock = nullptr;  // null: the object's own
    ULONG vector = 0;
    KIRQL irql = 0;
    KIRQL synchronize_irql = 0;
    KINTERRUPT_MODE mode = LevelSensitive;
    bool share = false;
    KAFFINITY affinity = 0;
};

void free_interrupt(_KINTERRUPT* k) {
    k->~_KINTERRUPT();
    ExFreePoolWithTag(k, kTag);
}

// Builds an interrupt object from nonpaged pool and connects it.
NTSTATUS connect_one(const Spec& s, _KINTERRUPT** out) {
    void* memory = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(_KINTERRUPT), kTag);
    if (!memory) return STATUS_INSUFFICIENT_RESOURCES;
    auto* k = new (memory) _KINTERRUPT();
    k->service_routine = s.service;
    k->message_routine = s.message;
    k->message_id = s.message_id;
    k->service_context = s.context;
    KeInitializeSpinLock(&k->own_lock);
    k->lock = s.lock ? s.lock : &k->own_lock;
    k->vector = s.vector;
    k->irql = s.irql;
    k->synchronize_irql = s.synchronize_irql;
    k->mode = s.mode;
    k->share_vector = s.share;
    k->affinity = s.affinity;
    NTSTATUS status = controller().connect(k);
    if (!NT_SUCCESS(status)) {
        free_interrupt(k);
        return status;
    }
    *out = k;
    return STATUS_SUCCESS;
}

void disconnect_one(_KINTERRUPT* k) {
    if (k->controller) k->controller->disconnect(k);
    free_interrupt(k);
}

// A message-based connection: the table the driver receives, in one pool block after this header.
struct MessageConnection {
    ULONG count;
    IO_INTERRUPT_MESSAGE_INFO table;  // MessageInfo[count]; last
};

PIO_INTERRUPT_MESSAGE_INFO_ENTRY message_entry(PIO_INTERRUPT_MESSAGE_INFO table, ULONG i) {
    return table->MessageInfo + i;
}

SIZE_T message_connection_size(ULONG count) {
    return offsetof(MessageConnection, table) + FIELD_OFFSET(IO_INTERRUPT_MESSAGE_INFO, MessageInfo) +
           SIZE_T{count} * sizeof(IO_INTERRUPT_MESSAGE_INFO_ENTRY);
}

void free_message_connection(MessageConnection* c) {
    for (ULONG i = 0; i < c->count; ++i) {
        _KINTERRUPT* k = message_entry(&c->table, i)->InterruptObject;
        if (k) disconnect_one(k);
    }
    ExFreePoolWithTag(c, kTag);
}

// The interrupts assigned to a PnP PDO's device; false for a device object that is not one.
bool pdo_interrupts(PDEVICE_OBJECT pdo, IoManager::DeviceInterrupts* out, bool* is_pdo) {
    *is_pdo = pdo && pnp_is_pdo(pdo);
    if (!*is_pdo) return false;
    PnpNode* node = pnp_node_of(pdo);
    if (!node) return false;
    return current_io().device_interrupts(ob::upcase_name(pnp_instance_path(*node)), out);
}

NTSTATUS connect_fully_specified(const IO_CONNECT_INTERRUPT_FULLY_SPECIFIED_PARAMETERS& p, bool group,
                                 NTSTATUS empty_mask_status) {
    if (!p.InterruptObject || !p.ServiceRoutine) return STATUS_INVALID_PARAMETER;
    *p.InterruptObject = nullptr;
    if (!p.ProcessorEnableMask) return empty_mask_status;
    // One processor group: group 0 (or any group) only.
    if (group && p.Group != 0 && p.Group != ALL_PROCESSOR_GROUPS) return STATUS_INVALID_PARAMETER;
    Spec s;
    s.service = p.ServiceRoutine;
    s.context = p.ServiceContext;
    s.lock = p.SpinLock;
    s.vector = p.Vector;
    s.irql = p.Irql;
    s.synchronize_irql = p.SynchronizeIrql;
    s.mode = p.InterruptMode;
    s.share = p.ShareVector != FALSE;
    s.affinity = p.ProcessorEnableMask;
    if (s.mode != LevelSensitive && s.mode != Latched) return STATUS_INVALID_PARAMETER;
    _KINTERRUPT* k = nullptr;
    NTSTATUS status = connect_one(s, &k);
    if (!NT_SUCCESS(status)) return status;
    controller().remember_context(k, kInterruptObject);
    *p.InterruptObject = k;
    return STATUS_SUCCESS;
}

// The device's line-based interrupt for ServiceRoutine. SynchronizeIrql is a minimum: the line's
// DIRQL when that is higher.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/using-the-connect-line-based-version-of-ioconnectinterruptex
NTSTATUS connect_line(const IoManager::DeviceInterrupts& line, PKSERVICE_ROUTINE routine, PVOID context,
                      PKSPIN_LOCK lock, KIRQL synchronize_irql, PKINTERRUPT* out) {
    Spec s;
    s.service = routine;
    s.context = context;
    s.lock = lock;
    s.vector = line.vector;
    s.irql = ke::vector_irql(line.vector);
    s.synchronize_irql = std::max(s.irql, synchronize_irql);
    s.mode = line.mode;
    s.share = line.shared;
    s.affinity = active_processors();
    _KINTERRUPT* k = nullptr;
    NTSTATUS status = connect_one(s, &k);
    if (!NT_SUCCESS(status)) return status;
    controller().remember_context(k, kInterruptObject);
    *out = k;
    return STATUS_SUCCESS;
}

NTSTATUS connect_line_based(const IO_CONNECT_INTERRUPT_LINE_BASED_PARAMETERS& p) {
    if (!p.InterruptObject || !p.ServiceRoutine) return STATUS_INVALID_PARAMETER;
    *p.InterruptObject = nullptr;
    IoManager::DeviceInterrupts assigned{};
    bool is_pdo = false;
    const bool found = pdo_interrupts(p.PhysicalDeviceObject, &assigned, &is_pdo);
    if (!is_pdo) return STATUS_INVALID_PARAMETER;
    if (!found) return STATUS_NOT_FOUND;
    if (assigned.message_count) return STATUS_INVALID_DEVICE_REQUEST;
    return connect_line(assigned, p.ServiceRoutine, p.ServiceContext, p.SpinLock, p.SynchronizeIrql,
                        p.InterruptObject);
}

// Every message of the device, one interrupt object each, all at the UnifiedIrql (the highest
// message DIRQL, or SynchronizeIrql when higher). A driver's spin lock serves them all; without one,
// each message has its own. A device without messages gets the fallback ISR on its line instead
// (Version becomes CONNECT_LINE_BASED), or STATUS_NOT_FOUND without a fallback.
// https://learn.microsoft.com/windows-hardware/drivers/kernel/using-the-connect-message-based-version-of-ioconnectinterruptex
NTSTATUS connect_message_based(PIO_CONNECT_INTERRUPT_PARAMETERS parameters) {
    const IO_CONNECT_INTERRUPT_MESSAGE_BASED_PARAMETERS& p = parameters->MessageBased;
    if (!p.ConnectionContext.Generic) return STATUS_INVALID_PARAMETER;
    *p.ConnectionContext.Generic = nullptr;
    IoManager::DeviceInterrupts assigned{};
    bool is_pdo = false;
    const bool found = pdo_interrupts(p.PhysicalDeviceObject, &assigned, &is_pdo);
    if (!is_pdo) return STATUS_INVALID_PARAMETER;
    if (!found) return STATUS_NOT_FOUND;
    if (!assigned.message_count) {
        if (!p.FallBackServiceRoutine) return STATUS_NOT_FOUND;
        NTSTATUS status = connect_line(assigned, p.FallBackServiceRoutine, p.ServiceContext, p.SpinLock,
                                       p.SynchronizeIrql, p.ConnectionContext.InterruptObject);
        if (NT_SUCCESS(status)) parameters->Version = CONNECT_LINE_BASED;
        return status;
    }
    if (!p.MessageServiceRoutine) return STATUS_INVALID_PARAMETER;
    const ULONG count = assigned.message_count;
    auto* connection =
        static_cast<MessageConnection*>(ExAllocatePoolWithTag(NonPagedPoolNx, message_connection_size(count), kTag));
    if (!connection) return STATUS_INSUFFICIENT_RESOURCES;
    std::memset(static_cast<void*>(connection), 0, message_connection_size(count));
    connection->count = count;
    KIRQL unified = p.SynchronizeIrql;
    for (ULONG i = 0; i < count; ++i) unified = std::max(unified, ke::vector_irql(assigned.vector + i));
    PIO_INTERRUPT_MESSAGE_INFO table = &connection->table;
    table->UnifiedIrql = unified;
    table->MessageCount = count;
    const KAFFINITY affinity = active_processors();
    for (ULONG i = 0; i < count; ++i) {
        Spec s;
        s.message = p.MessageServiceRoutine;
        s.message_id = i;
        s.context = p.ServiceContext;
        s.lock = p.SpinLock;
        s.vector = assigned.vector + i;
        s.irql = ke::vector_irql(s.vector);
        s.synchronize_irql = unified;
        s.mode = Latched;
        s.share = false;
        s.affinity = affinity;
        PIO_INTERRUPT_MESSAGE_INFO_ENTRY entry = message_entry(table, i);
        NTSTATUS status = connect_one(s, &entry->InterruptObject);
        if (!NT_SUCCESS(status)) {
            free_message_connection(connection);
            return status;
        }
        entry->MessageAddress.QuadPart = kMessageAddress;
        entry->TargetProcessorSet = affinity;
        entry->MessageData = s.vector;
        entry->Vector = s.vector;
        entry->Irql = s.irql;
        entry->Mode = Latched;
        entry->Polarity = InterruptRisingEdge;
    }
    controller().remember_context(table, kMessageTable);
    *p.ConnectionContext.InterruptMessageTable = table;
    return STATUS_SUCCESS;
}

// The interrupt objects behind a connection context of the given Version (checked against what was
// handed out).
template <typename Fn>
void for_each_interrupt(ULONG version, PVOID context, Fn&& fn) {
    const ULONG kind = version == CONNECT_MESSAGE_BASED ? kMessageTable : kInterruptObject;
    if (!context || !controller().has_context(context, kind)) not_connected(context);
    if (kind == kInterruptObject) {
        fn(static_cast<PKINTERRUPT>(context));
        return;
    }
    auto* table = static_cast<PIO_INTERRUPT_MESSAGE_INFO>(context);
    for (ULONG i = 0; i < table->MessageCount; ++i) fn(message_entry(table, i)->InterruptObject);
}

}  // namespace

// One descriptor per interrupt, in both lists. A line: raw Level = Vector = the line's number on its
// bus (ntio numbers the lines of vectors 0x30.. from 0, so a raw value is never a valid vector), translated
// Level = the DIRQL and Vector = the vector. Messages (ntio's reading: one descriptor per message): raw
// MessageCount and the message token, translated DIRQL and vector of each message.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_cm_partial_resource_descriptor
NTSTATUS start_device_resources(const std::u16string& instance, PCM_RESOURCE_LIST* raw,
                                PCM_RESOURCE_LIST* translated) {
    *raw = *translated = nullptr;
    IoManager::DeviceInterrupts assigned{};
    if (!current_io().device_interrupts(instance, &assigned)) return STATUS_SUCCESS;
    const ULONG count = assigned.message_count ? assigned.message_count : 1;
    const SIZE_T size = FIELD_OFFSET(CM_RESOURCE_LIST, List[0].PartialResourceList.PartialDescriptors) +
                        SIZE_T{count} * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR);
    PCM_RESOURCE_LIST lists[2] = {};
    for (PCM_RESOURCE_LIST& list : lists) {
        list = static_cast<PCM_RESOURCE_LIST>(ExAllocatePoolWithTag(PagedPool, size, 'sRmC'));
        if (!list) {
            if (lists[0] && &list != &lists[0]) ExFreePool(lists[0]);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        std::memset(static_cast<void*>(list), 0, size);
        list->Count = 1;
        list->List[0].InterfaceType = Internal;
        list->List[0].BusNumber = 0;
        list->List[0].PartialResourceList.Version = 1;
        list->List[0].PartialResourceList.Revision = 1;
        list->List[0].PartialResourceList.Count = count;
    }
    const KAFFINITY affinity = active_processors();
    for (ULONG i = 0; i < count; ++i) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR r = lists[0]->List[0].PartialResourceList.PartialDescriptors + i;
        PCM_PARTIAL_RESOURCE_DESCRIPTOR t = lists[1]->List[0].PartialResourceList.PartialDescriptors + i;
        r->Type = t->Type = CmResourceTypeInterrupt;
        if (assigned.message_count) {
            const ULONG vector = assigned.vector + i;
            r->ShareDisposition = t->ShareDisposition = CmResourceShareDeviceExclusive;
            r->Flags = t->Flags = CM_RESOURCE_INTERRUPT_MESSAGE | CM_RESOURCE_INTERRUPT_LATCHED;
            r->u.MessageInterrupt.Raw.MessageCount = static_cast<USHORT>(assigned.message_count);
            r->u.MessageInterrupt.Raw.Vector = CM_RESOURCE_INTERRUPT_MESSAGE_TOKEN;
            r->u.MessageInterrupt.Raw.Affinity = affinity;
            t->u.MessageInterrupt.Translated.Level = ke::vector_irql(vector);
            t->u.MessageInterrupt.Translated.Vector = vector;
            t->u.MessageInterrupt.Translated.Affinity = affinity;
        } else {
            r->ShareDisposition = t->ShareDisposition =
                assigned.shared ? CmResourceShareShared : CmResourceShareDeviceExclusive;
            r->Flags = t->Flags =
                assigned.mode == Latched ? CM_RESOURCE_INTERRUPT_LATCHED : CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE;
            r->u.Interrupt.Level = r->u.Interrupt.Vector = assigned.vector - ke::kFirstDeviceVector;
            r->u.Interrupt.Affinity = affinity;
            t->u.Interrupt.Level = ke::vector_irql(assigned.vector);
            t->u.Interrupt.Vector = assigned.vector;
            t->u.Interrupt.Affinity = affinity;
        }
    }
    *raw = lists[0];
    *translated = lists[1];
    return STATUS_SUCCESS;
}

void IoManager::set_device_interrupts(const std::u16string& instance, const DeviceInterrupts* interrupts) {
    std::lock_guard guard(m_interrupt_lock);
    if (interrupts) m_device_interrupts[instance] = *interrupts;
    else m_device_interrupts.erase(instance);
}

bool IoManager::device_interrupts(const std::u16string& instance, DeviceInterrupts* out) {
    std::lock_guard guard(m_interrupt_lock);
    auto it = m_device_interrupts.find(instance);
    if (it == m_device_interrupts.end()) return false;
    *out = it->second;
    return true;
}

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioconnectinterrupt
// NT deviation: one interrupt object stands for the whole ProcessorEnableMask (Windows builds one per
// processor of the mask); KeSynchronizeExecution and the interrupt spin lock behave the same.
NTSTATUS NTAPI IoConnectInterrupt(PKINTERRUPT* InterruptObject, PKSERVICE_ROUTINE ServiceRoutine, PVOID ServiceContext,
                                  PKSPIN_LOCK SpinLock, ULONG Vector, KIRQL Irql, KIRQL SynchronizeIrql,
                                  KINTERRUPT_MODE InterruptMode, BOOLEAN ShareVector, KAFFINITY ProcessorEnableMask,
                                  BOOLEAN FloatingSave) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive2);
    require_passive(reinterpret_cast<const void*>(&IoConnectInterrupt));
    IO_CONNECT_INTERRUPT_FULLY_SPECIFIED_PARAMETERS p{};
    p.InterruptObject = InterruptObject;
    p.ServiceRoutine = ServiceRoutine;
    p.ServiceContext = ServiceContext;
    p.SpinLock = SpinLock;
    p.SynchronizeIrql = SynchronizeIrql;
    p.FloatingSave = FloatingSave;
    p.ShareVector = ShareVector;
    p.Vector = Vector;
    p.Irql = Irql;
    p.InterruptMode = InterruptMode;
    p.ProcessorEnableMask = ProcessorEnableMask;
    // "STATUS_INVALID_PARAMETER: No processors were specified."
    return connect_fully_specified(p, false, STATUS_INVALID_PARAMETER);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iodisconnectinterrupt
VOID NTAPI IoDisconnectInterrupt(PKINTERRUPT InterruptObject) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive4);
    require_passive(reinterpret_cast<const void*>(&IoDisconnectInterrupt));
    if (!InterruptObject || !controller().forget_context(InterruptObject, kInterruptObject))
        not_connected(InterruptObject);
    disconnect_one(InterruptObject);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/iointex/nf-iointex-wdmlibioconnectinterruptex
NTSTATUS NTAPI IoConnectInterruptEx(PIO_CONNECT_INTERRUPT_PARAMETERS Parameters) {
    require_passive(reinterpret_cast<const void*>(&IoConnectInterruptEx));
    if (!Parameters) return STATUS_INVALID_PARAMETER;
    switch (Parameters->Version) {
    case CONNECT_FULLY_SPECIFIED:
    case CONNECT_FULLY_SPECIFIED_GROUP:
        // "STATUS_INVALID_PARAMETER_10 ... when Parameters->FullySpecified.ProcessorEnableMask does
        // not have any bits set."
        if (!Parameters->FullySpecified.PhysicalDeviceObject) return STATUS_INVALID_PARAMETER;
        return connect_fully_specified(Parameters->FullySpecified,
                                       Parameters->Version == CONNECT_FULLY_SPECIFIED_GROUP,
                                       STATUS_INVALID_PARAMETER_10);
    case CONNECT_LINE_BASED: return connect_line_based(Parameters->LineBased);
    case CONNECT_MESSAGE_BASED: return connect_message_based(Parameters);
    default: return STATUS_INVALID_PARAMETER_1;
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/iointex/nf-iointex-wdmlibiodisconnectinterruptex
VOID NTAPI IoDisconnectInterruptEx(PIO_DISCONNECT_INTERRUPT_PARAMETERS Parameters) {
    require_passive(reinterpret_cast<const void*>(&IoDisconnectInterruptEx));
    switch (Parameters->Version) {
    case CONNECT_FULLY_SPECIFIED:
    case CONNECT_FULLY_SPECIFIED_GROUP:
    case CONNECT_LINE_BASED: {
        PKINTERRUPT k = Parameters->ConnectionContext.InterruptObject;
        if (!k || !controller().forget_context(k, kInterruptObject)) not_connected(k);
        disconnect_one(k);
        return;
    }
    case CONNECT_MESSAGE_BASED: {
        PIO_INTERRUPT_MESSAGE_INFO table = Parameters->ConnectionContext.InterruptMessageTable;
        if (!table || !controller().forget_context(table, kMessageTable)) not_connected(table);
        free_message_connection(CONTAINING_RECORD(table, MessageConnection, table));
        return;
    }
    default: not_connected(Parameters->ConnectionContext.Generic);
    }
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreportinterruptactive
VOID NTAPI IoReportInterruptActive(PIO_REPORT_INTERRUPT_ACTIVE_STATE_PARAMETERS Parameters) {
    for_each_interrupt(Parameters->Version, Parameters->ConnectionContext.Generic,
                       [](PKINTERRUPT k) { k->active.store(true, std::memory_order_release); });
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreportinterruptinactive
// Deliveries read the soft-connect state with the interrupt spin lock held: once the lock has been
// taken and given back after the state changed, no ISR call is left that saw it active.
VOID NTAPI IoReportInterruptInactive(PIO_REPORT_INTERRUPT_ACTIVE_STATE_PARAMETERS Parameters) {
    for_each_interrupt(Parameters->Version, Parameters->ConnectionContext.Generic, [](PKINTERRUPT k) {
        k->active.store(false, std::memory_order_release);
        KeReleaseInterruptSpinLock(k, KeAcquireInterruptSpinLock(k));
    });
}

NTIO_API NTSTATUS NtioSetDeviceInterrupts(PCUNICODE_STRING InstancePath, const NTIO_DEVICE_INTERRUPTS* Interrupts) {
    if (!InstancePath || !InstancePath->Buffer || InstancePath->Length == 0) return STATUS_INVALID_PARAMETER;
    const std::u16string instance =
        ob::upcase_name(std::u16string_view(reinterpret_cast<const char16_t*>(InstancePath->Buffer),
                                            InstancePath->Length / sizeof(WCHAR)));
    if (!Interrupts) {
        current_io().set_device_interrupts(instance, nullptr);
        return STATUS_SUCCESS;
    }
    const ULONG count = Interrupts->MessageCount;
    const ULONG last = Interrupts->Vector + (count ? count - 1 : 0);
    if (count > kMaxMessages || !ke::is_device_vector(Interrupts->Vector) || !ke::is_device_vector(last))
        return STATUS_INVALID_PARAMETER;
    if (Interrupts->Mode != LevelSensitive && Interrupts->Mode != Latched) return STATUS_INVALID_PARAMETER;
    IoManager::DeviceInterrupts assigned{Interrupts->Vector, count, Interrupts->Mode, Interrupts->Shared != FALSE};
    current_io().set_device_interrupts(instance, &assigned);
    return STATUS_SUCCESS;
}

NTIO_API NTSTATUS NtioRaiseMessageInterrupt(PCUNICODE_STRING InstancePath, ULONG MessageId) {
    if (!InstancePath || !InstancePath->Buffer) return STATUS_INVALID_PARAMETER;
    const std::u16string instance =
        ob::upcase_name(std::u16string_view(reinterpret_cast<const char16_t*>(InstancePath->Buffer),
                                            InstancePath->Length / sizeof(WCHAR)));
    IoManager::DeviceInterrupts assigned{};
    if (!current_io().device_interrupts(instance, &assigned) || !assigned.message_count) return STATUS_NOT_FOUND;
    if (MessageId >= assigned.message_count) return STATUS_INVALID_PARAMETER_2;
    return NtioRaiseInterrupt(assigned.vector + MessageId);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetaffinityinterrupt
// The processors the interrupt object was connected for: ntio has one processor group (group 0).
NTKERNELAPI NTSTATUS NTAPI IoGetAffinityInterrupt(PKINTERRUPT InterruptObject, PGROUP_AFFINITY GroupAffinity) {
    if (!InterruptObject || !GroupAffinity || InterruptObject->Type != _KOBJECTS::InterruptObject)
        return STATUS_INVALID_PARAMETER;
    std::memset(GroupAffinity, 0, sizeof(*GroupAffinity));
    GroupAffinity->Mask = InterruptObject->affinity;
    GroupAffinity->Group = 0;
    return STATUS_SUCCESS;
}

}  // extern "C"
