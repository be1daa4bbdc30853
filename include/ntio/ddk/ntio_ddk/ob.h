/* <wdm.h> piece for the ob component: OBJECT_ATTRIBUTES, object attribute flags, object-specific
 * access rights, the Ob* reference/open/name DDIs, the Ps* process and thread DDIs and the exported
 * object type pointers. WDK spellings and Windows x64 layouts. */
#ifndef NTIO_DDK_OB_H
#define NTIO_DDK_OB_H
#include "basetypes.h"
#include "ntstatus.h"
#include "access_masks.h"

/* Standard rights: se.h owns them; the guards keep this piece compiling alone. */
#ifndef GENERIC_READ
#endif

/* ---- Object attributes ------------------------------------------------------------------------ */

#define OBJ_INHERIT 0x00000002L
#define OBJ_PERMANENT 0x00000010L
#define OBJ_EXCLUSIVE 0x00000020L
#define OBJ_CASE_INSENSITIVE 0x00000040L
#define OBJ_OPENIF 0x00000080L
#define OBJ_OPENLINK 0x00000100L
#define OBJ_KERNEL_HANDLE 0x00000200L
#define OBJ_FORCE_ACCESS_CHECK 0x00000400L
#define OBJ_IGNORE_IMPERSONATED_DEVICEMAP 0x00000800L
#define OBJ_DONT_REPARSE 0x00001000L
#define OBJ_VALID_ATTRIBUTES 0x00001FF2L
#define OBJ_NAME_PATH_SEPARATOR ((WCHAR)L'\\')
#define OBJ_HANDLE_TAGBITS 0x00000003L
/* Handle attribute flag of OBJECT_HANDLE_INFORMATION / NtQueryObject: protect from close. */
#define OBJ_PROTECT_CLOSE 0x00000001L

typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;
    HANDLE RootDirectory;
    PUNICODE_STRING ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;       /* PSECURITY_DESCRIPTOR */
    PVOID SecurityQualityOfService; /* PSECURITY_QUALITY_OF_SERVICE */
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
typedef const OBJECT_ATTRIBUTES *PCOBJECT_ATTRIBUTES;
C_ASSERT(sizeof(OBJECT_ATTRIBUTES) == 0x30);
C_ASSERT(FIELD_OFFSET(OBJECT_ATTRIBUTES, ObjectName) == 0x10);
C_ASSERT(FIELD_OFFSET(OBJECT_ATTRIBUTES, Attributes) == 0x18);
C_ASSERT(FIELD_OFFSET(OBJECT_ATTRIBUTES, SecurityQualityOfService) == 0x28);

#define InitializeObjectAttributes(p, n, a, r, s) \
    do {                                          \
        (p)->Length = sizeof(OBJECT_ATTRIBUTES);  \
        (p)->RootDirectory = (r);                 \
        (p)->Attributes = (a);                    \
        (p)->ObjectName = (n);                    \
        (p)->SecurityDescriptor = (s);            \
        (p)->SecurityQualityOfService = NULL;     \
    } while (0)
#define RTL_CONSTANT_OBJECT_ATTRIBUTES(n, a) \
    { sizeof(OBJECT_ATTRIBUTES), NULL, (PUNICODE_STRING)(n), (a), NULL, NULL }
#define RTL_INIT_OBJECT_ATTRIBUTES(n, a) RTL_CONSTANT_OBJECT_ATTRIBUTES(n, a)

/* ---- Object types, information classes -------------------------------------------------------- */

typedef struct _OBJECT_TYPE *POBJECT_TYPE;
typedef struct _ACCESS_STATE *PACCESS_STATE;
typedef struct _EPROCESS *PEPROCESS;
typedef struct _ETHREAD *PETHREAD;
typedef struct _KTHREAD *PKTHREAD, *PRKTHREAD;

typedef struct _OBJECT_NAME_INFORMATION {
    UNICODE_STRING Name;
} OBJECT_NAME_INFORMATION, *POBJECT_NAME_INFORMATION;
C_ASSERT(sizeof(OBJECT_NAME_INFORMATION) == 0x10);

