// Hard errors: IoRaiseHardError, IoRaiseInformationalHardError and IoSetThreadHardErrorMode. On
// Windows a hard error becomes a pop-up through the session's hard-error port, and the failed IRP
// is completed once the user answered. ntio has no hard-error port and no one to answer: a hard
// error is reported on ntio's debug output (as error-log entries are) and the IRP is completed at
// once with the status it carries, as Windows completes it when the thread disabled hard errors.
#include "io/device_object.hpp"
#include "io/objects.hpp"
#include "ob/object_manager.hpp"
#include "ob/process.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {

namespace {

bool hard_errors_enabled(PETHREAD thread) noexcept
{
    return !thread || !thread->m_hard_errors_disabled.load(std::memory_order_relaxed);
}

// A caller's optional string, read only when it is well formed (even length within its maximum).
std::u16string_view readable(PCUNICODE_STRING text) noexcept
{
    if (!text || !text->Buffer || (text->Length & 1) || text->Length > text->MaximumLength) return {};
    return {reinterpret_cast<const char16_t*>(text->Buffer), text->Length / sizeof(WCHAR)};
}

// "status 0xC000000E"
std::u16string status_text(NTSTATUS status)
{
    std::u16string out = u"status 0x";
    const auto value = static_cast<ULONG>(status);
    for (int shift = 28; shift >= 0; shift -= 4) out.push_back(u"0123456789ABCDEF"[(value >> shift) & 0xF]);
    return out;
}

// One line on ntio's debug output.
void report(const std::u16string& line)
{
    UNICODE_STRING text{static_cast<USHORT>(std::min<std::size_t>(line.size() * sizeof(WCHAR), MAXUSHORT - 1)),
                        static_cast<USHORT>(std::min<std::size_t>(line.size() * sizeof(WCHAR), MAXUSHORT - 1)),
                        const_cast<PWCH>(reinterpret_cast<const WCHAR*>(line.data()))};
    DbgPrint("%wZ\n", &text);
}

}  // namespace

}  // namespace ntio::io

using namespace ntio;
using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioraiseharderror: tells the
// user a device I/O error failed Irp. With hard errors disabled for the thread the IRP is completed
// without data transferred to the user's buffer and no message is sent. IRQL <= APC_LEVEL.
// NT deviation: no pop-up; with hard errors enabled the error is one line on the debug output
// ("Hard error: <device>: status 0x...") and the IRP is completed at once, as when disabled. The
// thread whose mode counts is the IRP's (the thread that asked for the I/O), or the current thread
// for an IRP without one. Either way the IRP completes with the status it carries and
// IRP_INPUT_OPERATION cleared, so its final stage copies nothing to the caller's buffer.
VOID NTAPI IoRaiseHardError(PIRP Irp, PVPB Vpb, PDEVICE_OBJECT RealDeviceObject)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    if (!Irp) return;
    PETHREAD thread = Irp->Tail.Overlay.Thread ? Irp->Tail.Overlay.Thread : PsGetCurrentThread();
    if (hard_errors_enabled(thread)) {
        std::u16string line = u"Hard error: ";
        if (is_device(RealDeviceObject)) line += ob::manager_of(RealDeviceObject).full_name(RealDeviceObject);
        if (Vpb && Vpb->VolumeLabelLength && Vpb->VolumeLabelLength <= sizeof(Vpb->VolumeLabel) &&
            !(Vpb->VolumeLabelLength & 1))
            line += u" (volume " +
                    std::u16string(reinterpret_cast<const char16_t*>(Vpb->VolumeLabel), Vpb->VolumeLabelLength / 2) +
                    u")";
        report(line + u": " + status_text(Irp->IoStatus.Status));
    }
    Irp->Flags &= ~static_cast<ULONG>(IRP_INPUT_OPERATION);
    IoCompleteRequest(Irp, IO_DISK_INCREMENT);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioraiseinformationalharderror:
// an informational pop-up for ErrorStatus with String on Thread's behalf; TRUE if it was queued,
// FALSE if not, and always FALSE once the thread disabled hard errors (IoSetThreadHardErrorMode's
// remarks). NULL Thread: the current thread. IRQL <= APC_LEVEL.
// NT deviation: no pop-up; the message is one line on the debug output
// ("Hard error (informational): status 0x... <string>"), written at once, and TRUE returned.
BOOLEAN NTAPI IoRaiseInformationalHardError(NTSTATUS ErrorStatus, PUNICODE_STRING String, PKTHREAD Thread)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoApcLte);
    PETHREAD thread = Thread ? static_cast<PETHREAD>(Thread) : PsGetCurrentThread();
    if (!hard_errors_enabled(thread)) return FALSE;
    std::u16string line = u"Hard error (informational): " + status_text(ErrorStatus);
    std::u16string_view text = readable(String);
    if (!text.empty()) line += u" " + std::u16string(text);
    report(line);
    return TRUE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iosetthreadharderrormode:
// enables (TRUE) or disables (FALSE) hard errors for the current thread; returns TRUE if they were
// enabled before. <= DISPATCH_LEVEL.
BOOLEAN NTAPI IoSetThreadHardErrorMode(BOOLEAN EnableHardErrors)
{
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IrqlAtMost, DISPATCH_LEVEL);
    PETHREAD thread = PsGetCurrentThread();
    const bool was_disabled = thread->m_hard_errors_disabled.exchange(EnableHardErrors == FALSE);
    return was_disabled ? FALSE : TRUE;
}

}  // extern "C"
