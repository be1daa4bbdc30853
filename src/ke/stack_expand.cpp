// KeExpandKernelStackAndCallout(Ex): the callout runs on the calling thread. ntio's threads run on
// host stacks of several megabytes, far more than MAXIMUM_EXPANSION_SIZE, so the call is direct
// whenever the stack left (measured against the host thread's limits) holds the size asked for.
#include <cstdint>

#include "ke/kernel.hpp"

namespace ntio::ke {
namespace {

// Room kept below the callout's request for this routine's own frame and the call itself.
constexpr SIZE_T kCallReserve = 1024;

NTSTATUS expand_and_call(PEXPAND_STACK_CALLOUT callout, PVOID parameter, SIZE_T size) {
    if (!callout) return STATUS_INVALID_PARAMETER_1;
    if (size > MAXIMUM_EXPANSION_SIZE) return STATUS_INVALID_PARAMETER_2;
    ULONG_PTR low = 0, high = 0;
    IoGetStackLimits(&low, &high);
    const auto here = reinterpret_cast<ULONG_PTR>(__builtin_frame_address(0));
    // Limits the host cannot tell are taken as room enough: its threads' stacks are megabytes.
    if (low != 0 && here > low && here - low < size + kCallReserve) return STATUS_NO_MEMORY;
    callout(parameter);
    return STATUS_SUCCESS;
}

}  // namespace
}  // namespace ntio::ke

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-keexpandkernelstackandcallout
NTKERNELAPI NTSTATUS KeExpandKernelStackAndCallout(PEXPAND_STACK_CALLOUT Callout, PVOID Parameter, SIZE_T Size) {
    return ntio::ke::expand_and_call(Callout, Parameter, Size);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-keexpandkernelstackandcalloutex
// Wait only matters when a stack has to be allocated, which ntio never does.
NTKERNELAPI NTSTATUS KeExpandKernelStackAndCalloutEx(PEXPAND_STACK_CALLOUT Callout, PVOID Parameter, SIZE_T Size,
                                                     BOOLEAN Wait, PVOID Context) {
    return ntio::ke::expand_and_call(Callout, Parameter, Size);
}

}  // extern "C"
