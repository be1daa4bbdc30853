/* <wdm.h>: the WDM driver surface of ntio. Exact WDK spellings, Windows x64 layouts.
 * Split into pieces under ntio_ddk/ by component; this file only includes them in order. */
#ifndef NTIO_WDM_H
#define NTIO_WDM_H
#define _WDMDDK_
#include "ntio_ddk/basetypes.h"
#include "ntio_ddk/sal.h"
#include "ntio_ddk/ntstatus.h"
#include "ntio_ddk/rtl.h"
#include "ntio_ddk/rtl_bitmap.h"
#include "ntio_ddk/rtl_data.h"
#include "ntio_ddk/seh.h"
#include "ntio_ddk/ke.h"
#include "ntio_ddk/ke_processor.h"
#include "ntio_ddk/ex.h"
#include "ntio_ddk/ex_locks.h"
#include "ntio_ddk/se.h"
#include "ntio_ddk/ob.h"
#include "ntio_ddk/ex_callback.h"
#include "ntio_ddk/io.h"
#include "ntio_ddk/etw.h"
#include "ntio_ddk/wmi.h"
#include "ntio_ddk/error_log.h"
#include "ntio_ddk/zw.h"
#include "ntio_ddk/mm.h"
#include "ntio_ddk/mm_paging.h"
#include "ntio_ddk/dma.h"
#include "ntio_ddk/file_information.h"
#include "ntio_ddk/file_operations.h"
#include "ntio_ddk/registry.h"
#include "ntio_ddk/rtl_registry.h"
#include "ntio_ddk/pnp.h"
#include "ntio_ddk/driver_load.h"
#endif
