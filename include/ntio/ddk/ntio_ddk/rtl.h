/* <wdm.h> piece for the rtl component (declarations with WDK spellings and Windows x64 layouts). */
#ifndef NTIO_DDK_RTL_H
#define NTIO_DDK_RTL_H
#include "basetypes.h"
#include "ntstatus.h"
#endif
