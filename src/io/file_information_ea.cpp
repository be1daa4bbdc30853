// IoCheckEaBufferValidity and IoCheckQuotaBufferValidity: the structural checks of a
// FILE_FULL_EA_INFORMATION / FILE_QUOTA_INFORMATION chain that NtSetEaFile and
// NtSetQuotaInformationFile (and file systems, for buffers from user mode) apply before trusting one.
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

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iocheckquotabuffervalidity
// STATUS_DATATYPE_MISALIGNMENT for a buffer that is not ULONG-aligned; otherwise each entry lies in
// the buffer, its Sid is a valid SID exactly SidLength bytes long, and every entry but the last has
// a non-zero, ULONG-aligned NextEntryOffset that skips the entry and stays inside the buffer
// (STATUS_QUOTA_LIST_INCONSISTENT with *ErrorOffset the offending entry's offset). A NULL buffer or
// a length too short for one entry is an inconsistent list at offset 0. IRQL < DISPATCH_LEVEL.
NTSTATUS NTAPI IoCheckQuotaBufferValidity(PFILE_QUOTA_INFORMATION QuotaBuffer, ULONG QuotaLength,
                                          PULONG ErrorOffset)
{
    if (reinterpret_cast<ULONG_PTR>(QuotaBuffer) & (sizeof(ULONG) - 1)) return STATUS_DATATYPE_MISALIGNMENT;
    const auto* base = reinterpret_cast<const UCHAR*>(QuotaBuffer);
    constexpr ULONG kHeader = FIELD_OFFSET(FILE_QUOTA_INFORMATION, Sid);
    constexpr ULONG kSidHeader = FIELD_OFFSET(SID, SubAuthority);
    ULONG offset = 0;
    for (;;) {
        const ULONG remaining = QuotaLength - offset;
        bool ok = base && remaining >= kHeader;
        const auto* entry = reinterpret_cast<const FILE_QUOTA_INFORMATION*>(base + offset);
        ULONGLONG size = 0;
        if (ok) {
            size = ULONGLONG{kHeader} + entry->SidLength;
            const auto* sid = reinterpret_cast<const SID*>(&entry->Sid);
            ok = size <= remaining && entry->SidLength >= kSidHeader &&
                 entry->SidLength == kSidHeader + sid->SubAuthorityCount * sizeof(ULONG) &&
                 RtlValidSid(const_cast<SID*>(sid));
        }
        if (ok && entry->NextEntryOffset != 0)
            ok = (entry->NextEntryOffset & (sizeof(ULONG) - 1)) == 0 && entry->NextEntryOffset >= size &&
                 entry->NextEntryOffset < remaining;
        if (!ok) {
            if (ErrorOffset) *ErrorOffset = offset;
            return STATUS_QUOTA_LIST_INCONSISTENT;
        }
        if (entry->NextEntryOffset == 0) return STATUS_SUCCESS;
        offset += entry->NextEntryOffset;
    }
}

}  // extern "C"
