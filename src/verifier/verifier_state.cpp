// Which drivers are verified: the Windows registry values read at driver load (VerifyDrivers,
// VerifyDriverLevel), the Ntio API for tests and tools, the process-wide mode, and the one global
// flag every hook site branches on.
#include <cstdlib>
#include <cstring>
#include <cwctype>
#include <string>

#include "io/objects.hpp"
#include "verifier/state.hpp"
#include "verifier/verifier.hpp"

namespace ntio::verifier {

constinit HotFlags g_hot;  // constant-initialised: set_tracing may run during static initialisation

// The hooks_on() sites (verifier.hpp), all in this section of libntio.
NTIO_STATIC_BRANCH_KEY(g_hook_key, ntio_sb_verifier, g_hot.active);
namespace {

// Sets g_hot.active: the sites are turned on after it is set and off before it is cleared, so that
// a hooks_on() site leads to its hook only while active() says so, then follow it as it is (a
// concurrent change may have come between). Also when the library is loaded, so that the sites are
// the no-op from the start rather than the compiled test of the flag.
void set_active(bool on) noexcept {
    if (!on) (void)host::set_static_branch(g_hook_key, false);
    g_hot.active.store(on, std::memory_order_release);
    (void)host::sync_static_branch(g_hook_key);
}
[[gnu::constructor]] void hook_sites_at_load() { (void)host::sync_static_branch(g_hook_key); }
}  // namespace

bool active_now() noexcept { return active(); }
bool tracing_now() noexcept { return tracing(); }
DriverSlot g_driver_slots[kMaxVerifiedDrivers];
std::atomic<signed char> g_driver_buckets[1u << kDriverBucketBits];
std::atomic<unsigned> g_driver_overflows{0};

namespace {

std::mutex g_slots_lock;  // writers only
std::atomic<unsigned> g_verified_count{0};

bool init_buckets() noexcept {
    for (auto& bucket : g_driver_buckets) bucket.store(-1, std::memory_order_relaxed);
    return true;
}
const bool g_buckets_ready = init_buckets();

// Writers, with g_slots_lock held: slot i now holds driver (or drops it).
void index_slot_locked(unsigned i, PDRIVER_OBJECT driver) noexcept {
    std::atomic<signed char>& bucket = g_driver_buckets[driver_bucket(driver)];
    if (bucket.load(std::memory_order_relaxed) < 0) {
        g_driver_slots[i].overflow = false;
        bucket.store(static_cast<signed char>(i), std::memory_order_release);
    } else {
        g_driver_slots[i].overflow = true;
        g_driver_overflows.fetch_add(1, std::memory_order_acq_rel);
    }
}
void unindex_slot_locked(unsigned i, PDRIVER_OBJECT driver) noexcept {
    std::atomic<signed char>& bucket = g_driver_buckets[driver_bucket(driver)];
    if (g_driver_slots[i].overflow) {
        g_driver_slots[i].overflow = false;
        g_driver_overflows.fetch_sub(1, std::memory_order_acq_rel);
    } else if (bucket.load(std::memory_order_relaxed) == static_cast<signed char>(i)) {
        bucket.store(-1, std::memory_order_release);
    }
}

NTIO_VERIFIER_MODE initial_mode() noexcept {
    const char* env = std::getenv("NTIO_VERIFIER_MODE");
    if (env && std::strcmp(env, "off") == 0) return NtioVerifierOff;
    if (env && std::strcmp(env, "compat") == 0) return NtioVerifierCompat;
    return NtioVerifierStrict;
}
std::atomic<NTIO_VERIFIER_MODE> g_mode{initial_mode()};

// With g_slots_lock held: the slow reasons that come from the drivers' flags.
void recompute_flag_reasons_locked() noexcept {
    ULONG all = 0;
    for (const DriverSlot& slot : g_driver_slots) all |= slot.flags.load(std::memory_order_relaxed);
    set_slow_reason(kSlowIrpLogging, (all & NTIO_VERIFIER_IRP_LOGGING) != 0);
    set_slow_reason(kSlowDelayFuzzing, (all & NTIO_VERIFIER_SYNC_DELAY_FUZZING) != 0);
    set_slow_reason(kSlowDdiCompliance, (all & NTIO_VERIFIER_DDI_COMPLIANCE) != 0);
    set_slow_reason(kSlowVerified, g_verified_count.load(std::memory_order_acquire) > 0);
    update_paged_code_checks(all);
}

void recompute_active() noexcept {
    set_active((g_verified_count.load(std::memory_order_acquire) > 0 &&
                g_mode.load(std::memory_order_acquire) != NtioVerifierOff) ||
               g_hot.tracing.load(std::memory_order_acquire));
}

// object_alive: the driver object may be written (its flags copy for the hot paths); false when it may
// already be freed and only the table may change.
NTSTATUS set_flags(PDRIVER_OBJECT driver, ULONG flags, bool object_alive = true) noexcept {
    (void)g_buckets_ready;
    std::lock_guard guard(g_slots_lock);
    int empty = -1;
    for (unsigned i = 0; i < kMaxVerifiedDrivers; ++i) {
        DriverSlot& slot = g_driver_slots[i];
        PDRIVER_OBJECT current = slot.driver.load(std::memory_order_relaxed);
        if (current == driver) {
            if (object_alive) io::driver_private(driver).verifier_flags.store(flags, std::memory_order_release);
            if (flags) {
                slot.flags.store(flags, std::memory_order_release);
            } else {
                unindex_slot_locked(i, driver);
                slot.flags.store(0, std::memory_order_release);
                slot.driver.store(nullptr, std::memory_order_release);
                g_verified_count.fetch_sub(1, std::memory_order_acq_rel);
            }
            recompute_flag_reasons_locked();
            recompute_active();
            return STATUS_SUCCESS;
        }
        if (!current && empty < 0) empty = static_cast<int>(i);
    }
    if (!flags) {
        if (object_alive) io::driver_private(driver).verifier_flags.store(0, std::memory_order_release);
        return STATUS_SUCCESS;
    }
    if (empty < 0) return STATUS_INSUFFICIENT_RESOURCES;
    io::driver_private(driver).verifier_flags.store(flags, std::memory_order_release);
    g_driver_slots[empty].flags.store(flags, std::memory_order_release);
    g_driver_slots[empty].driver.store(driver, std::memory_order_release);
    index_slot_locked(static_cast<unsigned>(empty), driver);
    g_verified_count.fetch_add(1, std::memory_order_acq_rel);
    recompute_flag_reasons_locked();
    recompute_active();
    return STATUS_SUCCESS;
}

// Case-insensitive compare of one VerifyDrivers entry with the driver: Windows lists image names
// ("null.sys"); ntio also accepts the service name, since NtioCreateDriver drivers have no image.
bool name_matches(std::u16string_view entry, std::u16string_view service) {
    auto lower = [](char16_t c) { return static_cast<char16_t>(std::towlower(static_cast<wint_t>(c))); };
    auto equal = [&](std::u16string_view a, std::u16string_view b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (lower(a[i]) != lower(b[i])) return false;
        return true;
    };
    if (entry == u"*") return true;
    if (equal(entry, service)) return true;
    constexpr std::u16string_view kSys = u".sys";
    return entry.size() == service.size() + kSys.size() && equal(entry.substr(0, service.size()), service) &&
           equal(entry.substr(service.size()), kSys);
}

// A key under HKLM\SYSTEM\CurrentControlSet\Control\Session Manager, opened to query values.
HANDLE open_session_manager_key(std::u16string_view subkey) {
    std::u16string path = u"\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\";
    path += subkey;
    UNICODE_STRING key_name{static_cast<USHORT>(path.size() * sizeof(WCHAR)),
                            static_cast<USHORT>(path.size() * sizeof(WCHAR)), reinterpret_cast<PWCH>(path.data())};
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &key_name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE key = nullptr;
    return NT_SUCCESS(ZwOpenKey(&key, KEY_QUERY_VALUE, &oa)) ? key : nullptr;
}

// A REG_DWORD value of key; 0 when absent or of another type.
ULONG query_dword(HANDLE key, PCWSTR value) {
    alignas(8) unsigned char buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
    auto* info = reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buffer);
    ULONG length = 0;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, value);
    ULONG result = 0;
    if (NT_SUCCESS(ZwQueryValueKey(key, &name, KeyValuePartialInformation, info, sizeof(buffer), &length)) &&
        info->Type == REG_DWORD && info->DataLength >= sizeof(ULONG))
        std::memcpy(&result, info->Data, sizeof(ULONG));
    return result;
}

