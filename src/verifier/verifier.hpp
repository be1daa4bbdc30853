// The verifier's hook surface: what the I/O manager calls at the five check points of the spec
// (IoCallDriver, IoCompleteRequest, completion routines, cancel paths, object lifetime). Every hook
// site is one predictable branch on active(), a relaxed load of one global, when nothing is verified.
#pragma once

#include <atomic>

#include <ntifs.h>

namespace ntio::verifier {

// True while at least one driver is verified and the mode is not off.
extern std::atomic<bool> g_active;
inline bool active() noexcept { return g_active.load(std::memory_order_relaxed); }

// ---- IoCallDriver (dispatch_rules.cpp) ----
// Replaces IofCallDriver's body while active: entry checks, the dispatch call, exit checks.
NTSTATUS call_driver(PDEVICE_OBJECT device, PIRP irp) noexcept;

// ---- IoCompleteRequest and completion routines (completion_rules.cpp) ----
// At IofCompleteRequest entry, before the I/O manager's own checks.
void on_complete_request(PIRP irp) noexcept;
// Runs one completion routine for IofCompleteRequest's walk and checks what it did.
NTSTATUS invoke_completion_routine(PIO_COMPLETION_ROUTINE routine, PDEVICE_OBJECT device, PIRP irp,
                                   PVOID context) noexcept;

// ---- Cancel paths (lifetime_rules.cpp) ----
void on_cancel_lock_acquired() noexcept;
void on_cancel_lock_released() noexcept;
void on_cancel_irp(PIRP irp) noexcept;

// ---- Lifetime (lifetime_rules.cpp) ----
void on_free_irp(PIRP irp) noexcept;            // IoFreeIrp entry
void on_initialize_irp(PIRP irp) noexcept;      // IoInitializeIrp / IoReuseIrp: a new life for the IRP
void on_delete_device(PDEVICE_OBJECT device) noexcept;  // IoDeleteDevice entry

// ---- Drivers (verifier_state.cpp) ----
// Called for every driver before DriverEntry (not only while active): reads VerifyDrivers.
void on_driver_load(PDRIVER_OBJECT driver) noexcept;
// After DriverEntry returned (the driver's allocations from then on are attributed by context).
void on_driver_entry_returned(PDRIVER_OBJECT driver) noexcept;
// After DriverUnload returned (unloaded) or when the driver object leaves the loaded list:
// leak and pending-operation checks, then the driver is forgotten.
void on_driver_forget(PDRIVER_OBJECT driver, bool unloaded) noexcept;

// ---- Resources and stress (resources.cpp, stress.cpp) ----
// Pool blocks and IRPs allocated while a verified driver's code runs on this thread are charged to
// it (leaks at unload: 0xC4 0x62); low-resources simulation may fail them first.
bool inject_allocation_failure() noexcept;  // true: the allocation fails (seeded low-resources mode)
void on_pool_allocate(void* block, SIZE_T bytes, ULONG tag) noexcept;
void on_pool_free(void* block) noexcept;
void on_allocate_irp(PIRP irp) noexcept;

// ---- Tracing (irp_log.cpp) ----
// NTIO_TRACE=file at start-up: every IRP's events are recorded for all drivers (and written at exit).
bool tracing() noexcept;

}  // namespace ntio::verifier
