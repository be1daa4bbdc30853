// IoCreateSystemThread: the thread holds a counted reference on the driver or device object it was
// created for while it runs, dropped when it exits, whether its start routine returns or it calls
// PsTerminateSystemThread; bad IoObject, handle and routine arguments create no thread.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocreatesystemthread
#include "ob/object_header.hpp"
#include "support/driver_fixture.hpp"

#include <wdm.h>
#include <ntio/ntio.h>

namespace {

struct SystemThreadRun {
    PVOID io_object = nullptr;
    LONG_PTR count_inside = 0;
    bool terminate = false;  // end by PsTerminateSystemThread instead of returning
    KEVENT started;
    KEVENT release;
};

LONG_PTR st_pointer_count(PVOID object) {
    return ntio::ob::header_of(object)->pointer_count.load(std::memory_order_acquire);
}

KSTART_ROUTINE st_thread_routine;
VOID NTAPI st_thread_routine(PVOID Context) {
    auto* run = static_cast<SystemThreadRun*>(Context);
    run->count_inside = st_pointer_count(run->io_object);
    KeSetEvent(&run->started, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&run->release, Executive, KernelMode, FALSE, nullptr);
    if (run->terminate) PsTerminateSystemThread(STATUS_SUCCESS);
}

DRIVER_UNLOAD st_driver_unload;
VOID NTAPI st_driver_unload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

DRIVER_INITIALIZE st_driver_entry;
NTSTATUS NTAPI st_driver_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    (void)RegistryPath;
    DriverObject->DriverUnload = st_driver_unload;
    PDEVICE_OBJECT device = nullptr;
    return IoCreateDevice(DriverObject, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
}

class SystemThreadTest : public ntio::test::DriverTest {
protected:
    void SetUp() override {
        SystemTest::SetUp();
        ASSERT_EQ(create_driver(L"IoSystemThreadTest", st_driver_entry), STATUS_SUCCESS);
        ASSERT_NE(m_driver->DeviceObject, nullptr);
    }

    // Runs one thread for io_object: its reference is held inside and gone once the thread object
    // is signalled (the thread has ended).
    void run_thread(PVOID io_object, bool terminate) {
        SystemThreadRun run;
        run.io_object = io_object;
        run.terminate = terminate;
        KeInitializeEvent(&run.started, NotificationEvent, FALSE);
        KeInitializeEvent(&run.release, NotificationEvent, FALSE);
        const LONG_PTR before = st_pointer_count(io_object);
        HANDLE handle = nullptr;
        ASSERT_EQ(IoCreateSystemThread(io_object, &handle, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr,
                                       st_thread_routine, &run),
                  STATUS_SUCCESS);
        PVOID thread = nullptr;
        ASSERT_EQ(ObReferenceObjectByHandle(handle, SYNCHRONIZE, *PsThreadType, KernelMode, &thread, nullptr),
                  STATUS_SUCCESS);
        ZwClose(handle);
        KeWaitForSingleObject(&run.started, Executive, KernelMode, FALSE, nullptr);
        EXPECT_EQ(run.count_inside, before + 1);
        KeSetEvent(&run.release, IO_NO_INCREMENT, FALSE);
        KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, nullptr);
        ObDereferenceObject(thread);
        EXPECT_EQ(st_pointer_count(io_object), before);
    }
};

TEST_F(SystemThreadTest, a_thread_holds_its_device_object_until_its_routine_returns) {
    run_thread(m_driver->DeviceObject, false);
}

TEST_F(SystemThreadTest, a_thread_holds_its_driver_object_until_it_terminates_itself) {
    run_thread(m_driver, true);
}

KSTART_ROUTINE st_never_runs;
VOID NTAPI st_never_runs(PVOID Context) { *static_cast<bool*>(Context) = true; }

TEST_F(SystemThreadTest, bad_arguments_create_no_thread_and_take_no_reference) {
    bool ran = false;
    HANDLE handle = nullptr;
    KEVENT not_an_io_object;
    KeInitializeEvent(&not_an_io_object, NotificationEvent, FALSE);
    PDEVICE_OBJECT device = m_driver->DeviceObject;
    const LONG_PTR before = st_pointer_count(device);
    EXPECT_EQ(IoCreateSystemThread(nullptr, &handle, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, st_never_runs, &ran),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoCreateSystemThread(&not_an_io_object, &handle, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr,
                                   st_never_runs, &ran),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoCreateSystemThread(device, nullptr, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, st_never_runs, &ran),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(IoCreateSystemThread(device, &handle, THREAD_ALL_ACCESS, nullptr, nullptr, nullptr, nullptr, &ran),
              STATUS_INVALID_PARAMETER);
    // A process handle that is not one: PsCreateSystemThread's status, and the reference is given back.
    EXPECT_EQ(IoCreateSystemThread(device, &handle, THREAD_ALL_ACCESS, nullptr, reinterpret_cast<HANDLE>(0x7ff0),
                                   nullptr, st_never_runs, &ran),
              STATUS_INVALID_HANDLE);
    EXPECT_EQ(handle, nullptr);
    EXPECT_EQ(st_pointer_count(device), before);
    EXPECT_FALSE(ran);
}

}  // namespace
