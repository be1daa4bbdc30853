// Memory and port ranges in CM_PARTIAL_RESOURCE_DESCRIPTOR and IO_RESOURCE_DESCRIPTOR, including the
// large memory forms whose length (and alignment) are stored shifted right by 8, 16 or 32 bits.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlcmencodememioresource
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlioencodememioresource
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_cm_partial_resource_descriptor
#include <wdm.h>

namespace {

constexpr ULONGLONG kMax32 = 0xFFFFFFFFULL;

// One large form: its flag and how far its stored values are shifted.
struct LargeForm {
    USHORT flag;
    unsigned shift;
};
constexpr LargeForm kLargeForms[] = {
    {CM_RESOURCE_MEMORY_LARGE_40, 8},
    {CM_RESOURCE_MEMORY_LARGE_48, 16},
    {CM_RESOURCE_MEMORY_LARGE_64, 32},
};

bool fits(ULONGLONG value, unsigned shift) noexcept {
    const ULONGLONG low = (1ULL << shift) - 1;
    return (value & low) == 0 && (value >> shift) <= kMax32;
}

// The smallest large form that holds every value exactly, or nullptr.
const LargeForm* large_form_for(ULONGLONG a, ULONGLONG b) noexcept {
    for (const LargeForm& form : kLargeForms)
        if (fits(a, form.shift) && fits(b, form.shift)) return &form;
    return nullptr;
}

// The form a CmResourceTypeMemoryLarge descriptor's flags name (exactly one), or nullptr.
const LargeForm* large_form_of(USHORT flags) noexcept {
    switch (flags & CM_RESOURCE_MEMORY_LARGE) {
    case CM_RESOURCE_MEMORY_LARGE_40: return &kLargeForms[0];
    case CM_RESOURCE_MEMORY_LARGE_48: return &kLargeForms[1];
    case CM_RESOURCE_MEMORY_LARGE_64: return &kLargeForms[2];
    default: return nullptr;
    }
}

bool mem_io_type(UCHAR type) noexcept {
    return type == CmResourceTypeMemory || type == CmResourceTypeMemoryLarge || type == CmResourceTypePort;
}

}  // namespace

