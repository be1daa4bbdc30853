// I/O verification rules on IRP and device lifetime, driver-built requests and attach hygiene: each
// subcode of bug check 0xC9 tripped (code and parameters through the bugcheck hook) next to its legal
// neighbour. The misuse runs in "VerLife"'s IRP_MJ_DEVICE_CONTROL dispatch, so that the verifier
// sees a verified driver's code make the call (as Driver Verifier blames the calling module).
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc9--driver-verifier-iomanager-violation
#include <alloca.h>

#include <functional>
#include <utility>

#include "verifier_test_driver.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier::test {
namespace {

using ntio::test::expect_no_bugcheck;

constexpr ULONG kLifeLevel1 = NTIO_VERIFIER_IO_CHECKING | NTIO_VERIFIER_IO_LEVEL1_ONLY;

std::function<void()> g_life_action;  // what VerLife's dispatch does

NTSTATUS NTAPI LifeIoctl(PDEVICE_OBJECT, PIRP irp) {
    if (g_life_action) g_life_action();
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI LifeAddDevice(PDRIVER_OBJECT, PDEVICE_OBJECT) { return STATUS_SUCCESS; }

VOID NTAPI LifeUnload(PDRIVER_OBJECT driver) {
    while (PDEVICE_OBJECT device = driver->DeviceObject) IoDeleteDevice(device);
}

VOID NTAPI LifeTimer(PDEVICE_OBJECT, PVOID) {}

NTSTATUS NTAPI VerLifeDriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING) {
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoCreateDevice(driver, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) return status;
    device->Flags |= DO_BUFFERED_IO;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = LifeIoctl;
    driver->DriverExtension->AddDevice = LifeAddDevice;
    driver->DriverUnload = LifeUnload;
    return STATUS_SUCCESS;
}

// Storage that outlives the frames of the requests below.
KEVENT g_life_event;
IO_STATUS_BLOCK g_life_iosb;
UCHAR g_life_buffer[16];

class LifetimeRulesTest : public VerifierTest {
protected:
    void SetUp() override {
        VerifierTest::SetUp();
        load_buggy();
    }
    void TearDown() override {
        g_life_action = nullptr;
        if (m_life) {
            (void)NtioVerifierSetFlags(m_life, 0);
            (void)NtioUnloadDriver(m_life);
            ObDereferenceObject(m_life);
        }
        VerifierTest::TearDown();
    }
    void load_life(ULONG flags = NTIO_VERIFIER_STANDARD_FLAGS) {
        UNICODE_STRING name = RTL_CONSTANT_STRING(L"VerLife");
        ASSERT_EQ(NtioCreateDriver(&name, VerLifeDriverEntry, &m_life), STATUS_SUCCESS);
        ASSERT_EQ(NtioVerifierSetFlags(m_life, flags), STATUS_SUCCESS);
    }
    PDEVICE_OBJECT life_device() const { return m_life->DeviceObject; }
    // After a bugcheck cut a built request short: the system buffer the I/O manager would have freed
    // at its final stage (the IRP block itself stays with the allocator).
    static void release_system_buffer(PIRP irp) {
        if (irp && (irp->Flags & IRP_DEALLOCATE_BUFFER) && irp->AssociatedIrp.SystemBuffer) {
            ExFreePool(irp->AssociatedIrp.SystemBuffer);
            irp->AssociatedIrp.SystemBuffer = nullptr;
            irp->Flags &= ~IRP_DEALLOCATE_BUFFER;
        }
    }
    // Runs action inside VerLife's dispatch.
    void in_driver(std::function<void()> action) {
        g_life_action = std::move(action);
        PIRP irp = IoAllocateIrp(life_device()->StackSize, FALSE);
        ASSERT_NE(irp, nullptr);
        m_outer = irp;
        IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_DEVICE_CONTROL;
        (void)IoCallDriver(life_device(), irp);
        g_life_action = nullptr;
        m_outer = nullptr;
        IoFreeIrp(irp);
    }
    // After a bugcheck cut in_driver short under Level 1 (no tracking record holds the IRP): its IRP,
    // freed with VerLife no longer verified.
    void free_outer_irp() {
        (void)NtioVerifierSetFlags(m_life, 0);
        if (m_outer) IoFreeIrp(std::exchange(m_outer, nullptr));
    }
    PIRP m_outer = nullptr;
    ntio::test::BugCheck expect_in_driver(std::function<void()> action, ULONG_PTR subcode) {
        return expect_bugcheck([&] { in_driver(action); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, subcode);
    }
    // A read VerBuggy parks (marked pending), from VerLife's code.
    PIRP send_parked_read() {
        PIRP irp = IoAllocateIrp(buggy_device()->StackSize, FALSE);
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
        sp->MajorFunction = IRP_MJ_READ;
        sp->Parameters.Read.Key = kMarkAndPark;
        EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING);
        return irp;
    }
public:
    // A synchronous read VerBuggy parks, with the caller's event and IOSB.
    PIRP send_parked_sync_read(PKEVENT event, PIO_STATUS_BLOCK iosb) {
        LARGE_INTEGER offset{};
        PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_READ, buggy_device(), g_life_buffer, sizeof(g_life_buffer), &offset,
                                                event, iosb);
        EXPECT_NE(irp, nullptr);
        IoGetNextIrpStackLocation(irp)->Parameters.Read.Key = kMarkAndPark;
        EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_PENDING);
        return irp;
    }
