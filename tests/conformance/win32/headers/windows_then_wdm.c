#include <windows.h>
#include <wdm.h>
