// The null driver, its pass-through filter and the simulated hardware of the service-level gates
// (see file_stack.hpp). Written as WDK drivers are: dispatch routines complete, pass down, or mark
// pending and queue; the hardware thread stands for the device and its DpcForIsr.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>

#include "drivers/file_stack.hpp"
#include "drivers/images.hpp"
#include "harness/gate_runner.hpp"

#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::bench {
namespace {

struct NullExtension {
    ReadMode mode;
    KSPIN_LOCK lock;
    LIST_ENTRY queue;             // parked reads (kPark) or reads submitted to the hardware (kHardware)
    std::atomic<LONG> queued;     // the hardware's doorbell: it polls this, not the lock
    std::atomic<bool> stop;
    double latency_ns;
    int hardware_cpu;
    std::thread hardware;
};

NullExtension* null_extension(PDEVICE_OBJECT device) { return static_cast<NullExtension*>(device->DeviceExtension); }

NTSTATUS complete(PIRP irp, NTSTATUS status, ULONG_PTR information) {
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

ULONG transfer_length(PIRP irp) { return IoGetCurrentIrpStackLocation(irp)->Parameters.Read.Length; }

// Neither-I/O device: the null device transfers nothing, so it never touches the caller's buffer.
NTSTATUS NullReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    NullExtension* ext = null_extension(DeviceObject);
    if (ext->mode == ReadMode::kComplete) return complete(Irp, STATUS_SUCCESS, transfer_length(Irp));
    IoMarkIrpPending(Irp);
    KIRQL irql;
    KeAcquireSpinLock(&ext->lock, &irql);
    InsertTailList(&ext->queue, &Irp->Tail.Overlay.ListEntry);
    ext->queued.fetch_add(1, std::memory_order_release);
    KeReleaseSpinLock(&ext->lock, irql);
    return STATUS_PENDING;
}

// Parked reads of the closing file complete as cancelled (the hardware finishes its own).
NTSTATUS NullCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    NullExtension* ext = null_extension(DeviceObject);
    if (ext->mode == ReadMode::kPark) {
        PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
        LIST_ENTRY cancelled;
        InitializeListHead(&cancelled);
        KIRQL irql;
        KeAcquireSpinLock(&ext->lock, &irql);
        for (PLIST_ENTRY e = ext->queue.Flink; e != &ext->queue;) {
            PLIST_ENTRY next = e->Flink;
            if (IoGetCurrentIrpStackLocation(CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry))->FileObject == file) {
                RemoveEntryList(e);
                InsertTailList(&cancelled, e);
                ext->queued.fetch_sub(1, std::memory_order_relaxed);
            }
            e = next;
        }
        KeReleaseSpinLock(&ext->lock, irql);
        while (!IsListEmpty(&cancelled))
            (void)complete(CONTAINING_RECORD(RemoveHeadList(&cancelled), IRP, Tail.Overlay.ListEntry), STATUS_CANCELLED, 0);
    }
    return complete(Irp, STATUS_SUCCESS, 0);
}

NTSTATUS NullSucceed(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    UNREFERENCED_PARAMETER(DeviceObject);
    return complete(Irp, STATUS_SUCCESS, 0);
}

VOID BenchUnload(PDRIVER_OBJECT DriverObject) { UNREFERENCED_PARAMETER(DriverObject); }

NTSTATUS NullDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = BenchUnload;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) DriverObject->MajorFunction[i] = NullSucceed;
    DriverObject->MajorFunction[IRP_MJ_READ] = NullReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = NullReadWrite;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = NullCleanup;
    return STATUS_SUCCESS;
}

// The device's completion path, as a DpcForIsr would run it: at DISPATCH_LEVEL on the cpu that
// took the interrupt.
void hardware_finished(PIRP irp) {
    KIRQL irql;
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    (void)complete(irp, STATUS_SUCCESS, transfer_length(irp));
    KeLowerIrql(irql);
}

