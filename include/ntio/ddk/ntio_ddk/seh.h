/* <wdm.h> piece for the seh component (declarations with WDK spellings and Windows x64 layouts). */
#ifndef NTIO_DDK_SEH_H
#define NTIO_DDK_SEH_H
#include "basetypes.h"
#include "ntstatus.h"
#endif
