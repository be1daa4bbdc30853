/* exports_probe.sys: a WDK-style C driver that imports the run-once, cache-aware run-down, version,
 * processor group, epoch time, debugger, OEM/multibyte string (counted and upcasing forms too) and
 * file-system security, auxiliary library and system thread routines, so that loading it proves their <ntifs.h> declarations in C11 and
 * their exports. DriverEntry exercises each family and reports 1 (works) or 0 as REG_DWORD values in
 * its service key. */
#include <ntifs.h>
#include <aux_klib.h>
#include <stdarg.h>

#define PROBE_TAG 'pxEP'

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD ProbeUnload;
static RTL_RUN_ONCE_INIT_FN InitOnce;

static WCHAR g_key[64];
static RTL_RUN_ONCE g_once = RTL_RUN_ONCE_INIT;
static ULONG g_init_calls;
static ULONG g_data;

typedef void (*ANY_ROUTINE)(void);

/* Every routine the probe is about, imported whether or not DriverEntry calls it. */
static const ANY_ROUTINE g_imports[] = {
    (ANY_ROUTINE)RtlRunOnceInitialize, (ANY_ROUTINE)RtlRunOnceBeginInitialize, (ANY_ROUTINE)RtlRunOnceComplete,
    (ANY_ROUTINE)RtlRunOnceExecuteOnce, (ANY_ROUTINE)ExAllocateCacheAwareRundownProtection,
    (ANY_ROUTINE)ExSizeOfRundownProtectionCacheAware, (ANY_ROUTINE)ExInitializeRundownProtectionCacheAware,
    (ANY_ROUTINE)ExAcquireRundownProtectionCacheAware, (ANY_ROUTINE)ExAcquireRundownProtectionCacheAwareEx,
    (ANY_ROUTINE)ExReleaseRundownProtectionCacheAware, (ANY_ROUTINE)ExReleaseRundownProtectionCacheAwareEx,
    (ANY_ROUTINE)ExWaitForRundownProtectionReleaseCacheAware, (ANY_ROUTINE)ExRundownCompletedCacheAware,
    (ANY_ROUTINE)ExReInitializeRundownProtectionCacheAware, (ANY_ROUTINE)ExFreeCacheAwareRundownProtection,
    (ANY_ROUTINE)RtlGetVersion, (ANY_ROUTINE)RtlVerifyVersionInfo, (ANY_ROUTINE)VerSetConditionMask,
    (ANY_ROUTINE)IoIsWdmVersionAvailable, (ANY_ROUTINE)PsGetVersion, (ANY_ROUTINE)RtlIsNtDdiVersionAvailable,
    (ANY_ROUTINE)KeQueryActiveProcessorCountEx, (ANY_ROUTINE)KeQueryMaximumProcessorCount,
    (ANY_ROUTINE)KeQueryMaximumProcessorCountEx, (ANY_ROUTINE)KeGetCurrentProcessorNumberEx,
    (ANY_ROUTINE)KeGetProcessorNumberFromIndex, (ANY_ROUTINE)KeGetProcessorIndexFromNumber,
    (ANY_ROUTINE)KeQueryActiveGroupCount, (ANY_ROUTINE)KeQueryMaximumGroupCount, (ANY_ROUTINE)KeQueryGroupAffinity,
    (ANY_ROUTINE)KeSetSystemGroupAffinityThread, (ANY_ROUTINE)KeRevertToUserGroupAffinityThread,
    (ANY_ROUTINE)KeQueryNodeActiveAffinity, (ANY_ROUTINE)RtlTimeToSecondsSince1970,
    (ANY_ROUTINE)RtlSecondsSince1970ToTime, (ANY_ROUTINE)RtlTimeToSecondsSince1980,
    (ANY_ROUTINE)RtlSecondsSince1980ToTime, (ANY_ROUTINE)RtlTimeToTimeFields, (ANY_ROUTINE)RtlTimeFieldsToTime,
    (ANY_ROUTINE)KdDisableDebugger, (ANY_ROUTINE)KdEnableDebugger, (ANY_ROUTINE)KdRefreshDebuggerNotPresent,
    (ANY_ROUTINE)KdChangeOption, (ANY_ROUTINE)vDbgPrintEx, (ANY_ROUTINE)vDbgPrintExWithPrefix,
    (ANY_ROUTINE)DbgPrintReturnControlC, (ANY_ROUTINE)DbgQueryDebugFilterState, (ANY_ROUTINE)DbgSetDebugFilterState,
    (ANY_ROUTINE)RtlOemStringToUnicodeString, (ANY_ROUTINE)RtlUnicodeStringToOemString,
    (ANY_ROUTINE)RtlUpcaseUnicodeStringToOemString, (ANY_ROUTINE)RtlOemToUnicodeN, (ANY_ROUTINE)RtlUnicodeToOemN,
    (ANY_ROUTINE)RtlMultiByteToUnicodeN, (ANY_ROUTINE)RtlUnicodeToMultiByteN, (ANY_ROUTINE)RtlMultiByteToUnicodeSize,
    (ANY_ROUTINE)RtlUnicodeToMultiByteSize, (ANY_ROUTINE)RtlxOemStringToUnicodeSize,
    (ANY_ROUTINE)RtlxUnicodeStringToOemSize, (ANY_ROUTINE)RtlFreeOemString, (ANY_ROUTINE)RtlUnicodeStringToCountedOemString,
    (ANY_ROUTINE)RtlUpcaseUnicodeStringToCountedOemString, (ANY_ROUTINE)RtlOemStringToCountedUnicodeString,
    (ANY_ROUTINE)RtlUpcaseUnicodeToOemN, (ANY_ROUTINE)RtlUpcaseUnicodeToMultiByteN,
    (ANY_ROUTINE)RtlUpcaseUnicodeStringToAnsiString, (ANY_ROUTINE)RtlAllocateAndInitializeSid,
    (ANY_ROUTINE)RtlFreeSid, (ANY_ROUTINE)SeQuerySecurityDescriptorInfo, (ANY_ROUTINE)SeSetSecurityDescriptorInfo,
    (ANY_ROUTINE)SeSetSecurityDescriptorInfoEx, (ANY_ROUTINE)ObIsKernelHandle, (ANY_ROUTINE)SeAuditingFileEvents,
    (ANY_ROUTINE)SeAuditingFileOrGlobalEvents, (ANY_ROUTINE)SeAuditingHardLinkEvents,
    (ANY_ROUTINE)SeOpenObjectAuditAlarm, (ANY_ROUTINE)SeOpenObjectForDeleteAuditAlarm,
    (ANY_ROUTINE)SeDeleteObjectAuditAlarm, (ANY_ROUTINE)AuxKlibInitialize,
    (ANY_ROUTINE)AuxKlibQueryModuleInformation, (ANY_ROUTINE)AuxKlibGetBugCheckData, (ANY_ROUTINE)IoCreateSystemThread,
};

