/* Virtual memory system services (ntdll): private memory of a process, its protection, locking,
 * query, and the instruction cache. The Zw forms of those <ntifs.h> does not declare are here too.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntallocatevirtualmemory
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwfreevirtualmemory
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwqueryvirtualmemory
 * https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtualprotectex
 * https://learn.microsoft.com/windows/win32/api/memoryapi/nf-memoryapi-virtuallock */
#ifndef NTIO_NT_VIRTUAL_MEMORY_SERVICES_H
#define NTIO_NT_VIRTUAL_MEMORY_SERVICES_H
#include <wdm.h>
#include "../ddk/ntio_ddk/mm_virtual_memory.h"

NTIO_BEGIN_DECLS

NTSYSAPI NTSTATUS NTAPI NtAllocateVirtualMemory(_In_ HANDLE ProcessHandle, _Inout_ PVOID *BaseAddress,
                                                _In_ ULONG_PTR ZeroBits, _Inout_ PSIZE_T RegionSize,
                                                _In_ ULONG AllocationType, _In_ ULONG Protect);
NTSYSAPI NTSTATUS NTAPI NtFreeVirtualMemory(_In_ HANDLE ProcessHandle, _Inout_ PVOID *BaseAddress,
                                            _Inout_ PSIZE_T RegionSize, _In_ ULONG FreeType);
/* The protection of whole pages, all committed (STATUS_NOT_COMMITTED), of one allocation or view
 * (STATUS_CONFLICTING_ADDRESSES); *OldProtect receives the first page's. */
NTSYSAPI NTSTATUS NTAPI NtProtectVirtualMemory(_In_ HANDLE ProcessHandle, _Inout_ PVOID *BaseAddress,
                                               _Inout_ PSIZE_T RegionSize, _In_ ULONG NewProtect,
                                               _Out_ PULONG OldProtect);
NTSYSAPI NTSTATUS NTAPI ZwProtectVirtualMemory(_In_ HANDLE ProcessHandle, _Inout_ PVOID *BaseAddress,
                                               _Inout_ PSIZE_T RegionSize, _In_ ULONG NewProtect,
                                               _Out_ PULONG OldProtect);
NTSYSAPI NTSTATUS NTAPI NtQueryVirtualMemory(_In_ HANDLE ProcessHandle, _In_opt_ PVOID BaseAddress,
                                             _In_ MEMORY_INFORMATION_CLASS MemoryInformationClass,
                                             _Out_writes_bytes_(MemoryInformationLength) PVOID MemoryInformation,
                                             _In_ SIZE_T MemoryInformationLength, _Out_opt_ PSIZE_T ReturnLength);
/* MapType MAP_PROCESS (or MAP_SYSTEM, with SeLockMemoryPrivilege). Locking a locked page returns
 * STATUS_WAS_LOCKED; unlocking a page not locked fails with STATUS_NOT_LOCKED. */
NTSYSAPI NTSTATUS NTAPI NtLockVirtualMemory(_In_ HANDLE ProcessHandle, _Inout_ PVOID *BaseAddress,
                                            _Inout_ PSIZE_T RegionSize, _In_ ULONG MapType);
NTSYSAPI NTSTATUS NTAPI NtUnlockVirtualMemory(_In_ HANDLE ProcessHandle, _Inout_ PVOID *BaseAddress,
                                              _Inout_ PSIZE_T RegionSize, _In_ ULONG MapType);
NTSYSAPI NTSTATUS NTAPI ZwLockVirtualMemory(_In_ HANDLE ProcessHandle, _Inout_ PVOID *BaseAddress,
                                            _Inout_ PSIZE_T RegionSize, _In_ ULONG MapType);
NTSYSAPI NTSTATUS NTAPI ZwUnlockVirtualMemory(_In_ HANDLE ProcessHandle, _Inout_ PVOID *BaseAddress,
                                              _Inout_ PSIZE_T RegionSize, _In_ ULONG MapType);
/* PROCESS_VM_WRITE; BaseAddress NULL flushes the whole cache. */
NTSYSAPI NTSTATUS NTAPI NtFlushInstructionCache(_In_ HANDLE ProcessHandle, _In_opt_ PVOID BaseAddress,
                                                _In_ SIZE_T Length);
NTSYSAPI NTSTATUS NTAPI ZwFlushInstructionCache(_In_ HANDLE ProcessHandle, _In_opt_ PVOID BaseAddress,
                                                _In_ SIZE_T Length);

NTIO_END_DECLS

#endif
