/* Access tokens (ntifs.h): the information classes, SeQueryInformationToken and the token queries,
 * token handles, object security services, security descriptor capture and thread impersonation. */
#ifndef NTIO_DDK_SE_TOKEN_H
#define NTIO_DDK_SE_TOKEN_H

#include "basetypes.h"
#include "sal.h"
#include "se.h"
#include "ex.h"
#include "ob.h"

typedef enum _TOKEN_INFORMATION_CLASS {
    TokenUser = 1,
    TokenGroups,
    TokenPrivileges,
    TokenOwner,
    TokenPrimaryGroup,
    TokenDefaultDacl,
    TokenSource,
    TokenType,
    TokenImpersonationLevel,
    TokenStatistics,
    TokenRestrictedSids,
    TokenSessionId,
    TokenGroupsAndPrivileges,
    TokenSessionReference,
    TokenSandBoxInert,
    TokenAuditPolicy,
    TokenOrigin,
    TokenElevationType,
    TokenLinkedToken,
    TokenElevation,
    TokenHasRestrictions,
    TokenAccessInformation,
    TokenVirtualizationAllowed,
    TokenVirtualizationEnabled,
    TokenIntegrityLevel,
    TokenUIAccess,
    TokenMandatoryPolicy,
    TokenLogonSid,
    TokenIsAppContainer,
    TokenCapabilities,
    TokenAppContainerSid,
    TokenAppContainerNumber,
    TokenUserClaimAttributes,
    TokenDeviceClaimAttributes,
    TokenRestrictedUserClaimAttributes,
    TokenRestrictedDeviceClaimAttributes,
    TokenDeviceGroups,
    TokenRestrictedDeviceGroups,
    TokenSecurityAttributes,
    TokenIsRestricted,
    TokenProcessTrustLevel,
    TokenPrivateNameSpace,
    TokenSingletonAttributes,
    TokenBnoIsolation,
    TokenChildProcessFlags,
    TokenIsLessPrivilegedAppContainer,
    TokenIsSandboxed,
    TokenIsAppSilo,
    MaxTokenInfoClass
} TOKEN_INFORMATION_CLASS, *PTOKEN_INFORMATION_CLASS;

/* Token object access rights. */
#define TOKEN_ASSIGN_PRIMARY (0x0001)
#define TOKEN_DUPLICATE (0x0002)
#define TOKEN_IMPERSONATE (0x0004)
#define TOKEN_QUERY (0x0008)
#define TOKEN_QUERY_SOURCE (0x0010)
#define TOKEN_ADJUST_PRIVILEGES (0x0020)
#define TOKEN_ADJUST_GROUPS (0x0040)
#define TOKEN_ADJUST_DEFAULT (0x0080)
#define TOKEN_ADJUST_SESSIONID (0x0100)
#define TOKEN_ALL_ACCESS_P (STANDARD_RIGHTS_REQUIRED | TOKEN_ASSIGN_PRIMARY | TOKEN_DUPLICATE | TOKEN_IMPERSONATE | \
                            TOKEN_QUERY | TOKEN_QUERY_SOURCE | TOKEN_ADJUST_PRIVILEGES | TOKEN_ADJUST_GROUPS | \
                            TOKEN_ADJUST_DEFAULT)
#define TOKEN_ALL_ACCESS (TOKEN_ALL_ACCESS_P | TOKEN_ADJUST_SESSIONID)
#define TOKEN_READ (STANDARD_RIGHTS_READ | TOKEN_QUERY)
#define TOKEN_WRITE (STANDARD_RIGHTS_WRITE | TOKEN_ADJUST_PRIVILEGES | TOKEN_ADJUST_GROUPS | TOKEN_ADJUST_DEFAULT)
#define TOKEN_EXECUTE (STANDARD_RIGHTS_EXECUTE)

#define TOKEN_SOURCE_LENGTH 8
#define SYSTEM_LUID {0x3e7, 0x0}

typedef struct _TOKEN_USER {
    SID_AND_ATTRIBUTES User;
} TOKEN_USER, *PTOKEN_USER;