static VOID Report(PCWSTR Name, BOOLEAN Works)
{
    ULONG value = Works ? 1 : 0;
    (VOID)RtlWriteRegistryValue(RTL_REGISTRY_SERVICES, g_key, Name, REG_DWORD, &value, sizeof(value));
}

static ULONG NTAPI InitOnce(PRTL_RUN_ONCE RunOnce, PVOID Parameter, PVOID *Context)
{
    UNREFERENCED_PARAMETER(RunOnce);
    ++g_init_calls;
    *Context = Parameter;
    return TRUE;
}

static BOOLEAN RunOnceWorks(void)
{
    PVOID context = NULL;
    if (!NT_SUCCESS(RtlRunOnceExecuteOnce(&g_once, InitOnce, &g_data, &context)) || context != &g_data) return FALSE;
    if (!NT_SUCCESS(RtlRunOnceExecuteOnce(&g_once, InitOnce, NULL, &context)) || context != &g_data) return FALSE;
    context = NULL;
    return RtlRunOnceBeginInitialize(&g_once, RTL_RUN_ONCE_CHECK_ONLY, &context) == STATUS_SUCCESS &&
           context == &g_data && g_init_calls == 1;
}

static BOOLEAN RundownWorks(void)
{
    BOOLEAN works;
    PEX_RUNDOWN_REF_CACHE_AWARE ref = ExAllocateCacheAwareRundownProtection(NonPagedPoolNx, PROBE_TAG);
    if (ref == NULL) return FALSE;
    works = ExAcquireRundownProtectionCacheAwareEx(ref, 2);
    ExReleaseRundownProtectionCacheAwareEx(ref, 2);
    ExWaitForRundownProtectionReleaseCacheAware(ref);
    works = works && !ExAcquireRundownProtectionCacheAware(ref);
    ExReInitializeRundownProtectionCacheAware(ref);
    works = works && ExAcquireRundownProtectionCacheAware(ref);
    ExReleaseRundownProtectionCacheAware(ref);
    ExFreeCacheAwareRundownProtection(ref);
    return works;
}

