// Spec 2.4: user-mode requests that take too long to complete or to cancel ("IRPs that take a long
// time to complete and cancel that originate from user-mode applications", I/O Verification on
// Learn). 0xC9 0x400: pending past the completion limit with no cancel routine, so nothing can cancel
// it ("Drivers which queue IRPs for a long time (> 1 second) should set a cancel routine in the IRP",
// the NT I/O talk). 0xC9 0x401: not completed within the cancel limit after IoCancelIrp. The scan
// runs on the test's thread through NtioVerifierCheckPendingIrps with a simulated elapsed time, so no
// test waits on the clock. Parameters as the other WDM codes: the routine (the holder's dispatch for
// the request), the IRP, the device.
#include "verifier_test_driver.hpp"

#include "ke/thread.hpp"

#include <ntio/ntapi.h>

namespace ntio::verifier::test {
namespace slow_irps {

using ntio::test::expect_no_bugcheck;

ULONG_PTR ptr(const void* p) { return reinterpret_cast<ULONG_PTR>(p); }

// "VerSlow": \Device\VerSlow parks its IOCTLs: kParkFixed without a cancel routine, kParkCancelable
// with one that completes the request, kParkSlowCancel with one that leaves it queued (a driver that
// notes the cancel and finishes later).
constexpr ULONG kParkFixed = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x920, METHOD_NEITHER, FILE_ANY_ACCESS);
constexpr ULONG kParkCancelable = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x921, METHOD_NEITHER, FILE_ANY_ACCESS);
constexpr ULONG kParkSlowCancel = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x922, METHOD_NEITHER, FILE_ANY_ACCESS);

struct SlowState {
    KSPIN_LOCK lock;
    PIRP parked = nullptr;
    std::atomic<int> cancels{0};
};
SlowState g_slow;