protected:
    // Completes the read VerBuggy parked, on this thread.
    void complete_parked() {
        PIRP irp = BuggyTakeParked(buggy_device());
        ASSERT_NE(irp, nullptr);
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }

    PDRIVER_OBJECT m_life = nullptr;
};

// ---- IoFreeIrp: 0x01 (Level 1), 0x20B, 0x20C (Level 2; 0x02 at Level 1) ----

TEST_F(LifetimeRulesTest, freeing_an_object_that_is_no_irp_is_0x01) {
    load_life();
    static IRP fake{};
    fake.Type = IO_TYPE_DEVICE;
    auto bc = expect_in_driver([] { IoFreeIrp(&fake); }, 0x01);
    EXPECT_EQ(bc.p2, ptr(&fake));
    EXPECT_EQ(bc.p3, 0u);
}

TEST_F(LifetimeRulesTest, freeing_an_irp_is_legal) {
    load_life();
    expect_no_bugcheck([&] { in_driver([] { IoFreeIrp(IoAllocateIrp(2, FALSE)); }); });
}

TEST_F(LifetimeRulesTest, freeing_an_irp_a_lower_driver_holds_is_0x20b) {
    load_life();
    PIRP parked = nullptr;
    auto bc = expect_in_driver([&] { IoFreeIrp(parked = send_parked_read()); }, 0x20B);
    EXPECT_EQ(bc.p3, ptr(parked));
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
    EXPECT_EQ(BuggyTakeParked(buggy_device()), parked);
}

TEST_F(LifetimeRulesTest, freeing_an_irp_once_the_lower_driver_completed_it_is_legal) {
    load_life();
    expect_no_bugcheck([&] {
        in_driver([&] {
            PIRP irp = send_parked_read();
            complete_parked();
            IoFreeIrp(irp);
        });
    });
}

TEST_F(LifetimeRulesTest, freeing_an_irp_queued_to_the_thread_is_0x20c) {
    load_life();
    PIRP built = nullptr;
    auto bc = expect_in_driver(
        [&] {
            built = IoBuildDeviceIoControlRequest(kIoctlReportWritten, buggy_device(), nullptr, 0, g_life_buffer, 4, FALSE,
                                                  &g_life_event, &g_life_iosb);
            IoFreeIrp(built);
        },
        0x20C);
    EXPECT_EQ(bc.p3, ptr(built));
    release_system_buffer(built);
}

