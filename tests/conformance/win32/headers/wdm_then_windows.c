#include <wdm.h>
#include <windows.h>