// The simulated device: polls its doorbell, takes the submitted reads in order, and finishes each
// one latency_ns after it took it (a device works on all queued reads at once, so completions
// follow submissions at the submission rate, each one latency later).
void hardware_main(NullExtension* ext) {
    pin_to_cpu(ext->hardware_cpu);
    LIST_ENTRY in_device;
    InitializeListHead(&in_device);
    while (!ext->stop.load(std::memory_order_acquire) || !IsListEmpty(&in_device)) {
        if (ext->queued.load(std::memory_order_acquire) != 0) {
            const auto due = static_cast<ULONG_PTR>(now_ns() + ext->latency_ns);
            KIRQL irql;
            KeAcquireSpinLock(&ext->lock, &irql);
            while (!IsListEmpty(&ext->queue)) {
                PLIST_ENTRY e = RemoveHeadList(&ext->queue);
                CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry)->Tail.Overlay.DriverContext[0] =
                    reinterpret_cast<PVOID>(due);
                InsertTailList(&in_device, e);
                ext->queued.fetch_sub(1, std::memory_order_relaxed);
            }
            KeReleaseSpinLock(&ext->lock, irql);
        }
        if (IsListEmpty(&in_device)) {
            __builtin_ia32_pause();
            continue;
        }
        PIRP irp = CONTAINING_RECORD(in_device.Flink, IRP, Tail.Overlay.ListEntry);
        if (static_cast<double>(reinterpret_cast<ULONG_PTR>(irp->Tail.Overlay.DriverContext[0])) > now_ns()) {
            __builtin_ia32_pause();
            continue;
        }
        RemoveEntryList(&irp->Tail.Overlay.ListEntry);
        irp->Tail.Overlay.DriverContext[0] = nullptr;
        hardware_finished(irp);
    }
}

struct FilterExtension {
    PDEVICE_OBJECT Lower;
};

NTSTATUS FilterCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    if (Irp->PendingReturned) IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

NTSTATUS FilterDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp) {
    auto* extension = static_cast<FilterExtension*>(DeviceObject->DeviceExtension);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, FilterCompletion, nullptr, TRUE, TRUE, TRUE);
    return IoCallDriver(extension->Lower, Irp);
}

NTSTATUS FilterDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = BenchUnload;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) DriverObject->MajorFunction[i] = FilterDispatch;
    return STATUS_SUCCESS;
}

constexpr int kFilters = 3;

}  // namespace

void require(bool condition, const char* what, long value) {
    if (condition) return;
    std::fprintf(stderr, "ntio_gates: %s (0x%lx)\n", what, static_cast<unsigned long>(value));
    std::exit(1);
}