TEST_F(LifetimeRulesTest, freeing_an_irp_queued_to_the_thread_is_0x02_at_level1) {
    load_life(kLifeLevel1);
    PIRP built = nullptr;
    auto bc = expect_in_driver(
        [&] {
            built = IoBuildDeviceIoControlRequest(kIoctlReportWritten, buggy_device(), nullptr, 0, g_life_buffer, 4, FALSE,
                                                  &g_life_event, &g_life_iosb);
            IoFreeIrp(built);
        },
        0x02);
    EXPECT_EQ(bc.p2, ptr(built));
    release_system_buffer(built);
    free_outer_irp();
}

// The legal way: the I/O manager frees a built request when it completes.
TEST_F(LifetimeRulesTest, sending_a_built_request_is_legal) {
    load_life();
    expect_no_bugcheck([&] {
        in_driver([&] {
            KeInitializeEvent(&g_life_event, NotificationEvent, FALSE);
            PIRP irp = IoBuildDeviceIoControlRequest(kIoctlReportWritten, buggy_device(), nullptr, 0, g_life_buffer, 4,
                                                     FALSE, &g_life_event, &g_life_iosb);
            EXPECT_EQ(IoCallDriver(buggy_device(), irp), STATUS_SUCCESS);
        });
    });
    EXPECT_EQ(KeReadStateEvent(&g_life_event), 1);
}

// ---- Reinitializing: 0x20D, 0x238 (IoInitializeIrp), 0x310, 0x311 ----

TEST_F(LifetimeRulesTest, initializing_an_allocated_irp_with_quota_is_0x20d) {
    load_life();
    PIRP irp = nullptr;
    auto bc = expect_in_driver(
        [&] {
            irp = IoAllocateIrp(2, TRUE);
            IoInitializeIrp(irp, IoSizeOfIrp(2), 2);
        },
        0x20D);
    EXPECT_EQ(bc.p3, ptr(irp));
    // The stop came before the IRP was reinitialized: it is still IoAllocateIrp's to free.
    EXPECT_TRUE(irp->AllocationFlags & IRP_ALLOCATED_FIXED_SIZE);
    IoFreeIrp(irp);
}

TEST_F(LifetimeRulesTest, initializing_an_allocated_irp_without_quota_is_0x238) {
    load_life();
    PIRP irp = nullptr;
    auto bc = expect_in_driver(
        [&] {
            irp = IoAllocateIrp(2, FALSE);
            IoInitializeIrp(irp, IoSizeOfIrp(2), 2);
        },
        0x238);
    EXPECT_EQ(bc.p3, ptr(irp));
    EXPECT_TRUE(irp->AllocationFlags & IRP_ALLOCATED_FIXED_SIZE);
    IoFreeIrp(irp);
}

// IoReuseIrp on an allocated IRP, IoInitializeIrp on the driver's own memory.
TEST_F(LifetimeRulesTest, reusing_an_allocated_irp_and_initializing_own_memory_are_legal) {
    load_life();
    expect_no_bugcheck([&] {
        in_driver([] {
            PIRP irp = IoAllocateIrp(2, TRUE);
            IoReuseIrp(irp, STATUS_SUCCESS);
            IoFreeIrp(irp);
            auto* own = static_cast<PIRP>(ExAllocatePoolWithTag(NonPagedPoolNx, IoSizeOfIrp(2), 'fiLV'));
            IoInitializeIrp(own, IoSizeOfIrp(2), 2);
            ExFreePoolWithTag(own, 'fiLV');
        });
    });
}

TEST_F(LifetimeRulesTest, reusing_an_irp_a_lower_driver_holds_is_0x310) {
    load_life();
    PIRP parked = nullptr;
    auto bc = expect_in_driver([&] { IoReuseIrp(parked = send_parked_read(), STATUS_SUCCESS); }, 0x310);
    EXPECT_EQ(bc.p3, ptr(parked));
    EXPECT_EQ(BuggyTakeParked(buggy_device()), parked);
}

