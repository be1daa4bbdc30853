/* <ntddk.h>: the classic NT driver surface; a superset of <wdm.h>. */
#ifndef NTIO_NTDDK_H
#define NTIO_NTDDK_H
#define _NTDDK_
#include "wdm.h"
#include "ntio_ddk/rtl_generic_table.h"
#include "ntio_ddk/rtl_run_once.h"
#include "ntio_ddk/rtl_hash_table.h"
#include "ntio_ddk/rtl_product.h"
#include "ntio_ddk/display_string.h"
#include "ntio_ddk/ps_notify.h"
#include "ntio_ddk/ps_information.h"
#include "ntio_ddk/ps_prefetch.h"
#include "ntio_ddk/io_driver_path.h"
#include "ntio_ddk/io_file_object.h"
#include "ntio_ddk/io_controller.h"
#include "ntio_ddk/io_partition.h"
#include "ntio_ddk/hal.h"
#include "ntio_ddk/io_legacy_config.h"
#include "ntio_ddk/mm_physical.h"
#include "ntio_ddk/dbg_prompt.h"
#include "ntio_ddk/io_volume.h"
#include "ntio_ddk/pnp_detected.h"
#include "ntio_ddk/fsrtl_ntddk.h"
#include "ntio_ddk/ex_zone.h"
#endif