typedef struct _OBJECT_HANDLE_INFORMATION {
    ULONG HandleAttributes;
    ACCESS_MASK GrantedAccess;
} OBJECT_HANDLE_INFORMATION, *POBJECT_HANDLE_INFORMATION;

typedef enum _OBJECT_INFORMATION_CLASS {
    ObjectBasicInformation = 0,
    ObjectNameInformation = 1,
    ObjectTypeInformation = 2,
    ObjectTypesInformation = 3,
    ObjectHandleFlagInformation = 4,
} OBJECT_INFORMATION_CLASS;

/* ---- Object-specific access rights (winnt.h / wdm.h values) ------------------------------------ */

#define OBJECT_TYPE_CREATE (0x0001)
#define OBJECT_TYPE_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | 0x1)

#define DIRECTORY_QUERY (0x0001)
#define DIRECTORY_TRAVERSE (0x0002)
#define DIRECTORY_CREATE_OBJECT (0x0004)
#define DIRECTORY_CREATE_SUBDIRECTORY (0x0008)
#define DIRECTORY_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | 0xF)

#define SYMBOLIC_LINK_QUERY (0x0001)
#define SYMBOLIC_LINK_SET (0x0002)
#define SYMBOLIC_LINK_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | 0x1)
#define SYMBOLIC_LINK_ALL_ACCESS_EX (STANDARD_RIGHTS_REQUIRED | 0xFFFF)

/* The rights of events, semaphores, mutants, timers, processes and threads and the DuplicateHandle
 * options are in access_masks.h, shared with <windows.h>. */

/* Pseudo handles. */
#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define ZwCurrentProcess() NtCurrentProcess()
#define NtCurrentThread() ((HANDLE)(LONG_PTR)-2)
#define ZwCurrentThread() NtCurrentThread()

/* ---- Ob DDIs ---------------------------------------------------------------------------------- */

NTIO_BEGIN_DECLS

/* Process-global object type descriptors (the pointers never change after the library loads). */
extern NTKERNELAPI POBJECT_TYPE *ExEventObjectType;
extern NTKERNELAPI POBJECT_TYPE *ExSemaphoreObjectType;
extern NTKERNELAPI POBJECT_TYPE *ExMutantObjectType;
extern NTKERNELAPI POBJECT_TYPE *ExTimerObjectType;
extern NTKERNELAPI POBJECT_TYPE *PsProcessType;
extern NTKERNELAPI POBJECT_TYPE *PsThreadType;
extern NTKERNELAPI POBJECT_TYPE *ObDirectoryObjectType;
extern NTKERNELAPI POBJECT_TYPE *ObSymbolicLinkObjectType;
extern NTKERNELAPI POBJECT_TYPE *ObTypeObjectType;
/* Token handles (ZwOpenProcessTokenEx); the object is accepted wherever a PACCESS_TOKEN is. */
extern NTKERNELAPI POBJECT_TYPE *SeTokenObjectType;

/* Any IRQL <= DISPATCH_LEVEL. Returns the new pointer count. */
NTKERNELAPI LONG_PTR FASTCALL ObfReferenceObject(PVOID Object);
/* IRQL <= DISPATCH_LEVEL. The last reference runs the type's delete procedure and frees the object. */
NTKERNELAPI LONG_PTR FASTCALL ObfDereferenceObject(PVOID Object);
NTKERNELAPI LONG_PTR FASTCALL ObfReferenceObjectWithTag(PVOID Object, ULONG Tag);
NTKERNELAPI LONG_PTR FASTCALL ObfDereferenceObjectWithTag(PVOID Object, ULONG Tag);
NTKERNELAPI VOID ObDereferenceObjectDeferDelete(PVOID Object);
NTKERNELAPI VOID ObDereferenceObjectDeferDeleteWithTag(PVOID Object, ULONG Tag);
/* Takes a reference unless the object is already being deleted (pointer count 0): FALSE then. */
NTKERNELAPI BOOLEAN FASTCALL ObReferenceObjectSafe(PVOID Object);
#define ObReferenceObject(Object) ObfReferenceObject(Object)
#define ObDereferenceObject(Object) ObfDereferenceObject(Object)
#define ObReferenceObjectWithTag(Object, Tag) ObfReferenceObjectWithTag(Object, Tag)
#define ObDereferenceObjectWithTag(Object, Tag) ObfDereferenceObjectWithTag(Object, Tag)

