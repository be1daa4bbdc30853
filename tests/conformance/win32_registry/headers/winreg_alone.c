/* <winreg.h> compiles on its own and declares the registry API with the SDK's types; the TCHAR
 * names of the A/W pairs resolve in both character modes. */
#include <winreg.h>

LSTATUS probe(HKEY key);
LSTATUS probe(HKEY key) {
    DWORD size = 0;
    VALENT entry = {NULL, 0, 0, 0};
    LSTATUS status = RegGetValue(key, TEXT("sub"), TEXT("value"), RRF_RT_ANY | RRF_ZEROONFAILURE, NULL, NULL, &size);
    if (status == 0) status = RegCopyTree(key, TEXT("sub"), key);
    if (status == 0) status = RegDeleteTree(key, TEXT("sub"));
    if (status == 0) status = RegQueryMultipleValues(key, &entry, 1, NULL, &size);
    return status;
}
