// Interrupt objects and the per-System interrupt controller: a table of vectors, each with the chain
// of interrupt objects connected to it in connection order, and the registered NMI callbacks. The
// I/O manager builds and connects the objects (io/interrupt.cpp); delivery (NtioRaiseInterrupt)
// walks a vector's chain the way the kernel's interrupt dispatcher does.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include <wdm.h>

namespace ntio::ke {
class InterruptController;
}

// The interrupt object (opaque to drivers). Its fields are set before it is connected and do not
// change while it is connected, except `active`.
struct _KINTERRUPT {
    CSHORT Type = InterruptObject;
    CSHORT Size = static_cast<CSHORT>(sizeof(_KINTERRUPT));
    PKSERVICE_ROUTINE service_routine = nullptr;         // line-based (or fully specified)
    PKMESSAGE_SERVICE_ROUTINE message_routine = nullptr; // one message of a message-based connection
    PVOID service_context = nullptr;
    ULONG message_id = 0;
    PKSPIN_LOCK lock = nullptr;    // the driver's, or own_lock
    KSPIN_LOCK own_lock = 0;
    ULONG vector = 0;
    KIRQL irql = 0;                // the vector's DIRQL
    KIRQL synchronize_irql = 0;    // what the ISR and KeSynchronizeExecution run at
    KINTERRUPT_MODE mode = LevelSensitive;
    bool share_vector = false;
    KAFFINITY affinity = 0;
    // Soft connect state (IoReportInterruptActive/Inactive); read under the interrupt's lock by delivery.
    std::atomic<bool> active{true};
    // Connection state, under the controller's connect lock (chain links also under the vector gate).
    ntio::ke::InterruptController* controller = nullptr;
    _KINTERRUPT* next = nullptr;
};

namespace ntio::ke {

class Kernel;

// The lowest and highest vector of a device interrupt, and their DIRQLs (x64: the vector's high nibble).
inline constexpr ULONG kFirstDeviceVector = 0x30;
inline constexpr ULONG kLastDeviceVector = 0xBF;
inline constexpr KIRQL vector_irql(ULONG vector) noexcept { return static_cast<KIRQL>(vector >> 4); }
inline constexpr bool is_device_vector(ULONG vector) noexcept {
    return vector >= kFirstDeviceVector && vector <= kLastDeviceVector;
}

class InterruptController {
public:
    static constexpr ULONG kVectors = 256;

    explicit InterruptController(Kernel& kernel) : m_kernel(kernel) {}
    InterruptController(const InterruptController&) = delete;
    InterruptController& operator=(const InterruptController&) = delete;

    // Links a prepared interrupt object at the end of its vector's chain. STATUS_INVALID_PARAMETER
    // for a vector that is not a device vector, an Irql that is not its DIRQL, a SynchronizeIrql
    // below Irql or above HIGH_LEVEL, an affinity without the system's processors, or a vector
    // connected already when this object or one on the chain does not share it (or has another
    // mode). The ISR may be called as soon as this returns. PASSIVE_LEVEL.
    NTSTATUS connect(_KINTERRUPT* interrupt);
    // Unlinks a connected object and waits for the deliveries on its vector that may be calling it;
    // its ISR is never called again once this returns. PASSIVE_LEVEL.
    void disconnect(_KINTERRUPT* interrupt);

    // Delivers an interrupt on `vector` on the calling thread: each active object of the chain in
    // order, its ISR called at its SynchronizeIrql with its spin lock held; a level-sensitive chain
    // stops at the first ISR that claims it (returns TRUE), a latched one calls every ISR.
    // STATUS_SUCCESS (claimed), STATUS_UNSUCCESSFUL (no ISR claimed it), STATUS_NOT_FOUND (nothing
    // active connected), STATUS_INVALID_PARAMETER (no such vector). IRQL <= DISPATCH_LEVEL.
    NTSTATUS deliver(ULONG vector);

    // Connection contexts handed to drivers (an interrupt object or a message table) with the
    // Version that describes them, so that IoDisconnectInterruptEx and IoReportInterrupt* can tell
    // what they are given. Any IRQL <= DISPATCH_LEVEL.
    void remember_context(const void* context, ULONG version);
    bool forget_context(const void* context, ULONG version);
    bool has_context(const void* context, ULONG version);

    // NMI callbacks (KeRegisterNmiCallback). deliver_nmi runs them at HIGH_LEVEL, the last
    // registered first, and returns whether one handled the NMI. Any IRQL.
    PVOID register_nmi(PNMI_CALLBACK routine, PVOID context);
    NTSTATUS deregister_nmi(PVOID handle);
    bool deliver_nmi();

    Kernel& kernel() noexcept { return m_kernel; }

private:
    // A gate that deliveries pass shared and connect/disconnect exclusive (writer first: new
    // deliveries wait while a writer waits for those in flight). Spins: deliveries run at DIRQL.
    class Gate {
    public:
        void enter_shared() noexcept;
        void leave_shared() noexcept;
        void enter_exclusive() noexcept;  // one writer at a time (callers hold a mutex)
        void leave_exclusive() noexcept;

    private:
        static constexpr std::uint32_t kWriter = 0x80000000u;
        std::atomic<std::uint32_t> m_word{0};
    };
    struct Vector {
        Gate gate;
        _KINTERRUPT* head = nullptr;  // under the gate
    };
    struct Nmi {
        PNMI_CALLBACK routine;
        PVOID context;
        Nmi* next;  // the one registered before it
    };

    Kernel& m_kernel;
    std::mutex m_connect_lock;  // connect, disconnect, contexts
    Vector m_vectors[kVectors];
    std::unordered_map<const void*, ULONG> m_contexts;
    std::mutex m_nmi_lock;      // register, deregister
    Gate m_nmi_gate;
    Nmi* m_nmi_head = nullptr;  // the last registered; under m_nmi_gate
};

// The interrupt controller of the calling thread's System; null when it has none.
InterruptController* current_interrupt_controller() noexcept;

}  // namespace ntio::ke
