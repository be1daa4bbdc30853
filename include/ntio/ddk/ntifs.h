/* <ntifs.h>: the file-system driver surface; a superset of <ntddk.h>. */
#ifndef NTIO_NTIFS_H
#define NTIO_NTIFS_H
#define _NTIFS_
#include "ntddk.h"
#include "ntio_ddk/ke_process_attach.h"
#include "ntio_ddk/io_completion.h"
#include "ntio_ddk/ps_lookup.h"
#include "ntio_ddk/ob_file_system.h"
#include "ntio_ddk/ps_quota.h"
#include "ntio_ddk/rtl_prefix.h"
#include "ntio_ddk/named_pipe.h"
#include "ntio_ddk/fsrtl.h"
#include "ntio_ddk/fsrtl_notify.h"
#include "ntio_ddk/fsrtl_fcb.h"
#include "ntio_ddk/fsrtl_filter.h"
#include "ntio_ddk/fsrtl_context.h"
#include "ntio_ddk/fsrtl_mcb.h"
#include "ntio_ddk/fsrtl_tunnel.h"
#include "ntio_ddk/cc.h"
#include "ntio_ddk/mm_file_system.h"
#include "ntio_ddk/mm_virtual_memory.h"
#include "ntio_ddk/io_file_system.h"
#include "ntio_ddk/io_file_checks.h"
#include "ntio_ddk/se_token.h"
#include "ntio_ddk/se_file_system.h"
#include "ntio_ddk/rtl_oem.h"
#include "ntio_ddk/rtl_compression.h"
#include "ntio_ddk/rtl_short_names.h"
#include "ntio_ddk/rtl_heap.h"
#include "ntio_ddk/rtl_ntifs.h"
/* Extra create parameters; opportunistic locks */
#include "ntio_ddk/fsrtl_ecp.h"
#include "ntio_ddk/fsrtl_oplock.h"
/* Reparse point buffers and tags */
#include "ntio_ddk/fsrtl_reparse.h"
#include "ntio_ddk/registry_notify.h"
#include "ntio_ddk/registry_save.h"
#endif
