/* <wmistr.h>: the WNODE structures of WMI. They live with the WMI routines of <wdm.h>. */
#ifndef NTIO_WMISTR_H
#define NTIO_WMISTR_H
#include "wdm.h"
#endif
