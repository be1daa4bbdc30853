/* DbgPrompt (<ntddk.h>): a question to the kernel debugger's operator.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-dbgprompt */
#ifndef NTIO_DDK_DBG_PROMPT_H
#define NTIO_DDK_DBG_PROMPT_H

#include "basetypes.h"
#include "sal.h"

NTIO_BEGIN_DECLS

/* Any IRQL at or below DISPATCH_LEVEL. Shows Prompt on the kernel debugger and reads a line into
 * Response; no debugger is attached in ntio: 0 characters. */
NTSYSAPI ULONG NTAPI DbgPrompt(_In_z_ PCCH Prompt, _Out_writes_bytes_(MaximumResponseLength) PCHAR Response,
                               _In_ ULONG MaximumResponseLength);

NTIO_END_DECLS

#endif /* NTIO_DDK_DBG_PROMPT_H */