extern "C" {

// Memory and Port keep a 32-bit length. MemoryLarge takes the smallest of the 40/48/64-bit forms
// that holds the length exactly (Learn: "lowest 8/16/32 bits must be zero"); the other flags the
// caller set stay, the large-form bits are replaced.
NTSYSAPI NTSTATUS NTAPI RtlCmEncodeMemIoResource(PCM_PARTIAL_RESOURCE_DESCRIPTOR Descriptor, UCHAR Type,
                                                 ULONGLONG Length, ULONGLONG Start) {
    if (!Descriptor || !mem_io_type(Type)) return STATUS_INVALID_PARAMETER;
    if (Type != CmResourceTypeMemoryLarge) {
        if (Length > kMax32) return STATUS_UNSUCCESSFUL;
        Descriptor->Type = Type;
        Descriptor->Flags &= static_cast<USHORT>(~CM_RESOURCE_MEMORY_LARGE);
        Descriptor->u.Generic.Start.QuadPart = static_cast<LONGLONG>(Start);
        Descriptor->u.Generic.Length = static_cast<ULONG>(Length);
        return STATUS_SUCCESS;
    }
    const LargeForm* form = large_form_for(Length, 0);
    if (!form) return STATUS_UNSUCCESSFUL;
    Descriptor->Type = Type;
    Descriptor->Flags = static_cast<USHORT>((Descriptor->Flags & ~CM_RESOURCE_MEMORY_LARGE) | form->flag);
    // Memory40, Memory48 and Memory64 share one layout: Start, then the shifted length.
    Descriptor->u.Memory40.Start.QuadPart = static_cast<LONGLONG>(Start);
    Descriptor->u.Memory40.Length40 = static_cast<ULONG>(Length >> form->shift);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlcmdecodememioresource
// The length; 0 for a descriptor of another type or a MemoryLarge one without exactly one form flag.
NTSYSAPI ULONGLONG NTAPI RtlCmDecodeMemIoResource(struct _CM_PARTIAL_RESOURCE_DESCRIPTOR* Descriptor,
                                                  PULONGLONG Start) {
    if (!Descriptor || !mem_io_type(Descriptor->Type)) return 0;
    ULONGLONG length = Descriptor->u.Generic.Length;
    if (Descriptor->Type == CmResourceTypeMemoryLarge) {
        const LargeForm* form = large_form_of(Descriptor->Flags);
        if (!form) return 0;
        length = static_cast<ULONGLONG>(Descriptor->u.Memory40.Length40) << form->shift;
    }
    if (Start) *Start = static_cast<ULONGLONG>(Descriptor->u.Generic.Start.QuadPart);
    return length;
}

// Length and Alignment both go through the form (Learn: STATUS_UNSUCCESSFUL when either cannot be
// encoded); the addresses are stored whole.
NTSYSAPI NTSTATUS NTAPI RtlIoEncodeMemIoResource(struct _IO_RESOURCE_DESCRIPTOR* Descriptor, UCHAR Type,
                                                 ULONGLONG Length, ULONGLONG Alignment, ULONGLONG MinimumAddress,
                                                 ULONGLONG MaximumAddress) {
    if (!Descriptor || !mem_io_type(Type)) return STATUS_INVALID_PARAMETER;
    ULONG stored_length = 0;
    ULONG stored_alignment = 0;
    USHORT flags = static_cast<USHORT>(Descriptor->Flags & ~CM_RESOURCE_MEMORY_LARGE);
    if (Type != CmResourceTypeMemoryLarge) {
        if (Length > kMax32 || Alignment > kMax32) return STATUS_UNSUCCESSFUL;
        stored_length = static_cast<ULONG>(Length);
        stored_alignment = static_cast<ULONG>(Alignment);
    } else {
        const LargeForm* form = large_form_for(Length, Alignment);
        if (!form) return STATUS_UNSUCCESSFUL;
        flags |= form->flag;
        stored_length = static_cast<ULONG>(Length >> form->shift);
        stored_alignment = static_cast<ULONG>(Alignment >> form->shift);
    }
    Descriptor->Type = Type;
    Descriptor->Flags = flags;
    // Port, Memory and Memory40/48/64 share one layout.
    Descriptor->u.Memory.Length = stored_length;
    Descriptor->u.Memory.Alignment = stored_alignment;
    Descriptor->u.Memory.MinimumAddress.QuadPart = static_cast<LONGLONG>(MinimumAddress);
    Descriptor->u.Memory.MaximumAddress.QuadPart = static_cast<LONGLONG>(MaximumAddress);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtliodecodememioresource
NTSYSAPI ULONGLONG NTAPI RtlIoDecodeMemIoResource(struct _IO_RESOURCE_DESCRIPTOR* Descriptor, PULONGLONG Alignment,
                                                  PULONGLONG MinimumAddress, PULONGLONG MaximumAddress) {
    if (!Descriptor || !mem_io_type(Descriptor->Type)) return 0;
    unsigned shift = 0;
    if (Descriptor->Type == CmResourceTypeMemoryLarge) {
        const LargeForm* form = large_form_of(Descriptor->Flags);
        if (!form) return 0;
        shift = form->shift;
    }
    if (Alignment) *Alignment = static_cast<ULONGLONG>(Descriptor->u.Memory.Alignment) << shift;
    if (MinimumAddress) *MinimumAddress = static_cast<ULONGLONG>(Descriptor->u.Memory.MinimumAddress.QuadPart);
    if (MaximumAddress) *MaximumAddress = static_cast<ULONGLONG>(Descriptor->u.Memory.MaximumAddress.QuadPart);
    return static_cast<ULONGLONG>(Descriptor->u.Memory.Length) << shift;
}

// The length unchanged when 32 bits hold it, else rounded up to the first large form that holds it:
// a multiple of 256 up to CM_RESOURCE_MEMORY_LARGE_40_MAXLEN, of 64 KiB up to _48_MAXLEN, of 4 GiB
// up to _64_MAXLEN. Learn has no page on this routine beyond its prototype in wdm.h; the rule is
// the encodable set the encode routines above accept (a guess listed in docs/nt-deviations.md).
NTSYSAPI NTSTATUS NTAPI RtlFindClosestEncodableLength(ULONGLONG SourceLength, PULONGLONG TargetLength) {
    if (!TargetLength) return STATUS_INVALID_PARAMETER;
    if (SourceLength <= kMax32) {
        *TargetLength = SourceLength;
        return STATUS_SUCCESS;
    }
    for (const LargeForm& form : kLargeForms) {
        const ULONGLONG low = (1ULL << form.shift) - 1;
        if (SourceLength > ~0ULL - low) break;  // rounding up would overflow
        const ULONGLONG rounded = (SourceLength + low) & ~low;
        if ((rounded >> form.shift) <= kMax32) {
            *TargetLength = rounded;
            return STATUS_SUCCESS;
        }
    }
    return STATUS_UNSUCCESSFUL;
}

}  // extern "C"