typedef struct _TOKEN_GROUPS {
    ULONG GroupCount;
    SID_AND_ATTRIBUTES Groups[ANYSIZE_ARRAY];
} TOKEN_GROUPS, *PTOKEN_GROUPS;
C_ASSERT(FIELD_OFFSET(TOKEN_GROUPS, Groups) == 8);

typedef struct _TOKEN_PRIVILEGES {
    ULONG PrivilegeCount;
    LUID_AND_ATTRIBUTES Privileges[ANYSIZE_ARRAY];
} TOKEN_PRIVILEGES, *PTOKEN_PRIVILEGES;
C_ASSERT(FIELD_OFFSET(TOKEN_PRIVILEGES, Privileges) == 4);

typedef struct _TOKEN_OWNER {
    PSID Owner;
} TOKEN_OWNER, *PTOKEN_OWNER;

typedef struct _TOKEN_PRIMARY_GROUP {
    PSID PrimaryGroup;
} TOKEN_PRIMARY_GROUP, *PTOKEN_PRIMARY_GROUP;

typedef struct _TOKEN_DEFAULT_DACL {
    PACL DefaultDacl;
} TOKEN_DEFAULT_DACL, *PTOKEN_DEFAULT_DACL;

typedef struct _TOKEN_SOURCE {
    CHAR SourceName[TOKEN_SOURCE_LENGTH];
    LUID SourceIdentifier;
} TOKEN_SOURCE, *PTOKEN_SOURCE;
C_ASSERT(sizeof(TOKEN_SOURCE) == 16);

typedef struct _TOKEN_STATISTICS {
    LUID TokenId;
    LUID AuthenticationId;
    LARGE_INTEGER ExpirationTime;
    TOKEN_TYPE TokenType;
    SECURITY_IMPERSONATION_LEVEL ImpersonationLevel;
    ULONG DynamicCharged;
    ULONG DynamicAvailable;
    ULONG GroupCount;
    ULONG PrivilegeCount;
    LUID ModifiedId;
} TOKEN_STATISTICS, *PTOKEN_STATISTICS;
C_ASSERT(sizeof(TOKEN_STATISTICS) == 56);

typedef enum _TOKEN_ELEVATION_TYPE {
    TokenElevationTypeDefault = 1,
    TokenElevationTypeFull,
    TokenElevationTypeLimited
} TOKEN_ELEVATION_TYPE, *PTOKEN_ELEVATION_TYPE;

typedef struct _TOKEN_ELEVATION {
    ULONG TokenIsElevated;
} TOKEN_ELEVATION, *PTOKEN_ELEVATION;

typedef struct _TOKEN_MANDATORY_LABEL {
    SID_AND_ATTRIBUTES Label;
} TOKEN_MANDATORY_LABEL, *PTOKEN_MANDATORY_LABEL;

/* TokenMandatoryPolicy. */
#define TOKEN_MANDATORY_POLICY_OFF 0x0
#define TOKEN_MANDATORY_POLICY_NO_WRITE_UP 0x1
#define TOKEN_MANDATORY_POLICY_NEW_PROCESS_MIN 0x2
#define TOKEN_MANDATORY_POLICY_VALID_MASK (TOKEN_MANDATORY_POLICY_NO_WRITE_UP | TOKEN_MANDATORY_POLICY_NEW_PROCESS_MIN)
typedef struct _TOKEN_MANDATORY_POLICY {
    ULONG Policy;
} TOKEN_MANDATORY_POLICY, *PTOKEN_MANDATORY_POLICY;

/* TokenOrigin, TokenLinkedToken, TokenAppContainerSid. */
typedef struct _TOKEN_ORIGIN {
    LUID OriginatingLogonSession;
} TOKEN_ORIGIN, *PTOKEN_ORIGIN;

typedef struct _TOKEN_LINKED_TOKEN {
    HANDLE LinkedToken;
} TOKEN_LINKED_TOKEN, *PTOKEN_LINKED_TOKEN;

typedef struct _TOKEN_APPCONTAINER_INFORMATION {
    PSID TokenAppContainer;
} TOKEN_APPCONTAINER_INFORMATION, *PTOKEN_APPCONTAINER_INFORMATION;

