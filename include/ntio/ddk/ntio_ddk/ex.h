/* <wdm.h> piece for the ex component (declarations with WDK spellings and Windows x64 layouts). */
#ifndef NTIO_DDK_EX_H
#define NTIO_DDK_EX_H
#include "basetypes.h"
#include "ntstatus.h"
#endif