static BOOLEAN VersionWorks(void)
{
    RTL_OSVERSIONINFOEXW info;
    ULONGLONG mask = 0;
    RtlZeroMemory(&info, sizeof(info));
    info.dwOSVersionInfoSize = sizeof(info);
    info.dwMajorVersion = 6;
    info.dwMinorVersion = 1;
    VER_SET_CONDITION(mask, VER_MAJORVERSION, VER_GREATER_EQUAL);
    VER_SET_CONDITION(mask, VER_MINORVERSION, VER_GREATER_EQUAL);
    if (RtlVerifyVersionInfo(&info, VER_MAJORVERSION | VER_MINORVERSION, mask) != STATUS_SUCCESS) return FALSE;
    info.dwMajorVersion = 99;
    return RtlVerifyVersionInfo(&info, VER_MAJORVERSION | VER_MINORVERSION, mask) == STATUS_REVISION_MISMATCH;
}

static BOOLEAN GroupsWork(void)
{
    return KeQueryActiveGroupCount() >= 1 && KeQueryMaximumGroupCount() >= KeQueryActiveGroupCount() &&
           KeQueryGroupAffinity(0) != 0 &&
           KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS) == KeQueryActiveProcessorCount(NULL);
}

static BOOLEAN TimeWorks(void)
{
    LARGE_INTEGER time;
    ULONG seconds = 0;
    RtlSecondsSince1970ToTime(1000000000UL, &time);
    if (!RtlTimeToSecondsSince1970(&time, &seconds) || seconds != 1000000000UL) return FALSE;
    RtlSecondsSince1980ToTime(0, &time);
    return RtlTimeToSecondsSince1970(&time, &seconds) && seconds == 315532800UL;
}

static ULONG PrintWithPrefix(PCCH Format, ...)
{
    ULONG status;
    va_list args;
    va_start(args, Format);
    status = vDbgPrintExWithPrefix("exports_probe: ", DPFLTR_IHVDRIVER_ID, DPFLTR_TRACE_LEVEL, Format, args);
    va_end(args);
    return status;
}

static BOOLEAN DebuggerWorks(void)
{
    BOOLEAN block = TRUE;
    return !KD_DEBUGGER_ENABLED && KD_DEBUGGER_NOT_PRESENT && KdRefreshDebuggerNotPresent() &&
           KdDisableDebugger() == STATUS_DEBUGGER_INACTIVE && KdEnableDebugger() == STATUS_DEBUGGER_INACTIVE &&
           KdChangeOption(KD_OPTION_SET_BLOCK_ENABLE, sizeof(block), &block, 0, NULL, NULL) == STATUS_DEBUGGER_INACTIVE &&
           DbgQueryDebugFilterState(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL) == (NTSTATUS)TRUE &&
           PrintWithPrefix("trace %d\n", 1) == STATUS_SUCCESS;
}

static BOOLEAN StringsWork(void)
{
    UNICODE_STRING source = RTL_CONSTANT_STRING(L"abc");
    UNICODE_STRING accented = RTL_CONSTANT_STRING(L"\x00e9");
    UNICODE_STRING counted;
    OEM_STRING oem;
    ANSI_STRING ansi;
    CHAR narrow[8];
    WCHAR wide[4];
    ULONG bytes = 0;
    BOOLEAN works;
    if (!NT_SUCCESS(RtlUpcaseUnicodeStringToOemString(&oem, &source, TRUE))) return FALSE;
    works = oem.Length == 3 && oem.Buffer[0] == 'A' && oem.Buffer[2] == 'C';
    RtlFreeOemString(&oem);
    works = works && NT_SUCCESS(RtlMultiByteToUnicodeN(wide, sizeof(wide), &bytes, "xy", 2)) && bytes == 4 &&
            wide[1] == L'y';
    if (!works) return FALSE;
    /* Counted forms carry no NUL; a character without an OEM form is unmappable. */
    oem.Buffer = narrow;
    oem.Length = 0;
    oem.MaximumLength = sizeof(narrow);
    narrow[3] = '#';
    works = RtlUpcaseUnicodeStringToCountedOemString(&oem, &source, FALSE) == STATUS_SUCCESS && oem.Length == 3 &&
            narrow[0] == 'A' && narrow[3] == '#' &&
            RtlUnicodeStringToCountedOemString(&oem, &accented, FALSE) == STATUS_UNMAPPABLE_CHARACTER;
    oem.Length = 2;
    counted.Buffer = wide;
    counted.Length = 0;
    counted.MaximumLength = sizeof(wide);
    works = works && RtlOemStringToCountedUnicodeString(&counted, &oem, FALSE) == STATUS_SUCCESS &&
            counted.Length == RtlOemStringToCountedUnicodeSize(&oem) && wide[0] == L'?' && wide[1] == L'B';
    works = works && RtlUpcaseUnicodeToOemN(narrow, 2, &bytes, L"xyz", 6) == STATUS_BUFFER_OVERFLOW && bytes == 2 &&
            narrow[1] == 'Y';
    works = works && RtlUpcaseUnicodeToMultiByteN(narrow, sizeof(narrow), &bytes, L"\x00e9", 2) == STATUS_SUCCESS &&
            bytes == 2 && (UCHAR)narrow[1] == 0x89;
    if (!works || !NT_SUCCESS(RtlUpcaseUnicodeStringToAnsiString(&ansi, &source, TRUE))) return FALSE;
    works = ansi.Length == 3 && ansi.Buffer[1] == 'B';
    RtlFreeAnsiString(&ansi);
    return works;
}

