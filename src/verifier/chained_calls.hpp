// What lets IoCallDriver's hooks chain calls (the Level 1 checks in dispatch_rules.cpp, the trace
// records in irp_log.cpp). A filter's dispatch usually ends in `return IoCallDriver(lower, irp)`,
// which compilers make a tail call: the lower dispatch then returns straight to the hook that called
// the filter, at the same instant, with the same status. A hook that sees this needs no frame of its
// own for the lower call: the framed call above does its exit work for both.
//
// How a hook sees it: each framed call reaches its dispatch through a trampoline whose only call
// returns to one fixed label, and IoCallDriver's return address is passed to the hook by an entry
// stub (GCC makes no tail calls in a function that reads __builtin_return_address). A hook whose
// return address is that label has no frame between itself and the framed call's dispatch.
// x86-64 only; elsewhere every call is framed.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__)
#define NTIO_CHAINED_CALLS 1

// Defines `NTSTATUS call(PDEVICE_OBJECT, PIRP, PDRIVER_DISPATCH routine)`, which calls routine with
// the return address `label` (both extern "C" and hidden; declare them as such).
#define NTIO_CHAIN_TRAMPOLINE(call, label)        \
    asm(".text\n"                                 \
        ".p2align 4\n"                            \
        ".globl " #call "\n"                      \
        ".hidden " #call "\n"                     \
        ".type " #call ", @function\n" #call ":\n" \
        ".cfi_startproc\n"                        \
        "subq $8, %rsp\n"                         \
        ".cfi_adjust_cfa_offset 8\n"              \
        "call *%rdx\n"                            \
        ".globl " #label "\n"                     \
        ".hidden " #label "\n" #label ":\n"       \
        "addq $8, %rsp\n"                         \
        ".cfi_adjust_cfa_offset -8\n"             \
        "ret\n"                                   \
        ".cfi_endproc\n"                          \
        ".size " #call ", .-" #call "\n")

// Defines the function `symbol` (a mangled C++ name), which jumps to `body` with its return address
// added as the next argument, in register `reg` ("%rdx" after two arguments, "%rcx" after three). A
// change to the C++ declaration fails the link.
#define NTIO_RETURN_ADDRESS_ENTRY(symbol, body, reg) \
    asm(".text\n"                                   \
        ".p2align 4\n"                              \
        ".globl " #symbol "\n"                      \
        ".type " #symbol ", @function\n" #symbol ":\n" \
        ".cfi_startproc\n"                          \
        "movq (%rsp), " reg "\n"                    \
        "jmp " #body "\n"                           \
        ".cfi_endproc\n"                            \
        ".size " #symbol ", .-" #symbol "\n")

// One chain of a hook, under names starting with `name`: the trampoline (name##_chain_call) with its
// label, `bool name##_chained(return_address)` (that address is the label) and `NTSTATUS
// name##_framed_dispatch(device, irp, routine)` (the dispatch through the trampoline).
#define NTIO_DEFINE_CHAIN(name)                                                                               \
    extern "C" {                                                                                              \
    [[gnu::visibility("hidden")]] NTSTATUS name##_chain_call(PDEVICE_OBJECT, PIRP, PDRIVER_DISPATCH) noexcept; \
    [[gnu::visibility("hidden")]] extern const char name##_chain_return[];                                   \
    }                                                                                                         \
    NTIO_CHAIN_TRAMPOLINE(name##_chain_call, name##_chain_return);                                            \
    inline bool name##_chained(const void* return_address) noexcept {                                        \
        return return_address == static_cast<const void*>(name##_chain_return);                             \
    }                                                                                                         \
    inline NTSTATUS name##_framed_dispatch(PDEVICE_OBJECT device, PIRP irp, PDRIVER_DISPATCH routine) noexcept { \
        return name##_chain_call(device, irp, routine);                                                       \
    }

#else
#define NTIO_CHAINED_CALLS 0
#define NTIO_DEFINE_CHAIN(name)                                                                               \
    inline bool name##_chained(const void*) noexcept { return false; }                                       \
    inline NTSTATUS name##_framed_dispatch(PDEVICE_OBJECT device, PIRP irp, PDRIVER_DISPATCH routine) noexcept { \
        return routine(device, irp);                                                                          \
    }
#endif

// The dispatch of a chained call, by a jump: called as a routine that cannot throw (a dispatch
// routine does not), since in a noexcept function a call that might throw keeps a frame for
// std::terminate.
#define NTIO_CHAINED_DISPATCH(routine, device, irp) \
    reinterpret_cast<NTSTATUS (*)(PDEVICE_OBJECT, PIRP) noexcept>(routine)(device, irp)