/* PASSIVE_LEVEL. UserMode: kernel handles fail with STATUS_INVALID_HANDLE, the handle's granted access
 * must cover DesiredAccess (STATUS_ACCESS_DENIED). On success the caller owns one reference. */
NTKERNELAPI NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                               POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                               PVOID *Object,
                                               POBJECT_HANDLE_INFORMATION HandleInformation);
NTKERNELAPI NTSTATUS ObReferenceObjectByHandleWithTag(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                                      POBJECT_TYPE ObjectType,
                                                      KPROCESSOR_MODE AccessMode, ULONG Tag,
                                                      PVOID *Object,
                                                      POBJECT_HANDLE_INFORMATION HandleInformation);
/* IRQL <= DISPATCH_LEVEL. Type check only (STATUS_OBJECT_TYPE_MISMATCH). */
NTKERNELAPI NTSTATUS ObReferenceObjectByPointer(PVOID Object, ACCESS_MASK DesiredAccess,
                                                POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode);
NTKERNELAPI NTSTATUS ObReferenceObjectByPointerWithTag(PVOID Object, ACCESS_MASK DesiredAccess,
                                                       POBJECT_TYPE ObjectType,
                                                       KPROCESSOR_MODE AccessMode, ULONG Tag);
/* PASSIVE_LEVEL. Looks the name up from the root (Attributes: OBJ_CASE_INSENSITIVE, OBJ_OPENLINK). */
NTKERNELAPI NTSTATUS ObReferenceObjectByName(PUNICODE_STRING ObjectName, ULONG Attributes,
                                             PACCESS_STATE AccessState, ACCESS_MASK DesiredAccess,
                                             POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                             PVOID ParseContext, PVOID *Object);
/* PASSIVE_LEVEL. Opens a handle in the current process (the System process for OBJ_KERNEL_HANDLE). */
NTKERNELAPI NTSTATUS ObOpenObjectByName(POBJECT_ATTRIBUTES ObjectAttributes, POBJECT_TYPE ObjectType,
                                        KPROCESSOR_MODE AccessMode, PACCESS_STATE AccessState,
                                        ACCESS_MASK DesiredAccess, PVOID ParseContext, PHANDLE Handle);
NTKERNELAPI NTSTATUS ObOpenObjectByPointer(PVOID Object, ULONG HandleAttributes,
                                           PACCESS_STATE PassedAccessState, ACCESS_MASK DesiredAccess,
                                           POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                           PHANDLE Handle);
/* PASSIVE_LEVEL. Length 0 -> STATUS_INFO_LENGTH_MISMATCH with *ReturnLength = the size needed. */
NTKERNELAPI NTSTATUS ObQueryNameString(PVOID Object, POBJECT_NAME_INFORMATION ObjectNameInfo,
                                       ULONG Length, PULONG ReturnLength);
/* PASSIVE_LEVEL. Clears OBJ_PERMANENT; the name goes away with the last handle. */
NTKERNELAPI VOID ObMakeTemporaryObject(PVOID Object);
NTKERNELAPI POBJECT_TYPE ObGetObjectType(PVOID Object);
/* PASSIVE_LEVEL. Closes a handle of the current process (kernel handles need KernelMode). */
NTKERNELAPI NTSTATUS ObCloseHandle(HANDLE Handle, KPROCESSOR_MODE PreviousMode);
NTKERNELAPI NTSTATUS ObGetObjectSecurity(PVOID Object, PSECURITY_DESCRIPTOR *SecurityDescriptor,
                                         PBOOLEAN MemoryAllocated);
