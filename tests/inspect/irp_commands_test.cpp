// !irp and !irpfind over IRPs parked in known states below a filter (verifier-and-inspector.md 6.1,
// 6.2): pending in a driver's cancelable queue, held by StartIo, queued in the KDEVICE_QUEUE, and
// allocated but not yet sent.
#include "inspect_fixture.hpp"

namespace ntio::inspect::test {
namespace {

// Spec 6.1: header, current-location marker, names, control byte decoding, the completion routine
// on the location below the driver that set it, and Args with the IOCTL code in argument 3.
TEST_F(InspectTest, irp_shows_stack_locations_with_current_marker_and_completion_routine) {
    send(IOCTL_INSPECT_PARK);
    ASSERT_EQ(parked().size(), 1u);
    PIRP irp = parked()[0];
    PIO_STACK_LOCATION first = reinterpret_cast<PIO_STACK_LOCATION>(irp + 1);
    std::string out = run("!irp " + ptr(irp));
    std::vector<std::string> l = lines_of(out);
    ASSERT_EQ(l.size(), 11u) << out;
    EXPECT_TRUE(contains(l[0], "Irp is active with 2 stacks 1 is current (= 0x" + ptr(first) + ")")) << out;
    EXPECT_EQ(l[1], " No Mdl:   System buffer = " + ptr(irp->AssociatedIrp.SystemBuffer) + ":   Thread " +
                        ptr(PsGetCurrentThread()) + ":  Irp stack trace.");
    EXPECT_EQ(l[2], "     cmd  flg cl Device   File     Completion-Context");
    // Location 1 (the lower device, current): the filter's completion routine, e1 = all three
    // invoke bits plus SL_PENDING_RETURNED from the lower driver's IoMarkIrpPending.
    EXPECT_EQ(l[3], ">[IRP_MJ_DEVICE_CONTROL(e), N/A(0)]");
    EXPECT_TRUE(contains(l[4], " e1 " + ptr(lower_device()) + " " + ptr(first[0].FileObject) + " " +
                                   ptr(reinterpret_cast<Addr>(&InspectFilterCompletion)) + "-")) << l[4];
    EXPECT_TRUE(contains(l[4], "Success Error Cancel pending")) << l[4];
    EXPECT_TRUE(contains(l[5], "\\Driver\\InspectLower")) << l[5];
    EXPECT_TRUE(contains(l[5], "!InspectFilterCompletion")) << l[5];
    EXPECT_TRUE(contains(l[6], "Args: ")) << l[6];
    EXPECT_TRUE(contains(l[6], kd::hex(IOCTL_INSPECT_PARK, 8))) << l[6];
    // Location 2 (the filter's, not current): no completion routine, control 00; flags 5, the
    // SL_READ_ACCESS_GRANTED | SL_WRITE_ACCESS_GRANTED of a user-mode IOCTL on a read-write handle.
    EXPECT_EQ(l[7], " [IRP_MJ_DEVICE_CONTROL(e), N/A(0)]");
    EXPECT_TRUE(contains(l[8], "  5 00 " + ptr(filter_device()) + " ")) << l[8];
    EXPECT_TRUE(contains(l[9], "\\Driver\\InspectFilter")) << l[9];
}

TEST_F(InspectTest, irp_by_sequence_number_is_the_same_irp) {
    send(IOCTL_INSPECT_PARK);
    PIRP irp = parked().at(0);
    Snapshot s = capture(system());
    const IrpSnap* snap = s.irp(reinterpret_cast<Addr>(irp));
    ASSERT_NE(snap, nullptr);
    EXPECT_GT(snap->seq, 0u);
    std::string by_addr = run("!irp " + ptr(irp));
    EXPECT_EQ(run("!irp #" + std::to_string(snap->seq)), by_addr);
    // Stable while the IRP stays in flight.
    EXPECT_EQ(capture(system()).irp(reinterpret_cast<Addr>(irp))->seq, snap->seq);
}

TEST_F(InspectTest, irp_detail_adds_status_thread_and_cancel_routine) {
    send(IOCTL_INSPECT_PARK);
    PIRP irp = parked().at(0);
    std::string out = run("!irp " + ptr(irp) + " detail");
    EXPECT_TRUE(has_line(out, "Tail.Overlay.Thread = " + ptr(PsGetCurrentThread()))) << out;
    EXPECT_TRUE(has_line(out, "IoStatus.Status = " + kd::hex(static_cast<ULONG>(irp->IoStatus.Status), 8))) << out;
    EXPECT_TRUE(has_line(out, "Cancel = 00")) << out;
    EXPECT_TRUE(contains(out, "CancelRoutine = " + ptr(reinterpret_cast<Addr>(&InspectLowerCancel)))) << out;
    EXPECT_TRUE(contains(out, "!InspectLowerCancel")) << out;
    EXPECT_TRUE(has_line(out, "Found on = thread")) << out;
}

// Spec 6.1: an IRP whose CurrentLocation is past its stack (allocated, not yet sent).
TEST_F(InspectTest, irp_not_yet_sent_prints_complete_line_and_not_reached_locations) {
    PIRP irp = IoAllocateIrp(2, FALSE);
    ASSERT_NE(irp, nullptr);
    IoQueueThreadIrp(irp);
    std::string out = run("!irp " + ptr(irp));
    ntio::io::dequeue_thread_irp(irp);
    IoFreeIrp(irp);
    std::vector<std::string> l = lines_of(out);
    ASSERT_GE(l.size(), 4u) << out;
    EXPECT_TRUE(contains(l[0], "Irp is complete (CurrentLocation 3 > StackCount 2)")) << out;
    EXPECT_EQ(l[3], " [N/A(0), N/A(0)]");
}

// Spec 6.2: header and one line per IRP with thread, (Mj,Mn), device, driver and process.
TEST_F(InspectTest, irpfind_lists_every_irp_in_flight) {
    send(IOCTL_INSPECT_PARK);
    send(IOCTL_INSPECT_PARK);
    std::vector<PIRP> irps = parked();
    ASSERT_EQ(irps.size(), 2u);
    std::string out = run("!irpfind");
    EXPECT_TRUE(contains(out, "  Irp            [ Thread ]         irpStack: (Mj,Mn)   DevObj          [Driver]         MDL Process"));
    for (PIRP irp : irps) {
        std::string line = ptr(irp) + " [" + ptr(PsGetCurrentThread()) + "] irpStack: ( e,0)  " + ptr(lower_device()) +
                           " [\\Driver\\InspectLower] " + ptr(PsGetCurrentProcess()) + " seq ";
        EXPECT_TRUE(contains(out, line)) << line << "\n" << out;
    }
}

TEST_F(InspectTest, irpfind_filters_by_criteria) {
    Request& r = send(IOCTL_INSPECT_PARK);
    PIRP irp = parked().at(0);
    const std::string mine = ptr(irp);
    EXPECT_TRUE(contains(run("!irpfind 0 0 device " + ptr(lower_device())), mine));
    EXPECT_TRUE(contains(run("!irpfind device " + ptr(filter_device())), mine));
    EXPECT_FALSE(contains(run("!irpfind device 1234"), mine));
    EXPECT_TRUE(contains(run("!irpfind 0 0 thread " + ptr(PsGetCurrentThread())), mine));
    EXPECT_FALSE(contains(run("!irpfind 0 0 thread 8"), mine));
    EXPECT_TRUE(contains(run("!irpfind 0 0 userevent " + ptr(irp->UserEvent)), mine));
    EXPECT_TRUE(contains(run("!irpfind 0 0 arg " + kd::hex(IOCTL_INSPECT_PARK, 8)), mine));
    EXPECT_TRUE(contains(run("!irpfind 0 0 fileobject " + ptr(irp->Tail.Overlay.OriginalFileObject)), mine));
    EXPECT_FALSE(contains(run("!irpfind 0 " + ptr(reinterpret_cast<Addr>(irp) + 1)), mine));  // restart past it
    EXPECT_TRUE(contains(run("!irpfind -v"), "Irp is active with 2 stacks 1 is current"));
    // Without a verifier log no IRP is verifier-tracked.
    EXPECT_FALSE(contains(run("!irpfind -verifier"), mine));
    (void)r;
}

// Spec 6.2 "-verifier": only IRPs the verifier's log (7.2 records) still tracks.
Addr g_tracked = 0;
std::string tracked_log(System&, bool) {
    return "[{\"irp_addr\": " + std::to_string(g_tracked) + ", \"seq\": 1, \"event\": \"alloc\"}," +
           "{\"irp_addr\": 16, \"event\": \"alloc\"}, {\"irp_addr\": 16, \"event\": \"free\"}]";
}

TEST_F(InspectTest, irpfind_verifier_lists_the_irps_the_verifier_tracks) {
    send(IOCTL_INSPECT_PARK);
    send(IOCTL_INSPECT_PARK);
    std::vector<PIRP> irps = parked();
    ASSERT_EQ(irps.size(), 2u);
    g_tracked = reinterpret_cast<Addr>(irps[1]);
    set_verifier_log_provider(tracked_log);
    std::string out = run("!irpfind -verifier");
    Snapshot s = capture(system());
    set_verifier_log_provider(nullptr);
    EXPECT_TRUE(contains(out, ptr(irps[1]) + " [")) << out;
    EXPECT_FALSE(contains(out, ptr(irps[0]) + " [")) << out;
    EXPECT_TRUE(contains(s.verifier, std::to_string(g_tracked)));
    // The log travels in dumps.
    Snapshot loaded;
    std::string error;
    ASSERT_TRUE(from_json_text(to_json_text(s), loaded, error)) << error;
    std::string again;
    EXPECT_EQ(run_kd_command(loaded, "!irpfind -verifier", again), 0);
    EXPECT_EQ(again, out);
}

// IRPs held by StartIo and waiting in the KDEVICE_QUEUE: !devobj shows the current IRP and the queue.
TEST_F(InspectTest, devobj_shows_current_irp_and_device_queue) {
    send(IOCTL_INSPECT_START_IO);
    send(IOCTL_INSPECT_START_IO);
    PIRP current = lower_device()->CurrentIrp;
    ASSERT_NE(current, nullptr);
    std::string out = run("!devobj InspectLower");
    EXPECT_TRUE(contains(out, "Current Irp " + ptr(current) + " RefCount ")) << out;
    EXPECT_TRUE(has_line(out, "Device queue is busy.")) << out;
    EXPECT_TRUE(has_line(out, "Irp Queue:")) << out;
    Snapshot s = capture(system());
    const DeviceSnap* d = s.device(reinterpret_cast<Addr>(lower_device()));
    ASSERT_NE(d, nullptr);
    ASSERT_EQ(d->queued_irps.size(), 1u);
    EXPECT_NE(d->queued_irps[0], reinterpret_cast<Addr>(current));
    EXPECT_TRUE(has_line(out, "    " + ptr(d->queued_irps[0]))) << out;
    // The queued IRP is found both on its thread and in the queue, and listed once.
    std::string found = run("!irpfind");
    EXPECT_EQ(found.find(ptr(d->queued_irps[0]) + " ["), found.rfind(ptr(d->queued_irps[0]) + " ["));
}

TEST_F(InspectTest, thread_lists_its_pending_irps) {
    send(IOCTL_INSPECT_PARK);
    PIRP irp = parked().at(0);
    std::string out = run("!thread");
    EXPECT_TRUE(contains(lines_of(out).at(0), "THREAD " + ptr(PsGetCurrentThread()) + "  Cid ")) << out;
    EXPECT_TRUE(has_line(out, "IRP List:")) << out;
    EXPECT_TRUE(contains(out, "    " + ptr(irp) + ": (0006," )) << out;
    EXPECT_TRUE(contains(out, "Owning Process            " + ptr(PsGetCurrentProcess()))) << out;
    EXPECT_EQ(run("!thread " + ptr(PsGetCurrentThread())), out);
}

TEST_F(InspectTest, ioctldecode_splits_the_code) {
    std::string out = run("!ioctldecode " + kd::hex(IOCTL_INSPECT_PARK, 8));
    EXPECT_TRUE(has_line(out, "Device Type    : 0x22 (FILE_DEVICE_UNKNOWN)")) << out;
    EXPECT_TRUE(has_line(out, "Method         : 0x0 METHOD_BUFFERED")) << out;
    EXPECT_TRUE(has_line(out, "Access         : FILE_ANY_ACCESS")) << out;
    EXPECT_TRUE(has_line(out, "Function       : 0x800")) << out;
}

}  // namespace
}  // namespace ntio::inspect::test
