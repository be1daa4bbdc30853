/* <winreg.h> compiles on its own and declares the registry API with the SDK's types. */
#include <winreg.h>

LSTATUS probe(HKEY key);
LSTATUS probe(HKEY key) {
    DWORD size = 0;
    return RegGetValue(key, TEXT("sub"), TEXT("value"), RRF_RT_ANY | RRF_ZEROONFAILURE, NULL, NULL, &size);
}
