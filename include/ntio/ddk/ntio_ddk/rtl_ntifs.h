/* <ntifs.h> pieces of the run-time library that file systems use: the flag macros, the
 * offset/pointer conversions and RtlCompareAltitudes. Exact WDK spellings; compiles alone in C11 and
 * C++20. The flag macros are guarded, as in the WDK, so that a driver's own definitions win. */
#ifndef NTIO_DDK_RTL_NTIFS_H
#define NTIO_DDK_RTL_NTIFS_H
#include "basetypes.h"
#include "sal.h"
#include "rtl.h"

#ifndef FlagOn
#define FlagOn(_F, _SF) ((_F) & (_SF))
#endif
#ifndef BooleanFlagOn
#define BooleanFlagOn(F, SF) ((BOOLEAN)(((F) & (SF)) != 0))
#endif
#ifndef SetFlag
#define SetFlag(_F, _SF) ((_F) |= (_SF))
#endif
#ifndef ClearFlag
#define ClearFlag(_F, _SF) ((_F) &= ~(_SF))
#endif

/* A byte offset from a base and back (the second truncated to ULONG, as the WDK's is). */
#define RtlOffsetToPointer(B, O) ((PCHAR)(((PCHAR)(B)) + ((ULONG_PTR)(O))))
#define RtlPointerToOffset(B, P) ((ULONG)(((PCHAR)(P)) - ((PCHAR)(B))))

NTIO_BEGIN_DECLS
/* Compares two altitude strings (decimal numbers, at most one decimal point, as the filter manager
 * and the registry's and object manager's callbacks use them): <0, 0 or >0 as Altitude1 is lower than,
 * equal to or higher than Altitude2. PASSIVE_LEVEL or above; any IRQL for resident strings. */
NTSYSAPI LONG NTAPI RtlCompareAltitudes(_In_ PCUNICODE_STRING Altitude1, _In_ PCUNICODE_STRING Altitude2);
NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_NTIFS_H */
