/* <wdm.h> piece for the ob component (declarations with WDK spellings and Windows x64 layouts). */
#ifndef NTIO_DDK_OB_H
#define NTIO_DDK_OB_H
#include "basetypes.h"
#include "ntstatus.h"
#endif