/* The access checks by object type (NtAccessCheckByType*AndAuditAlarm). */
typedef enum _AUDIT_EVENT_TYPE {
    AuditEventObjectAccess,
    AuditEventDirectoryServiceAccess
} AUDIT_EVENT_TYPE, *PAUDIT_EVENT_TYPE;

typedef struct _OBJECT_TYPE_LIST {
    USHORT Level;
    USHORT Sbz;
    GUID *ObjectType;
} OBJECT_TYPE_LIST, *POBJECT_TYPE_LIST;

#define AUDIT_ALLOW_NO_PRIVILEGE 0x1
#define ACCESS_OBJECT_GUID 0

/* SeFilterToken / NtFilterToken flags. */
#define DISABLE_MAX_PRIVILEGE 0x1
#define SANDBOX_INERT 0x2
#define LUA_TOKEN 0x4
#define WRITE_RESTRICTED 0x8

/* What PsDisableImpersonation saves and PsRestoreImpersonation puts back. */
typedef struct _SE_IMPERSONATION_STATE {
    PACCESS_TOKEN Token;
    BOOLEAN CopyOnOpen;
    BOOLEAN EffectiveOnly;
    SECURITY_IMPERSONATION_LEVEL Level;
} SE_IMPERSONATION_STATE, *PSE_IMPERSONATION_STATE;

NTIO_BEGIN_DECLS

/* ---- Token queries (PASSIVE_LEVEL) ------------------------------------------------------------ */
/* The answer is allocated from paged pool (free it with ExFreePool), except TokenSessionId and
 * TokenIntegrityLevel, whose ULONG is stored in *TokenInformation itself. */
NTKERNELAPI NTSTATUS NTAPI SeQueryInformationToken(_In_ PACCESS_TOKEN Token,
                                                   _In_ TOKEN_INFORMATION_CLASS TokenInformationClass,
                                                   _Outptr_result_buffer_(_Inexpressible_(token-dependent))
                                                       PVOID *TokenInformation);
NTKERNELAPI NTSTATUS NTAPI SeQueryAuthenticationIdToken(_In_ PACCESS_TOKEN Token, _Out_ PLUID AuthenticationId);
NTKERNELAPI NTSTATUS NTAPI SeQuerySessionIdToken(_In_ PACCESS_TOKEN Token, _Out_ PULONG SessionId);
NTKERNELAPI BOOLEAN NTAPI SeTokenIsRestricted(_In_ PACCESS_TOKEN Token);
NTKERNELAPI BOOLEAN NTAPI SeTokenIsWriteRestricted(_In_ PACCESS_TOKEN Token);
NTKERNELAPI TOKEN_TYPE NTAPI SeTokenType(_In_ PACCESS_TOKEN Token);
NTKERNELAPI NTSTATUS NTAPI SeFilterToken(_In_ PACCESS_TOKEN ExistingToken, _In_ ULONG Flags,
                                         _In_opt_ PTOKEN_GROUPS SidsToDisable,
                                         _In_opt_ PTOKEN_PRIVILEGES PrivilegesToDelete,
                                         _In_opt_ PTOKEN_GROUPS RestrictedSids, _Outptr_ PACCESS_TOKEN *FilteredToken);
NTKERNELAPI NTSTATUS NTAPI SeQueryTokenIntegrity(_In_ PACCESS_TOKEN Token, _Inout_ PSID_AND_ATTRIBUTES IntegritySA);
NTKERNELAPI NTSTATUS NTAPI SeSetSessionIdToken(_In_ PACCESS_TOKEN Token, _In_ ULONG SessionId);
NTKERNELAPI SECURITY_IMPERSONATION_LEVEL NTAPI SeTokenImpersonationLevel(_In_ PACCESS_TOKEN Token);

/* Bytes of a valid SID. */
#define SeLengthSid(Sid) (8 + (4 * ((SID *)(Sid))->SubAuthorityCount))

/* The full image name of Process in a UNICODE_STRING allocated from paged pool (one block; free it
 * with ExFreePool). PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI SeLocateProcessImageName(_Inout_ struct _EPROCESS *Process,
                                                    _Outptr_ PUNICODE_STRING *pImageFileName);

/* ---- Logon sessions (PASSIVE_LEVEL) --------------------------------------------------------- */
/* A logon session terminates when the last token of its AuthenticationId is deleted; the routines
 * run then, on that thread, for sessions a driver marked. */