FileStack build_file_stack(ReadMode mode, int hardware_cpu, double latency_ns, int instance) {
    const std::string tag = std::to_string(static_cast<int>(mode)) + "_" + std::to_string(instance);
    const std::u16string suffix(tag.begin(), tag.end());
    const std::u16string null_service = u"BenchFileNull" + suffix;
    const std::u16string filter_service = u"BenchFileFilter" + suffix;
    FileStack stack;
    stack.mode = mode;
    stack.device_name = u"\\Device\\BenchFile" + suffix;
    UNICODE_STRING null_name = unicode(null_service);
    UNICODE_STRING filter_name = unicode(filter_service);
    UNICODE_STRING device_name = unicode(stack.device_name);
    NTSTATUS status = NtioCreateDriver(&null_name, NullDriverEntry, &stack.drivers[0]);
    require(NT_SUCCESS(status), "NtioCreateDriver (null)", status);
    status = NtioCreateDriver(&filter_name, FilterDriverEntry, &stack.drivers[1]);
    require(NT_SUCCESS(status), "NtioCreateDriver (filter)", status);
    status = IoCreateDevice(stack.drivers[0], sizeof(NullExtension), &device_name, FILE_DEVICE_NULL, 0, FALSE,
                            &stack.devices[0]);
    require(NT_SUCCESS(status), "IoCreateDevice (null)", status);
    auto* ext = new (stack.devices[0]->DeviceExtension) NullExtension{};
    ext->mode = mode;
    KeInitializeSpinLock(&ext->lock);
    InitializeListHead(&ext->queue);
    ext->latency_ns = latency_ns;
    ext->hardware_cpu = hardware_cpu;
    if (mode == ReadMode::kHardware) ext->hardware = std::thread(hardware_main, ext);
    stack.devices[0]->Flags &= ~DO_DEVICE_INITIALIZING;
    PDEVICE_OBJECT top = stack.devices[0];
    for (int i = 1; i <= kFilters; ++i) {
        status = IoCreateDevice(stack.drivers[1], sizeof(FilterExtension), nullptr, FILE_DEVICE_NULL, 0, FALSE,
                                &stack.devices[i]);
        require(NT_SUCCESS(status), "IoCreateDevice (filter)", status);
        auto* extension = static_cast<FilterExtension*>(stack.devices[i]->DeviceExtension);
        extension->Lower = IoAttachDeviceToDeviceStack(stack.devices[i], top);
        require(extension->Lower != nullptr, "IoAttachDeviceToDeviceStack");
        // A filter takes the buffering method of the device below it.
        stack.devices[i]->Flags |= extension->Lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
        stack.devices[i]->Flags &= ~DO_DEVICE_INITIALIZING;
        top = stack.devices[i];
    }
    return stack;
}

void destroy_file_stack(FileStack& stack) {
    NullExtension* ext = null_extension(stack.devices[0]);
    if (ext->hardware.joinable()) {
        ext->stop.store(true, std::memory_order_release);
        ext->hardware.join();
    }
    require(ext->queued.load() == 0, "reads left in the null device", ext->queued.load());
    for (int i = kFilters; i >= 1; --i) {
        auto* extension = static_cast<FilterExtension*>(stack.devices[i]->DeviceExtension);
        IoDetachDevice(extension->Lower);
        IoDeleteDevice(stack.devices[i]);
    }
    ext->~NullExtension();
    IoDeleteDevice(stack.devices[0]);
    for (PDRIVER_OBJECT& driver : stack.drivers) {
        NtioUnloadDriver(driver);
        ObDereferenceObject(driver);
        driver = nullptr;
    }
}

HANDLE open_file_stack(const FileStack& stack, bool synchronous) {
    UNICODE_STRING name = unicode(stack.device_name);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    HANDLE handle = nullptr;
    NTSTATUS status = NtCreateFile(&handle, FILE_READ_DATA | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                                   synchronous ? FILE_SYNCHRONOUS_IO_NONALERT : 0, nullptr, 0);
    require(status == STATUS_SUCCESS, "NtCreateFile on the bench stack", status);
    return handle;
}

ULONG complete_parked(const FileStack& stack) {
    NullExtension* ext = null_extension(stack.devices[0]);
    LIST_ENTRY done;
    InitializeListHead(&done);
    KIRQL irql;
    KeAcquireSpinLock(&ext->lock, &irql);
    if (!IsListEmpty(&ext->queue)) {
        // Take the whole list: splice its entries onto `done`.
        done.Flink = ext->queue.Flink;
        done.Blink = ext->queue.Blink;
        done.Flink->Blink = &done;
        done.Blink->Flink = &done;
        InitializeListHead(&ext->queue);
    }
    ext->queued.store(0, std::memory_order_relaxed);
    KeReleaseSpinLock(&ext->lock, irql);
    ULONG count = 0;
    // Completed at DISPATCH_LEVEL, as the driver's DPC would.
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    while (!IsListEmpty(&done)) {
        PIRP irp = CONTAINING_RECORD(RemoveHeadList(&done), IRP, Tail.Overlay.ListEntry);
        (void)complete(irp, STATUS_SUCCESS, transfer_length(irp));
        ++count;
    }
    KeLowerIrql(irql);
    return count;
}

}  // namespace ntio::bench
