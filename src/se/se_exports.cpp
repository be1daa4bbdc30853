// SeExports: the table of well-known privilege LUIDs and SIDs drivers read instead of building them.
// Filled once at load from the same SIDs the tokens and SDDL use; never written afterwards.
#include "se/sid.hpp"

namespace {

using ntio::se::SidBuffer;

PSID sid(const SID* value) noexcept
{
    return const_cast<SID*>(value);
}

PSID make(std::uint64_t authority, std::initializer_list<ULONG> rids)
{
    // Lives as long as the library: SeExports hands out raw pointers to it.
    static std::vector<std::unique_ptr<SidBuffer>> storage;
    storage.push_back(std::make_unique<SidBuffer>(authority, rids));
    return storage.back()->get();
}

SE_EXPORTS build()
{
    namespace wk = ntio::se::well_known;
    SE_EXPORTS e{};
    auto luid = [](LONG value) { return RtlConvertLongToLuid(value); };
    e.SeCreateTokenPrivilege = luid(SE_CREATE_TOKEN_PRIVILEGE);
    e.SeAssignPrimaryTokenPrivilege = luid(SE_ASSIGNPRIMARYTOKEN_PRIVILEGE);
    e.SeLockMemoryPrivilege = luid(SE_LOCK_MEMORY_PRIVILEGE);
    e.SeIncreaseQuotaPrivilege = luid(SE_INCREASE_QUOTA_PRIVILEGE);
    e.SeUnsolicitedInputPrivilege = luid(SE_UNSOLICITED_INPUT_PRIVILEGE);
    e.SeTcbPrivilege = luid(SE_TCB_PRIVILEGE);
    e.SeSecurityPrivilege = luid(SE_SECURITY_PRIVILEGE);
    e.SeTakeOwnershipPrivilege = luid(SE_TAKE_OWNERSHIP_PRIVILEGE);
    e.SeLoadDriverPrivilege = luid(SE_LOAD_DRIVER_PRIVILEGE);
    e.SeCreatePagefilePrivilege = luid(SE_CREATE_PAGEFILE_PRIVILEGE);
    e.SeIncreaseBasePriorityPrivilege = luid(SE_INC_BASE_PRIORITY_PRIVILEGE);
    e.SeSystemProfilePrivilege = luid(SE_SYSTEM_PROFILE_PRIVILEGE);
    e.SeSystemtimePrivilege = luid(SE_SYSTEMTIME_PRIVILEGE);
    e.SeProfileSingleProcessPrivilege = luid(SE_PROF_SINGLE_PROCESS_PRIVILEGE);
    e.SeCreatePermanentPrivilege = luid(SE_CREATE_PERMANENT_PRIVILEGE);
    e.SeBackupPrivilege = luid(SE_BACKUP_PRIVILEGE);
    e.SeRestorePrivilege = luid(SE_RESTORE_PRIVILEGE);
    e.SeShutdownPrivilege = luid(SE_SHUTDOWN_PRIVILEGE);
    e.SeDebugPrivilege = luid(SE_DEBUG_PRIVILEGE);
    e.SeAuditPrivilege = luid(SE_AUDIT_PRIVILEGE);
    e.SeSystemEnvironmentPrivilege = luid(SE_SYSTEM_ENVIRONMENT_PRIVILEGE);
    e.SeChangeNotifyPrivilege = luid(SE_CHANGE_NOTIFY_PRIVILEGE);
    e.SeRemoteShutdownPrivilege = luid(SE_REMOTE_SHUTDOWN_PRIVILEGE);
    e.SeNullSid = sid(wk::null_sid());
    e.SeWorldSid = sid(wk::world());
    e.SeLocalSid = make(2, {SECURITY_LOCAL_RID});
    e.SeCreatorOwnerSid = sid(wk::creator_owner());
    e.SeCreatorGroupSid = sid(wk::creator_group());
    e.SeNtAuthoritySid = make(5, {});
    e.SeDialupSid = make(5, {SECURITY_DIALUP_RID});
    e.SeNetworkSid = make(5, {SECURITY_NETWORK_RID});
    e.SeBatchSid = make(5, {SECURITY_BATCH_RID});
    e.SeInteractiveSid = sid(wk::interactive());
    e.SeLocalSystemSid = sid(wk::local_system());
    e.SeAliasAdminsSid = sid(wk::administrators());
    e.SeAliasUsersSid = sid(wk::users());
    e.SeAliasGuestsSid = sid(wk::guests());
    e.SeAliasPowerUsersSid = sid(wk::power_users());
    e.SeAliasAccountOpsSid = make(5, {SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ACCOUNT_OPS});
    e.SeAliasSystemOpsSid = make(5, {SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_SYSTEM_OPS});
    e.SeAliasPrintOpsSid = make(5, {SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_PRINT_OPS});
    e.SeAliasBackupOpsSid = make(5, {SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_BACKUP_OPS});
    e.SeAuthenticatedUsersSid = sid(wk::authenticated_users());
    e.SeRestrictedSid = sid(wk::restricted_code());
    e.SeAnonymousLogonSid = sid(wk::anonymous());
    e.SeUndockPrivilege = luid(SE_UNDOCK_PRIVILEGE);
    e.SeSyncAgentPrivilege = luid(SE_SYNC_AGENT_PRIVILEGE);
    e.SeEnableDelegationPrivilege = luid(SE_ENABLE_DELEGATION_PRIVILEGE);
    e.SeLocalServiceSid = sid(wk::local_service());
    e.SeNetworkServiceSid = sid(wk::network_service());
    e.SeManageVolumePrivilege = luid(SE_MANAGE_VOLUME_PRIVILEGE);
    e.SeImpersonatePrivilege = luid(SE_IMPERSONATE_PRIVILEGE);
    e.SeCreateGlobalPrivilege = luid(SE_CREATE_GLOBAL_PRIVILEGE);
    e.SeTrustedCredManAccessPrivilege = luid(SE_TRUSTED_CREDMAN_ACCESS_PRIVILEGE);
    e.SeRelabelPrivilege = luid(SE_RELABEL_PRIVILEGE);
    e.SeIncreaseWorkingSetPrivilege = luid(SE_INC_WORKING_SET_PRIVILEGE);
    e.SeTimeZonePrivilege = luid(SE_TIME_ZONE_PRIVILEGE);
    e.SeCreateSymbolicLinkPrivilege = luid(SE_CREATE_SYMBOLIC_LINK_PRIVILEGE);
    e.SeIUserSid = make(5, {17});
    e.SeUntrustedMandatorySid = make(16, {SECURITY_MANDATORY_UNTRUSTED_RID});
    e.SeLowMandatorySid = make(16, {SECURITY_MANDATORY_LOW_RID});
    e.SeMediumMandatorySid = make(16, {SECURITY_MANDATORY_MEDIUM_RID});
    e.SeHighMandatorySid = make(16, {SECURITY_MANDATORY_HIGH_RID});
    e.SeSystemMandatorySid = make(16, {SECURITY_MANDATORY_SYSTEM_RID});
    e.SeOwnerRightsSid = make(3, {SECURITY_CREATOR_OWNER_RIGHTS_RID});
    return e;
}

SE_EXPORTS g_exports = build();

}  // namespace

extern "C" {
NTIO_API PSE_EXPORTS SeExports = &g_exports;
}
