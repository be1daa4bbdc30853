/* <wdm.h> piece: encoding and decoding memory and port ranges in resource descriptors, including the
 * large memory forms (CmResourceTypeMemoryLarge with CM_RESOURCE_MEMORY_LARGE_40/48/64, whose length
 * and alignment are stored shifted right by 8, 16 or 32 bits). Any IRQL. Exact WDK spellings.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlcmencodememioresource */
#ifndef NTIO_DDK_RTL_MEM_IO_RESOURCE_H
#define NTIO_DDK_RTL_MEM_IO_RESOURCE_H
#include "basetypes.h"
#include "sal.h"
#include "ntstatus.h"
#include "cm_resources.h"

NTIO_BEGIN_DECLS
/* Type is CmResourceTypeMemory, CmResourceTypeMemoryLarge or CmResourceTypePort, else
 * STATUS_INVALID_PARAMETER. STATUS_UNSUCCESSFUL when Length (or Alignment) cannot be encoded: more
 * than 32 bits for Memory and Port; for MemoryLarge, low bits that the 40/48/64-bit form drops. */
NTSYSAPI NTSTATUS NTAPI RtlCmEncodeMemIoResource(_In_ PCM_PARTIAL_RESOURCE_DESCRIPTOR Descriptor, _In_ UCHAR Type,
                                                 _In_ ULONGLONG Length, _In_ ULONGLONG Start);
/* The length in bytes; *Start (optional) gets the start. 0 for another descriptor type. */
NTSYSAPI ULONGLONG NTAPI RtlCmDecodeMemIoResource(_In_ struct _CM_PARTIAL_RESOURCE_DESCRIPTOR* Descriptor,
                                                  _Out_opt_ PULONGLONG Start);
NTSYSAPI NTSTATUS NTAPI RtlIoEncodeMemIoResource(_In_ struct _IO_RESOURCE_DESCRIPTOR* Descriptor, _In_ UCHAR Type,
                                                 _In_ ULONGLONG Length, _In_ ULONGLONG Alignment,
                                                 _In_ ULONGLONG MinimumAddress, _In_ ULONGLONG MaximumAddress);
NTSYSAPI ULONGLONG NTAPI RtlIoDecodeMemIoResource(_In_ struct _IO_RESOURCE_DESCRIPTOR* Descriptor,
                                                  _Out_opt_ PULONGLONG Alignment, _Out_opt_ PULONGLONG MinimumAddress,
                                                  _Out_opt_ PULONGLONG MaximumAddress);
/* The smallest length >= SourceLength that a descriptor can hold (32 bits, else the 40/48/64-bit
 * large forms). STATUS_UNSUCCESSFUL when none can. */
NTSYSAPI NTSTATUS NTAPI RtlFindClosestEncodableLength(_In_ ULONGLONG SourceLength, _Out_ PULONGLONG TargetLength);
NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_MEM_IO_RESOURCE_H */