NTKERNELAPI VOID ObReleaseObjectSecurity(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                         BOOLEAN MemoryAllocated);

/* NT-private object creation (exported by ntoskrnl, used by executive components). ObCreateObject
 * returns a zeroed body holding one reference; ObInsertObject names it and makes a handle, and on
 * failure consumes that reference. */
NTKERNELAPI NTSTATUS ObCreateObject(KPROCESSOR_MODE ProbeMode, POBJECT_TYPE ObjectType,
                                    POBJECT_ATTRIBUTES ObjectAttributes, KPROCESSOR_MODE OwnershipMode,
                                    PVOID ParseContext, ULONG ObjectBodySize, ULONG PagedPoolCharge,
                                    ULONG NonPagedPoolCharge, PVOID *Object);
NTKERNELAPI NTSTATUS ObInsertObject(PVOID Object, PACCESS_STATE PassedAccessState,
                                    ACCESS_MASK DesiredAccess, ULONG ObjectPointerBias,
                                    PVOID *NewObject, PHANDLE Handle);

/* ---- Ps DDIs ---------------------------------------------------------------------------------- */

typedef VOID KSTART_ROUTINE(PVOID StartContext);
typedef KSTART_ROUTINE *PKSTART_ROUTINE;

NTKERNELAPI PETHREAD PsGetCurrentThread(VOID);
NTKERNELAPI PEPROCESS PsGetCurrentProcess(VOID);
NTKERNELAPI PEPROCESS IoGetCurrentProcess(VOID);
NTKERNELAPI HANDLE PsGetCurrentProcessId(VOID);
NTKERNELAPI HANDLE PsGetCurrentThreadId(VOID);
NTKERNELAPI HANDLE PsGetProcessId(PEPROCESS Process);
/* The system time at which the process was created. Any IRQL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-psgetprocesscreatetimequadpart */
NTKERNELAPI LONGLONG PsGetProcessCreateTimeQuadPart(PEPROCESS Process);
NTKERNELAPI HANDLE PsGetThreadId(PETHREAD Thread);
NTKERNELAPI HANDLE PsGetThreadProcessId(PETHREAD Thread);
NTKERNELAPI PEPROCESS PsGetThreadProcess(PETHREAD Thread);
NTKERNELAPI BOOLEAN PsIsSystemThread(PETHREAD Thread);
NTKERNELAPI BOOLEAN PsIsThreadTerminating(PETHREAD Thread);
/* Obsolete (use RtlGetVersion): the NT version; each out pointer may be NULL. TRUE only on a checked
 * build. PASSIVE_LEVEL. */
NTKERNELAPI BOOLEAN PsGetVersion(PULONG MajorVersion, PULONG MinorVersion, PULONG BuildNumber,
                                 PUNICODE_STRING CSDVersion);
/* PASSIVE_LEVEL. ProcessHandle NULL = the System process. The handle is granted DesiredAccess. */
NTKERNELAPI NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess,
                                          POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                                          PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                                          PVOID StartContext);
/* PASSIVE_LEVEL, on a system thread only: does not return. Otherwise STATUS_INVALID_PARAMETER. */
NTKERNELAPI NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus);
/* <wdm.h>. PASSIVE_LEVEL. PsCreateSystemThread that also references IoObject (the caller's
 * DRIVER_OBJECT or DEVICE_OBJECT) until the thread exits, so the driver's image stays loaded while
 * the thread runs. */
NTKERNELAPI NTSTATUS NTAPI IoCreateSystemThread(PVOID IoObject, PHANDLE ThreadHandle, ULONG DesiredAccess,
                                                POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                                                PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                                                PVOID StartContext);

NTIO_END_DECLS

#endif /* NTIO_DDK_OB_H */
