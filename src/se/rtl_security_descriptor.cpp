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

// The DACL or the SACL of an absolute descriptor (`dacl` says which), set or marked absent.
NTSTATUS set_acl(PSECURITY_DESCRIPTOR sd, bool dacl, BOOLEAN present, PACL acl, BOOLEAN defaulted) noexcept
{
    NTSTATUS status = check_settable(sd);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    const SECURITY_DESCRIPTOR_CONTROL present_flag = dacl ? SE_DACL_PRESENT : SE_SACL_PRESENT;
    if (!present) {
        set_flag(sd, present_flag, false);
        return STATUS_SUCCESS;
    }
    set_flag(sd, present_flag, true);
    set_flag(sd, dacl ? SE_DACL_DEFAULTED : SE_SACL_DEFAULTED, defaulted != FALSE);
    (dacl ? absolute(sd)->Dacl : absolute(sd)->Sacl) = acl;
    return STATUS_SUCCESS;
}

// The DACL or the SACL of either layout. As on Windows, the ACL and its defaulted flag are written
// only when the ACL is present.
NTSTATUS get_acl(PSECURITY_DESCRIPTOR sd, bool dacl, PBOOLEAN present, PACL* acl, PBOOLEAN defaulted) noexcept
{
    NTSTATUS status = check_readable(sd);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    const SdParts parts = raw_parts(sd);
    *present = (parts.control & (dacl ? SE_DACL_PRESENT : SE_SACL_PRESENT)) ? TRUE : FALSE;
    if (*present) {
        *acl = const_cast<PACL>(dacl ? parts.dacl : parts.sacl);
        *defaulted = (parts.control & (dacl ? SE_DACL_DEFAULTED : SE_SACL_DEFAULTED)) ? TRUE : FALSE;
    }
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
    return set_acl(SecurityDescriptor, true, DaclPresent, Dacl, DaclDefaulted);
}

NTSYSAPI NTSTATUS NTAPI RtlGetDaclSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, PBOOLEAN DaclPresent,
                                                     PACL* Dacl, PBOOLEAN DaclDefaulted)
{
    return get_acl(SecurityDescriptor, true, DaclPresent, Dacl, DaclDefaulted);
}

NTSYSAPI NTSTATUS NTAPI RtlSetSaclSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, BOOLEAN SaclPresent,
                                                     PACL Sacl, BOOLEAN SaclDefaulted)
{
    return set_acl(SecurityDescriptor, false, SaclPresent, Sacl, SaclDefaulted);
}

NTSYSAPI NTSTATUS NTAPI RtlGetSaclSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, PBOOLEAN SaclPresent,
                                                     PACL* Sacl, PBOOLEAN SaclDefaulted)
{
    return get_acl(SecurityDescriptor, false, SaclPresent, Sacl, SaclDefaulted);
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
