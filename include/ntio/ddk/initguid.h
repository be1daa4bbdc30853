/* <initguid.h>: DEFINE_GUID (basetypes.h) always defines its GUID, so including this changes nothing;
 * it is here for drivers that include it before <wdmguid.h> or <ioevent.h>. */
#ifndef NTIO_INITGUID_H
#define NTIO_INITGUID_H
#ifndef INITGUID
#define INITGUID
#endif
#include "ntio_ddk/basetypes.h"
#endif /* NTIO_INITGUID_H */
