/* <wdmsec.h>: IoCreateDeviceSecure and the SDDL_DEVOBJ_* strings. */
#ifndef NTIO_WDMSEC_H
#define NTIO_WDMSEC_H
#include "wdm.h"
#include "ntio_ddk/wdmsec.h"
#endif
