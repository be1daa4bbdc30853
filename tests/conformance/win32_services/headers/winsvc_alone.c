/* <winsvc.h> compiles on its own and declares the service API with the SDK's types. */
#include <winsvc.h>

BOOL probe(SC_HANDLE scm);
BOOL probe(SC_HANDLE scm) {
    SC_HANDLE service = OpenService(scm, TEXT("svc"), SERVICE_QUERY_STATUS);
    SERVICE_STATUS status;
    return service && QueryServiceStatus(service, &status) && CloseServiceHandle(service);
}
