// The interrupt suite's WDM driver, written the way a WDK driver for real hardware is: AddDevice
// attaches an FDO (device extension with the PKINTERRUPT, IoInitializeDpcRequest's DPC), START
// connects the interrupt (IoConnectInterruptEx, in the version the test asks for), the ISR checks and
// acknowledges the device's interrupt status register and requests its DPC (IoRequestDpc), the DPC
// completes the read the device was working on, REMOVE disconnects. The "hardware" is a struct the
// test drives: it sets the status register and asserts the interrupt with NtioRaiseInterrupt.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "support/system_fixture.hpp"

#undef __try
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::interrupt_test {

inline constexpr const wchar_t* kInstance = L"ROOT\\INTRTEST\\0000";

// The simulated device: an interrupt status register (set by the hardware, cleared by the ISR's
// acknowledge) and the data the device returns for a read.
struct Hardware {
    std::atomic<ULONG> status{0};  // non-zero: the device is interrupting
    std::atomic<UCHAR> data{0};
};

// What the driver's routines observed.
struct Observed {
    std::atomic<int> isr_calls{0};       // every ISR call, claimed or not
    std::atomic<int> isr_claims{0};
    std::atomic<int> dpc_calls{0};
    std::atomic<KIRQL> isr_irql{0};
    std::atomic<bool> isr_lock_held{false};  // the interrupt spin lock was taken when the ISR ran
    std::atomic<PKTHREAD> isr_thread{nullptr};
    std::atomic<ULONG> isr_message{0xFFFFFFFF};
    std::atomic<KIRQL> dpc_irql{0};
    std::atomic<bool> dpc_executing{false};    // KeIsExecutingDpc in the DPC
    std::atomic<PVOID> dpc_irp{nullptr};       // SystemArgument1 of the DPC (the IRP the ISR passed)
    std::atomic<PKTHREAD> dpc_thread{nullptr};
};

// How START connects (set before NtioPnpEnumerateRoot).
enum class Connect {
    line_based,        // CONNECT_LINE_BASED
    message_based,     // CONNECT_MESSAGE_BASED with a fallback ISR
    message_no_fallback,
    fully_specified,   // CONNECT_FULLY_SPECIFIED with the translated interrupt resource of START
    legacy,            // IoConnectInterrupt with the translated interrupt resource of START
    legacy_raw,        // IoConnectInterrupt with the raw resource (the classic driver bug)
    none,              // START connects nothing
};

struct State {
    Hardware hardware;
    Observed observed;
    std::atomic<Connect> connect{Connect::line_based};
    KIRQL synchronize_irql = 0;  // fully_specified / legacy: 0 for the resource's Level
    // What START found in its resource lists: the number of descriptors and the first of each.
    std::atomic<bool> had_resources{false};
    ULONG raw_count = 0;
    ULONG translated_count = 0;
    CM_PARTIAL_RESOURCE_DESCRIPTOR raw{};
    CM_PARTIAL_RESOURCE_DESCRIPTOR translated{};
    // Results of START's connect.
    std::atomic<NTSTATUS> connect_status{STATUS_PENDING};
    std::atomic<ULONG> connect_version{0};        // Parameters->Version on return
    std::atomic<PVOID> connection{nullptr};       // the PKINTERRUPT or PIO_INTERRUPT_MESSAGE_INFO
    std::atomic<PDEVICE_OBJECT> pdo{nullptr};
    std::atomic<PDEVICE_OBJECT> fdo{nullptr};
    KEVENT removed;
};

State& state();

// Creates the driver (NtioCreateDriver) and the Enum\Root\INTRTEST\0000 key; the destructor unloads it.
class Driver {
public:
    Driver();
    ~Driver();
    Driver(const Driver&) = delete;
    Driver& operator=(const Driver&) = delete;

private:
    PDRIVER_OBJECT m_driver = nullptr;
};

class InterruptTest : public ntio::test::SystemTest {
protected:
    void SetUp() override;
};

UNICODE_STRING instance_name();
// Assigns the device's interrupts (NtioSetDeviceInterrupts).
NTSTATUS assign(ULONG vector, ULONG message_count = 0, KINTERRUPT_MODE mode = LevelSensitive, BOOLEAN shared = TRUE);
// NtioPnpEnumerateRoot, then whether the device started.
bool start_device();
// Orderly removal of the device (REMOVE disconnects the interrupt).
NTSTATUS remove_device();
// The device asserts its interrupt: status register set, then NtioRaiseInterrupt(vector).
NTSTATUS hardware_interrupt(ULONG vector, ULONG status = 1);

// A read sent to the top of the device's stack; it stays pending until the device interrupts and the
// DPC completes it.
struct PendingRead {
    KEVENT done;
    IO_STATUS_BLOCK iosb{};
    UCHAR buffer[8] = {};
    PIRP irp = nullptr;
    NTSTATUS sent = STATUS_PENDING;
};
void send_read(PendingRead& read);

}  // namespace ntio::interrupt_test
