// (being written) NtCreateFile, NtOpenFile and their Zw forms.
#include <ntio/ntapi.h>