typedef NTSTATUS(NTAPI *PSE_LOGON_SESSION_TERMINATED_ROUTINE)(_In_ PLUID LogonId);
NTKERNELAPI NTSTATUS NTAPI SeRegisterLogonSessionTerminatedRoutine(
    _In_ PSE_LOGON_SESSION_TERMINATED_ROUTINE CallbackRoutine);
NTKERNELAPI NTSTATUS NTAPI SeUnregisterLogonSessionTerminatedRoutine(
    _In_ PSE_LOGON_SESSION_TERMINATED_ROUTINE CallbackRoutine);
NTKERNELAPI NTSTATUS NTAPI SeMarkLogonSessionForTerminationNotification(_In_ PLUID LogonId);

/* ---- Token handles ---------------------------------------------------------------------------- */
NTSYSAPI NTSTATUS NTAPI ZwOpenProcessTokenEx(_In_ HANDLE ProcessHandle, _In_ ACCESS_MASK DesiredAccess,
                                             _In_ ULONG HandleAttributes, _Out_ PHANDLE TokenHandle);
NTSYSAPI NTSTATUS NTAPI ZwOpenThreadTokenEx(_In_ HANDLE ThreadHandle, _In_ ACCESS_MASK DesiredAccess,
                                            _In_ BOOLEAN OpenAsSelf, _In_ ULONG HandleAttributes,
                                            _Out_ PHANDLE TokenHandle);