// Session Manager\I/O System, value IoVerifierLevel: the level of I/O verification Windows 2000's
// verifier let one choose (1: Level 1 only; 2: both, what Windows XP and later always run:
// https://learn.microsoft.com/windows-hardware/drivers/devtest/i-o-verification). 0 when absent.
ULONG io_verifier_level() {
    HANDLE key = open_session_manager_key(u"I/O System");
    if (!key) return 0;
    const ULONG level = query_dword(key, L"IoVerifierLevel");
    ZwClose(key);
    return level;
}

// HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Memory Management, values VerifyDrivers
// and VerifyDriverLevel (https://learn.microsoft.com/windows-hardware/drivers/devtest/driver-verifier:
// verifier.exe stores its settings there; they take effect when the driver next loads).
ULONG registry_flags_for(std::u16string_view service) {
    HANDLE key = open_session_manager_key(u"Memory Management");
    if (!key) return 0;

    alignas(8) unsigned char buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + 2048];
    auto* info = reinterpret_cast<PKEY_VALUE_PARTIAL_INFORMATION>(buffer);
    ULONG length = 0;
    UNICODE_STRING drivers_name = RTL_CONSTANT_STRING(L"VerifyDrivers");
    bool listed = false;
    if (NT_SUCCESS(ZwQueryValueKey(key, &drivers_name, KeyValuePartialInformation, info, sizeof(buffer) - 2,
                                   &length)) &&
        (info->Type == REG_SZ || info->Type == REG_EXPAND_SZ || info->Type == REG_MULTI_SZ)) {
        std::u16string text(reinterpret_cast<const char16_t*>(info->Data), info->DataLength / sizeof(char16_t));
        for (char16_t& c : text)
            if (c == u'\0' || c == u'\t' || c == u',') c = u' ';
        std::size_t start = 0;
        while (!listed && start < text.size()) {
            std::size_t end = text.find(u' ', start);
            if (end == std::u16string::npos) end = text.size();
            if (end > start) listed = name_matches(std::u16string_view(text).substr(start, end - start), service);
            start = end + 1;
        }
    }
    ULONG flags = 0;
    if (listed) {
        flags = query_dword(key, L"VerifyDriverLevel");
        if (flags == 0) flags = NTIO_VERIFIER_STANDARD_FLAGS;
    }
    ZwClose(key);
    if ((flags & NTIO_VERIFIER_IO_CHECKING) && io_verifier_level() == 1) flags |= NTIO_VERIFIER_IO_LEVEL1_ONLY;
    return flags;
}

}  // namespace