TEST_F(LifetimeRulesTest, reusing_a_built_request_is_0x311) {
    load_life();
    PIRP built = nullptr;
    auto bc = expect_in_driver(
        [&] {
            built = IoBuildAsynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, buggy_device(), nullptr, 0, nullptr, &g_life_iosb);
            IoReuseIrp(built, STATUS_SUCCESS);
        },
        0x311);
    EXPECT_EQ(bc.p3, ptr(built));
}

// ---- Completion: 0x239 (never forwarded) ----

TEST_F(LifetimeRulesTest, completing_an_irp_never_sent_is_0x239) {
    load_life();
    PIRP irp = nullptr;
    auto bc = expect_in_driver(
        [&] {
            irp = IoAllocateIrp(2, FALSE);
            IoCompleteRequest(irp, IO_NO_INCREMENT);
        },
        0x239);
    EXPECT_EQ(bc.p3, ptr(irp));
}
// Its neighbour, completing a sent IRP, is freeing_an_irp_once_the_lower_driver_completed_it_is_legal.

// ---- Devices: 0x0A (IoInitializeTimer), 0x202 (double detach) ----

TEST_F(LifetimeRulesTest, initializing_a_device_timer_twice_is_0x0a) {
    load_life();
    auto bc = expect_in_driver(
        [&] {
            EXPECT_EQ(IoInitializeTimer(life_device(), LifeTimer, nullptr), STATUS_SUCCESS);
            (void)IoInitializeTimer(life_device(), LifeTimer, nullptr);
        },
        0x0A);
    EXPECT_EQ(bc.p2, ptr(life_device()));
    EXPECT_EQ(bc.p3, 0u);
}

TEST_F(LifetimeRulesTest, initializing_a_device_timer_once_is_legal) {
    load_life();
    expect_no_bugcheck([&] {
        in_driver([&] { EXPECT_EQ(IoInitializeTimer(life_device(), LifeTimer, nullptr), STATUS_SUCCESS); });
    });
}

TEST_F(LifetimeRulesTest, detaching_twice_is_0x202) {
    load_life();
    PDEVICE_OBJECT upper = nullptr;
    ASSERT_EQ(IoCreateDevice(m_life, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &upper), STATUS_SUCCESS);
    ASSERT_EQ(IoAttachDeviceToDeviceStack(upper, buggy_device()), buggy_device());
    auto bc = expect_in_driver(
        [&] {
            IoDetachDevice(buggy_device());
            IoDetachDevice(buggy_device());
        },
        0x202);
    EXPECT_EQ(bc.p3, 0u);
    EXPECT_EQ(bc.p4, ptr(buggy_device()));
}

TEST_F(LifetimeRulesTest, detaching_once_is_legal) {
    load_life();
    PDEVICE_OBJECT upper = nullptr;
    ASSERT_EQ(IoCreateDevice(m_life, 0, nullptr, FILE_DEVICE_UNKNOWN, 0, FALSE, &upper), STATUS_SUCCESS);
    ASSERT_EQ(IoAttachDeviceToDeviceStack(upper, buggy_device()), buggy_device());
    expect_no_bugcheck([&] { in_driver([&] { IoDetachDevice(buggy_device()); }); });
}

// ---- IoBuild*Request with a buffer it cannot read: 0x08, 0x09 ----

PVOID life_bad_buffer() { return reinterpret_cast<PVOID>(static_cast<ULONG_PTR>(0x10)); }

TEST_F(LifetimeRulesTest, building_a_write_from_an_unreadable_buffer_is_0x08) {
    load_life();
    auto bc = expect_in_driver(
        [&] {
            (void)IoBuildAsynchronousFsdRequest(IRP_MJ_WRITE, buggy_device(), life_bad_buffer(), 16, nullptr, &g_life_iosb);
        },
        0x08);
    EXPECT_EQ(bc.p2, ptr(buggy_device()));
    EXPECT_EQ(bc.p3, static_cast<ULONG_PTR>(IRP_MJ_WRITE));
    EXPECT_EQ(bc.p4, static_cast<ULONG_PTR>(static_cast<ULONG>(STATUS_ACCESS_VIOLATION)));
}

