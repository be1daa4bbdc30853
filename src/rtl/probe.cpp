// ProbeForRead/ProbeForWrite and the user/system address boundaries of Windows x64.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-probeforwrite
#include <wdm.h>

#include "rtl/user_access.hpp"

extern "C" {

// NT deviation: Windows x64 ends the user range 64 KiB below 2^47 (MmUserProbeAddress
// 0x7FFFFFFF0000). A caller's buffers here are Linux process memory, whose user range ends one page
// below 2^47, and without address-space randomisation (under a debugger, for instance) the main
// stack sits in exactly that top 64 KiB; so the boundary is Linux's.
ULONG_PTR MmUserProbeAddress = 0x7FFFFFFFF000ULL;
PVOID MmHighestUserAddress = reinterpret_cast<PVOID>(0x7FFFFFFFEFFFULL);
PVOID MmSystemRangeStart = reinterpret_cast<PVOID>(0xFFFF800000000000ULL);

// ProbeForRead checks the range and alignment and reads nothing: "If the specified range of memory
// is not within the user-mode address range, ProbeForRead raises the STATUS_ACCESS_VIOLATION
// exception" (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-probeforread);
// ProbeForWrite's page adds "or is not writable". A driver reads the buffer afterwards inside its
// __try, where an unmapped page raises.
// The check is the services' own range-only probe (rtl::check_read_probe_range), raised.
VOID NTAPI ProbeForRead(const volatile VOID* Address, SIZE_T Length, ULONG Alignment) {
    if (Length == 0) return;
    const NTSTATUS status = ntio::rtl::check_read_probe_range(const_cast<const VOID*>(Address), Length, Alignment);
    if (status == STATUS_DATATYPE_MISALIGNMENT) ExRaiseDatatypeMisalignment();
    if (status != STATUS_SUCCESS) ExRaiseAccessViolation();
}

VOID NTAPI ProbeForWrite(volatile VOID* Address, SIZE_T Length, ULONG Alignment) {
    if (Length == 0) return;
    const auto start = reinterpret_cast<ULONG_PTR>(Address);
    if (Alignment != 0 && (start & (Alignment - 1)) != 0) ExRaiseDatatypeMisalignment();
    const ULONG_PTR end = start + Length;
    if (end < start || end > MmUserProbeAddress) ExRaiseAccessViolation();
    // Write each page's first byte back to itself: a read-only or unmapped page faults.
    volatile UCHAR* p = static_cast<volatile UCHAR*>(Address);
    p[0] = p[0];
    for (ULONG_PTR page = (start & ~static_cast<ULONG_PTR>(PAGE_SIZE - 1)) + PAGE_SIZE; page < end; page += PAGE_SIZE) {
        auto* q = reinterpret_cast<volatile UCHAR*>(page);
        *q = *q;
    }
    p[Length - 1] = p[Length - 1];
}

}  // extern "C"
