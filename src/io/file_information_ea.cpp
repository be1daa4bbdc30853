// IoCheckEaBufferValidity: the structural check of a FILE_FULL_EA_INFORMATION chain that NtSetEaFile
// (and file systems, for EA buffers from user mode) apply before trusting one.
#include "io/ddk.hpp"

extern "C" {

// Rules from https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iocheckeabuffervalidity:
// each entry lies inside the buffer, its name is NUL-terminated exactly at EaNameLength, and every
// entry but the last has a non-zero, ULONG-aligned NextEntryOffset. The buffer must be a kernel
// copy (the caller validates what it will use). IRQL < DISPATCH_LEVEL.
NTSTATUS NTAPI IoCheckEaBufferValidity(PVOID EaBuffer, ULONG EaLength, PULONG ErrorOffset)
{
    const auto* base = static_cast<const UCHAR*>(EaBuffer);
    constexpr ULONG kHeader = FIELD_OFFSET(FILE_FULL_EA_INFORMATION, EaName);
    ULONG offset = 0;
    for (;;) {
        const ULONG remaining = EaLength - offset;
        bool ok = base && remaining >= kHeader;
        const auto* ea = reinterpret_cast<const FILE_FULL_EA_INFORMATION*>(base + offset);
        ULONG size = 0;
        if (ok) {
            size = kHeader + ea->EaNameLength + 1u + ea->EaValueLength;
            ok = size <= remaining && ea->EaName[ea->EaNameLength] == '\0' &&
                 std::memchr(ea->EaName, 0, ea->EaNameLength) == nullptr;
        }
        if (ok && ea->NextEntryOffset != 0)
            ok = (ea->NextEntryOffset & (sizeof(ULONG) - 1)) == 0 && ea->NextEntryOffset >= size &&
                 ea->NextEntryOffset < remaining;
        if (!ok) {
            if (ErrorOffset) *ErrorOffset = offset;
            return STATUS_EA_LIST_INCONSISTENT;
        }
        if (ea->NextEntryOffset == 0) return STATUS_SUCCESS;
        offset += ea->NextEntryOffset;
    }
}

}  // extern "C"