VOID NTAPI CompletingCancel(PDEVICE_OBJECT, PIRP Irp) {
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KIRQL irql;
    KeAcquireSpinLock(&g_slow.lock, &irql);
    if (g_slow.parked == Irp) g_slow.parked = nullptr;
    KeReleaseSpinLock(&g_slow.lock, irql);
    g_slow.cancels.fetch_add(1);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

VOID NTAPI NotingCancel(PDEVICE_OBJECT, PIRP Irp) {
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    g_slow.cancels.fetch_add(1);
}

NTSTATUS NTAPI SlowCreateClose(PDEVICE_OBJECT, PIRP Irp) {
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI SlowControl(PDEVICE_OBJECT, PIRP Irp) {
    const ULONG code = IoGetCurrentIrpStackLocation(Irp)->Parameters.DeviceIoControl.IoControlCode;
    PDRIVER_CANCEL cancel = code == kParkCancelable ? CompletingCancel : code == kParkSlowCancel ? NotingCancel : nullptr;
    if (code != kParkFixed && !cancel) {
        Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    IoMarkIrpPending(Irp);
    KIRQL irql;
    KeAcquireSpinLock(&g_slow.lock, &irql);
    g_slow.parked = Irp;
    if (cancel) (void)IoSetCancelRoutine(Irp, cancel);
    KeReleaseSpinLock(&g_slow.lock, irql);
    return STATUS_PENDING;
}

VOID NTAPI SlowUnload(PDRIVER_OBJECT DriverObject) {
    while (DriverObject->DeviceObject) IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI SlowDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\VerSlow");
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = SlowCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = SlowCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = SlowCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = SlowControl;
    DriverObject->DriverUnload = SlowUnload;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

class SlowIrpTest : public VerifierTest {
protected:
    void SetUp() override {
        VerifierTest::SetUp();
        KeInitializeSpinLock(&g_slow.lock);
        g_slow.parked = nullptr;
        g_slow.cancels = 0;
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerSlow");
        ASSERT_EQ(NtioCreateDriver(&name, SlowDriverEntry, &m_driver), STATUS_SUCCESS);
        ASSERT_EQ(NtioVerifierSetFlags(m_driver, NTIO_VERIFIER_IO_CHECKING), STATUS_SUCCESS);
        m_handle = open(UserMode);
    }
    void TearDown() override {
        finish_parked();
        {
            const KPROCESSOR_MODE saved = ke::set_previous_mode(UserMode);
            if (m_handle) NtClose(m_handle);
            ke::set_previous_mode(saved);
        }
        if (m_driver) {
            (void)NtioVerifierSetFlags(m_driver, 0);
            (void)NtioUnloadDriver(m_driver);
            ObDereferenceObject(m_driver);
        }
        VerifierTest::TearDown();
    }
    HANDLE open(KPROCESSOR_MODE mode) {
        const KPROCESSOR_MODE saved = ke::set_previous_mode(mode);
        UNICODE_STRING text = RTL_CONSTANT_STRING(L"\\Device\\VerSlow");
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &text, mode == KernelMode ? OBJ_KERNEL_HANDLE : 0, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        HANDLE h = nullptr;
        EXPECT_EQ(NtCreateFile(&h, GENERIC_READ | GENERIC_WRITE, &oa, &iosb, nullptr, 0, 0, FILE_OPEN, 0, nullptr, 0),
                  STATUS_SUCCESS);
        ke::set_previous_mode(saved);
        return h;
    }
    // An asynchronous IOCTL that the driver parks; returns its IRP.
    PIRP park(HANDLE h, ULONG code, KPROCESSOR_MODE mode) {
        const KPROCESSOR_MODE saved = ke::set_previous_mode(mode);
        EXPECT_EQ(NtDeviceIoControlFile(h, nullptr, nullptr, nullptr, &m_iosb, code, nullptr, 0, nullptr, 0),
                  STATUS_PENDING);
        ke::set_previous_mode(saved);
        return g_slow.parked;
    }
    // Completes what is still parked (a test's request the driver kept).
    void finish_parked() {
        KIRQL irql;
        KeAcquireSpinLock(&g_slow.lock, &irql);
        PIRP irp = g_slow.parked;
        g_slow.parked = nullptr;
        if (irp) (void)IoSetCancelRoutine(irp, nullptr);
        KeReleaseSpinLock(&g_slow.lock, irql);
        if (!irp) return;
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
    // NtCancelIoFileEx: no wait for the request to complete (NtCancelIoFile's would last as long as
    // the driver keeps it).
    void cancel(HANDLE h) {
        const KPROCESSOR_MODE saved = ke::set_previous_mode(UserMode);
        IO_STATUS_BLOCK io{};
        EXPECT_EQ(NtCancelIoFileEx(h, nullptr, &io), STATUS_SUCCESS);
        ke::set_previous_mode(saved);
    }
    void expect_report(ULONG_PTR subcode, PIRP irp) {
        auto bc = ntio::test::catch_bugcheck([] { NtioVerifierCheckPendingIrps(60'000); });
        ASSERT_TRUE(bc.has_value());
        EXPECT_EQ(bc->code, static_cast<ULONG>(DRIVER_VERIFIER_IOMANAGER_VIOLATION));
        EXPECT_EQ(bc->p1, subcode);
        EXPECT_EQ(bc->p2, ptr(reinterpret_cast<PVOID>(&SlowControl)));
        EXPECT_EQ(bc->p3, ptr(irp));
        EXPECT_EQ(bc->p4, ptr(m_driver->DeviceObject));
    }

    PDRIVER_OBJECT m_driver = nullptr;
    HANDLE m_handle = nullptr;
    IO_STATUS_BLOCK m_iosb{};
};

TEST_F(SlowIrpTest, a_user_request_pending_too_long_without_a_cancel_routine_is_0x400) {
    PIRP irp = park(m_handle, kParkFixed, UserMode);
    ASSERT_NE(irp, nullptr);
    expect_report(0x400, irp);
    // Reported once: the next scan is quiet.
    expect_no_bugcheck([] { NtioVerifierCheckPendingIrps(60'000); });
}

TEST_F(SlowIrpTest, a_user_request_not_completed_after_its_cancel_is_0x401) {
    PIRP irp = park(m_handle, kParkSlowCancel, UserMode);
    ASSERT_NE(irp, nullptr);
    cancel(m_handle);
    EXPECT_EQ(g_slow.cancels.load(), 1);
    expect_report(0x401, irp);
}

// The neighbours: a request that can be cancelled may wait as long as it likes; one without a cancel
// routine is within its limit for a while; a kernel-mode request is not watched; a cancel that
// completes the request ends the watch.
TEST_F(SlowIrpTest, a_cancelable_user_request_may_pend_long) {
    ASSERT_NE(park(m_handle, kParkCancelable, UserMode), nullptr);
    expect_no_bugcheck([] { NtioVerifierCheckPendingIrps(3'600'000); });
}

TEST_F(SlowIrpTest, a_user_request_within_the_limit_is_not_flagged) {
    ASSERT_NE(park(m_handle, kParkFixed, UserMode), nullptr);
    expect_no_bugcheck([] { NtioVerifierCheckPendingIrps(0); });
    // The limit is the caller's to set.
    NtioVerifierSetIrpTimeouts(120'000, 0);
    expect_no_bugcheck([] { NtioVerifierCheckPendingIrps(60'000); });
    NtioVerifierSetIrpTimeouts(0, 0);
}

TEST_F(SlowIrpTest, a_kernel_mode_request_is_not_watched) {
    HANDLE kernel = open(KernelMode);
    ASSERT_NE(park(kernel, kParkFixed, KernelMode), nullptr);
    expect_no_bugcheck([] { NtioVerifierCheckPendingIrps(3'600'000); });
    finish_parked();
    const KPROCESSOR_MODE saved = ke::set_previous_mode(KernelMode);
    EXPECT_EQ(NtClose(kernel), STATUS_SUCCESS);
    ke::set_previous_mode(saved);
}

TEST_F(SlowIrpTest, a_request_its_cancel_completes_is_not_flagged) {
    ASSERT_NE(park(m_handle, kParkCancelable, UserMode), nullptr);
    cancel(m_handle);
    EXPECT_EQ(g_slow.cancels.load(), 1);
    EXPECT_EQ(m_iosb.Status, STATUS_CANCELLED);
    expect_no_bugcheck([] { NtioVerifierCheckPendingIrps(3'600'000); });
}

// The verifier's own timer finds the request without being asked: the stop comes from it. The
// child waits at most a minute for the scan that runs once a second.
using SlowIrpDeathTest = SlowIrpTest;
TEST_F(SlowIrpDeathTest, the_periodic_scan_reports_a_request_past_its_limit) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            ASSERT_NE(park(m_handle, kParkFixed, UserMode), nullptr);
            NtioVerifierSetIrpTimeouts(1, 1);
            for (int i = 0; i < 600; ++i) {
                LARGE_INTEGER interval;
                interval.QuadPart = -1'000'000;  // 100 ms
                KeDelayExecutionThread(KernelMode, FALSE, &interval);
            }
        },
        "STOP: 0x000000C9 \\(0x0000000000000400(.*\n)*WDM DRIVER ERROR 0x400(.*\n)*Driver: .Driver.VerSlow");
}

}  // namespace slow_irps
}  // namespace ntio::verifier::test
