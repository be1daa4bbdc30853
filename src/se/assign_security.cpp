// New-object security: the inheritance of a parent's ACEs (OBJECT_INHERIT / CONTAINER_INHERIT /
// NO_PROPAGATE / INHERIT_ONLY, CREATOR OWNER and CREATOR GROUP), the explicit descriptor's parts and
// the token's defaults, combined as CreatePrivateObjectSecurityEx documents it.
#include "se/assign_security.hpp"

#include "se/acl_builder.hpp"
#include "se/sd_layout.hpp"

#include <cstring>

namespace ntio::se {
namespace {

constexpr UCHAR kAuditFlags = SUCCESSFUL_ACCESS_ACE_FLAG | FAILED_ACCESS_ACE_FLAG;

bool has_mask_and_sid(UCHAR type) noexcept
{
    return type <= SYSTEM_ALARM_ACE_TYPE || type == SYSTEM_MANDATORY_LABEL_ACE_TYPE;
}

template <class Visit>
void for_each_raw_ace(const ACL* acl, Visit&& visit)
{
    auto* at = reinterpret_cast<const unsigned char*>(acl) + sizeof(ACL);
    for (USHORT i = 0; i < acl->AceCount; ++i) {
        auto* header = reinterpret_cast<const ACE_HEADER*>(at);
        visit(header);
        at += header->AceSize;
    }
}

ACCESS_MASK ace_mask(const ACE_HEADER* ace) noexcept
{
    ACCESS_MASK mask;
    std::memcpy(&mask, reinterpret_cast<const unsigned char*>(ace) + sizeof(ACE_HEADER), sizeof(mask));
    return mask;
}

const SID* ace_sid(const ACE_HEADER* ace) noexcept
{
    return reinterpret_cast<const SID*>(reinterpret_cast<const unsigned char*>(ace) +
                                        FIELD_OFFSET(ACCESS_ALLOWED_ACE, SidStart));
}

struct Inheritance {
    bool container;
    const SID* owner;
    const SID* group;
    GENERIC_MAPPING mapping;
};

// Appends the ACEs a child inherits from one parent ACL; returns how many it got.
std::size_t inherit(const ACL* parent, const Inheritance& how, AclBuilder& out)
{
    const std::size_t before = out.ace_count();
    for_each_raw_ace(parent, [&](const ACE_HEADER* ace) {
        const UCHAR flags = ace->AceFlags;
        bool applies;       // the ACE takes effect on the child
        UCHAR propagate;    // inheritance flags the child passes on (0: none)
        if (!how.container) {
            if (!(flags & OBJECT_INHERIT_ACE)) return;
            applies = true;
            propagate = 0;
        } else if (flags & CONTAINER_INHERIT_ACE) {
            applies = true;
            propagate = (flags & NO_PROPAGATE_INHERIT_ACE) ? 0 : UCHAR(flags & (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE));
        } else if (flags & OBJECT_INHERIT_ACE) {
            // A container only passes an object-only ACE on to its objects, unless it stops here.
            if (flags & NO_PROPAGATE_INHERIT_ACE) return;
            applies = false;
            propagate = OBJECT_INHERIT_ACE;
        } else {
            return;
        }
        const UCHAR base = static_cast<UCHAR>((flags & kAuditFlags) | INHERITED_ACE);
        if (!has_mask_and_sid(ace->AceType)) {
            // Object and callback ACEs are inherited as they are (no type filtering, no mapping).
            out.raise_revision(ACL_REVISION_DS);
            out.add_copy(ace, static_cast<UCHAR>(base | propagate | (applies ? 0 : INHERIT_ONLY_ACE)));
            return;
        }
        const SID* sid = ace_sid(ace);
        const ACCESS_MASK mask = ace_mask(ace);
        const SID* creator = sid_equal(sid, well_known::creator_owner())   ? how.owner
                             : sid_equal(sid, well_known::creator_group()) ? how.group
                                                                           : nullptr;
        ACCESS_MASK mapped = mask;
        RtlMapGenericMask(&mapped, &how.mapping);
        if (applies && propagate && !creator && mapped == mask) {
            // One ACE serves both the child and its own children.
            out.add(ace->AceType, static_cast<UCHAR>(base | propagate), mask, sid);
            return;
        }
        if (applies) {
            // The effective ACE: generic rights mapped, CREATOR OWNER/GROUP replaced by the new ones.
            out.add(ace->AceType, base, mapped, creator ? creator : sid);
        }
        if (propagate) {
            // And an inherit-only copy that keeps the original for the next generation.
            out.add(ace->AceType, static_cast<UCHAR>(base | propagate | INHERIT_ONLY_ACE), mask, sid);
        }
    });
    return out.ace_count() - before;
}

// The explicit ACEs, without the ones marked inherited when automatic inheritance recomputes them.
void copy_explicit(const ACL* acl, bool drop_inherited, AclBuilder& out)
{
    out.raise_revision(acl->AclRevision);
    for_each_raw_ace(acl, [&](const ACE_HEADER* ace) {
        if (drop_inherited && (ace->AceFlags & INHERITED_ACE)) return;
        out.add_copy(ace, ace->AceFlags);
    });
}

// One ACL of the new descriptor (DACL or SACL) and its control bits.
struct AclChoice {
    bool present = false;
    std::vector<unsigned char> bytes;  // empty with present = NULL ACL
    SECURITY_DESCRIPTOR_CONTROL control = 0;
};

struct AclInputs {
    const ACL* parent;       // the parent's ACL (null: none or NULL ACL)
    bool explicit_present;   // the creator's descriptor carries this ACL
    const ACL* explicit_acl; // null with explicit_present = NULL ACL
    bool explicit_default;   // defaulted, or the whole descriptor is the type's default
    bool explicit_protected;
    bool auto_inherit;       // SEF_DACL_AUTO_INHERIT / SEF_SACL_AUTO_INHERIT
    SECURITY_DESCRIPTOR_CONTROL auto_inherited_bit;
    SECURITY_DESCRIPTOR_CONTROL protected_bit;
};

AclChoice choose_acl(const AclInputs& in, const Inheritance& how)
{
    AclChoice choice;
    AclBuilder inherited(ACL_REVISION);
    const std::size_t inherited_count = in.parent ? inherit(in.parent, how, inherited) : 0;
    if (in.auto_inherit) choice.control |= in.auto_inherited_bit;
    if (in.explicit_present && !in.explicit_default) {
        // The creator's own ACL wins; automatic inheritance appends the parent's ACEs after it.
        choice.present = true;
        if (in.explicit_protected) choice.control |= in.protected_bit;
        if (!in.explicit_acl) return choice;  // a NULL ACL stays NULL
        AclBuilder merged(ACL_REVISION);
        copy_explicit(in.explicit_acl, in.auto_inherit, merged);
        if (in.auto_inherit && !in.explicit_protected && in.parent) inherit(in.parent, how, merged);
        choice.bytes = merged.finish();
        return choice;
    }
    if (inherited_count != 0) {
        choice.present = true;
        choice.bytes = inherited.finish();
        return choice;
    }
    if (in.explicit_present) {
        choice.present = true;
        if (in.explicit_acl) {
            AclBuilder copy(ACL_REVISION);
            copy_explicit(in.explicit_acl, false, copy);
            choice.bytes = copy.finish();
        }
    }
    return choice;
}

const ACL* acl_of(const AclChoice& choice) noexcept
{
    return choice.bytes.empty() ? nullptr : reinterpret_cast<const ACL*>(choice.bytes.data());
}

}  // namespace

bool owner_assignable(const Token& token, const SID* owner) noexcept
{
    if (sid_equal(owner, token.user()) || token.privilege_enabled(SE_RESTORE_PRIVILEGE)) return true;
    for (const Token::Group& group : token.groups()) {
        if ((group.attributes & SE_GROUP_OWNER) && (group.attributes & SE_GROUP_ENABLED) &&
            sid_equal(owner, group.sid.get()))
            return true;
    }
    return false;
}

NTSTATUS assign_security(const AssignRequest& request, SecurityDescriptor& out)
{
    SdParts parent;
    SdParts creator;
    if (request.parent) {
        NTSTATUS status = sd_validate(request.parent, SIZE_MAX, &parent);
        if (!NT_SUCCESS(status)) return status;
    }
    if (request.explicit_sd) {
        NTSTATUS status = sd_validate(request.explicit_sd, SIZE_MAX, &creator);
        if (!NT_SUCCESS(status)) return status;
    }
    const Token& token = *request.creator;
    const ULONG flags = request.flags;
    const bool type_default = (flags & SEF_DEFAULT_DESCRIPTOR_FOR_OBJECT) != 0;

    const SID* owner = creator.owner;
    if (owner) {
        if (!(flags & SEF_AVOID_OWNER_CHECK) && !owner_assignable(token, owner)) return STATUS_INVALID_OWNER;
    } else {
        owner = (flags & SEF_DEFAULT_OWNER_FROM_PARENT) && parent.owner ? parent.owner : token.owner();
    }
    const SID* group = creator.group;
    if (!group) group = (flags & SEF_DEFAULT_GROUP_FROM_PARENT) && parent.group ? parent.group : token.primary_group();

    const Inheritance how{request.container, owner, group, request.mapping};
    AclChoice dacl = choose_acl({parent.dacl, (creator.control & SE_DACL_PRESENT) != 0, creator.dacl,
                                 type_default || (creator.control & SE_DACL_DEFAULTED) != 0,
                                 (creator.control & SE_DACL_PROTECTED) != 0, (flags & SEF_DACL_AUTO_INHERIT) != 0,
                                 SE_DACL_AUTO_INHERITED, SE_DACL_PROTECTED},
                                how);
    if (!dacl.present && !token.default_dacl().empty()) {
        // Nothing given, nothing inherited: the creator's default DACL.
        dacl.present = true;
        dacl.bytes = token.default_dacl();
    }
    const bool explicit_sacl = (creator.control & SE_SACL_PRESENT) != 0 && !type_default &&
                               !(creator.control & SE_SACL_DEFAULTED);
    if (explicit_sacl && !(flags & SEF_AVOID_PRIVILEGE_CHECK) && !token.privilege_enabled(SE_SECURITY_PRIVILEGE))
        return STATUS_PRIVILEGE_NOT_HELD;
    AclChoice sacl = choose_acl({parent.sacl, (creator.control & SE_SACL_PRESENT) != 0, creator.sacl,
                                 type_default || (creator.control & SE_SACL_DEFAULTED) != 0,
                                 (creator.control & SE_SACL_PROTECTED) != 0, (flags & SEF_SACL_AUTO_INHERIT) != 0,
                                 SE_SACL_AUTO_INHERITED, SE_SACL_PROTECTED},
                                how);
    out = SecurityDescriptor::from_parts(owner, group, dacl.present, acl_of(dacl), sacl.present, acl_of(sacl),
                                         static_cast<SECURITY_DESCRIPTOR_CONTROL>(dacl.control | sacl.control));
    return STATUS_SUCCESS;
}

}  // namespace ntio::se
