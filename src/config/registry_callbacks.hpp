// The RegistryCallback routines drivers register with CmRegisterCallback(Ex), one stack per
// System, and the calls around each registry operation. Pre-notifications go from the highest
// altitude down until a routine answers anything but STATUS_SUCCESS: a failure status fails the
// operation with that status, STATUS_CALLBACK_BYPASS means the routine did the operation itself
// (the registry is not touched and the caller gets STATUS_SUCCESS). Either way the registrations
// below it hear nothing, and the ones above it, whose pre-notification passed, get the
// post-notification with the operation's status, lowest first; a post routine that answers
// STATUS_CALLBACK_BYPASS replaces that status with its ReturnStatus
// (https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-notifications,
// .../supporting-layered-registry-filtering-drivers).
// NT deviation: Learn gives no order for post-notifications (ntio: lowest altitude first, as a filter
// stack unwinds); ObjectContext is always NULL (no CmSetCallbackObjectContext); only the classes the
// Nt*Key services send are ever notified (docs/nt-deviations.md).
#pragma once

#include "ob/altitude_list.hpp"

namespace ntio::config {

struct CmRegistration : ob::AltitudeEntry {
    PEX_CALLBACK_FUNCTION function = nullptr;
    void* context = nullptr;
    LONGLONG cookie = 0;
};

class RegistryCallbacks {
public:
    // The one branch the registry's operations pay while nobody filters.
    bool active() const noexcept { return !m_list.empty(); }

    NTSTATUS add(PEX_CALLBACK_FUNCTION function, void* context, std::u16string altitude, bool above_all,
                 LARGE_INTEGER* cookie);
    // STATUS_INVALID_PARAMETER for an unknown cookie; waits for the calls in flight.
    NTSTATUS remove(LONGLONG cookie);
    bool registered(LONGLONG cookie) const;

    // Runs `operation` (returning its status) between the notifications of `pre_class`. `info` is
    // the class's REG_*_INFORMATION; `*post_object` is read after the operation for the
    // post-notification's Object (operations that open a key set it), and `bypassed` says whether
    // a routine took the operation over.
    template <class Info, class Operation>
    NTSTATUS around(REG_NOTIFY_CLASS pre_class, Info& info, void* const* post_object, Operation&& operation,
                    bool* bypassed = nullptr)
    {
        ob::AltitudeList<CmRegistration>::Snapshot taken;
        m_list.take(taken, [](const CmRegistration&) { return true; });
        std::vector<void*> call_contexts(taken.size());
        std::size_t passed = 0;
        NTSTATUS status = STATUS_SUCCESS;
        bool bypass = false;
        for (; passed < taken.size(); ++passed) {
            info.CallContext = nullptr;
            const NTSTATUS answer = call(taken[passed], pre_class, &info);
            call_contexts[passed] = info.CallContext;
            if (answer == STATUS_CALLBACK_BYPASS) {
                bypass = true;
                break;
            }
            if (!NT_SUCCESS(answer)) {
                status = answer;
                break;
            }
        }
        if (bypassed) *bypassed = bypass;
        if (!bypass && NT_SUCCESS(status)) status = operation();
        const REG_NOTIFY_CLASS post_class = post_class_of(pre_class);
        for (std::size_t i = passed; i-- > 0;) {
            REG_POST_OPERATION_INFORMATION post{};
            post.Object = NT_SUCCESS(status) ? *post_object : nullptr;
            post.Status = status;
            post.PreInformation = &info;
            post.CallContext = call_contexts[i];
            if (call(taken[i], post_class, &post) == STATUS_CALLBACK_BYPASS) status = post.ReturnStatus;
        }
        return status;
    }

private:
    static NTSTATUS call(const CmRegistration& registration, REG_NOTIFY_CLASS notify_class, void* argument)
    {
        return registration.function(registration.context, reinterpret_cast<PVOID>(static_cast<ULONG_PTR>(notify_class)),
                                     argument);
    }
    static REG_NOTIFY_CLASS post_class_of(REG_NOTIFY_CLASS pre_class) noexcept;

    ob::AltitudeList<CmRegistration> m_list;
    std::atomic<LONGLONG> m_next_cookie{1};
};

}  // namespace ntio::config
