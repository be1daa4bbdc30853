#include <winerror.h>
int ntio_check[ERROR_INVALID_HANDLE == 6 ? 1 : -1];