TEST_F(LifetimeRulesTest, building_a_write_from_a_readable_buffer_is_legal) {
    load_life();
    expect_no_bugcheck([&] {
        in_driver([&] {
            PIRP irp = IoBuildAsynchronousFsdRequest(IRP_MJ_WRITE, buggy_device(), g_life_buffer, 16, nullptr, &g_life_iosb);
            ASSERT_NE(irp, nullptr);
            ExFreePool(irp->AssociatedIrp.SystemBuffer);  // never sent: undone by hand
            irp->AssociatedIrp.SystemBuffer = nullptr;
            irp->Flags &= ~(IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER);
            IoFreeIrp(irp);
        });
    });
}

TEST_F(LifetimeRulesTest, building_an_ioctl_from_an_unreadable_input_buffer_is_0x09) {
    load_life();
    auto bc = expect_in_driver(
        [&] {
            (void)IoBuildDeviceIoControlRequest(kIoctlReportWritten, buggy_device(), life_bad_buffer(), 16, g_life_buffer, 4,
                                                FALSE, &g_life_event, &g_life_iosb);
        },
        0x09);
    EXPECT_EQ(bc.p2, ptr(buggy_device()));
    EXPECT_EQ(bc.p3, static_cast<ULONG_PTR>(kIoctlReportWritten));
    EXPECT_EQ(bc.p4, static_cast<ULONG_PTR>(static_cast<ULONG>(STATUS_ACCESS_VIOLATION)));
}
// Its neighbour, a readable buffer, is sending_a_built_request_is_legal.

// ---- A request's IOSB or event on a frame that returned (0x0C, 0x0D), a signalled event (0x307) ----

// Issues the parked read from a frame deep below the dispatch (the alloca'd room keeps it below
// anything the later completion runs in), with the IOSB or the event in that frame, and returns
// without waiting.
[[gnu::noinline]] void issue_inner(LifetimeRulesTest* test, bool iosb_on_stack, PIRP* sent) {
    KEVENT event;
    IO_STATUS_BLOCK iosb{};
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    KeInitializeEvent(&g_life_event, NotificationEvent, FALSE);
    *sent = iosb_on_stack ? test->send_parked_sync_read(&g_life_event, &iosb)
                          : test->send_parked_sync_read(&event, &g_life_iosb);
    // The bug: STATUS_PENDING, and the frame returns without waiting.
}

[[gnu::noinline]] void issue_from_a_dying_frame(LifetimeRulesTest* test, bool iosb_on_stack, PIRP* sent) {
    volatile char* room = static_cast<volatile char*>(alloca(64 * 1024));
    room[0] = 0;
    issue_inner(test, iosb_on_stack, sent);
    room[1] = 0;
}

