// The Rtl security descriptor routines of the DDK over both layouts: create, validate, length, the
// owner/group/DACL/SACL accessors and the conversions between absolute and self-relative form.
#include "se/sd_layout.hpp"
#include "se/security_descriptor.hpp"

namespace {

using ntio::se::SdParts;

PISECURITY_DESCRIPTOR absolute(PSECURITY_DESCRIPTOR sd) noexcept
{
    return static_cast<PISECURITY_DESCRIPTOR>(sd);
}

// Setters need an absolute descriptor of revision 1.
NTSTATUS check_settable(PSECURITY_DESCRIPTOR sd) noexcept
{
    if (sd == nullptr) {
        return STATUS_INVALID_SECURITY_DESCR;
    }
    if (absolute(sd)->Revision != SECURITY_DESCRIPTOR_REVISION) {
        return STATUS_UNKNOWN_REVISION;
    }
    if ((absolute(sd)->Control & SE_SELF_RELATIVE) != 0) {
        return STATUS_INVALID_SECURITY_DESCR;
    }
    return STATUS_SUCCESS;
}

NTSTATUS check_readable(PSECURITY_DESCRIPTOR sd) noexcept
{
    if (sd == nullptr) {
        return STATUS_INVALID_SECURITY_DESCR;
    }
    if (absolute(sd)->Revision != SECURITY_DESCRIPTOR_REVISION) {
        return STATUS_UNKNOWN_REVISION;
    }
    return STATUS_SUCCESS;
}

void set_flag(PSECURITY_DESCRIPTOR sd, SECURITY_DESCRIPTOR_CONTROL flag, bool on) noexcept
{
    auto& control = absolute(sd)->Control;
    control = static_cast<SECURITY_DESCRIPTOR_CONTROL>(on ? (control | flag) : (control & ~flag));
}

// Raw parts of either layout, including a present-but-NULL ACL as nullptr.
SdParts raw_parts(PSECURITY_DESCRIPTOR sd) noexcept
{
    return ntio::se::sd_parts(sd);
}

NTSTATUS make_relative(PSECURITY_DESCRIPTOR in, PSECURITY_DESCRIPTOR out, PULONG length) noexcept
{
    if (length == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    const SdParts parts = raw_parts(in);
    const ULONG needed = ntio::se::sd_relative_length(parts);
    if (out == nullptr || *length < needed) {
        *length = needed;
        return STATUS_BUFFER_TOO_SMALL;
    }
    ntio::se::sd_write_relative(parts, out);
    return STATUS_SUCCESS;
}

}  // namespace

extern "C" {

NTSYSAPI NTSTATUS NTAPI RtlCreateSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, ULONG Revision)
{
    if (Revision != SECURITY_DESCRIPTOR_REVISION) {
        return STATUS_UNKNOWN_REVISION;
    }
    if (SecurityDescriptor == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    std::memset(SecurityDescriptor, 0, sizeof(SECURITY_DESCRIPTOR));
    absolute(SecurityDescriptor)->Revision = SECURITY_DESCRIPTOR_REVISION;
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlCreateSecurityDescriptorRelative(PISECURITY_DESCRIPTOR_RELATIVE SecurityDescriptor,
                                                            ULONG Revision)
{
    if (Revision != SECURITY_DESCRIPTOR_REVISION) {
        return STATUS_UNKNOWN_REVISION;
    }
    if (SecurityDescriptor == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    std::memset(SecurityDescriptor, 0, sizeof(SECURITY_DESCRIPTOR_RELATIVE));
    SecurityDescriptor->Revision = SECURITY_DESCRIPTOR_REVISION;
    SecurityDescriptor->Control = SE_SELF_RELATIVE;
    return STATUS_SUCCESS;
}

NTSYSAPI BOOLEAN NTAPI RtlValidSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    return NT_SUCCESS(ntio::se::sd_validate(SecurityDescriptor, SIZE_MAX, nullptr)) ? TRUE : FALSE;
}

NTSYSAPI BOOLEAN NTAPI RtlValidRelativeSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptorInput,
                                                          ULONG SecurityDescriptorLength,
                                                          SECURITY_INFORMATION RequiredInformation)
{
    if (SecurityDescriptorInput == nullptr || SecurityDescriptorLength < sizeof(SECURITY_DESCRIPTOR_RELATIVE) ||
        (absolute(SecurityDescriptorInput)->Control & SE_SELF_RELATIVE) == 0) {
        return FALSE;
    }
    SdParts parts;
    if (!NT_SUCCESS(ntio::se::sd_validate(SecurityDescriptorInput, SecurityDescriptorLength, &parts))) {
        return FALSE;
    }
    if (((RequiredInformation & OWNER_SECURITY_INFORMATION) && parts.owner == nullptr) ||
        ((RequiredInformation & GROUP_SECURITY_INFORMATION) && parts.group == nullptr) ||
        ((RequiredInformation & DACL_SECURITY_INFORMATION) && (parts.control & SE_DACL_PRESENT) == 0) ||
        ((RequiredInformation & SACL_SECURITY_INFORMATION) && (parts.control & SE_SACL_PRESENT) == 0)) {
        return FALSE;
    }
    return TRUE;
}

NTSYSAPI ULONG NTAPI RtlLengthSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    return ntio::se::sd_relative_length(raw_parts(SecurityDescriptor));
}

NTSYSAPI NTSTATUS NTAPI RtlGetControlSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                        PSECURITY_DESCRIPTOR_CONTROL Control, PULONG Revision)
{
    if (SecurityDescriptor == nullptr || Control == nullptr || Revision == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    *Revision = absolute(SecurityDescriptor)->Revision;
    if (*Revision != SECURITY_DESCRIPTOR_REVISION) {
        return STATUS_UNKNOWN_REVISION;
    }
    *Control = absolute(SecurityDescriptor)->Control;
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlSetDaclSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, BOOLEAN DaclPresent,
                                                     PACL Dacl, BOOLEAN DaclDefaulted)
{
    NTSTATUS status = check_settable(SecurityDescriptor);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (!DaclPresent) {
        set_flag(SecurityDescriptor, SE_DACL_PRESENT, false);
        return STATUS_SUCCESS;
    }
    set_flag(SecurityDescriptor, SE_DACL_PRESENT, true);
    set_flag(SecurityDescriptor, SE_DACL_DEFAULTED, DaclDefaulted != FALSE);
    absolute(SecurityDescriptor)->Dacl = Dacl;
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlGetDaclSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, PBOOLEAN DaclPresent,
                                                     PACL* Dacl, PBOOLEAN DaclDefaulted)
{
    NTSTATUS status = check_readable(SecurityDescriptor);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    const SdParts parts = raw_parts(SecurityDescriptor);
    *DaclPresent = (parts.control & SE_DACL_PRESENT) ? TRUE : FALSE;
    // As on Windows, Dacl and DaclDefaulted are only written when a DACL is present.
    if (*DaclPresent) {
        *Dacl = const_cast<PACL>(parts.dacl);
        *DaclDefaulted = (parts.control & SE_DACL_DEFAULTED) ? TRUE : FALSE;
    }
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlSetSaclSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, BOOLEAN SaclPresent,
                                                     PACL Sacl, BOOLEAN SaclDefaulted)
{
    NTSTATUS status = check_settable(SecurityDescriptor);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (!SaclPresent) {
        set_flag(SecurityDescriptor, SE_SACL_PRESENT, false);
        return STATUS_SUCCESS;
    }
    set_flag(SecurityDescriptor, SE_SACL_PRESENT, true);
    set_flag(SecurityDescriptor, SE_SACL_DEFAULTED, SaclDefaulted != FALSE);
    absolute(SecurityDescriptor)->Sacl = Sacl;
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlGetSaclSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, PBOOLEAN SaclPresent,
                                                     PACL* Sacl, PBOOLEAN SaclDefaulted)
{
    NTSTATUS status = check_readable(SecurityDescriptor);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    const SdParts parts = raw_parts(SecurityDescriptor);
    *SaclPresent = (parts.control & SE_SACL_PRESENT) ? TRUE : FALSE;
    if (*SaclPresent) {
        *Sacl = const_cast<PACL>(parts.sacl);
        *SaclDefaulted = (parts.control & SE_SACL_DEFAULTED) ? TRUE : FALSE;
    }
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlSetOwnerSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, PSID Owner,
                                                      BOOLEAN OwnerDefaulted)
{
    NTSTATUS status = check_settable(SecurityDescriptor);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    absolute(SecurityDescriptor)->Owner = Owner;
    set_flag(SecurityDescriptor, SE_OWNER_DEFAULTED, OwnerDefaulted != FALSE);
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlGetOwnerSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, PSID* Owner,
                                                      PBOOLEAN OwnerDefaulted)
{
    NTSTATUS status = check_readable(SecurityDescriptor);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    const SdParts parts = raw_parts(SecurityDescriptor);
    *Owner = const_cast<SID*>(parts.owner);
    *OwnerDefaulted = (parts.control & SE_OWNER_DEFAULTED) ? TRUE : FALSE;
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlSetGroupSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, PSID Group,
                                                      BOOLEAN GroupDefaulted)
{
    NTSTATUS status = check_settable(SecurityDescriptor);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    absolute(SecurityDescriptor)->Group = Group;
    set_flag(SecurityDescriptor, SE_GROUP_DEFAULTED, GroupDefaulted != FALSE);
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlGetGroupSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, PSID* Group,
                                                      PBOOLEAN GroupDefaulted)
{
    NTSTATUS status = check_readable(SecurityDescriptor);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    const SdParts parts = raw_parts(SecurityDescriptor);
    *Group = const_cast<SID*>(parts.group);
    *GroupDefaulted = (parts.control & SE_GROUP_DEFAULTED) ? TRUE : FALSE;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlabsolutetoselfrelativesd
NTSYSAPI NTSTATUS NTAPI RtlAbsoluteToSelfRelativeSD(PSECURITY_DESCRIPTOR AbsoluteSecurityDescriptor,
                                                    PSECURITY_DESCRIPTOR SelfRelativeSecurityDescriptor,
                                                    PULONG BufferLength)
{
    NTSTATUS status = check_readable(AbsoluteSecurityDescriptor);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if ((absolute(AbsoluteSecurityDescriptor)->Control & SE_SELF_RELATIVE) != 0) {
        return STATUS_BAD_DESCRIPTOR_FORMAT;
    }
    return make_relative(AbsoluteSecurityDescriptor, SelfRelativeSecurityDescriptor, BufferLength);
}

NTSYSAPI NTSTATUS NTAPI RtlMakeSelfRelativeSD(PSECURITY_DESCRIPTOR AbsoluteSecurityDescriptor,
                                              PSECURITY_DESCRIPTOR SelfRelativeSecurityDescriptor, PULONG BufferLength)
{
    NTSTATUS status = check_readable(AbsoluteSecurityDescriptor);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    return make_relative(AbsoluteSecurityDescriptor, SelfRelativeSecurityDescriptor, BufferLength);
}

NTSYSAPI NTSTATUS NTAPI RtlSelfRelativeToAbsoluteSD(PSECURITY_DESCRIPTOR SelfRelativeSecurityDescriptor,
                                                    PSECURITY_DESCRIPTOR AbsoluteSecurityDescriptor,
                                                    PULONG AbsoluteSecurityDescriptorSize, PACL Dacl, PULONG DaclSize,
                                                    PACL Sacl, PULONG SaclSize, PSID Owner, PULONG OwnerSize,
                                                    PSID PrimaryGroup, PULONG PrimaryGroupSize)
{
    NTSTATUS status = check_readable(SelfRelativeSecurityDescriptor);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (AbsoluteSecurityDescriptorSize == nullptr || DaclSize == nullptr || SaclSize == nullptr ||
        OwnerSize == nullptr || PrimaryGroupSize == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    if ((absolute(SelfRelativeSecurityDescriptor)->Control & SE_SELF_RELATIVE) == 0) {
        return STATUS_BAD_DESCRIPTOR_FORMAT;
    }
    const SdParts parts = raw_parts(SelfRelativeSecurityDescriptor);
    const ULONG need_sd = sizeof(SECURITY_DESCRIPTOR);
    const ULONG need_dacl = parts.dacl ? parts.dacl->AclSize : 0;
    const ULONG need_sacl = parts.sacl ? parts.sacl->AclSize : 0;
    const ULONG need_owner = parts.owner ? RtlLengthSid(const_cast<SID*>(parts.owner)) : 0;
    const ULONG need_group = parts.group ? RtlLengthSid(const_cast<SID*>(parts.group)) : 0;
    const bool too_small = *AbsoluteSecurityDescriptorSize < need_sd || *DaclSize < need_dacl ||
                           *SaclSize < need_sacl || *OwnerSize < need_owner || *PrimaryGroupSize < need_group ||
                           AbsoluteSecurityDescriptor == nullptr || (need_dacl && Dacl == nullptr) ||
                           (need_sacl && Sacl == nullptr) || (need_owner && Owner == nullptr) ||
                           (need_group && PrimaryGroup == nullptr);
    if (too_small) {
        *AbsoluteSecurityDescriptorSize = need_sd;
        *DaclSize = need_dacl;
        *SaclSize = need_sacl;
        *OwnerSize = need_owner;
        *PrimaryGroupSize = need_group;
        return STATUS_BUFFER_TOO_SMALL;
    }
    PISECURITY_DESCRIPTOR out = absolute(AbsoluteSecurityDescriptor);
    std::memset(out, 0, sizeof(SECURITY_DESCRIPTOR));
    out->Revision = parts.revision;
    out->Control = static_cast<SECURITY_DESCRIPTOR_CONTROL>(parts.control & ~SE_SELF_RELATIVE);
    if (parts.dacl) {
        std::memcpy(Dacl, parts.dacl, need_dacl);
        out->Dacl = Dacl;
    }
    if (parts.sacl) {
        std::memcpy(Sacl, parts.sacl, need_sacl);
        out->Sacl = Sacl;
    }
    if (parts.owner) {
        std::memcpy(Owner, parts.owner, need_owner);
        out->Owner = Owner;
    }
    if (parts.group) {
        std::memcpy(PrimaryGroup, parts.group, need_group);
        out->Group = PrimaryGroup;
    }
    return STATUS_SUCCESS;
}

NTKERNELAPI BOOLEAN NTAPI SeValidSecurityDescriptor(ULONG Length, PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    if (SecurityDescriptor == nullptr || Length < sizeof(SECURITY_DESCRIPTOR_RELATIVE) ||
        (absolute(SecurityDescriptor)->Control & SE_SELF_RELATIVE) == 0) {
        return FALSE;
    }
    return NT_SUCCESS(ntio::se::sd_validate(SecurityDescriptor, Length, nullptr)) ? TRUE : FALSE;
}

}  // extern "C"
