// The IRP log's storage, shared by its writer (irp_log.cpp, the recording paths) and its readers
// (irp_log_reader.cpp: the JSON lines, the per-device IRP log, the inspector's verifier section):
// the rings of record words and their header bits, the clock the records read, the per-device
// entries and the decoding of a call record's stack location words.
#pragma once

#include <chrono>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "io/objects.hpp"

namespace ntio::verifier::irp_log {

// Every event kind of spec 7.2 (LogKind, which the rule monitors pass, is a subset; a kind added
// to LogKind later is recorded as a verifier event).
enum class Kind : std::uint8_t {
    Alloc, Call, Return, MarkPending, SetCompletion, Complete, CompletionRoutine, CancelRequest, CancelRoutine,
    ApcDeliver, IocpPost, Free, Verifier
};

// ---- The rings ----

// A ring is a run of 64-bit words; a record is its payload words, then the time-stamp counter when
// this event read the clock, then its header (last, so a reader walks a ring back from its head).
// Header bits: kind 0-3, stamped 4, pending 5, lead 6, record length in words 12-15, location
// 16-23, stack count 24-31 (in a return record: how many chained calls returned with it, see
// irp_log.cpp), and 32-63 the status of a return or complete record, the result of a completion
// routine record (so that these carry one word less). A ring has one writer at a time,
// so records carry no thread id: an owner record starts each thread's run of records in a ring
// (header bits 32-63 its thread id, one payload word the previous owner's), and Ring::tid is the
// current owner's.
constexpr std::size_t kRingWords = std::size_t{1} << 15;  // 256 KiB: about 5000 events of a round trip
constexpr std::uint64_t kRingMask = kRingWords - 1;
constexpr std::uint64_t kMaxRecordWords = 15;  // the header's 4-bit length
// A writer stores at most this far past the head it read: a pad record (pad_to_start), then its record.
constexpr std::uint64_t kMaxWriteWords = 2 * kMaxRecordWords;
constexpr std::uint64_t kPadKind = 15;          // header kind of a pad record (no event)
constexpr std::uint64_t kOwnerKind = 14;        // header kind of an owner record (no event)
constexpr unsigned kValueShift = 32;            // the header's status / result / thread id bits
constexpr std::uint64_t kStamped = 1u << 4, kPending = 1u << 5, kLead = 1u << 6;

struct Ring {
    // Writer protocol (one writer): the record's words as release stores (plain moves on x86), then
    // head = its end (release). A reader copies the words below head, then reads head again: a copied
    // word that some later record already overwrote was stored after that record's predecessor
    // published head (release on both sides), so the second head is at least that record's start and
    // the overwrite lies below it + kMaxWriteWords; the reader keeps only the words at positions
    // from there minus the ring's size.
    // The owner's write limit (the head at the ring's end) while no clock read is due, 0 when one
    // is (the ticker ticked, a read is forced, no ticker runs): the recording fast path tests room
    // and clock with one compare. Written by the owner and by the ticker (irp_log.cpp); first, so
    // that the owner finds the ring from its gate.
    alignas(64) std::atomic<std::uint64_t> gate{0};
    std::atomic<std::uint64_t> head{0};
    std::atomic<bool> owned{false};
    std::atomic<std::uint32_t> tid{0};  // the owner's thread id, stored after its owner record
    std::uint64_t number = 0;  // ids derived from this ring's positions: number << 40 | position
    Ring* next = nullptr;      // g_rings list (never unlinked)
    alignas(64) std::atomic<std::uint64_t> words[kRingWords];
};

static_assert(std::is_standard_layout_v<Ring>);  // gate is pointer-interconvertible with its ring
inline Ring* ring_of_gate(std::atomic<std::uint64_t>* gate) noexcept { return reinterpret_cast<Ring*>(gate); }

[[gnu::visibility("hidden")]] extern std::atomic<Ring*> g_rings;

inline std::uint64_t now_ns() noexcept {
    // steady_clock is CLOCK_MONOTONIC, through the vDSO.
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

// Clock reads use the time-stamp counter (a clock_gettime costs twice an rdtsc here); readers turn
// it into CLOCK_MONOTONIC nanoseconds with a calibration between start-up and the read.
// CLOCK_MONOTONIC_COARSE is cheaper but ticks every 4 ms, which would put every layer of a round
// trip at one time, so the TSC it is, although under KVM one read costs about 19 ns: hence one read
// per burst (ThreadLog). Linux uses the TSC as its clock only when it is invariant and synchronized
// across CPUs; otherwise (or off x86) the clock itself is read.
#if defined(__x86_64__) || defined(__i386__)
[[gnu::visibility("hidden")]] extern const bool g_use_tsc;
inline std::uint64_t tsc() noexcept { return __builtin_ia32_rdtsc(); }
inline std::uint64_t raw_clock() noexcept { return g_use_tsc ? tsc() : now_ns(); }
#else
constexpr bool g_use_tsc = false;
inline std::uint64_t tsc() noexcept { return 0; }  // never read: g_use_tsc is false
inline std::uint64_t raw_clock() noexcept { return now_ns(); }
#endif

struct Calibration {
    std::uint64_t raw;
    std::uint64_t ns;
};
inline Calibration calibrate() noexcept { return {raw_clock(), now_ns()}; }
[[gnu::visibility("hidden")]] extern const Calibration g_start;

// A sequence-locked copy of a trivially copyable T (the per-device IRP log's entries): version
// 2n+1 while item n is being written, 2n+2 once it is whole. Several threads may send IRPs to one
// device: the one that claims the slot for item n writes; a writer finding it busy or already past
// n drops its item (only when more writers than slots race on one device).
template <typename T>
struct SeqSlot {
    static constexpr std::size_t kWords = sizeof(T) / 8;
    std::atomic<std::uint64_t> version{0};
    std::atomic<std::uint64_t> words[kWords] = {};

    void write_shared(std::uint64_t n, const T& value) noexcept {
        std::uint64_t v = version.load(std::memory_order_relaxed);
        do {
            if ((v & 1) || v > 2 * n) return;
        } while (!version.compare_exchange_weak(v, 2 * n + 1, std::memory_order_relaxed));
        const auto* bytes = reinterpret_cast<const unsigned char*>(&value);
        for (std::size_t i = 0; i < kWords; ++i) {
            std::uint64_t w;
            std::memcpy(&w, bytes + i * 8, 8);
            words[i].store(w, std::memory_order_release);
        }
        version.store(2 * n + 2, std::memory_order_release);
    }
    // Item n, whole, or false when the slot holds another item or a write is in progress.
    bool read(std::uint64_t n, T& out) const noexcept {
        if (version.load(std::memory_order_acquire) != 2 * n + 2) return false;
        std::uint64_t w[kWords];
        for (std::size_t i = 0; i < kWords; ++i) w[i] = words[i].load(std::memory_order_acquire);
        if (version.load(std::memory_order_acquire) != 2 * n + 2) return false;
        std::memcpy(&out, w, sizeof out);
        return true;
    }
};

// ---- Devices: interned names and the per-device IRP log ----

constexpr std::size_t kIrpsPerDevice = 20;  // Driver Verifier's IRP logging keeps 20 per device
struct DeviceIrp {
    std::uint64_t ts;      // raw_clock()
    std::uint64_t irp_id;  // the call record's position id (read_records maps it to the IRP's id)
    PIRP irp;
    std::uint64_t length;
    std::uint64_t offset;
    std::uint32_t tid;
    UCHAR major;
    UCHAR minor;
    CHAR location;
    CHAR stack_count;
};
static_assert(std::is_trivially_copyable_v<DeviceIrp> && sizeof(DeviceIrp) % 8 == 0);

// A device's and its driver's names (ASCII, truncated), copied once when the device is first logged
// and kept for the process's life, so records carry a pointer instead of copying names per event.
struct DeviceNames {
    char device_name[48];
    char driver_name[40];
};

// One per device identity seen while logging; never freed (records point at it). A device created
// later at the same address with another identity gets a new entry and this one is retired.
struct DeviceLog {
    std::atomic<PDEVICE_OBJECT> device{nullptr};
    std::atomic<int> state{0};  // kFree, kFilling, kReady, kRetired
    PDRIVER_OBJECT driver = nullptr;
    const void* name_data = nullptr;
    std::size_t name_size = 0;
    USHORT driver_name_length = 0;
    DeviceNames names{};
    std::atomic<std::uint64_t> irp_head{0};
    SeqSlot<DeviceIrp> irps[kIrpsPerDevice];
};
constexpr int kFree = 0, kFilling = 1, kReady = 2, kRetired = 3;
constexpr std::size_t kDeviceLogs = 1024;
[[gnu::visibility("hidden")]] extern DeviceLog g_devices[kDeviceLogs];

constexpr std::uint64_t kIdPositionBits = 40;
// The id a record's position gives (ring number above the position; at most 2^53 for JSON).
inline std::uint64_t position_id(std::uint64_t ring_number, std::uint64_t position) noexcept {
    return ring_number << kIdPositionBits | ((position + 1) & ((std::uint64_t{1} << kIdPositionBits) - 1));
}


// A call record's stack location words, decoded.
struct CallParams {
    UCHAR major;
    UCHAR minor;
    UCHAR invoke;           // the SL_INVOKE_ON_* bits of Control
    std::uint64_t length;   // Read/Write Length or IOCTL / FSCTL code
    std::uint64_t offset;   // Read/Write ByteOffset
};
inline CallParams decode_call(std::uint64_t head, std::uint64_t at8, std::uint64_t at24) noexcept {
    CallParams c{static_cast<UCHAR>(head), static_cast<UCHAR>(head >> 8),
                 static_cast<UCHAR>((head >> 24) & (SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL)), 0, 0};
    if (c.major == IRP_MJ_READ || c.major == IRP_MJ_WRITE) {
        c.length = at8 & 0xFFFFFFFFu;
        c.offset = at24;
    } else if (c.major == IRP_MJ_DEVICE_CONTROL || c.major == IRP_MJ_INTERNAL_DEVICE_CONTROL ||
               c.major == IRP_MJ_FILE_SYSTEM_CONTROL) {
        c.length = at24 & 0xFFFFFFFFu;
    }
    return c;
}

}  // namespace ntio::verifier::irp_log
