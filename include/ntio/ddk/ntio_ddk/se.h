/* <wdm.h> piece for the se component (security: access masks, SIDs, ACLs, security descriptors). */
#ifndef NTIO_DDK_SE_H
#define NTIO_DDK_SE_H
#include "basetypes.h"
#include "ntstatus.h"
#endif