static BOOLEAN SecurityWorks(void)
{
    SID_IDENTIFIER_AUTHORITY world = SECURITY_WORLD_SID_AUTHORITY;
    PSID sid = NULL;
    BOOLEAN works;
    OBJECT_ATTRIBUTES attributes;
    HANDLE event = NULL;
    if (!NT_SUCCESS(RtlAllocateAndInitializeSid(&world, 1, SECURITY_WORLD_RID, 0, 0, 0, 0, 0, 0, 0, &sid)))
        return FALSE;
    works = RtlEqualSid(sid, SeExports->SeWorldSid);
    works = RtlFreeSid(sid) == NULL && works;
    works = works && !SeAuditingFileEvents(TRUE, NULL) && !SeAuditingHardLinkEvents(FALSE, NULL);
    InitializeObjectAttributes(&attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    if (!NT_SUCCESS(ZwCreateEvent(&event, EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE))) return FALSE;
    works = works && ObIsKernelHandle(event) && !ObIsKernelHandle(NtCurrentProcess());
    ZwClose(event);
    return works;
}

/* The driver finds its own image in the module list, as drivers that locate their image do. */
static BOOLEAN AuxKlibWorks(PDRIVER_OBJECT DriverObject)
{
    ULONG size = 0;
    ULONG i;
    BOOLEAN found = FALSE;
    PAUX_MODULE_EXTENDED_INFO modules;
    if (!NT_SUCCESS(AuxKlibInitialize())) return FALSE;
    if (!NT_SUCCESS(AuxKlibQueryModuleInformation(&size, sizeof(AUX_MODULE_EXTENDED_INFO), NULL)) || size == 0)
        return FALSE;
    modules = (PAUX_MODULE_EXTENDED_INFO)ExAllocatePool2(POOL_FLAG_PAGED, size, PROBE_TAG);
    if (!modules) return FALSE;
    if (NT_SUCCESS(AuxKlibQueryModuleInformation(&size, sizeof(AUX_MODULE_EXTENDED_INFO), modules))) {
        for (i = 0; i < size / sizeof(AUX_MODULE_EXTENDED_INFO); ++i) {
            if (modules[i].BasicInfo.ImageBase == DriverObject->DriverStart &&
                modules[i].ImageSize == DriverObject->DriverSize)
                found = TRUE;
        }
    }
    ExFreePoolWithTag(modules, PROBE_TAG);
    return found;
}

static VOID ProbeUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PUNICODE_STRING key = &DriverObject->DriverExtension->ServiceKeyName;
    ULONG imported = 0;
    ULONG i;
    UNREFERENCED_PARAMETER(RegistryPath);
    RtlZeroMemory(g_key, sizeof(g_key));
    RtlCopyMemory(g_key, key->Buffer, key->Length < sizeof(g_key) - sizeof(WCHAR) ? key->Length : sizeof(g_key) - sizeof(WCHAR));
    for (i = 0; i < sizeof(g_imports) / sizeof(g_imports[0]); ++i) imported += g_imports[i] != NULL;
    Report(L"Imported", imported == sizeof(g_imports) / sizeof(g_imports[0]));
    Report(L"RunOnce", RunOnceWorks());
    Report(L"CacheAwareRundown", RundownWorks());
    Report(L"Version", VersionWorks());
    Report(L"Groups", GroupsWork());
    Report(L"Time", TimeWorks());
    Report(L"Debugger", DebuggerWorks());
    Report(L"Strings", StringsWork());
    Report(L"Security", SecurityWorks());
    Report(L"AuxKlib", AuxKlibWorks(DriverObject));
    DriverObject->DriverUnload = ProbeUnload;
    return STATUS_SUCCESS;
}