NTSYSAPI NTSTATUS NTAPI ZwQueryInformationToken(_In_ HANDLE TokenHandle,
                                                _In_ TOKEN_INFORMATION_CLASS TokenInformationClass,
                                                _Out_writes_bytes_to_opt_(TokenInformationLength, *ReturnLength)
                                                    PVOID TokenInformation,
                                                _In_ ULONG TokenInformationLength, _Out_ PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI ZwAllocateLocallyUniqueId(_Out_ PLUID Luid);
NTSYSAPI NTSTATUS NTAPI ZwOpenProcessToken(_In_ HANDLE ProcessHandle, _In_ ACCESS_MASK DesiredAccess,
                                           _Out_ PHANDLE TokenHandle);
NTSYSAPI NTSTATUS NTAPI ZwOpenThreadToken(_In_ HANDLE ThreadHandle, _In_ ACCESS_MASK DesiredAccess,
                                          _In_ BOOLEAN OpenAsSelf, _Out_ PHANDLE TokenHandle);
NTSYSAPI NTSTATUS NTAPI ZwDuplicateToken(_In_ HANDLE ExistingTokenHandle, _In_ ACCESS_MASK DesiredAccess,
                                         _In_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ BOOLEAN EffectiveOnly,
                                         _In_ TOKEN_TYPE TokenType, _Out_ PHANDLE NewTokenHandle);
/* STATUS_NOT_ALL_ASSIGNED (a success status) when NewState names a privilege the token lacks. */
NTSYSAPI NTSTATUS NTAPI ZwAdjustPrivilegesToken(_In_ HANDLE TokenHandle, _In_ BOOLEAN DisableAllPrivileges,
                                                _In_ PTOKEN_PRIVILEGES NewState, _In_ ULONG BufferLength,
                                                _Out_writes_bytes_to_opt_(BufferLength, *ReturnLength)
                                                    PTOKEN_PRIVILEGES PreviousState,
                                                _Out_ PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI ZwAdjustGroupsToken(_In_ HANDLE TokenHandle, _In_ BOOLEAN ResetToDefault,
                                            _In_opt_ PTOKEN_GROUPS NewState, _In_opt_ ULONG BufferLength,
                                            _Out_writes_bytes_to_opt_(BufferLength, *ReturnLength)
                                                PTOKEN_GROUPS PreviousState,
                                            _Out_opt_ PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI ZwFilterToken(_In_ HANDLE ExistingTokenHandle, _In_ ULONG Flags,
                                      _In_opt_ PTOKEN_GROUPS SidsToDisable,
                                      _In_opt_ PTOKEN_PRIVILEGES PrivilegesToDelete,
                                      _In_opt_ PTOKEN_GROUPS RestrictedSids, _Out_ PHANDLE NewTokenHandle);
NTSYSAPI NTSTATUS NTAPI ZwAccessCheckAndAuditAlarm(_In_ PUNICODE_STRING SubsystemName, _In_opt_ PVOID HandleId,
                                                   _In_ PUNICODE_STRING ObjectTypeName, _In_ PUNICODE_STRING ObjectName,
                                                   _In_ PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                   _In_ ACCESS_MASK DesiredAccess, _In_ PGENERIC_MAPPING GenericMapping,
                                                   _In_ BOOLEAN ObjectCreation, _Out_ PACCESS_MASK GrantedAccess,
                                                   _Out_ PNTSTATUS AccessStatus, _Out_ PBOOLEAN GenerateOnClose);
NTSYSAPI NTSTATUS NTAPI ZwOpenObjectAuditAlarm(_In_ PUNICODE_STRING SubsystemName, _In_opt_ PVOID HandleId,
                                               _In_ PUNICODE_STRING ObjectTypeName, _In_ PUNICODE_STRING ObjectName,
                                               _In_opt_ PSECURITY_DESCRIPTOR SecurityDescriptor,
                                               _In_ HANDLE ClientToken, _In_ ACCESS_MASK DesiredAccess,
                                               _In_ ACCESS_MASK GrantedAccess, _In_opt_ PPRIVILEGE_SET Privileges,
                                               _In_ BOOLEAN ObjectCreation, _In_ BOOLEAN AccessGranted,
                                               _Out_ PBOOLEAN GenerateOnClose);
NTSYSAPI NTSTATUS NTAPI ZwCloseObjectAuditAlarm(_In_ PUNICODE_STRING SubsystemName, _In_opt_ PVOID HandleId,
                                                _In_ BOOLEAN GenerateOnClose);
NTSYSAPI NTSTATUS NTAPI ZwSetInformationToken(_In_ HANDLE TokenHandle,
                                              _In_ TOKEN_INFORMATION_CLASS TokenInformationClass,
                                              _In_reads_bytes_(TokenInformationLength) PVOID TokenInformation,
                                              _In_ ULONG TokenInformationLength);

/* ---- Object security ---------------------------------------------------------------------------- */
NTSYSAPI NTSTATUS NTAPI ZwQuerySecurityObject(_In_ HANDLE Handle, _In_ SECURITY_INFORMATION SecurityInformation,
                                              _Out_writes_bytes_opt_(Length) PSECURITY_DESCRIPTOR SecurityDescriptor,
                                              _In_ ULONG Length, _Out_ PULONG LengthNeeded);
NTSYSAPI NTSTATUS NTAPI ZwSetSecurityObject(_In_ HANDLE Handle, _In_ SECURITY_INFORMATION SecurityInformation,
                                            _In_ PSECURITY_DESCRIPTOR SecurityDescriptor);
NTKERNELAPI NTSTATUS NTAPI SeCaptureSecurityDescriptor(_In_ PSECURITY_DESCRIPTOR InputSecurityDescriptor,
                                                       _In_ KPROCESSOR_MODE RequestorMode, _In_ POOL_TYPE PoolType,
                                                       _In_ BOOLEAN ForceCapture,
                                                       _Outptr_ PSECURITY_DESCRIPTOR *OutputSecurityDescriptor);
NTKERNELAPI VOID NTAPI SeReleaseSecurityDescriptor(_In_ PSECURITY_DESCRIPTOR CapturedSecurityDescriptor,
                                                   _In_ KPROCESSOR_MODE RequestorMode, _In_ BOOLEAN ForceCapture);

/* ---- Impersonation (PASSIVE_LEVEL) ------------------------------------------------------------- */
/* struct _ETHREAD * is PETHREAD (ob.h); spelled out so this header compiles alone. */
NTKERNELAPI NTSTATUS NTAPI PsImpersonateClient(_Inout_ struct _ETHREAD *Thread, _In_opt_ PACCESS_TOKEN Token,
                                               _In_ BOOLEAN CopyOnOpen, _In_ BOOLEAN EffectiveOnly,
                                               _In_ SECURITY_IMPERSONATION_LEVEL ImpersonationLevel);
NTKERNELAPI VOID NTAPI PsRevertToSelf(VOID);
NTKERNELAPI PACCESS_TOKEN NTAPI PsReferenceImpersonationToken(_Inout_ struct _ETHREAD *Thread,
                                                              _Out_ PBOOLEAN CopyOnOpen,
                                                              _Out_ PBOOLEAN EffectiveOnly,
                                                              _Out_ PSECURITY_IMPERSONATION_LEVEL ImpersonationLevel);
NTKERNELAPI VOID NTAPI PsDereferenceImpersonationToken(_In_opt_ PACCESS_TOKEN ImpersonationToken);
NTKERNELAPI BOOLEAN NTAPI PsDisableImpersonation(_Inout_ struct _ETHREAD *Thread,
                                                 _Inout_ PSE_IMPERSONATION_STATE ImpersonationState);
NTKERNELAPI VOID NTAPI PsRestoreImpersonation(_Inout_ struct _ETHREAD *Thread,
                                              _In_ PSE_IMPERSONATION_STATE ImpersonationState);
/* Makes Thread impersonate the impersonation token Token names (TOKEN_IMPERSONATE), or revert
 * with NULL; a primary token is STATUS_BAD_TOKEN_TYPE. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI PsAssignImpersonationToken(_In_ struct _ETHREAD *Thread, _In_opt_ HANDLE Token);
/* Ends the calling thread's impersonation of a client. */
#define SeStopImpersonatingClient() PsRevertToSelf()

/* ---- Client security contexts (ntifs.h) ----------------------------------------------------- */
typedef struct _TOKEN_CONTROL {
    LUID TokenId;
    LUID AuthenticationId;
    LUID ModifiedId;
    TOKEN_SOURCE TokenSource;
} TOKEN_CONTROL, *PTOKEN_CONTROL;
C_ASSERT(sizeof(TOKEN_CONTROL) == 40);

typedef struct _SECURITY_CLIENT_CONTEXT {
    SECURITY_QUALITY_OF_SERVICE SecurityQos;
    PACCESS_TOKEN ClientToken;
    BOOLEAN DirectlyAccessClientToken;
    BOOLEAN DirectAccessEffectiveOnly;
    BOOLEAN ServerIsRemote;
    TOKEN_CONTROL ClientTokenControl;
} SECURITY_CLIENT_CONTEXT, *PSECURITY_CLIENT_CONTEXT;
C_ASSERT(sizeof(SECURITY_CLIENT_CONTEXT) == 72);

NTKERNELAPI NTSTATUS NTAPI SeCreateClientSecurity(_In_ struct _ETHREAD *ClientThread,
                                                  _In_ PSECURITY_QUALITY_OF_SERVICE ClientSecurityQos,
                                                  _In_ BOOLEAN RemoteSession,
                                                  _Out_ PSECURITY_CLIENT_CONTEXT ClientContext);
NTKERNELAPI NTSTATUS NTAPI SeCreateClientSecurityFromSubjectContext(
    _In_ PSECURITY_SUBJECT_CONTEXT SubjectContext, _In_ PSECURITY_QUALITY_OF_SERVICE ClientSecurityQos,
    _In_ BOOLEAN ServerIsRemote, _Out_ PSECURITY_CLIENT_CONTEXT ClientContext);
NTKERNELAPI VOID NTAPI SeImpersonateClient(_In_ PSECURITY_CLIENT_CONTEXT ClientContext,
                                           _In_opt_ struct _ETHREAD *ServerThread);
NTKERNELAPI NTSTATUS NTAPI SeImpersonateClientEx(_In_ PSECURITY_CLIENT_CONTEXT ClientContext,
                                                 _In_opt_ struct _ETHREAD *ServerThread);
/* The context holds one reference on its token, of the kind its type calls for. */
#define SeDeleteClientSecurity(C)                                      \
    do {                                                               \
        if (SeTokenType((C)->ClientToken) == TokenPrimary) {           \
            PsDereferencePrimaryToken((C)->ClientToken);               \
        } else {                                                       \
            PsDereferenceImpersonationToken((C)->ClientToken);         \
        }                                                              \
    } while (0)

NTIO_END_DECLS

#endif /* NTIO_DDK_SE_TOKEN_H */