TEST_F(LifetimeRulesTest, an_iosb_on_a_returned_frame_is_0x0c) {
    load_life();
    PIRP sent = nullptr;
    in_driver([&] { issue_from_a_dying_frame(this, true, &sent); });
    auto bc = expect_bugcheck([&] { complete_parked(); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x0C);
    EXPECT_NE(bc.p2, 0u);
    EXPECT_EQ(sent->UserIosb, reinterpret_cast<PIO_STATUS_BLOCK>(bc.p2));
    release_system_buffer(sent);
}

TEST_F(LifetimeRulesTest, an_event_on_a_returned_frame_is_0x0d) {
    load_life();
    PIRP sent = nullptr;
    in_driver([&] { issue_from_a_dying_frame(this, false, &sent); });
    auto bc = expect_bugcheck([&] { complete_parked(); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x0D);
    EXPECT_EQ(sent->UserEvent, reinterpret_cast<PKEVENT>(bc.p2));
    release_system_buffer(sent);
}

// The legal pattern: IOSB and event on the stack, and the frame waits for the pending request.
TEST_F(LifetimeRulesTest, waiting_for_a_pending_request_with_stack_iosb_and_event_is_legal) {
    load_life();
    expect_no_bugcheck([&] {
        in_driver([&] {
            KEVENT event;
            IO_STATUS_BLOCK iosb{};
            KeInitializeEvent(&event, NotificationEvent, FALSE);
            (void)send_parked_sync_read(&event, &iosb);
            complete_parked();
            EXPECT_EQ(KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, nullptr), STATUS_SUCCESS);
            EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
        });
    });
}

TEST_F(LifetimeRulesTest, a_pending_request_whose_event_was_already_signalled_is_0x307) {
    load_life();
    PIRP sent = nullptr;
    in_driver([&] {
        KeInitializeEvent(&g_life_event, NotificationEvent, TRUE);  // the bug: signalled before the request
        sent = send_parked_sync_read(&g_life_event, &g_life_iosb);
    });
    auto bc = expect_bugcheck([&] { complete_parked(); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x307);
    EXPECT_EQ(bc.p3, ptr(sent));
    release_system_buffer(sent);
}

// ---- Attach hygiene after AddDevice: 0x243-0x246 ----

class AttachRulesTest : public LifetimeRulesTest {
protected:
    // A device of VerLife attached over VerBuggy's with these flags and type, then the checks the
    // PnP manager runs when AddDevice returns.
    void add(ULONG flags, DEVICE_TYPE type, bool filter) {
        ASSERT_EQ(IoCreateDevice(m_life, 0, nullptr, type, 0, FALSE, &m_upper), STATUS_SUCCESS);
        ASSERT_EQ(IoAttachDeviceToDeviceStack(m_upper, buggy_device()), buggy_device());
        m_upper->Flags = (m_upper->Flags & ~(DO_BUFFERED_IO | DO_DIRECT_IO | DO_DEVICE_INITIALIZING)) | flags;
        on_add_device_returned(m_life, buggy_device(), filter);
    }
    void expect_report(ULONG flags, DEVICE_TYPE type, bool filter, ULONG_PTR subcode) {
        auto bc = expect_bugcheck([&] { add(flags, type, filter); }, DRIVER_VERIFIER_IOMANAGER_VIOLATION, subcode);
        EXPECT_EQ(bc.p2, ptr(reinterpret_cast<PVOID>(LifeAddDevice)));
        EXPECT_EQ(bc.p3, 0u);
        EXPECT_EQ(bc.p4, ptr(m_upper));
    }
    void TearDown() override {
        if (m_upper) IoDetachDevice(buggy_device());
        LifetimeRulesTest::TearDown();
    }
    PDEVICE_OBJECT m_upper = nullptr;
};

TEST_F(AttachRulesTest, leaving_do_device_initializing_set_is_0x243) {
    load_life();
    expect_report(DO_BUFFERED_IO | DO_DEVICE_INITIALIZING, FILE_DEVICE_UNKNOWN, true, 0x243);
}

TEST_F(AttachRulesTest, not_copying_the_lower_buffering_flag_is_0x244) {
    load_life();
    expect_report(0, FILE_DEVICE_UNKNOWN, true, 0x244);
}

TEST_F(AttachRulesTest, setting_both_buffering_flags_is_0x245) {
    load_life();
    expect_report(DO_BUFFERED_IO | DO_DIRECT_IO, FILE_DEVICE_UNKNOWN, true, 0x245);
}

TEST_F(AttachRulesTest, a_filter_not_copying_the_device_type_is_0x246) {
    load_life();
    expect_report(DO_BUFFERED_IO, FILE_DEVICE_DISK, true, 0x246);
}

TEST_F(AttachRulesTest, a_filter_copying_flags_and_type_is_legal) {
    load_life();
    expect_no_bugcheck([&] { add(DO_BUFFERED_IO, FILE_DEVICE_UNKNOWN, true); });
}

// A function driver's FDO has its own type over the bus driver's PDO.
TEST_F(AttachRulesTest, a_function_driver_with_its_own_device_type_is_legal) {
    load_life();
    expect_no_bugcheck([&] { add(DO_BUFFERED_IO, FILE_DEVICE_DISK, false); });
}

}  // namespace
}  // namespace ntio::verifier::test