ULONG overflow_driver_flags(PDRIVER_OBJECT driver) noexcept {
    for (DriverSlot& slot : g_driver_slots)
        if (slot.driver.load(std::memory_order_acquire) == driver) return slot.flags.load(std::memory_order_acquire);
    return 0;
}

NTIO_VERIFIER_MODE mode() noexcept { return g_mode.load(std::memory_order_relaxed); }

void on_driver_load(PDRIVER_OBJECT driver) noexcept {
    const UNICODE_STRING& service = driver->DriverExtension->ServiceKeyName;
    std::u16string_view name(reinterpret_cast<const char16_t*>(service.Buffer), service.Length / sizeof(WCHAR));
    // A stale slot of an earlier driver object at the same address must not carry over.
    (void)set_flags(driver, 0);
    if (ULONG flags = registry_flags_for(name)) (void)set_flags(driver, flags);
    set_context_driver(driver);  // DriverEntry's allocations are the driver's
}

void on_driver_entry_returned(PDRIVER_OBJECT) noexcept { set_context_driver(nullptr); }

void forget_driver_slot(PDRIVER_OBJECT driver, bool object_alive) noexcept { (void)set_flags(driver, 0, object_alive); }

// Called at start-up (static initialisation, before g_mode may be initialised): when turning on,
// only raise the global flag.
void set_tracing(bool on) noexcept {
    g_hot.tracing.store(on, std::memory_order_release);
    set_slow_reason(kSlowTracing, on);
    if (on) set_active(true);
    else recompute_active();
}

std::vector<VerifiedDriver> verified_drivers() {
    std::vector<VerifiedDriver> out;
    std::lock_guard guard(g_slots_lock);
    for (DriverSlot& slot : g_driver_slots) {
        PDRIVER_OBJECT driver = slot.driver.load(std::memory_order_acquire);
        if (!driver) continue;
        std::string name;
        for (USHORT i = 0; i < driver->DriverName.Length / sizeof(WCHAR); ++i)
            name += driver->DriverName.Buffer[i] < 0x80 ? static_cast<char>(driver->DriverName.Buffer[i]) : '?';
        out.push_back({driver, slot.flags.load(std::memory_order_acquire), std::move(name)});
    }
    return out;
}

}  // namespace ntio::verifier

using namespace ntio::verifier;

extern "C" {

NTSTATUS NtioVerifierSetFlags(PDRIVER_OBJECT DriverObject, ULONG Flags) {
    if (!DriverObject || DriverObject->Type != IO_TYPE_DRIVER) return STATUS_INVALID_PARAMETER;
    return set_flags(DriverObject, Flags);
}

ULONG NtioVerifierQueryFlags(PDRIVER_OBJECT DriverObject) { return driver_flags(DriverObject); }

NTIO_VERIFIER_MODE NtioVerifierSetMode(NTIO_VERIFIER_MODE Mode) {
    if (Mode != NtioVerifierOff && Mode != NtioVerifierCompat && Mode != NtioVerifierStrict) return g_mode.load();
    NTIO_VERIFIER_MODE previous = g_mode.exchange(Mode, std::memory_order_acq_rel);
    recompute_active();
    return previous;
}

NTIO_VERIFIER_MODE NtioVerifierQueryMode(VOID) { return g_mode.load(std::memory_order_acquire); }

}  // extern "C"
