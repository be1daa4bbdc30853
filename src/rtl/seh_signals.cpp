// Turns synchronous faults inside a __try into NT exceptions (STATUS_ACCESS_VIOLATION and friends).
// The host (host/faults.hpp) catches them; faults outside any __try, and signals sent rather than
// raised by a fault, go back to it as not ours, so crashes stay crashes.
#include <cstdint>

#include <wdm.h>

#include "host/faults.hpp"
#include "rtl/seh_thread.hpp"
#include "rtl/user_access.hpp"
#include "verifier/special_pool.hpp"

namespace ntio::rtl {
namespace verifier = ntio::verifier;
namespace {

NTSTATUS status_for(host::FaultKind kind) {
    switch (kind) {
    case host::FaultKind::kIntegerDivide: return STATUS_INTEGER_DIVIDE_BY_ZERO;
    case host::FaultKind::kIntegerOverflow: return STATUS_INTEGER_OVERFLOW;
    case host::FaultKind::kFloatDivide: return STATUS_FLOAT_DIVIDE_BY_ZERO;
    case host::FaultKind::kFloat: return STATUS_FLOAT_INVALID_OPERATION;
    case host::FaultKind::kPrivileged: return STATUS_PRIVILEGED_INSTRUCTION;
    case host::FaultKind::kIllegal: return STATUS_ILLEGAL_INSTRUCTION;
    case host::FaultKind::kMisaligned: return STATUS_DATATYPE_MISALIGNMENT;
    case host::FaultKind::kAccess: break;
    }
    return STATUS_ACCESS_VIOLATION;
}

host::FaultDecision decide(const host::Fault& fault) {
    if (fault.from_memory) {
        // A fault in a caller-memory routine (user_access.cpp) resumes at its fix-up, which returns
        // STATUS_ACCESS_VIOLATION; no exception frame is involved.
        unsigned long fixup = 0;
        if (fault.pc && user_access_fixup(reinterpret_cast<unsigned long>(fault.pc), &fixup))
            return {host::FaultDecision::kResume, fixup};
        // A touch of a freed special-pool IRP or past its end: the Windows bugcheck, which no __try
        // protects against (so before the exception dispatch). Returns for any other address.
        verifier::special_pool_fault(fault.address, fault.write, fault.pc);
    }
    // No __try on this thread, or a signal sent by kill(): not ours to handle.
    if (NtioSehThread.Top == nullptr || fault.sent) return {};
    return {host::FaultDecision::kDispatch, 0};
}

[[noreturn]] void dispatch(const host::Fault& fault) {
    EXCEPTION_RECORD record{};
    record.ExceptionCode = status_for(fault.kind);
    record.ExceptionAddress = fault.address;
    if (record.ExceptionCode == STATUS_ACCESS_VIOLATION) {
        // ExceptionInformation[0]: 0 read, 1 write (the host does not say on every architecture);
        // [1]: the faulting address.
        record.NumberParameters = 2;
        record.ExceptionInformation[0] = fault.write ? 1 : 0;
        record.ExceptionInformation[1] = reinterpret_cast<ULONG_PTR>(fault.address);
    }
    seh_dispatch(record);
}

__attribute__((constructor)) void install_fault_handlers() { host::install_fault_handlers(decide, dispatch); }

}  // namespace

void seh_prepare_thread() noexcept { host::prepare_thread_for_faults(); }

}  // namespace ntio::rtl
