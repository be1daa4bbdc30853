// ExUuidCreate: a version 4 UUID (RFC 4122 section 4.4): 122 random bits from the host's
// random source, the version nibble 4 and the variant bits 10.
#include <wdm.h>

#include "host/process.hpp"
#include "verifier/verifier.hpp"

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-exuuidcreate
// STATUS_RETRY when the host has no random bits to give (Learn: "try again").
NTKERNELAPI NTSTATUS NTAPI ExUuidCreate(UUID* Uuid) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExPassive);
    if (!Uuid) return STATUS_INVALID_PARAMETER;
    unsigned char bytes[sizeof(UUID)];
    if (!ntio::host::random_bytes(bytes, sizeof(bytes))) return STATUS_RETRY;
    __builtin_memcpy(Uuid, bytes, sizeof(bytes));
    Uuid->Data3 = static_cast<USHORT>((Uuid->Data3 & 0x0FFF) | 0x4000);
    Uuid->Data4[0] = static_cast<UCHAR>((Uuid->Data4[0] & 0x3F) | 0x80);
    return STATUS_SUCCESS;
}

}  // extern "C"
