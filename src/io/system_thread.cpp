// IoCreateSystemThread: PsCreateSystemThread with a counted reference on the caller's driver or
// device object, held until the thread exits (however it exits: its start routine returns, or it
// calls PsTerminateSystemThread), so the driver's image stays loaded while its thread runs code in it.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocreatesystemthread
#include <new>

#include "io/io_manager.hpp"
#include "io/objects.hpp"
#include "ke/kernel.hpp"
#include "ob/process.hpp"
#include "ob/thread_objects.hpp"

namespace ntio::io {
namespace {

struct SystemThreadStart {
    PVOID io_object;  // referenced; handed to the thread's ETHREAD when it starts
    PKSTART_ROUTINE routine;
    PVOID context;
};

// The thread's first code: the reference moves to its ETHREAD, where the rundown hook below finds it
// at the thread's end, then the driver's start routine runs.
VOID NTAPI system_thread_start(PVOID context) {
    auto* start = static_cast<SystemThreadStart*>(context);
    const SystemThreadStart copy = *start;
    delete start;
    static_cast<PETHREAD>(PsGetCurrentThread())->m_io_object.store(copy.io_object, std::memory_order_release);
    copy.routine(copy.context);
}

// At every thread's end (a ke rundown hook): the reference IoCreateSystemThread took. Dropping it may
// delete the driver object and unload its image; no code of the driver is on this thread's stack
// any more.
void release_thread_io_object(_KTHREAD* kthread, void*) {
    if (!dynamic_cast<ob::ThreadObjects*>(kthread->m_provider)) return;  // a bare KTHREAD of ke's tests
    if (PVOID object = static_cast<PETHREAD>(kthread)->m_io_object.exchange(nullptr, std::memory_order_acq_rel))
        ObDereferenceObject(object);
}

bool is_io_object(PVOID object) noexcept {
    if (!object) return false;
    const CSHORT type = static_cast<PDEVICE_OBJECT>(object)->Type;  // Type leads both structures
    return type == IO_TYPE_DEVICE || type == IO_TYPE_DRIVER;
}

}  // namespace

void register_system_thread_rundown(ke::Kernel& kernel) { kernel.add_thread_rundown_hook(release_thread_io_object, nullptr); }

}  // namespace ntio::io

extern "C" {

// NT deviation (a guess; Learn names no status): an IoObject that is neither a driver nor a device
// object is STATUS_INVALID_PARAMETER.
NTSTATUS NTAPI IoCreateSystemThread(PVOID IoObject, PHANDLE ThreadHandle, ULONG DesiredAccess,
                                    POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle, PCLIENT_ID ClientId,
                                    PKSTART_ROUTINE StartRoutine, PVOID StartContext) {
    if (!ntio::io::is_io_object(IoObject)) return STATUS_INVALID_PARAMETER;
    if (!ThreadHandle || !StartRoutine) return STATUS_INVALID_PARAMETER;
    auto* start = new (std::nothrow) ntio::io::SystemThreadStart{IoObject, StartRoutine, StartContext};
    if (!start) return STATUS_INSUFFICIENT_RESOURCES;
    ObReferenceObject(IoObject);
    const NTSTATUS status = PsCreateSystemThread(ThreadHandle, DesiredAccess, ObjectAttributes, ProcessHandle,
                                                 ClientId, ntio::io::system_thread_start, start);
    if (!NT_SUCCESS(status)) {  // the thread never ran: the reference and the start block are ours
        delete start;
        ObDereferenceObject(IoObject);
    }
    return status;
}

}  // extern "C"
