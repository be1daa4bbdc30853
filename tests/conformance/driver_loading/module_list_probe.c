/* module_list_probe.sys: a WDK-style C driver that finds its own image in the system's module list
 * the way drivers do on Windows: it declares ZwQuerySystemInformation and the module structures
 * itself (no WDK header has them), asks once for the size (STATUS_INFO_LENGTH_MISMATCH), allocates,
 * asks again, and reports as REG_DWORD values in its service key what it found. */
#include <ntddk.h>

#define PROBE_TAG 'lmPM'
#define PROBE_SYSTEM_MODULE_INFORMATION 11

typedef struct _PROBE_MODULE {
    HANDLE Section;
    PVOID MappedBase;
    PVOID ImageBase;
    ULONG ImageSize;
    ULONG Flags;
    USHORT LoadOrderIndex;
    USHORT InitOrderIndex;
    USHORT LoadCount;
    USHORT OffsetToFileName;
    UCHAR FullPathName[256];
} PROBE_MODULE;

typedef struct _PROBE_MODULES {
    ULONG NumberOfModules;
    PROBE_MODULE Modules[1];
} PROBE_MODULES;

NTSYSAPI NTSTATUS NTAPI ZwQuerySystemInformation(ULONG SystemInformationClass, PVOID SystemInformation,
                                                 ULONG SystemInformationLength, PULONG ReturnLength);

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD ProbeUnload;

static WCHAR g_key[64];

static VOID Report(PCWSTR Name, ULONG Value)
{
    (VOID)RtlWriteRegistryValue(RTL_REGISTRY_SERVICES, g_key, Name, REG_DWORD, &Value, sizeof(Value));
}

static BOOLEAN SameText(const UCHAR *Text, const char *Expected)
{
    while (*Expected && *Text == (UCHAR)*Expected) {
        ++Text;
        ++Expected;
    }
    return *Expected == 0 && *Text == 0;
}

static VOID ProbeUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PUNICODE_STRING key = &DriverObject->DriverExtension->ServiceKeyName;
    ULONG needed = 0;
    ULONG written = 0;
    ULONG i;
    NTSTATUS status;
    PROBE_MODULES *modules;
    ULONG found = 0, kernel_first = 0, size_matches = 0, name_matches = 0;

    UNREFERENCED_PARAMETER(RegistryPath);
    RtlZeroMemory(g_key, sizeof(g_key));
    RtlCopyMemory(g_key, key->Buffer, key->Length < sizeof(g_key) - sizeof(WCHAR) ? key->Length : sizeof(g_key) - sizeof(WCHAR));
    DriverObject->DriverUnload = ProbeUnload;

    status = ZwQuerySystemInformation(PROBE_SYSTEM_MODULE_INFORMATION, NULL, 0, &needed);
    Report(L"SizeStatus", (ULONG)status);
    Report(L"SizeNeeded", needed >= FIELD_OFFSET(PROBE_MODULES, Modules) + sizeof(PROBE_MODULE));
    if (status != STATUS_INFO_LENGTH_MISMATCH || needed == 0) return STATUS_SUCCESS;

    modules = (PROBE_MODULES *)ExAllocatePoolWithTag(NonPagedPool, needed, PROBE_TAG);
    if (!modules) return STATUS_INSUFFICIENT_RESOURCES;
    status = ZwQuerySystemInformation(PROBE_SYSTEM_MODULE_INFORMATION, modules, needed, &written);
    Report(L"ListStatus", (ULONG)status);
    if (NT_SUCCESS(status)) {
        Report(L"WrittenIsNeeded", written == needed);
        kernel_first = modules->NumberOfModules > 0 &&
                       SameText(modules->Modules[0].FullPathName + modules->Modules[0].OffsetToFileName, "ntoskrnl.exe");
        for (i = 0; i < modules->NumberOfModules; ++i) {
            PROBE_MODULE *module = &modules->Modules[i];
            ULONG_PTR base = (ULONG_PTR)module->ImageBase;
            ULONG_PTR entry = (ULONG_PTR)DriverEntry;
            if (entry >= base && entry - base < module->ImageSize) {
                ++found;
                size_matches = module->ImageBase == DriverObject->DriverStart && module->ImageSize == DriverObject->DriverSize;
                name_matches = SameText(module->FullPathName + module->OffsetToFileName, "ld_module_list_probe.sys");
            }
        }
    }
    Report(L"FoundOnce", found == 1);
    Report(L"KernelFirst", kernel_first);
    Report(L"RangeIsDriverStart", size_matches);
    Report(L"FileName", name_matches);
    ExFreePoolWithTag(modules, PROBE_TAG);
    return STATUS_SUCCESS;
}
