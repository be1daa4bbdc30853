/* <wdm.h> piece for the ke component (declarations with WDK spellings and Windows x64 layouts). */
#ifndef NTIO_DDK_KE_H
#define NTIO_DDK_KE_H
#include "basetypes.h"
#include "ntstatus.h"
#endif
