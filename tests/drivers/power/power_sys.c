/* power_sys.sys: a WDM driver in C that uses the power manager the way a driver for real hardware
 * does, to prove that an image importing these routines loads and is served. DriverEntry creates its
 * device, registers for the AC/DC power source setting, enables idle detection (2 seconds, D3) and
 * registers the device with PoFx (one component, F0 and F1) and starts its power management. What it
 * sees is reported as REG_DWORD values of its service key: PowerSource, IdleRegistered, FxStatus,
 * FxIdleConditions, FxIdleState, FxNotRequired, IdleIrpState (the state of the last IRP_MN_SET_POWER).
 * DriverUnload undoes each registration. */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_DISPATCH PowerSysPower;
static DRIVER_UNLOAD PowerSysUnload;
static POWER_SETTING_CALLBACK PowerSysSetting;
static PO_FX_COMPONENT_IDLE_CONDITION_CALLBACK PowerSysIdleCondition;
static PO_FX_COMPONENT_ACTIVE_CONDITION_CALLBACK PowerSysActiveCondition;
static PO_FX_COMPONENT_IDLE_STATE_CALLBACK PowerSysIdleState;
static PO_FX_DEVICE_POWER_REQUIRED_CALLBACK PowerSysRequired;
static PO_FX_DEVICE_POWER_NOT_REQUIRED_CALLBACK PowerSysNotRequired;

static WCHAR g_service_key[160];
static PDEVICE_OBJECT g_device;
static PVOID g_setting;
static POHANDLE g_fx;
static LONG g_idle_conditions;
static LONG g_not_required;
static PO_FX_COMPONENT_IDLE_STATE g_states[2] = {{0, 0, 100}, {0, 0, 0}};

static VOID Report(PCWSTR Name, ULONG Value)
{
    (VOID)RtlWriteRegistryValue(RTL_REGISTRY_ABSOLUTE, g_service_key, Name, REG_DWORD, &Value, sizeof(Value));
}

static NTSTATUS PowerSysSetting(LPCGUID SettingGuid, PVOID Value, ULONG ValueLength, PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (IsEqualGUID(SettingGuid, &GUID_ACDC_POWER_SOURCE) && ValueLength == sizeof(ULONG))
        Report(L"PowerSource", *(PULONG)Value);
    return STATUS_SUCCESS;
}

static VOID PowerSysIdleCondition(PVOID Context, ULONG Component)
{
    UNREFERENCED_PARAMETER(Context);
    Report(L"FxIdleConditions", (ULONG)InterlockedIncrement(&g_idle_conditions));
    PoFxCompleteIdleCondition(g_fx, Component);
}

static VOID PowerSysActiveCondition(PVOID Context, ULONG Component)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Component);
}

static VOID PowerSysIdleState(PVOID Context, ULONG Component, ULONG State)
{
    UNREFERENCED_PARAMETER(Context);
    Report(L"FxIdleState", State);
    PoFxCompleteIdleState(g_fx, Component);
}

static VOID PowerSysRequired(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    PoFxReportDevicePoweredOn(g_fx);
}

static VOID PowerSysNotRequired(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    Report(L"FxNotRequired", (ULONG)InterlockedIncrement(&g_not_required));
    PoFxCompleteDevicePowerNotRequired(g_fx);
}

static NTSTATUS PowerSysPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    if (sp->MinorFunction == IRP_MN_SET_POWER && sp->Parameters.Power.Type == DevicePowerState) {
        PoSetPowerState(DeviceObject, DevicePowerState, sp->Parameters.Power.State);
        Report(L"IdleIrpState", sp->Parameters.Power.State.DeviceState);
    }
    PoStartNextPowerIrp(Irp);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static VOID PowerSysUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    if (g_fx) PoFxUnregisterDevice(g_fx);
    (VOID)PoRegisterDeviceForIdleDetection(g_device, 0, 0, PowerDeviceD3);
    if (g_setting) (VOID)PoUnregisterPowerSettingCallback(g_setting);
    IoDeleteDevice(g_device);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PO_FX_DEVICE fx;
    NTSTATUS status;
    USHORT chars = RegistryPath->Length / sizeof(WCHAR);
    if (chars >= sizeof(g_service_key) / sizeof(WCHAR))
        chars = sizeof(g_service_key) / sizeof(WCHAR) - 1;
    RtlCopyMemory(g_service_key, RegistryPath->Buffer, chars * sizeof(WCHAR));
    g_service_key[chars] = L'\0';

    DriverObject->MajorFunction[IRP_MJ_POWER] = PowerSysPower;
    DriverObject->DriverUnload = PowerSysUnload;
    status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_device);
    if (!NT_SUCCESS(status)) return status;
    g_device->Flags &= ~DO_DEVICE_INITIALIZING;

    status = PoRegisterPowerSettingCallback(g_device, &GUID_ACDC_POWER_SOURCE, PowerSysSetting, NULL, &g_setting);
    if (!NT_SUCCESS(status)) g_setting = NULL;
    Report(L"IdleRegistered", PoRegisterDeviceForIdleDetection(g_device, 2, 2, PowerDeviceD3) != NULL);

    RtlZeroMemory(&fx, sizeof(fx));
    fx.Version = PO_FX_VERSION;
    fx.ComponentCount = 1;
    fx.ComponentActiveConditionCallback = PowerSysActiveCondition;
    fx.ComponentIdleConditionCallback = PowerSysIdleCondition;
    fx.ComponentIdleStateCallback = PowerSysIdleState;
    fx.DevicePowerRequiredCallback = PowerSysRequired;
    fx.DevicePowerNotRequiredCallback = PowerSysNotRequired;
    fx.Components[0].IdleStateCount = 2;
    fx.Components[0].IdleStates = g_states;
    status = PoFxRegisterDevice(g_device, &fx, &g_fx);
    Report(L"FxStatus", (ULONG)status);
    if (NT_SUCCESS(status)) PoFxStartDevicePowerManagement(g_fx);
    else g_fx = NULL;
    return STATUS_SUCCESS;
}
