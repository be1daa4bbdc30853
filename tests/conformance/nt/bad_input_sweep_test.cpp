// A table-driven sweep of bad input over the Nt* services, each called from the application with
// every other argument valid: handle arguments (NULL, never issued, just closed, of the wrong type,
// with too few rights), caller pointers (inaccessible, read-only, misaligned) and information
// classes and lengths (out of range, too short, far too long). Every call must return with
// the status Windows gives, and a refused call changes nothing: no handle or object is left behind.
// A new service is one row in a table.
//
// Statuses, unless a row says otherwise:
// - A handle that is NULL, was never issued or was closed is STATUS_INVALID_HANDLE; a valid handle
//   to an object of another type is STATUS_OBJECT_TYPE_MISMATCH; a handle without the right the
//   service needs is STATUS_ACCESS_DENIED (ObReferenceObjectByHandle's results,
//   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-obreferenceobjectbyhandle).
// - A caller buffer that is not accessible as the service needs it is STATUS_ACCESS_VIOLATION, a
//   misaligned one STATUS_DATATYPE_MISALIGNMENT (ProbeForRead / ProbeForWrite,
//   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-probeforwrite); so is a
//   small output buffer given a length that runs far past it (ProbeForWrite touches every page).
//
// Left out, because Windows documents no status for them: waiting on an object that has no signal
// state, NtMakePermanentObject (its privilege check comes before the handle), NtLoadDriver and
// NtUnloadDriver (privilege first), the rights of the completion-port and symbolic-link services,
// and which error a far too long *input* length gets (see kLengthRows).
#include <cstddef>
#include <cstring>
#include <functional>
#include <utility>
#include <sys/resource.h>

#include "conformance/nt/nt_test_support.hpp"
#include "conformance/registry/registry_test_support.hpp"

#include <ntio/ntio.h>

#include "ntio/system.hpp"
#include "ob/object_manager.hpp"

namespace ntio::test {
namespace {

// ---- The device the file services are called on ----

// A WDM device that completes every request with STATUS_SUCCESS and no data, so that a file
// service given good arguments succeeds and one given a bad argument fails before the driver.
PDEVICE_OBJECT g_sweep_device = nullptr;
std::atomic<int> g_sweep_unloaded{0};

NTSTATUS NTAPI SweepDispatch(PDEVICE_OBJECT, PIRP Irp) {
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

VOID NTAPI SweepUnload(PDRIVER_OBJECT) {
    IoDeleteDevice(g_sweep_device);
    g_sweep_device = nullptr;
    ++g_sweep_unloaded;
}

NTSTATUS NTAPI SweepDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\NtioBadInputSweep");
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_sweep_device);
    if (!NT_SUCCESS(status)) return status;
    g_sweep_device->Flags |= DO_BUFFERED_IO;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; ++i) DriverObject->MajorFunction[i] = SweepDispatch;
    DriverObject->DriverUnload = SweepUnload;
    g_sweep_device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

// ---- The objects every row is called with ----

struct Objects {
    HANDLE event = nullptr;      // notification event, unsignalled, named "E" in `directory`
    HANDLE signaled = nullptr;   // notification event, signalled: waits on it return at once
    HANDLE semaphore = nullptr;  // count 0 of 1000, "S"
    HANDLE mutant = nullptr;     // not owned, "M"
    HANDLE port = nullptr;       // empty completion port, "P"
    HANDLE directory = nullptr;  // unnamed object directory holding the names above
    HANDLE subdirectory = nullptr;  // "D" in `directory`
    HANDLE link = nullptr;       // "L" in `directory`, to \BaseNamedObjects
    HANDLE device_link = nullptr;   // "Dev" in `directory`, to the sweep device
    HANDLE key = nullptr;        // volatile scratch key with value "V" and subkey "Sub"
    HANDLE subkey = nullptr;
    HANDLE file = nullptr;       // the sweep device, synchronous, kFileAccess
    HANDLE unbuffered = nullptr; // the same, opened FILE_NO_INTERMEDIATE_BUFFERING (scatter/gather)
};

// What the default descriptor of a named device grants everyone (GENERIC_READ | GENERIC_WRITE |
// GENERIC_EXECUTE): an application gets no DELETE on the sweep device.
constexpr ACCESS_MASK kFileAccess = FILE_GENERIC_READ | FILE_GENERIC_WRITE;

// What a handle argument must name.
enum class Kind {
    Any,         // any object: no wrong type
    Waitable,    // any waitable object: no wrong type (see the rows)
    Signalable,  // an event, a semaphore or a mutant (NtSignalAndWaitForSingleObject)
    Event,
    Semaphore,
    Mutant,
    Port,
    Directory,
    Link,
    Key,
    File,
    UnbufferedFile,
    Thread,
    Process,
};

HANDLE valid_handle(const Objects& o, Kind kind) {
    switch (kind) {
    case Kind::Any: return o.event;
    case Kind::Waitable: return o.signaled;
    case Kind::Signalable: return o.event;
    case Kind::Event: return o.event;
    case Kind::Semaphore: return o.semaphore;
    case Kind::Mutant: return o.mutant;
    case Kind::Port: return o.port;
    case Kind::Directory: return o.directory;
    case Kind::Link: return o.link;
    case Kind::Key: return o.key;
    case Kind::File: return o.file;
    case Kind::UnbufferedFile: return o.unbuffered;
    case Kind::Thread: return NtCurrentThread();
    case Kind::Process: return NtCurrentProcess();
    }
    return nullptr;
}

// Valid handles to objects of another type: an object of the fixture and a pseudo handle. The
// pseudo handles are valid process and thread handles ("a special value that always represents the
// current process", https://learn.microsoft.com/windows-hardware/drivers/kernel/zwcurrentprocess and
// .../zwcurrentthread), so the thread and process rows take them as their valid handle; NT fact I7:
// NtReadFile on the current-process pseudo handle is STATUS_OBJECT_TYPE_MISMATCH.
std::vector<std::pair<const char*, HANDLE>> wrong_handles(const Objects& o, Kind kind) {
    switch (kind) {
    case Kind::Any:
    case Kind::Waitable: return {};
    case Kind::Event: return {{"a semaphore handle", o.semaphore}, {"NtCurrentProcess()", NtCurrentProcess()}};
    case Kind::Signalable: return {{"a directory handle", o.directory}, {"NtCurrentProcess()", NtCurrentProcess()}};
    case Kind::Thread: return {{"an event handle", o.event}, {"NtCurrentProcess()", NtCurrentProcess()}};
    case Kind::Process: return {{"an event handle", o.event}, {"NtCurrentThread()", NtCurrentThread()}};
    default: return {{"an event handle", o.event}, {"NtCurrentProcess()", NtCurrentProcess()}};
    }
}

HANDLE tagged(HANDLE h) {
    return reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(h) | OBJ_HANDLE_TAGBITS);
}

constexpr NTSTATUS kNoControl = static_cast<NTSTATUS>(0x7fffffff);  // the valid call would destroy the object
const HANDLE kNeverIssued = reinterpret_cast<HANDLE>(static_cast<ULONG_PTR>(0x7FF0));
const ULONG kMethodBufferedIoctl = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
const ULONG kMethodBufferedFsctl = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS);

// One handle argument of one service. `call` passes `h` in that argument and valid values in all
// the others; on success it undoes what the call made (closes a returned handle, drains a port).
struct HandleRow {
    const char* argument;
    Kind kind;
    bool optional;    // NULL is a valid value here (no object): not an invalid handle
    NTSTATUS valid;   // the result with the fixture's handle of that kind (kNoControl: not called)
    NTSTATUS (*call)(Objects& o, HANDLE h);
};

// Closes what a successful call returned in `created`.
NTSTATUS closing(NTSTATUS status, const HANDLE& created) {
    if (NT_SUCCESS(status) && created) {
        EXPECT_EQ(NtClose(created), STATUS_SUCCESS);
    }
    return status;
}

NTSTATUS create_in(HANDLE root, const wchar_t* name, NTSTATUS (*create)(HANDLE*, POBJECT_ATTRIBUTES)) {
    ObjectName oa(name, OBJ_CASE_INSENSITIVE, root);
    HANDLE h = nullptr;
    return closing(create(&h, oa.get()), h);
}

// Opens of the named objects of the fixture.
NTSTATUS open_event(PHANDLE out, POBJECT_ATTRIBUTES oa) { return NtOpenEvent(out, EVENT_ALL_ACCESS, oa); }
NTSTATUS open_semaphore(PHANDLE out, POBJECT_ATTRIBUTES oa) { return NtOpenSemaphore(out, SEMAPHORE_ALL_ACCESS, oa); }
NTSTATUS open_mutant(PHANDLE out, POBJECT_ATTRIBUTES oa) { return NtOpenMutant(out, MUTANT_ALL_ACCESS, oa); }
NTSTATUS open_port(PHANDLE out, POBJECT_ATTRIBUTES oa) { return NtOpenIoCompletion(out, IO_COMPLETION_ALL_ACCESS, oa); }
NTSTATUS open_directory(PHANDLE out, POBJECT_ATTRIBUTES oa) { return NtOpenDirectoryObject(out, DIRECTORY_QUERY, oa); }
NTSTATUS open_link(PHANDLE out, POBJECT_ATTRIBUTES oa) { return NtOpenSymbolicLinkObject(out, SYMBOLIC_LINK_QUERY, oa); }
NTSTATUS open_key_ex(PHANDLE out, POBJECT_ATTRIBUTES oa) { return NtOpenKeyEx(out, KEY_READ, oa, 0); }

// A page-aligned page for the scatter/gather segments.
alignas(4096) unsigned char g_segment_page[4096];

NTSTATUS scatter(HANDLE file, HANDLE event, bool write) {
    FILE_SEGMENT_ELEMENT segments[2]{};
    segments[0].Buffer = g_segment_page;
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER offset{};
    return write ? NtWriteFileGather(file, event, nullptr, nullptr, &iosb, segments, sizeof(g_segment_page), &offset,
                                     nullptr)
                 : NtReadFileScatter(file, event, nullptr, nullptr, &iosb, segments, sizeof(g_segment_page), &offset,
                                     nullptr);
}

// FILE_FULL_EA_INFORMATION "A" = "v" and FILE_QUOTA_INFORMATION for the Everyone SID, well formed.
struct EaBuffer {
    alignas(8) unsigned char bytes[16]{};
    ULONG length = 0;
    EaBuffer() {
        auto* ea = reinterpret_cast<PFILE_FULL_EA_INFORMATION>(bytes);
        ea->EaNameLength = 1;
        ea->EaValueLength = 1;
        ea->EaName[0] = 'A';
        ea->EaName[1] = '\0';
        ea->EaName[2] = 'v';
        length = FIELD_OFFSET(FILE_FULL_EA_INFORMATION, EaName) + 3;
    }
};

struct QuotaBuffer {
    alignas(8) unsigned char bytes[64]{};
    ULONG length = 0;
    QuotaBuffer() {
        auto* quota = reinterpret_cast<PFILE_QUOTA_INFORMATION>(bytes);
        SID_IDENTIFIER_AUTHORITY world = SECURITY_WORLD_SID_AUTHORITY;
        auto* sid = reinterpret_cast<PSID>(&quota->Sid);
        (void)RtlInitializeSid(sid, &world, 1);
        *RtlSubAuthoritySid(sid, 0) = SECURITY_WORLD_RID;
        quota->SidLength = RtlLengthSid(sid);
        length = FIELD_OFFSET(FILE_QUOTA_INFORMATION, Sid) + quota->SidLength;
    }
};

NTSTATUS drain_port(NTSTATUS status, HANDLE port) {
    if (NT_SUCCESS(status)) {
        PVOID key = nullptr, apc = nullptr;
        IO_STATUS_BLOCK iosb{};
        LARGE_INTEGER zero = zero_timeout();
        EXPECT_EQ(NtRemoveIoCompletion(port, &key, &apc, &iosb, &zero), STATUS_SUCCESS);
    }
    return status;
}

const HandleRow kHandleRows[] = {
    // Handles and objects. https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntclose:
    // "STATUS_INVALID_HANDLE: Handle is not a valid handle."
    {"NtClose Handle", Kind::Any, false, kNoControl, [](Objects&, HANDLE h) { return NtClose(h); }},
    {"NtDuplicateObject SourceProcessHandle", Kind::Process, false, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) {
         HANDLE out = nullptr;
         return closing(NtDuplicateObject(h, o.event, NtCurrentProcess(), &out, 0, 0, DUPLICATE_SAME_ACCESS), out);
     }},
    {"NtDuplicateObject SourceHandle", Kind::Any, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         HANDLE out = nullptr;
         return closing(NtDuplicateObject(NtCurrentProcess(), h, NtCurrentProcess(), &out, 0, 0, DUPLICATE_SAME_ACCESS),
                        out);
     }},
    {"NtDuplicateObject TargetProcessHandle", Kind::Process, true, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) {
         HANDLE out = nullptr;
         return closing(NtDuplicateObject(NtCurrentProcess(), o.event, h, &out, 0, 0, DUPLICATE_SAME_ACCESS), out);
     }},
    {"NtQueryObject(ObjectBasicInformation) Handle", Kind::Any, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         OBJECT_BASIC_INFORMATION info{};
         return NtQueryObject(h, ObjectBasicInformation, &info, sizeof(info), nullptr);
     }},
    {"NtQueryObject(ObjectNameInformation) Handle", Kind::Any, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         alignas(8) unsigned char buffer[512];
         ULONG length = 0;
         return NtQueryObject(h, ObjectNameInformation, buffer, sizeof(buffer), &length);
     }},
    {"NtQueryObject(ObjectTypeInformation) Handle", Kind::Any, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         alignas(8) unsigned char buffer[512];
         ULONG length = 0;
         return NtQueryObject(h, ObjectTypeInformation, buffer, sizeof(buffer), &length);
     }},
    {"NtQueryObject(ObjectHandleFlagInformation) Handle", Kind::Any, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         OBJECT_HANDLE_FLAG_INFORMATION info{};
         return NtQueryObject(h, ObjectHandleFlagInformation, &info, sizeof(info), nullptr);
     }},
    {"NtSetInformationObject Handle", Kind::Any, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         OBJECT_HANDLE_FLAG_INFORMATION info{FALSE, FALSE};
         return NtSetInformationObject(h, ObjectHandleFlagInformation, &info, sizeof(info));
     }},
    {"NtMakeTemporaryObject Handle", Kind::Any, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) { return NtMakeTemporaryObject(h); }},

    // Events, semaphores, mutants.
    {"NtSetEvent EventHandle", Kind::Event, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         LONG previous = 0;
         return NtSetEvent(h, &previous);
     }},
    {"NtResetEvent EventHandle", Kind::Event, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         LONG previous = 0;
         return NtResetEvent(h, &previous);
     }},
    {"NtPulseEvent EventHandle", Kind::Event, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         LONG previous = 0;
         return NtPulseEvent(h, &previous);
     }},
    {"NtClearEvent EventHandle", Kind::Event, false, STATUS_SUCCESS, [](Objects&, HANDLE h) { return NtClearEvent(h); }},
    {"NtQueryEvent EventHandle", Kind::Event, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         EVENT_BASIC_INFORMATION info{};
         ULONG length = 0;
         return NtQueryEvent(h, EventBasicInformation, &info, sizeof(info), &length);
     }},
    {"NtReleaseSemaphore SemaphoreHandle", Kind::Semaphore, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         LONG previous = 0;
         return NtReleaseSemaphore(h, 1, &previous);
     }},
    {"NtQuerySemaphore SemaphoreHandle", Kind::Semaphore, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         SEMAPHORE_BASIC_INFORMATION info{};
         ULONG length = 0;
         return NtQuerySemaphore(h, SemaphoreBasicInformation, &info, sizeof(info), &length);
     }},
    // The fixture's mutant is not owned: releasing it is STATUS_MUTANT_NOT_OWNED (ReleaseMutex).
    {"NtReleaseMutant MutantHandle", Kind::Mutant, false, STATUS_MUTANT_NOT_OWNED,
     [](Objects&, HANDLE h) {
         LONG previous = 0;
         return NtReleaseMutant(h, &previous);
     }},
    {"NtQueryMutant MutantHandle", Kind::Mutant, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         MUTANT_BASIC_INFORMATION info{};
         ULONG length = 0;
         return NtQueryMutant(h, MutantBasicInformation, &info, sizeof(info), &length);
     }},

    // Waits, with a zero timeout. Waiting on an object that has no signal state is left out: what
    // Windows answers there is not documented.
    {"NtWaitForSingleObject Handle", Kind::Waitable, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         LARGE_INTEGER zero = zero_timeout();
         return NtWaitForSingleObject(h, FALSE, &zero);
     }},
    {"NtWaitForMultipleObjects Handles[1]", Kind::Waitable, false, STATUS_WAIT_0,
     [](Objects& o, HANDLE h) {
         HANDLE handles[2] = {o.signaled, h};
         LARGE_INTEGER zero = zero_timeout();
         return NtWaitForMultipleObjects(2, handles, WaitAny, FALSE, &zero);
     }},
    // SignalObjectAndWait: the object to signal "can be a semaphore, a mutex, or an event"
    // (https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-signalobjectandwait).
    {"NtSignalAndWaitForSingleObject SignalHandle", Kind::Signalable, false, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) {
         LARGE_INTEGER zero = zero_timeout();
         return NtSignalAndWaitForSingleObject(h, o.signaled, FALSE, &zero);
     }},
    {"NtSignalAndWaitForSingleObject WaitHandle", Kind::Waitable, false, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) {
         LARGE_INTEGER zero = zero_timeout();
         return NtSignalAndWaitForSingleObject(o.event, h, FALSE, &zero);
     }},

    // Threads. NT fact G5: a NULL APC routine is accepted and never delivered. NT fact D7: a thread
    // not in synchronous I/O is STATUS_NOT_FOUND, a NULL or bogus thread handle STATUS_INVALID_HANDLE.
    {"NtQueueApcThread ThreadHandle", Kind::Thread, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) { return NtQueueApcThread(h, nullptr, nullptr, nullptr, nullptr); }},
    {"NtAlertThread ThreadHandle", Kind::Thread, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         NTSTATUS status = NtAlertThread(h);
         if (status == STATUS_SUCCESS) {
             EXPECT_EQ(NtTestAlert(), STATUS_ALERTED) << "the alert is cleared again";
         }
         return status;
     }},
    {"NtCancelSynchronousIoFile ThreadHandle", Kind::Thread, false, STATUS_NOT_FOUND,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         return NtCancelSynchronousIoFile(h, nullptr, &iosb);
     }},

    // Directories, links, ports.
    {"NtQueryDirectoryObject DirectoryHandle", Kind::Directory, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         alignas(8) unsigned char buffer[2048];
         ULONG context = 0, length = 0;
         return NtQueryDirectoryObject(h, buffer, sizeof(buffer), FALSE, TRUE, &context, &length);
     }},
    {"NtQuerySymbolicLinkObject LinkHandle", Kind::Link, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         WCHAR buffer[128];
         UNICODE_STRING target{0, sizeof(buffer), buffer};
         ULONG length = 0;
         return NtQuerySymbolicLinkObject(h, &target, &length);
     }},
    {"NtQueryIoCompletion IoCompletionHandle", Kind::Port, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_COMPLETION_BASIC_INFORMATION info{};
         ULONG length = 0;
         return NtQueryIoCompletion(h, IoCompletionBasicInformation, &info, sizeof(info), &length);
     }},
    {"NtSetIoCompletion IoCompletionHandle", Kind::Port, false, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) { return drain_port(NtSetIoCompletion(h, nullptr, nullptr, STATUS_SUCCESS, 0), o.port); }},
    {"NtRemoveIoCompletion IoCompletionHandle", Kind::Port, false, STATUS_TIMEOUT,
     [](Objects&, HANDLE h) {
         PVOID key = nullptr, apc = nullptr;
         IO_STATUS_BLOCK iosb{};
         LARGE_INTEGER zero = zero_timeout();
         return NtRemoveIoCompletion(h, &key, &apc, &iosb, &zero);
     }},
    {"NtRemoveIoCompletionEx IoCompletionHandle", Kind::Port, false, STATUS_TIMEOUT,
     [](Objects&, HANDLE h) {
         FILE_IO_COMPLETION_INFORMATION entries[2]{};
         ULONG removed = 0;
         LARGE_INTEGER zero = zero_timeout();
         return NtRemoveIoCompletionEx(h, entries, 2, &removed, &zero, FALSE);
     }},

    // Registry. https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwenumeratekey:
    // STATUS_NO_MORE_ENTRIES past the last subkey; a missing value is STATUS_OBJECT_NAME_NOT_FOUND.
    {"NtQueryKey KeyHandle", Kind::Key, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         alignas(8) unsigned char buffer[512];
         ULONG length = 0;
         return NtQueryKey(h, KeyBasicInformation, buffer, sizeof(buffer), &length);
     }},
    {"NtEnumerateKey KeyHandle", Kind::Key, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         alignas(8) unsigned char buffer[512];
         ULONG length = 0;
         return NtEnumerateKey(h, 0, KeyBasicInformation, buffer, sizeof(buffer), &length);
     }},
    {"NtEnumerateValueKey KeyHandle", Kind::Key, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         alignas(8) unsigned char buffer[512];
         ULONG length = 0;
         return NtEnumerateValueKey(h, 0, KeyValueBasicInformation, buffer, sizeof(buffer), &length);
     }},
    {"NtQueryValueKey KeyHandle", Kind::Key, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         UNICODE_STRING name;
         RtlInitUnicodeString(&name, L"V");
         alignas(8) unsigned char buffer[512];
         ULONG length = 0;
         return NtQueryValueKey(h, &name, KeyValuePartialInformation, buffer, sizeof(buffer), &length);
     }},
    {"NtSetValueKey KeyHandle", Kind::Key, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) { return set_dword(h, L"V", 7); }},
    {"NtDeleteValueKey KeyHandle", Kind::Key, false, STATUS_OBJECT_NAME_NOT_FOUND,
     [](Objects&, HANDLE h) {
         UNICODE_STRING name;
         RtlInitUnicodeString(&name, L"Missing");
         return NtDeleteValueKey(h, &name);
     }},
    {"NtFlushKey KeyHandle", Kind::Key, false, STATUS_SUCCESS, [](Objects&, HANDLE h) { return NtFlushKey(h); }},
    {"NtDeleteKey KeyHandle", Kind::Key, false, kNoControl, [](Objects&, HANDLE h) { return NtDeleteKey(h); }},

    // Files: the sweep device completes every request it is given with STATUS_SUCCESS.
    {"NtReadFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         char buffer[8];
         return NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), nullptr, nullptr);
     }},
    {"NtWriteFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         char buffer[8] = {};
         return NtWriteFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), nullptr, nullptr);
     }},
    {"NtDeviceIoControlFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         ULONG in = 1, out = 0;
         return NtDeviceIoControlFile(h, nullptr, nullptr, nullptr, &iosb, kMethodBufferedIoctl, &in, sizeof(in), &out,
                                      sizeof(out));
     }},
    {"NtFsControlFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         ULONG in = 1, out = 0;
         return NtFsControlFile(h, nullptr, nullptr, nullptr, &iosb, kMethodBufferedFsctl, &in, sizeof(in), &out,
                                sizeof(out));
     }},
    {"NtQueryInformationFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         FILE_BASIC_INFORMATION info{};
         return NtQueryInformationFile(h, &iosb, &info, sizeof(info), FileBasicInformation);
     }},
    {"NtSetInformationFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         FILE_POSITION_INFORMATION info{};
         return NtSetInformationFile(h, &iosb, &info, sizeof(info), FilePositionInformation);
     }},
    {"NtQueryVolumeInformationFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         FILE_FS_DEVICE_INFORMATION info{};
         return NtQueryVolumeInformationFile(h, &iosb, &info, sizeof(info), FileFsDeviceInformation);
     }},
    {"NtSetVolumeInformationFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         FILE_FS_LABEL_INFORMATION info{};
         return NtSetVolumeInformationFile(h, &iosb, &info, sizeof(info), FileFsLabelInformation);
     }},
    {"NtFlushBuffersFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         return NtFlushBuffersFile(h, &iosb);
     }},
    {"NtFlushBuffersFileEx FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         return NtFlushBuffersFileEx(h, 0, nullptr, 0, &iosb);
     }},
    {"NtQueryEaFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         alignas(8) unsigned char buffer[64];
         return NtQueryEaFile(h, &iosb, buffer, sizeof(buffer), FALSE, nullptr, 0, nullptr, TRUE);
     }},
    {"NtSetEaFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         EaBuffer ea;
         return NtSetEaFile(h, &iosb, ea.bytes, ea.length);
     }},
    {"NtQueryQuotaInformationFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         alignas(8) unsigned char buffer[128];
         return NtQueryQuotaInformationFile(h, &iosb, buffer, sizeof(buffer), FALSE, nullptr, 0, nullptr, TRUE);
     }},
    {"NtSetQuotaInformationFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         QuotaBuffer quota;
         return NtSetQuotaInformationFile(h, &iosb, quota.bytes, quota.length);
     }},
    {"NtLockFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         LARGE_INTEGER offset{}, length{};
         length.QuadPart = 1;
         return NtLockFile(h, nullptr, nullptr, nullptr, &iosb, &offset, &length, 0, TRUE, TRUE);
     }},
    {"NtUnlockFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         LARGE_INTEGER offset{}, length{};
         length.QuadPart = 1;
         return NtUnlockFile(h, &iosb, &offset, &length, 0);
     }},
    {"NtQueryDirectoryFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         alignas(8) unsigned char buffer[512];
         return NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                     FileDirectoryInformation, FALSE, nullptr, TRUE);
     }},
    {"NtQueryDirectoryFileEx FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         alignas(8) unsigned char buffer[512];
         return NtQueryDirectoryFileEx(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                       FileDirectoryInformation, SL_RESTART_SCAN, nullptr);
     }},
    {"NtNotifyChangeDirectoryFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         alignas(8) unsigned char buffer[64];
         return NtNotifyChangeDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                            FILE_NOTIFY_CHANGE_FILE_NAME, FALSE);
     }},
    {"NtReadFileScatter FileHandle", Kind::UnbufferedFile, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) { return scatter(h, nullptr, false); }},
    {"NtWriteFileGather FileHandle", Kind::UnbufferedFile, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) { return scatter(h, nullptr, true); }},
    {"NtCancelIoFile FileHandle", Kind::File, false, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         return NtCancelIoFile(h, &iosb);
     }},
    {"NtCancelIoFileEx FileHandle", Kind::File, false, STATUS_NOT_FOUND,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         return NtCancelIoFileEx(h, nullptr, &iosb);
     }},

    // The optional event of the I/O services (NT fact H4: an invalid event handle is
    // STATUS_INVALID_HANDLE and nothing else happens).
    {"NtReadFile Event", Kind::Event, true, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         char buffer[8];
         return NtReadFile(o.file, h, nullptr, nullptr, &iosb, buffer, sizeof(buffer), nullptr, nullptr);
     }},
    {"NtWriteFile Event", Kind::Event, true, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         char buffer[8] = {};
         return NtWriteFile(o.file, h, nullptr, nullptr, &iosb, buffer, sizeof(buffer), nullptr, nullptr);
     }},
    {"NtDeviceIoControlFile Event", Kind::Event, true, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         return NtDeviceIoControlFile(o.file, h, nullptr, nullptr, &iosb, kMethodBufferedIoctl, nullptr, 0, nullptr, 0);
     }},
    {"NtFsControlFile Event", Kind::Event, true, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         return NtFsControlFile(o.file, h, nullptr, nullptr, &iosb, kMethodBufferedFsctl, nullptr, 0, nullptr, 0);
     }},
    {"NtLockFile Event", Kind::Event, true, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         LARGE_INTEGER offset{}, length{};
         length.QuadPart = 1;
         return NtLockFile(o.file, h, nullptr, nullptr, &iosb, &offset, &length, 0, TRUE, TRUE);
     }},
    {"NtQueryDirectoryFile Event", Kind::Event, true, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         alignas(8) unsigned char buffer[512];
         return NtQueryDirectoryFile(o.file, h, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                     FileDirectoryInformation, FALSE, nullptr, TRUE);
     }},
    {"NtNotifyChangeDirectoryFile Event", Kind::Event, true, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         alignas(8) unsigned char buffer[64];
         return NtNotifyChangeDirectoryFile(o.file, h, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                            FILE_NOTIFY_CHANGE_FILE_NAME, FALSE);
     }},
    {"NtReadFileScatter Event", Kind::Event, true, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) { return scatter(o.unbuffered, h, false); }},
    {"NtWriteFileGather Event", Kind::Event, true, STATUS_SUCCESS,
     [](Objects& o, HANDLE h) { return scatter(o.unbuffered, h, true); }},

    // OBJECT_ATTRIBUTES.RootDirectory (NULL with a relative name is another error, not tested here):
    // a root that is not a directory (nor a key for the registry, nor a file for the I/O manager)
    // has no name space to look the name up in.
    {"NtCreateEvent RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"NewEvent", [](HANDLE* out, POBJECT_ATTRIBUTES oa) {
             return NtCreateEvent(out, EVENT_ALL_ACCESS, oa, NotificationEvent, FALSE);
         });
     }},
    {"NtOpenEvent RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"E", open_event);
     }},
    {"NtCreateSemaphore RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"NewSemaphore", [](HANDLE* out, POBJECT_ATTRIBUTES oa) {
             return NtCreateSemaphore(out, SEMAPHORE_ALL_ACCESS, oa, 0, 1);
         });
     }},
    {"NtOpenSemaphore RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"S", open_semaphore);
     }},
    {"NtCreateMutant RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"NewMutant", [](HANDLE* out, POBJECT_ATTRIBUTES oa) {
             return NtCreateMutant(out, MUTANT_ALL_ACCESS, oa, FALSE);
         });
     }},
    {"NtOpenMutant RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"M", open_mutant);
     }},
    {"NtCreateIoCompletion RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"NewPort", [](HANDLE* out, POBJECT_ATTRIBUTES oa) {
             return NtCreateIoCompletion(out, IO_COMPLETION_ALL_ACCESS, oa, 0);
         });
     }},
    {"NtOpenIoCompletion RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"P", open_port);
     }},
    {"NtCreateDirectoryObject RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"NewDirectory", [](HANDLE* out, POBJECT_ATTRIBUTES oa) {
             return NtCreateDirectoryObject(out, DIRECTORY_ALL_ACCESS, oa);
         });
     }},
    {"NtOpenDirectoryObject RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"D", open_directory);
     }},
    {"NtCreateSymbolicLinkObject RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"NewLink", [](HANDLE* out, POBJECT_ATTRIBUTES oa) {
             UNICODE_STRING target;
             RtlInitUnicodeString(&target, L"\\BaseNamedObjects");
             return NtCreateSymbolicLinkObject(out, SYMBOLIC_LINK_ALL_ACCESS, oa, &target);
         });
     }},
    {"NtOpenSymbolicLinkObject RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"L", open_link);
     }},
    {"NtOpenFile RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"Dev", [](HANDLE* out, POBJECT_ATTRIBUTES oa) {
             IO_STATUS_BLOCK iosb{};
             return NtOpenFile(out, FILE_READ_DATA | SYNCHRONIZE, oa, &iosb, FILE_SHARE_READ | FILE_SHARE_WRITE,
                               FILE_SYNCHRONOUS_IO_NONALERT);
         });
     }},
    {"NtCreateFile RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"Dev", [](HANDLE* out, POBJECT_ATTRIBUTES oa) {
             IO_STATUS_BLOCK iosb{};
             return NtCreateFile(out, FILE_READ_DATA | SYNCHRONIZE, oa, &iosb, nullptr, 0,
                                 FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
         });
     }},
    {"NtQueryAttributesFile RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, h);
         FILE_BASIC_INFORMATION info{};
         return NtQueryAttributesFile(oa.get(), &info);
     }},
    {"NtQueryFullAttributesFile RootDirectory", Kind::Directory, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, h);
         FILE_NETWORK_OPEN_INFORMATION info{};
         return NtQueryFullAttributesFile(oa.get(), &info);
     }},
    // The name resolves; the device's descriptor then refuses DELETE to the application.
    {"NtDeleteFile RootDirectory", Kind::Directory, true, STATUS_ACCESS_DENIED,
     [](Objects&, HANDLE h) {
         ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, h);
         return NtDeleteFile(oa.get());
     }},
    {"NtOpenKey RootDirectory", Kind::Key, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"Sub", [](HANDLE* out, POBJECT_ATTRIBUTES oa) { return NtOpenKey(out, KEY_READ, oa); });
     }},
    {"NtOpenKeyEx RootDirectory", Kind::Key, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"Sub", open_key_ex);
     }},
    {"NtCreateKey RootDirectory", Kind::Key, true, STATUS_SUCCESS,
     [](Objects&, HANDLE h) {
         return create_in(h, L"Sub", [](HANDLE* out, POBJECT_ATTRIBUTES oa) {
             return NtCreateKey(out, KEY_READ, oa, 0, nullptr, REG_OPTION_VOLATILE, nullptr);
         });
     }},
};

// ---- The fixture ----

class BadInputSweep : public NtTest {
protected:
    void SetUp() override {
        NtTest::SetUp();
        g_sweep_unloaded = 0;
        UNICODE_STRING service;
        RtlInitUnicodeString(&service, L"NtioBadInputSweep");
        ASSERT_EQ(NtioCreateDriver(&service, SweepDriverEntry, &m_driver), STATUS_SUCCESS);

        ASSERT_EQ(NtCreateDirectoryObject(&o.directory, DIRECTORY_ALL_ACCESS, nullptr), STATUS_SUCCESS);
        ObjectName event(L"E", OBJ_CASE_INSENSITIVE, o.directory);
        ASSERT_EQ(NtCreateEvent(&o.event, EVENT_ALL_ACCESS, event.get(), NotificationEvent, FALSE), STATUS_SUCCESS);
        o.signaled = make_event(NotificationEvent, TRUE);
        ObjectName semaphore(L"S", OBJ_CASE_INSENSITIVE, o.directory);
        ASSERT_EQ(NtCreateSemaphore(&o.semaphore, SEMAPHORE_ALL_ACCESS, semaphore.get(), 0, 1000), STATUS_SUCCESS);
        ObjectName mutant(L"M", OBJ_CASE_INSENSITIVE, o.directory);
        ASSERT_EQ(NtCreateMutant(&o.mutant, MUTANT_ALL_ACCESS, mutant.get(), FALSE), STATUS_SUCCESS);
        ObjectName port(L"P", OBJ_CASE_INSENSITIVE, o.directory);
        ASSERT_EQ(NtCreateIoCompletion(&o.port, IO_COMPLETION_ALL_ACCESS, port.get(), 1), STATUS_SUCCESS);
        ObjectName subdirectory(L"D", OBJ_CASE_INSENSITIVE, o.directory);
        ASSERT_EQ(NtCreateDirectoryObject(&o.subdirectory, DIRECTORY_ALL_ACCESS, subdirectory.get()), STATUS_SUCCESS);
        UNICODE_STRING target;
        RtlInitUnicodeString(&target, L"\\BaseNamedObjects");
        ObjectName link(L"L", OBJ_CASE_INSENSITIVE, o.directory);
        ASSERT_EQ(NtCreateSymbolicLinkObject(&o.link, SYMBOLIC_LINK_ALL_ACCESS, link.get(), &target), STATUS_SUCCESS);
        UNICODE_STRING device;
        RtlInitUnicodeString(&device, L"\\Device\\NtioBadInputSweep");
        ObjectName device_link(L"Dev", OBJ_CASE_INSENSITIVE, o.directory);
        ASSERT_EQ(NtCreateSymbolicLinkObject(&o.device_link, SYMBOLIC_LINK_ALL_ACCESS, device_link.get(), &device),
                  STATUS_SUCCESS);

        const std::u16string key_path = user_key_path() + u"\\NtioBadInputSweep";
        ASSERT_EQ(create_key(&o.key, wide(key_path), nullptr, REG_OPTION_VOLATILE), STATUS_SUCCESS);
        ASSERT_EQ(set_dword(o.key, L"V", 1), STATUS_SUCCESS);
        ASSERT_EQ(create_key(&o.subkey, L"Sub", o.key, REG_OPTION_VOLATILE), STATUS_SUCCESS);

        o.file = open_device(FILE_SYNCHRONOUS_IO_NONALERT, kFileAccess);
        // NT refuses FILE_APPEND_DATA with FILE_NO_INTERMEDIATE_BUFFERING.
        o.unbuffered = open_device(FILE_SYNCHRONOUS_IO_NONALERT | FILE_NO_INTERMEDIATE_BUFFERING,
                                   FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE);
        ASSERT_NE(o.file, nullptr);
        ASSERT_NE(o.unbuffered, nullptr);
    }

    void TearDown() override {
        if (o.subkey) {
            (void)NtDeleteKey(o.subkey);
            EXPECT_EQ(NtClose(o.subkey), STATUS_SUCCESS);
        }
        if (o.key) {
            (void)NtDeleteKey(o.key);
            EXPECT_EQ(NtClose(o.key), STATUS_SUCCESS);
        }
        for (HANDLE h : {o.event, o.signaled, o.semaphore, o.mutant, o.port, o.subdirectory, o.link, o.device_link,
                         o.directory, o.file, o.unbuffered})
            if (h) {
                EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
            }
        if (m_driver) {
            EXPECT_EQ(NtioUnloadDriver(m_driver), STATUS_SUCCESS);
            ObDereferenceObject(m_driver);
            for (int i = 0; i < 5000 && g_sweep_unloaded.load() == 0; ++i) {
                LARGE_INTEGER step = relative_ms(1);
                (void)NtDelayExecution(FALSE, &step);
            }
            EXPECT_EQ(g_sweep_unloaded.load(), 1) << "DriverUnload never ran";
        }
        NtTest::TearDown();
    }

    static HANDLE open_device(ULONG options, ACCESS_MASK access) {
        ObjectName name(L"\\Device\\NtioBadInputSweep");
        IO_STATUS_BLOCK iosb{};
        HANDLE h = nullptr;
        EXPECT_EQ(NtCreateFile(&h, access, name.get(), &iosb, nullptr, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                               options, nullptr, 0),
                  STATUS_SUCCESS);
        return h;
    }

    // A handle value that was valid a moment ago: nothing is created between its close and its use.
    static HANDLE closed_handle() {
        HANDLE h = make_event(NotificationEvent, FALSE);
        EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
        return h;
    }

    // A second handle to the object of `h` with only `access` (generic rights mapped).
    static HANDLE with_access(HANDLE h, ACCESS_MASK access) {
        HANDLE reduced = nullptr;
        EXPECT_EQ(NtDuplicateObject(NtCurrentProcess(), h, NtCurrentProcess(), &reduced, access, 0, 0), STATUS_SUCCESS);
        return reduced;
    }

    std::size_t handle_count() { return system().objects().handle_count(); }
    std::size_t object_count() { return system().objects().object_count(); }

    Objects o;
    PDRIVER_OBJECT m_driver = nullptr;
};

// ---- 1. Handle arguments ----

TEST_F(BadInputSweep, every_handle_argument_refuses_null_unknown_closed_and_wrong_type_handles) {
    int cases = 0;
    for (const HandleRow& row : kHandleRows) {
        SCOPED_TRACE(row.argument);
        // The control: with the fixture's handle the call gets past the handle (the other
        // arguments are good), so the failures below are the handle's.
        if (row.valid != kNoControl) {
            EXPECT_EQ(row.call(o, valid_handle(o, row.kind)), row.valid) << row.argument << ": valid handle";
            ++cases;
            // The low two bits of a handle value are tag bits the system ignores
            // (OBJ_HANDLE_TAGBITS, ntdef.h). Not for the pseudo handles, which are values of their own.
            if (row.kind != Kind::Thread && row.kind != Kind::Process) {
                EXPECT_EQ(row.call(o, tagged(valid_handle(o, row.kind))), row.valid) << row.argument << ": tagged";
                ++cases;
            }
        }
        const std::size_t handles = handle_count();
        const std::size_t objects = object_count();
        if (!row.optional) {
            EXPECT_EQ(row.call(o, nullptr), STATUS_INVALID_HANDLE) << row.argument << ": NULL";
            ++cases;
        }
        EXPECT_EQ(row.call(o, kNeverIssued), STATUS_INVALID_HANDLE) << row.argument << ": never issued";
        EXPECT_EQ(row.call(o, closed_handle()), STATUS_INVALID_HANDLE) << row.argument << ": closed";
        EXPECT_EQ(row.call(o, tagged(closed_handle())), STATUS_INVALID_HANDLE) << row.argument << ": closed, tagged";
        cases += 3;
        for (const auto& [what, wrong] : wrong_handles(o, row.kind)) {
            EXPECT_EQ(row.call(o, wrong), STATUS_OBJECT_TYPE_MISMATCH) << row.argument << ": " << what;
            ++cases;
        }
        EXPECT_EQ(handle_count(), handles) << row.argument << ": a refused call left a handle";
        EXPECT_EQ(object_count(), objects) << row.argument << ": a refused call left an object";
    }
    RecordProperty("cases", cases);
}

// One service that needs a right on its handle, given a handle to the right object without it.
struct AccessRow {
    const char* argument;
    Kind kind;
    ACCESS_MASK granted;  // the rights the handle has: all but the one the service needs
    NTSTATUS (*call)(Objects& o, HANDLE h);
};

// The rights each service needs:
// - events: EVENT_MODIFY_STATE "is required for the SetEvent, ResetEvent and PulseEvent functions";
//   semaphores: SEMAPHORE_MODIFY_STATE "is required for the ReleaseSemaphore function"
//   (https://learn.microsoft.com/windows/win32/sync/synchronization-object-security-and-access-rights);
// - waits: "The handle must have the SYNCHRONIZE access right"
//   (https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitforsingleobject), and for
//   SignalObjectAndWait the object to signal needs EVENT_MODIFY_STATE / SEMAPHORE_MODIFY_STATE;
// - QueueUserAPC: THREAD_SET_CONTEXT; CancelSynchronousIo: THREAD_TERMINATE
//   (https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-queueuserapc,
//   https://learn.microsoft.com/windows/win32/fileio/cancelsynchronousio-func);
// - files: ZwReadFile FILE_READ_DATA, ZwWriteFile FILE_WRITE_DATA or FILE_APPEND_DATA, the per-class
//   rights of ZwQueryInformationFile / ZwSetInformationFile (FileBasicInformation FILE_READ_ATTRIBUTES
//   / FILE_WRITE_ATTRIBUTES, FileDispositionInformation DELETE, FileEndOfFileInformation
//   FILE_WRITE_DATA), NtLockFile FILE_READ_DATA or FILE_WRITE_DATA
//   (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwsetinformationfile and
//   the pages of the other routines), FlushFileBuffers GENERIC_WRITE;
// - keys: KEY_QUERY_VALUE, KEY_SET_VALUE, KEY_ENUMERATE_SUB_KEYS, DELETE
//   (https://learn.microsoft.com/windows/win32/sysinfo/registry-key-security-and-access-rights);
// - directories: DIRECTORY_QUERY
//   (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwopendirectoryobject).
const AccessRow kAccessRows[] = {
    {"NtSetEvent", Kind::Event, SYNCHRONIZE | EVENT_QUERY_STATE,
     [](Objects&, HANDLE h) { return NtSetEvent(h, nullptr); }},
    {"NtResetEvent", Kind::Event, SYNCHRONIZE | EVENT_QUERY_STATE,
     [](Objects&, HANDLE h) { return NtResetEvent(h, nullptr); }},
    {"NtPulseEvent", Kind::Event, SYNCHRONIZE | EVENT_QUERY_STATE,
     [](Objects&, HANDLE h) { return NtPulseEvent(h, nullptr); }},
    {"NtClearEvent", Kind::Event, SYNCHRONIZE | EVENT_QUERY_STATE, [](Objects&, HANDLE h) { return NtClearEvent(h); }},
    {"NtReleaseSemaphore", Kind::Semaphore, SYNCHRONIZE | SEMAPHORE_QUERY_STATE,
     [](Objects&, HANDLE h) { return NtReleaseSemaphore(h, 1, nullptr); }},
    {"NtWaitForSingleObject", Kind::Waitable, EVENT_MODIFY_STATE | EVENT_QUERY_STATE,
     [](Objects&, HANDLE h) {
         LARGE_INTEGER zero = zero_timeout();
         return NtWaitForSingleObject(h, FALSE, &zero);
     }},
    {"NtWaitForMultipleObjects", Kind::Waitable, EVENT_MODIFY_STATE | EVENT_QUERY_STATE,
     [](Objects& o, HANDLE h) {
         HANDLE handles[2] = {o.signaled, h};
         LARGE_INTEGER zero = zero_timeout();
         return NtWaitForMultipleObjects(2, handles, WaitAny, FALSE, &zero);
     }},
    {"NtSignalAndWaitForSingleObject SignalHandle (event)", Kind::Event, SYNCHRONIZE | EVENT_QUERY_STATE,
     [](Objects& o, HANDLE h) {
         LARGE_INTEGER zero = zero_timeout();
         return NtSignalAndWaitForSingleObject(h, o.signaled, FALSE, &zero);
     }},
    {"NtSignalAndWaitForSingleObject SignalHandle (semaphore)", Kind::Semaphore, SYNCHRONIZE | SEMAPHORE_QUERY_STATE,
     [](Objects& o, HANDLE h) {
         LARGE_INTEGER zero = zero_timeout();
         return NtSignalAndWaitForSingleObject(h, o.signaled, FALSE, &zero);
     }},
    {"NtSignalAndWaitForSingleObject WaitHandle", Kind::Waitable, EVENT_MODIFY_STATE | EVENT_QUERY_STATE,
     [](Objects& o, HANDLE h) {
         LARGE_INTEGER zero = zero_timeout();
         return NtSignalAndWaitForSingleObject(o.event, h, FALSE, &zero);
     }},
    {"NtQueueApcThread", Kind::Thread, SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION,
     [](Objects&, HANDLE h) { return NtQueueApcThread(h, nullptr, nullptr, nullptr, nullptr); }},
    {"NtCancelSynchronousIoFile", Kind::Thread, SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         return NtCancelSynchronousIoFile(h, nullptr, &iosb);
     }},
    {"NtReadFile", Kind::File, FILE_WRITE_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         char buffer[8];
         return NtReadFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), nullptr, nullptr);
     }},
    {"NtWriteFile", Kind::File, FILE_READ_DATA | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         char buffer[8] = {};
         return NtWriteFile(h, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), nullptr, nullptr);
     }},
    {"NtReadFileScatter", Kind::UnbufferedFile, FILE_WRITE_DATA | SYNCHRONIZE,
     [](Objects&, HANDLE h) { return scatter(h, nullptr, false); }},
    {"NtWriteFileGather", Kind::UnbufferedFile, FILE_READ_DATA | SYNCHRONIZE,
     [](Objects&, HANDLE h) { return scatter(h, nullptr, true); }},
    {"NtQueryInformationFile(FileBasicInformation)", Kind::File, FILE_READ_DATA | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         FILE_BASIC_INFORMATION info{};
         return NtQueryInformationFile(h, &iosb, &info, sizeof(info), FileBasicInformation);
     }},
    {"NtSetInformationFile(FileBasicInformation)", Kind::File, FILE_WRITE_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         FILE_BASIC_INFORMATION info{};
         return NtSetInformationFile(h, &iosb, &info, sizeof(info), FileBasicInformation);
     }},
    {"NtSetInformationFile(FileDispositionInformation)", Kind::File, FILE_WRITE_DATA | SYNCHRONIZE,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         FILE_DISPOSITION_INFORMATION info{TRUE};
         return NtSetInformationFile(h, &iosb, &info, sizeof(info), FileDispositionInformation);
     }},
    {"NtSetInformationFile(FileEndOfFileInformation)", Kind::File, FILE_READ_DATA | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         FILE_END_OF_FILE_INFORMATION info{};
         return NtSetInformationFile(h, &iosb, &info, sizeof(info), FileEndOfFileInformation);
     }},
    {"NtLockFile", Kind::File, FILE_READ_ATTRIBUTES | SYNCHRONIZE,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         LARGE_INTEGER offset{}, length{};
         length.QuadPart = 1;
         return NtLockFile(h, nullptr, nullptr, nullptr, &iosb, &offset, &length, 0, TRUE, TRUE);
     }},
    {"NtUnlockFile", Kind::File, FILE_READ_ATTRIBUTES | SYNCHRONIZE,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         LARGE_INTEGER offset{}, length{};
         length.QuadPart = 1;
         return NtUnlockFile(h, &iosb, &offset, &length, 0);
     }},
    {"NtFlushBuffersFile", Kind::File, FILE_READ_DATA | SYNCHRONIZE,
     [](Objects&, HANDLE h) {
         IO_STATUS_BLOCK iosb{};
         return NtFlushBuffersFile(h, &iosb);
     }},
    {"NtQueryKey(KeyBasicInformation)", Kind::Key, KEY_NOTIFY,
     [](Objects&, HANDLE h) {
         alignas(8) unsigned char buffer[512];
         ULONG length = 0;
         return NtQueryKey(h, KeyBasicInformation, buffer, sizeof(buffer), &length);
     }},
    {"NtEnumerateKey", Kind::Key, KEY_QUERY_VALUE | KEY_NOTIFY,
     [](Objects&, HANDLE h) {
         alignas(8) unsigned char buffer[512];
         ULONG length = 0;
         return NtEnumerateKey(h, 0, KeyBasicInformation, buffer, sizeof(buffer), &length);
     }},
    {"NtEnumerateValueKey", Kind::Key, KEY_ENUMERATE_SUB_KEYS | KEY_SET_VALUE,
     [](Objects&, HANDLE h) {
         alignas(8) unsigned char buffer[512];
         ULONG length = 0;
         return NtEnumerateValueKey(h, 0, KeyValueBasicInformation, buffer, sizeof(buffer), &length);
     }},
    {"NtQueryValueKey", Kind::Key, KEY_ENUMERATE_SUB_KEYS | KEY_SET_VALUE,
     [](Objects&, HANDLE h) {
         UNICODE_STRING name;
         RtlInitUnicodeString(&name, L"V");
         alignas(8) unsigned char buffer[512];
         ULONG length = 0;
         return NtQueryValueKey(h, &name, KeyValuePartialInformation, buffer, sizeof(buffer), &length);
     }},
    {"NtSetValueKey", Kind::Key, KEY_READ, [](Objects&, HANDLE h) { return set_dword(h, L"V", 9); }},
    {"NtDeleteValueKey", Kind::Key, KEY_READ,
     [](Objects&, HANDLE h) {
         UNICODE_STRING name;
         RtlInitUnicodeString(&name, L"V");
         return NtDeleteValueKey(h, &name);
     }},
    {"NtDeleteKey", Kind::Key, KEY_ALL_ACCESS & ~DELETE, [](Objects&, HANDLE h) { return NtDeleteKey(h); }},
    {"NtQueryDirectoryObject", Kind::Directory, DIRECTORY_TRAVERSE,
     [](Objects&, HANDLE h) {
         alignas(8) unsigned char buffer[2048];
         ULONG context = 0, length = 0;
         return NtQueryDirectoryObject(h, buffer, sizeof(buffer), FALSE, TRUE, &context, &length);
     }},
};

TEST_F(BadInputSweep, every_service_refuses_a_handle_without_the_right_it_needs) {
    const LONG event_state_before = event_state(o.event);
    int cases = 0;
    for (const AccessRow& row : kAccessRows) {
        SCOPED_TRACE(row.argument);
        HANDLE weak = with_access(valid_handle(o, row.kind), row.granted);
        ASSERT_NE(weak, nullptr);
        const std::size_t handles = handle_count();
        EXPECT_EQ(row.call(o, weak), STATUS_ACCESS_DENIED) << row.argument;
        EXPECT_EQ(handle_count(), handles) << row.argument << ": a refused call left a handle";
        EXPECT_EQ(NtClose(weak), STATUS_SUCCESS);
        ++cases;
    }
    // Nothing the refused calls were asked to change changed.
    EXPECT_EQ(event_state(o.event), event_state_before);
    SEMAPHORE_BASIC_INFORMATION semaphore{};
    ASSERT_EQ(NtQuerySemaphore(o.semaphore, SemaphoreBasicInformation, &semaphore, sizeof(semaphore), nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(semaphore.CurrentCount, 0);
    EXPECT_EQ(read_dword(o.key, L"V"), 1u);
    Handle sub;
    EXPECT_EQ(open_key(sub.out(), L"Sub", KEY_READ, o.key), STATUS_SUCCESS);
    RecordProperty("cases", cases);
}


// ---- 2. Caller pointers ----

// One pointer argument of one service, given memory it cannot use as the service needs: `call`
// passes valid values in every other argument. Cases already in bad_pointer_test.cpp are not
// repeated.
struct PointerRow {
    const char* argument;
    NTSTATUS expected;
    NTSTATUS (*call)(Objects& o, const BadMemory& bad);
};

PHANDLE misaligned_handle(const BadMemory& bad) {
    return reinterpret_cast<PHANDLE>(bad.read_only<char>() + 1);
}

NTSTATUS open_named(NTSTATUS (*open)(PHANDLE, POBJECT_ATTRIBUTES), HANDLE root, const wchar_t* name, PHANDLE out) {
    ObjectName oa(name, OBJ_CASE_INSENSITIVE, root);
    return open(out, oa.get());
}

NTSTATUS open_file(PHANDLE out, PIO_STATUS_BLOCK iosb, POBJECT_ATTRIBUTES oa) {
    return NtOpenFile(out, FILE_READ_DATA | SYNCHRONIZE, oa, iosb, FILE_SHARE_READ | FILE_SHARE_WRITE,
                      FILE_SYNCHRONOUS_IO_NONALERT);
}

NTSTATUS create_file(PHANDLE out, PIO_STATUS_BLOCK iosb, POBJECT_ATTRIBUTES oa, PLARGE_INTEGER allocation = nullptr,
                     PVOID ea = nullptr, ULONG ea_length = 0) {
    return NtCreateFile(out, FILE_READ_DATA | SYNCHRONIZE, oa, iosb, allocation, 0, FILE_SHARE_READ | FILE_SHARE_WRITE,
                        FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, ea, ea_length);
}

const PointerRow kPointerRows[] = {
    // Handle outputs of the open and create services (ProbeForWriteHandle: a HANDLE's alignment).
    {"NtOpenEvent EventHandle (no access)", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) { return open_named(open_event, o.directory, L"E", bad.no_access<HANDLE>()); }},
    {"NtOpenEvent EventHandle (read-only)", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) { return open_named(open_event, o.directory, L"E", bad.read_only<HANDLE>()); }},
    {"NtOpenEvent EventHandle (misaligned)", STATUS_DATATYPE_MISALIGNMENT,
     [](Objects& o, const BadMemory& bad) { return open_named(open_event, o.directory, L"E", misaligned_handle(bad)); }},
    {"NtOpenSemaphore SemaphoreHandle", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return open_named(open_semaphore, o.directory, L"S", bad.read_only<HANDLE>());
     }},
    {"NtOpenMutant MutantHandle", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return open_named(open_mutant, o.directory, L"M", bad.no_access<HANDLE>());
     }},
    {"NtCreateIoCompletion IoCompletionHandle", STATUS_ACCESS_VIOLATION,
     [](Objects&, const BadMemory& bad) {
         return NtCreateIoCompletion(bad.read_only<HANDLE>(), IO_COMPLETION_ALL_ACCESS, nullptr, 0);
     }},
    {"NtOpenIoCompletion IoCompletionHandle", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) { return open_named(open_port, o.directory, L"P", bad.read_only<HANDLE>()); }},
    {"NtOpenDirectoryObject DirectoryHandle", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return open_named(open_directory, o.directory, L"D", bad.read_only<HANDLE>());
     }},
    {"NtCreateSymbolicLinkObject LinkHandle", STATUS_ACCESS_VIOLATION,
     [](Objects&, const BadMemory& bad) {
         UNICODE_STRING target;
         RtlInitUnicodeString(&target, L"\\BaseNamedObjects");
         return NtCreateSymbolicLinkObject(bad.read_only<HANDLE>(), SYMBOLIC_LINK_ALL_ACCESS, nullptr, &target);
     }},
    {"NtOpenSymbolicLinkObject LinkHandle", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) { return open_named(open_link, o.directory, L"L", bad.no_access<HANDLE>()); }},
    {"NtOpenKeyEx KeyHandle", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) { return open_named(open_key_ex, o.key, L"Sub", bad.read_only<HANDLE>()); }},
    {"NtCreateKey KeyHandle", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ObjectName oa(L"Fresh", OBJ_CASE_INSENSITIVE, o.key);
         return NtCreateKey(bad.read_only<HANDLE>(), KEY_ALL_ACCESS, oa.get(), 0, nullptr, REG_OPTION_VOLATILE, nullptr);
     }},
    {"NtCreateFile FileHandle (read-only)", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, o.directory);
         IO_STATUS_BLOCK iosb{};
         return create_file(bad.read_only<HANDLE>(), &iosb, oa.get());
     }},
    {"NtCreateFile FileHandle (misaligned)", STATUS_DATATYPE_MISALIGNMENT,
     [](Objects& o, const BadMemory& bad) {
         ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, o.directory);
         IO_STATUS_BLOCK iosb{};
         return create_file(misaligned_handle(bad), &iosb, oa.get());
     }},
    {"NtOpenFile FileHandle", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, o.directory);
         IO_STATUS_BLOCK iosb{};
         return open_file(bad.no_access<HANDLE>(), &iosb, oa.get());
     }},

    // The other inputs and outputs of the open and create services.
    {"NtCreateFile IoStatusBlock", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, o.directory);
         HANDLE h = nullptr;
         return create_file(&h, bad.read_only<IO_STATUS_BLOCK>(), oa.get());
     }},
    {"NtCreateFile ObjectAttributes", STATUS_ACCESS_VIOLATION,
     [](Objects&, const BadMemory& bad) {
         HANDLE h = nullptr;
         IO_STATUS_BLOCK iosb{};
         return create_file(&h, &iosb, bad.no_access<OBJECT_ATTRIBUTES>());
     }},
    {"NtCreateFile ObjectName->Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects&, const BadMemory& bad) {
         UNICODE_STRING name{16, 16, bad.no_access<WCHAR>()};
         OBJECT_ATTRIBUTES oa;
         InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
         HANDLE h = nullptr;
         IO_STATUS_BLOCK iosb{};
         return create_file(&h, &iosb, &oa);
     }},
    {"NtCreateFile AllocationSize", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, o.directory);
         HANDLE h = nullptr;
         IO_STATUS_BLOCK iosb{};
         return create_file(&h, &iosb, oa.get(), bad.no_access<LARGE_INTEGER>());
     }},
    {"NtCreateFile EaBuffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, o.directory);
         HANDLE h = nullptr;
         IO_STATUS_BLOCK iosb{};
         return create_file(&h, &iosb, oa.get(), nullptr, bad.no_access<void>(), 16);
     }},
    {"NtOpenFile IoStatusBlock", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, o.directory);
         HANDLE h = nullptr;
         return open_file(&h, bad.no_access<IO_STATUS_BLOCK>(), oa.get());
     }},
    {"NtCreateSymbolicLinkObject LinkTarget", STATUS_ACCESS_VIOLATION,
     [](Objects&, const BadMemory& bad) {
         HANDLE h = nullptr;
         return NtCreateSymbolicLinkObject(&h, SYMBOLIC_LINK_ALL_ACCESS, nullptr, bad.no_access<UNICODE_STRING>());
     }},
    {"NtCreateSymbolicLinkObject LinkTarget->Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects&, const BadMemory& bad) {
         HANDLE h = nullptr;
         UNICODE_STRING target{16, 16, bad.no_access<WCHAR>()};
         return NtCreateSymbolicLinkObject(&h, SYMBOLIC_LINK_ALL_ACCESS, nullptr, &target);
     }},
    {"NtCreateKey Class", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ObjectName oa(L"Fresh", OBJ_CASE_INSENSITIVE, o.key);
         HANDLE h = nullptr;
         return NtCreateKey(&h, KEY_ALL_ACCESS, oa.get(), 0, bad.no_access<UNICODE_STRING>(), REG_OPTION_VOLATILE,
                            nullptr);
     }},
    {"NtCreateKey Class->Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ObjectName oa(L"Fresh", OBJ_CASE_INSENSITIVE, o.key);
         HANDLE h = nullptr;
         UNICODE_STRING key_class{8, 8, bad.no_access<WCHAR>()};
         return NtCreateKey(&h, KEY_ALL_ACCESS, oa.get(), 0, &key_class, REG_OPTION_VOLATILE, nullptr);
     }},
    {"NtDeleteFile ObjectAttributes", STATUS_ACCESS_VIOLATION,
     [](Objects&, const BadMemory& bad) { return NtDeleteFile(bad.no_access<OBJECT_ATTRIBUTES>()); }},
    {"NtQueryAttributesFile FileInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, o.directory);
         return NtQueryAttributesFile(oa.get(), bad.read_only<FILE_BASIC_INFORMATION>());
     }},
    {"NtQueryFullAttributesFile FileInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, o.directory);
         return NtQueryFullAttributesFile(oa.get(), bad.no_access<FILE_NETWORK_OPEN_INFORMATION>());
     }},
    {"NtQueryAttributesFile ObjectAttributes", STATUS_ACCESS_VIOLATION,
     [](Objects&, const BadMemory& bad) {
         FILE_BASIC_INFORMATION info{};
         return NtQueryAttributesFile(bad.no_access<OBJECT_ATTRIBUTES>(), &info);
     }},

    // Outputs of the object services.
    {"NtResetEvent PreviousState", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) { return NtResetEvent(o.signaled, bad.read_only<LONG>()); }},
    {"NtPulseEvent PreviousState", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) { return NtPulseEvent(o.event, bad.no_access<LONG>()); }},
    {"NtReleaseSemaphore PreviousCount (read-only)", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) { return NtReleaseSemaphore(o.semaphore, 1, bad.read_only<LONG>()); }},
    {"NtQuerySemaphore SemaphoreInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return NtQuerySemaphore(o.semaphore, SemaphoreBasicInformation, bad.read_only<void>(),
                                 sizeof(SEMAPHORE_BASIC_INFORMATION), nullptr);
     }},
    {"NtQuerySemaphore ReturnLength", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         SEMAPHORE_BASIC_INFORMATION info{};
         return NtQuerySemaphore(o.semaphore, SemaphoreBasicInformation, &info, sizeof(info), bad.no_access<ULONG>());
     }},
    {"NtQueryMutant MutantInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return NtQueryMutant(o.mutant, MutantBasicInformation, bad.no_access<void>(), sizeof(MUTANT_BASIC_INFORMATION),
                              nullptr);
     }},
    {"NtQueryMutant ReturnLength", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         MUTANT_BASIC_INFORMATION info{};
         return NtQueryMutant(o.mutant, MutantBasicInformation, &info, sizeof(info), bad.read_only<ULONG>());
     }},
    {"NtQueryIoCompletion IoCompletionInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return NtQueryIoCompletion(o.port, IoCompletionBasicInformation, bad.read_only<void>(),
                                    sizeof(IO_COMPLETION_BASIC_INFORMATION), nullptr);
     }},
    {"NtQueryIoCompletion ReturnLength", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_COMPLETION_BASIC_INFORMATION info{};
         return NtQueryIoCompletion(o.port, IoCompletionBasicInformation, &info, sizeof(info), bad.no_access<ULONG>());
     }},
    {"NtQueryObject(ObjectNameInformation) ObjectInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return NtQueryObject(o.event, ObjectNameInformation, bad.no_access<void>(), 512, nullptr);
     }},
    {"NtQueryObject(ObjectHandleFlagInformation) ObjectInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return NtQueryObject(o.event, ObjectHandleFlagInformation, bad.read_only<void>(),
                              sizeof(OBJECT_HANDLE_FLAG_INFORMATION), nullptr);
     }},
    {"NtSetInformationObject ObjectInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return NtSetInformationObject(o.event, ObjectHandleFlagInformation, bad.no_access<void>(),
                                       sizeof(OBJECT_HANDLE_FLAG_INFORMATION));
     }},
    {"NtQueryDirectoryObject ReturnLength", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         alignas(8) unsigned char buffer[2048];
         ULONG context = 0;
         return NtQueryDirectoryObject(o.directory, buffer, sizeof(buffer), FALSE, TRUE, &context,
                                       bad.read_only<ULONG>());
     }},
    {"NtQuerySymbolicLinkObject ReturnedLength", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         WCHAR buffer[128];
         UNICODE_STRING target{0, sizeof(buffer), buffer};
         return NtQuerySymbolicLinkObject(o.link, &target, bad.read_only<ULONG>());
     }},
    {"NtQuerySymbolicLinkObject LinkTarget (read-only)", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return NtQuerySymbolicLinkObject(o.link, bad.read_only<UNICODE_STRING>(), nullptr);
     }},
    {"NtSignalAndWaitForSingleObject Timeout", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return NtSignalAndWaitForSingleObject(o.event, o.signaled, FALSE, bad.no_access<LARGE_INTEGER>());
     }},
    {"NtWaitForMultipleObjects Timeout", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         HANDLE handles[1] = {o.signaled};
         return NtWaitForMultipleObjects(1, handles, WaitAny, FALSE, bad.no_access<LARGE_INTEGER>());
     }},
    {"NtRemoveIoCompletion ApcContext", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         PVOID key = nullptr;
         IO_STATUS_BLOCK iosb{};
         LARGE_INTEGER zero = zero_timeout();
         return NtRemoveIoCompletion(o.port, &key, bad.read_only<PVOID>(), &iosb, &zero);
     }},
    {"NtRemoveIoCompletionEx IoCompletionInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ULONG removed = 0;
         LARGE_INTEGER zero = zero_timeout();
         return NtRemoveIoCompletionEx(o.port, bad.read_only<FILE_IO_COMPLETION_INFORMATION>(), 1, &removed, &zero,
                                       FALSE);
     }},
    {"NtRemoveIoCompletionEx NumEntriesRemoved", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         FILE_IO_COMPLETION_INFORMATION entries[1]{};
         LARGE_INTEGER zero = zero_timeout();
         return NtRemoveIoCompletionEx(o.port, entries, 1, bad.no_access<ULONG>(), &zero, FALSE);
     }},
    {"NtRemoveIoCompletionEx Timeout", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         FILE_IO_COMPLETION_INFORMATION entries[1]{};
         ULONG removed = 0;
         return NtRemoveIoCompletionEx(o.port, entries, 1, &removed, bad.no_access<LARGE_INTEGER>(), FALSE);
     }},

    // Registry.
    {"NtQueryKey ResultLength", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         alignas(8) unsigned char buffer[512];
         return NtQueryKey(o.key, KeyBasicInformation, buffer, sizeof(buffer), bad.read_only<ULONG>());
     }},
    {"NtEnumerateKey KeyInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         ULONG length = 0;
         return NtEnumerateKey(o.key, 0, KeyBasicInformation, bad.read_only<void>(), 512, &length);
     }},
    {"NtEnumerateValueKey ResultLength", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         alignas(8) unsigned char buffer[512];
         return NtEnumerateValueKey(o.key, 0, KeyValueBasicInformation, buffer, sizeof(buffer), bad.no_access<ULONG>());
     }},
    {"NtQueryValueKey ValueName", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         alignas(8) unsigned char buffer[512];
         ULONG length = 0;
         return NtQueryValueKey(o.key, bad.no_access<UNICODE_STRING>(), KeyValuePartialInformation, buffer,
                                sizeof(buffer), &length);
     }},
    {"NtDeleteValueKey ValueName->Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         UNICODE_STRING name{2, 2, bad.no_access<WCHAR>()};
         return NtDeleteValueKey(o.key, &name);
     }},

    // File I/O: the IOSB, the buffers and the inputs passed by pointer.
    {"NtReadFile IoStatusBlock", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         char buffer[8];
         return NtReadFile(o.file, nullptr, nullptr, nullptr, bad.read_only<IO_STATUS_BLOCK>(), buffer, sizeof(buffer),
                           nullptr, nullptr);
     }},
    {"NtReadFile Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtReadFile(o.file, nullptr, nullptr, nullptr, &iosb, bad.read_only<void>(), 8, nullptr, nullptr);
     }},
    {"NtReadFile ByteOffset", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         char buffer[8];
         return NtReadFile(o.file, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                           bad.no_access<LARGE_INTEGER>(), nullptr);
     }},
    {"NtReadFile Key", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         char buffer[8];
         return NtReadFile(o.file, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer), nullptr,
                           bad.no_access<ULONG>());
     }},
    {"NtWriteFile Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtWriteFile(o.file, nullptr, nullptr, nullptr, &iosb, bad.no_access<void>(), 8, nullptr, nullptr);
     }},
    {"NtDeviceIoControlFile InputBuffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtDeviceIoControlFile(o.file, nullptr, nullptr, nullptr, &iosb, kMethodBufferedIoctl,
                                      bad.no_access<void>(), 16, nullptr, 0);
     }},
    {"NtDeviceIoControlFile OutputBuffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtDeviceIoControlFile(o.file, nullptr, nullptr, nullptr, &iosb, kMethodBufferedIoctl, nullptr, 0,
                                      bad.read_only<void>(), 16);
     }},
    {"NtDeviceIoControlFile IoStatusBlock", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return NtDeviceIoControlFile(o.file, nullptr, nullptr, nullptr, bad.no_access<IO_STATUS_BLOCK>(),
                                      kMethodBufferedIoctl, nullptr, 0, nullptr, 0);
     }},
    {"NtFsControlFile OutputBuffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtFsControlFile(o.file, nullptr, nullptr, nullptr, &iosb, kMethodBufferedFsctl, nullptr, 0,
                                bad.read_only<void>(), 16);
     }},
    {"NtQueryInformationFile IoStatusBlock", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         FILE_BASIC_INFORMATION info{};
         return NtQueryInformationFile(o.file, bad.read_only<IO_STATUS_BLOCK>(), &info, sizeof(info),
                                       FileBasicInformation);
     }},
    {"NtQueryInformationFile FileInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtQueryInformationFile(o.file, &iosb, bad.read_only<void>(), sizeof(FILE_BASIC_INFORMATION),
                                       FileBasicInformation);
     }},
    {"NtSetInformationFile FileInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtSetInformationFile(o.file, &iosb, bad.no_access<void>(), sizeof(FILE_POSITION_INFORMATION),
                                     FilePositionInformation);
     }},
    {"NtQueryVolumeInformationFile FsInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtQueryVolumeInformationFile(o.file, &iosb, bad.read_only<void>(), sizeof(FILE_FS_DEVICE_INFORMATION),
                                             FileFsDeviceInformation);
     }},
    {"NtSetVolumeInformationFile FsInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtSetVolumeInformationFile(o.file, &iosb, bad.no_access<void>(), sizeof(FILE_FS_LABEL_INFORMATION),
                                           FileFsLabelInformation);
     }},
    {"NtFlushBuffersFile IoStatusBlock", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) { return NtFlushBuffersFile(o.file, bad.read_only<IO_STATUS_BLOCK>()); }},
    {"NtLockFile ByteOffset", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         LARGE_INTEGER length{};
         length.QuadPart = 1;
         return NtLockFile(o.file, nullptr, nullptr, nullptr, &iosb, bad.no_access<LARGE_INTEGER>(), &length, 0, TRUE,
                           TRUE);
     }},
    {"NtLockFile Length", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         LARGE_INTEGER offset{};
         return NtLockFile(o.file, nullptr, nullptr, nullptr, &iosb, &offset, bad.no_access<LARGE_INTEGER>(), 0, TRUE,
                           TRUE);
     }},
    {"NtUnlockFile IoStatusBlock", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         LARGE_INTEGER offset{}, length{};
         length.QuadPart = 1;
         return NtUnlockFile(o.file, bad.read_only<IO_STATUS_BLOCK>(), &offset, &length, 0);
     }},
    {"NtQueryEaFile Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtQueryEaFile(o.file, &iosb, bad.read_only<void>(), 64, FALSE, nullptr, 0, nullptr, TRUE);
     }},
    {"NtSetEaFile Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtSetEaFile(o.file, &iosb, bad.no_access<void>(), 16);
     }},
    {"NtQueryQuotaInformationFile Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtQueryQuotaInformationFile(o.file, &iosb, bad.read_only<void>(), 64, FALSE, nullptr, 0, nullptr, TRUE);
     }},
    {"NtSetQuotaInformationFile Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtSetQuotaInformationFile(o.file, &iosb, bad.no_access<void>(), 64);
     }},
    {"NtQueryDirectoryFile FileInformation", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtQueryDirectoryFile(o.file, nullptr, nullptr, nullptr, &iosb, bad.read_only<void>(), 512,
                                     FileDirectoryInformation, FALSE, nullptr, TRUE);
     }},
    {"NtQueryDirectoryFile FileName", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         alignas(8) unsigned char buffer[512];
         return NtQueryDirectoryFile(o.file, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                     FileDirectoryInformation, FALSE, bad.no_access<UNICODE_STRING>(), TRUE);
     }},
    {"NtQueryDirectoryFileEx FileName->Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         alignas(8) unsigned char buffer[512];
         UNICODE_STRING name{4, 4, bad.no_access<WCHAR>()};
         return NtQueryDirectoryFileEx(o.file, nullptr, nullptr, nullptr, &iosb, buffer, sizeof(buffer),
                                       FileDirectoryInformation, SL_RESTART_SCAN, &name);
     }},
    {"NtNotifyChangeDirectoryFile Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         return NtNotifyChangeDirectoryFile(o.file, nullptr, nullptr, nullptr, &iosb, bad.read_only<void>(), 64,
                                            FILE_NOTIFY_CHANGE_FILE_NAME, FALSE);
     }},
    {"NtReadFileScatter SegmentArray", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         LARGE_INTEGER offset{};
         return NtReadFileScatter(o.unbuffered, nullptr, nullptr, nullptr, &iosb, bad.no_access<FILE_SEGMENT_ELEMENT>(),
                                  sizeof(g_segment_page), &offset, nullptr);
     }},
    {"NtReadFileScatter SegmentArray[0].Buffer", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         IO_STATUS_BLOCK iosb{};
         LARGE_INTEGER offset{};
         FILE_SEGMENT_ELEMENT segments[2]{};
         segments[0].Buffer = bad.read_only<void>();
         return NtReadFileScatter(o.unbuffered, nullptr, nullptr, nullptr, &iosb, segments, sizeof(g_segment_page),
                                  &offset, nullptr);
     }},
    {"NtCancelIoFile IoStatusBlock", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) { return NtCancelIoFile(o.file, bad.read_only<IO_STATUS_BLOCK>()); }},
    {"NtCancelIoFileEx IoStatusBlock", STATUS_ACCESS_VIOLATION,
     [](Objects& o, const BadMemory& bad) {
         return NtCancelIoFileEx(o.file, nullptr, bad.no_access<IO_STATUS_BLOCK>());
     }},
    // NT fact D7: a bad IoStatus pointer is STATUS_ACCESS_VIOLATION.
    {"NtCancelSynchronousIoFile IoStatusBlock", STATUS_ACCESS_VIOLATION,
     [](Objects&, const BadMemory& bad) {
         return NtCancelSynchronousIoFile(NtCurrentThread(), nullptr, bad.read_only<IO_STATUS_BLOCK>());
     }},
};

TEST_F(BadInputSweep, every_bad_pointer_is_refused_and_changes_nothing) {
    BadMemory bad;
    // A packet on the port, the event unsignalled, the semaphore at 0, the mutant free: none of it
    // may change.
    ASSERT_EQ(NtSetIoCompletion(o.port, reinterpret_cast<PVOID>(0x11), nullptr, STATUS_SUCCESS, 0), STATUS_SUCCESS);
    int cases = 0;
    for (const PointerRow& row : kPointerRows) {
        SCOPED_TRACE(row.argument);
        const std::size_t handles = handle_count();
        const std::size_t objects = object_count();
        EXPECT_EQ(row.call(o, bad), row.expected) << row.argument;
        EXPECT_EQ(handle_count(), handles) << row.argument << ": a refused call left a handle";
        EXPECT_EQ(object_count(), objects) << row.argument << ": a refused call left an object";
        ++cases;
    }
    EXPECT_EQ(event_state(o.event), 0);
    EXPECT_EQ(event_state(o.signaled), 1);
    SEMAPHORE_BASIC_INFORMATION semaphore{};
    ASSERT_EQ(NtQuerySemaphore(o.semaphore, SemaphoreBasicInformation, &semaphore, sizeof(semaphore), nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(semaphore.CurrentCount, 0);
    IO_COMPLETION_BASIC_INFORMATION port{};
    ASSERT_EQ(NtQueryIoCompletion(o.port, IoCompletionBasicInformation, &port, sizeof(port), nullptr), STATUS_SUCCESS);
    EXPECT_EQ(port.Depth, 1) << "no refused removal took the packet";
    Handle fresh;
    EXPECT_EQ(open_key(fresh.out(), L"Fresh", KEY_READ, o.key), STATUS_OBJECT_NAME_NOT_FOUND) << "no key was created";
    EXPECT_EQ(read_dword(o.key, L"V"), 1u);
    (void)drain_port(STATUS_SUCCESS, o.port);
    RecordProperty("cases", cases);
}


// ---- 3. Information classes and lengths ----

// One information service, asked through `query(o, class, buffer, length)` with everything else
// valid. The control class with a buffer of kRoomy bytes succeeds; then an out-of-range class, a
// length short of the class's fixed part, and a length that carries the small buffer past the end
// of the user address space.
struct ClassRow {
    const char* service;
    NTSTATUS (*query)(Objects& o, ULONG info_class, PVOID buffer, ULONG length);
    ULONG good_class;
    ULONG fixed_length;      // the smallest length the good class takes
    bool exact;              // the class takes exactly fixed_length bytes
    ULONG bad_class;         // out of range
    NTSTATUS bad_class_status;
    NTSTATUS short_status;   // lengths 0 and fixed_length - 1
    // kAnyError: only refused. For the fixed-size classes NT's order of the length check and the
    // buffer probe is not documented; the set services' buffer is an input (see kLengthRows).
    NTSTATUS huge_status;
};

constexpr NTSTATUS kAnyError = static_cast<NTSTATUS>(0xC0FFFFFF);
constexpr ULONG kRoomy = 1024;
constexpr ULONG kHuge = 0xFFFFFF00;

// Sources, by service:
// - fixed-size classes (events, semaphores, mutants, ports, ObjectBasicInformation,
//   ObjectHandleFlagInformation): STATUS_INFO_LENGTH_MISMATCH "The specified information record
//   length does not match the length required for the specified information class", and
//   STATUS_INVALID_INFO_CLASS "The specified information class is not a valid information class for
//   the specified object" ([MS-ERREF] 2.3.1,
//   https://learn.microsoft.com/openspecs/windows_protocols/ms-erref/596a1078-e883-4972-9bbc-49e60bebca55);
//   NtQueryObject: STATUS_INFO_LENGTH_MISMATCH when the length is too small
//   (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntqueryobject);
// - registry: an invalid class is STATUS_INVALID_PARAMETER, a buffer too small for any data
//   STATUS_BUFFER_TOO_SMALL (ZwQueryKey, ZwEnumerateKey, ZwQueryValueKey, ZwEnumerateValueKey,
//   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwquerykey);
// - files and volumes: the I/O manager's class checks, which IoCheckQuerySetFileInformation and
//   IoCheckQuerySetVolumeInformation expose: STATUS_INVALID_INFO_CLASS for a class not valid in that
//   direction, STATUS_INFO_LENGTH_MISMATCH for a length smaller than the class needs
//   (https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iocheckquerysetvolumeinformation).
const ClassRow kClassRows[] = {
    {"NtQueryEvent",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         return NtQueryEvent(o.event, static_cast<EVENT_INFORMATION_CLASS>(c), b, l, nullptr);
     },
     EventBasicInformation, sizeof(EVENT_BASIC_INFORMATION), true, 1, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, kAnyError},
    {"NtQuerySemaphore",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         return NtQuerySemaphore(o.semaphore, static_cast<SEMAPHORE_INFORMATION_CLASS>(c), b, l, nullptr);
     },
     SemaphoreBasicInformation, sizeof(SEMAPHORE_BASIC_INFORMATION), true, 1, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, kAnyError},
    {"NtQueryMutant",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         return NtQueryMutant(o.mutant, static_cast<MUTANT_INFORMATION_CLASS>(c), b, l, nullptr);
     },
     MutantBasicInformation, sizeof(MUTANT_BASIC_INFORMATION), true, 2, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, kAnyError},
    {"NtQueryIoCompletion",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         return NtQueryIoCompletion(o.port, static_cast<IO_COMPLETION_INFORMATION_CLASS>(c), b, l, nullptr);
     },
     IoCompletionBasicInformation, sizeof(IO_COMPLETION_BASIC_INFORMATION), true, 1, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, kAnyError},
    {"NtQueryObject(ObjectBasicInformation)",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         return NtQueryObject(o.event, static_cast<OBJECT_INFORMATION_CLASS>(c), b, l, nullptr);
     },
     ObjectBasicInformation, sizeof(OBJECT_BASIC_INFORMATION), true, 0x7F, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, kAnyError},
    {"NtQueryObject(ObjectNameInformation)",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         return NtQueryObject(o.event, static_cast<OBJECT_INFORMATION_CLASS>(c), b, l, nullptr);
     },
     ObjectNameInformation, sizeof(OBJECT_NAME_INFORMATION), false, 0x7F, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, STATUS_ACCESS_VIOLATION},
    {"NtQueryObject(ObjectTypeInformation)",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         return NtQueryObject(o.event, static_cast<OBJECT_INFORMATION_CLASS>(c), b, l, nullptr);
     },
     ObjectTypeInformation, sizeof(OBJECT_TYPE_INFORMATION), false, 0x7F, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, STATUS_ACCESS_VIOLATION},
    {"NtQueryObject(ObjectNameInformation) on a file",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         return NtQueryObject(o.file, static_cast<OBJECT_INFORMATION_CLASS>(c), b, l, nullptr);
     },
     ObjectNameInformation, sizeof(OBJECT_NAME_INFORMATION), false, 0x7F, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, STATUS_ACCESS_VIOLATION},
    {"NtQueryKey",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         ULONG result = 0;
         return NtQueryKey(o.key, static_cast<KEY_INFORMATION_CLASS>(c), b, l, &result);
     },
     KeyBasicInformation, FIELD_OFFSET(KEY_BASIC_INFORMATION, Name), false, 0x7F, STATUS_INVALID_PARAMETER,
     STATUS_BUFFER_TOO_SMALL, STATUS_ACCESS_VIOLATION},
    {"NtEnumerateKey",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         ULONG result = 0;
         return NtEnumerateKey(o.key, 0, static_cast<KEY_INFORMATION_CLASS>(c), b, l, &result);
     },
     KeyBasicInformation, FIELD_OFFSET(KEY_BASIC_INFORMATION, Name), false, 0x7F, STATUS_INVALID_PARAMETER,
     STATUS_BUFFER_TOO_SMALL, STATUS_ACCESS_VIOLATION},
    {"NtQueryValueKey",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         UNICODE_STRING name;
         RtlInitUnicodeString(&name, L"V");
         ULONG result = 0;
         return NtQueryValueKey(o.key, &name, static_cast<KEY_VALUE_INFORMATION_CLASS>(c), b, l, &result);
     },
     KeyValuePartialInformation, FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data), false, 0x7F,
     STATUS_INVALID_PARAMETER, STATUS_BUFFER_TOO_SMALL, STATUS_ACCESS_VIOLATION},
    {"NtEnumerateValueKey",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         ULONG result = 0;
         return NtEnumerateValueKey(o.key, 0, static_cast<KEY_VALUE_INFORMATION_CLASS>(c), b, l, &result);
     },
     KeyValuePartialInformation, FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data), false, 0x7F,
     STATUS_INVALID_PARAMETER, STATUS_BUFFER_TOO_SMALL, STATUS_ACCESS_VIOLATION},
    {"NtQueryInformationFile",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtQueryInformationFile(o.file, &iosb, b, l, static_cast<FILE_INFORMATION_CLASS>(c));
     },
     FileBasicInformation, sizeof(FILE_BASIC_INFORMATION), false, 0x7F, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, STATUS_ACCESS_VIOLATION},
    {"NtSetInformationFile",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtSetInformationFile(o.file, &iosb, b, l, static_cast<FILE_INFORMATION_CLASS>(c));
     },
     FilePositionInformation, sizeof(FILE_POSITION_INFORMATION), false, 0x7F, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, kAnyError},
    {"NtQueryVolumeInformationFile",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtQueryVolumeInformationFile(o.file, &iosb, b, l, static_cast<FS_INFORMATION_CLASS>(c));
     },
     FileFsDeviceInformation, sizeof(FILE_FS_DEVICE_INFORMATION), false, 0x7F, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, STATUS_ACCESS_VIOLATION},
    {"NtSetVolumeInformationFile",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtSetVolumeInformationFile(o.file, &iosb, b, l, static_cast<FS_INFORMATION_CLASS>(c));
     },
     FileFsLabelInformation, sizeof(FILE_FS_LABEL_INFORMATION), false, 0x7F, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, kAnyError},
    {"NtSetInformationObject",
     [](Objects& o, ULONG c, PVOID b, ULONG l) {
         return NtSetInformationObject(o.event, static_cast<OBJECT_INFORMATION_CLASS>(c), b, l);
     },
     ObjectHandleFlagInformation, sizeof(OBJECT_HANDLE_FLAG_INFORMATION), true, 0x7F, STATUS_INVALID_INFO_CLASS,
     STATUS_INFO_LENGTH_MISMATCH, kAnyError},
};

bool matches(NTSTATUS status, NTSTATUS expected) {
    return expected == kAnyError ? NT_ERROR(status) : status == expected;
}

// The process's peak resident memory so far, in bytes (ru_maxrss is in KiB on Linux).
std::uint64_t peak_resident_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
}

// Item 4 of the sweep: a refused call does no work in proportion to a bogus length. A service that
// allocated and cleared a buffer of the caller's length before probing the caller's memory touched
// almost 4 GiB first, which raises the process's peak resident memory by gigabytes; refusing first
// touches nothing. (The peak is the measure, not the time the call takes: tests never gate on time.)
constexpr std::uint64_t kMostTouched = 1ull << 30;

template <class Call>
NTSTATUS without_touching_the_length(const char* what, Call&& call) {
    const std::uint64_t before = peak_resident_bytes();
    const NTSTATUS status = call();
    EXPECT_LT(peak_resident_bytes() - before, kMostTouched) << what << " touched memory for the bogus length";
    return status;
}

TEST_F(BadInputSweep, every_information_service_checks_its_class_and_length) {
    int cases = 0;
    for (const ClassRow& row : kClassRows) {
        SCOPED_TRACE(row.service);
        alignas(8) unsigned char buffer[kRoomy] = {};
        const ULONG good_length = row.exact ? row.fixed_length : kRoomy;
        EXPECT_EQ(row.query(o, row.good_class, buffer, good_length), STATUS_SUCCESS) << row.service << ": valid";
        const std::size_t handles = handle_count();
        const std::size_t objects = object_count();
        EXPECT_EQ(row.query(o, row.bad_class, buffer, kRoomy), row.bad_class_status) << row.service << ": bad class";
        EXPECT_EQ(row.query(o, row.good_class, buffer, row.fixed_length - 1), row.short_status)
            << row.service << ": one byte short";
        EXPECT_EQ(row.query(o, row.good_class, buffer, 0), row.short_status) << row.service << ": length 0";
        cases += 4;
        if (row.exact) {
            EXPECT_EQ(row.query(o, row.good_class, buffer, row.fixed_length + 1), row.short_status)
                << row.service << ": one byte long";
            ++cases;
        }
        const NTSTATUS huge = without_touching_the_length(row.service, [&] { return row.query(o, row.good_class, buffer, kHuge); });
        EXPECT_TRUE(matches(huge, row.huge_status))
            << row.service << ": length 0x" << std::hex << kHuge << " over a " << std::dec << kRoomy
            << "-byte buffer gave 0x" << std::hex << huge;
        ++cases;
        EXPECT_EQ(handle_count(), handles) << row.service << ": a refused call left a handle";
        EXPECT_EQ(object_count(), objects) << row.service << ": a refused call left an object";
    }
    RecordProperty("cases", cases);
}

// Classes valid in the other direction only are not valid here (IoCheckQuerySetFileInformation /
// IoCheckQuerySetVolumeInformation: "not a valid information class").
TEST_F(BadInputSweep, classes_valid_only_the_other_way_are_invalid) {
    alignas(8) unsigned char buffer[kRoomy] = {};
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtQueryInformationFile(o.file, &iosb, buffer, kRoomy, FileDispositionInformation),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtSetInformationFile(o.file, &iosb, buffer, kRoomy, FileStandardInformation), STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtQueryVolumeInformationFile(o.file, &iosb, buffer, kRoomy, FileFsLabelInformation),
              STATUS_INVALID_INFO_CLASS);
    EXPECT_EQ(NtSetVolumeInformationFile(o.file, &iosb, buffer, kRoomy, FileFsDeviceInformation),
              STATUS_INVALID_INFO_CLASS);
    RecordProperty("cases", 4);
}

// A transfer or list service given a small buffer and a length that runs far past it (into
// unmapped memory). An output buffer is probed for writing, which touches every page: the call is
// STATUS_ACCESS_VIOLATION. An input buffer is probed for reading, which on NT checks only that the
// range lies in the user address space; whether the capture's pool allocation or its copy then
// fails first is not documented, so an input only has to be refused.
struct LengthRow {
    const char* argument;
    NTSTATUS expected;  // kAnyError for inputs
    NTSTATUS (*call)(Objects& o, PVOID buffer, ULONG length);
};

const LengthRow kLengthRows[] = {
    {"NtReadFile Length", STATUS_ACCESS_VIOLATION,
     [](Objects& o, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtReadFile(o.file, nullptr, nullptr, nullptr, &iosb, b, l, nullptr, nullptr);
     }},
    {"NtWriteFile Length", kAnyError,
     [](Objects& o, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtWriteFile(o.file, nullptr, nullptr, nullptr, &iosb, b, l, nullptr, nullptr);
     }},
    {"NtDeviceIoControlFile InputBufferLength", kAnyError,
     [](Objects& o, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtDeviceIoControlFile(o.file, nullptr, nullptr, nullptr, &iosb, kMethodBufferedIoctl, b, l, nullptr, 0);
     }},
    {"NtDeviceIoControlFile OutputBufferLength", STATUS_ACCESS_VIOLATION,
     [](Objects& o, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtDeviceIoControlFile(o.file, nullptr, nullptr, nullptr, &iosb, kMethodBufferedIoctl, nullptr, 0, b, l);
     }},
    {"NtFsControlFile OutputBufferLength", STATUS_ACCESS_VIOLATION,
     [](Objects& o, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtFsControlFile(o.file, nullptr, nullptr, nullptr, &iosb, kMethodBufferedFsctl, nullptr, 0, b, l);
     }},
    {"NtQueryDirectoryFile Length", STATUS_ACCESS_VIOLATION,
     [](Objects& o, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtQueryDirectoryFile(o.file, nullptr, nullptr, nullptr, &iosb, b, l, FileDirectoryInformation, FALSE,
                                     nullptr, TRUE);
     }},
    {"NtNotifyChangeDirectoryFile Length", STATUS_ACCESS_VIOLATION,
     [](Objects& o, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtNotifyChangeDirectoryFile(o.file, nullptr, nullptr, nullptr, &iosb, b, l,
                                            FILE_NOTIFY_CHANGE_FILE_NAME, FALSE);
     }},
    {"NtQueryEaFile Length", STATUS_ACCESS_VIOLATION,
     [](Objects& o, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtQueryEaFile(o.file, &iosb, b, l, FALSE, nullptr, 0, nullptr, TRUE);
     }},
    {"NtSetEaFile Length", kAnyError,
     [](Objects& o, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtSetEaFile(o.file, &iosb, b, l);
     }},
    {"NtQueryQuotaInformationFile Length", STATUS_ACCESS_VIOLATION,
     [](Objects& o, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtQueryQuotaInformationFile(o.file, &iosb, b, l, FALSE, nullptr, 0, nullptr, TRUE);
     }},
    {"NtSetQuotaInformationFile Length", kAnyError,
     [](Objects& o, PVOID b, ULONG l) {
         IO_STATUS_BLOCK iosb{};
         return NtSetQuotaInformationFile(o.file, &iosb, b, l);
     }},
    {"NtQueryDirectoryObject Length", STATUS_ACCESS_VIOLATION,
     [](Objects& o, PVOID b, ULONG l) {
         ULONG context = 0;
         return NtQueryDirectoryObject(o.directory, b, l, FALSE, TRUE, &context, nullptr);
     }},
    {"NtSetValueKey DataSize", kAnyError,
     [](Objects& o, PVOID b, ULONG l) {
         UNICODE_STRING name;
         RtlInitUnicodeString(&name, L"V");
         return NtSetValueKey(o.key, &name, 0, REG_BINARY, b, l);
     }},
};

TEST_F(BadInputSweep, transfer_lengths_past_the_buffer_are_refused_without_touching_them) {
    int cases = 0;
    for (const LengthRow& row : kLengthRows) {
        SCOPED_TRACE(row.argument);
        alignas(8) unsigned char buffer[kRoomy] = {};
        const std::size_t handles = handle_count();
        const NTSTATUS status = without_touching_the_length(row.argument, [&] { return row.call(o, buffer, kHuge); });
        EXPECT_TRUE(matches(status, row.expected)) << row.argument << " gave 0x" << std::hex << status;
        EXPECT_EQ(handle_count(), handles) << row.argument << ": a refused call left a handle";
        ++cases;
    }
    EXPECT_EQ(read_dword(o.key, L"V"), 1u);
    RecordProperty("cases", cases);
}

// IOSB alignment is one rule in every service: ULONG alignment is enough (an IOSB at 4 mod 8 is
// accepted and receives its result), anything less is STATUS_DATATYPE_MISALIGNMENT before the
// service does anything.
TEST_F(BadInputSweep, every_service_takes_an_iosb_at_ulong_alignment) {
    alignas(16) unsigned char storage[64] = {};
    auto* at4 = reinterpret_cast<PIO_STATUS_BLOCK>(storage + 4);
    auto* at2 = reinterpret_cast<PIO_STATUS_BLOCK>(storage + 2);
    struct Row {
        const char* service;
        std::function<NTSTATUS(PIO_STATUS_BLOCK)> call;
    };
    char data[8] = {};
    FILE_STANDARD_INFORMATION standard{};
    HANDLE opened = nullptr;
    const Row rows[] = {
        {"NtCreateFile", [&](PIO_STATUS_BLOCK iosb) {
             ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, o.directory);
             return create_file(&opened, iosb, oa.get());
         }},
        {"NtOpenFile", [&](PIO_STATUS_BLOCK iosb) {
             ObjectName oa(L"Dev", OBJ_CASE_INSENSITIVE, o.directory);
             return open_file(&opened, iosb, oa.get());
         }},
        {"NtWriteFile", [&](PIO_STATUS_BLOCK iosb) {
             LARGE_INTEGER offset{};
             return NtWriteFile(o.file, nullptr, nullptr, nullptr, iosb, data, sizeof(data), &offset, nullptr);
         }},
        {"NtQueryInformationFile", [&](PIO_STATUS_BLOCK iosb) {
             return NtQueryInformationFile(o.file, iosb, &standard, sizeof(standard), FileStandardInformation);
         }},
        {"NtCancelIoFile", [&](PIO_STATUS_BLOCK iosb) { return NtCancelIoFile(o.file, iosb); }},
        {"NtCancelIoFileEx", [&](PIO_STATUS_BLOCK iosb) { return NtCancelIoFileEx(o.file, nullptr, iosb); }},
        {"NtRemoveIoCompletion", [&](PIO_STATUS_BLOCK iosb) {
             EXPECT_EQ(NtSetIoCompletion(o.port, reinterpret_cast<PVOID>(7), reinterpret_cast<PVOID>(8), STATUS_SUCCESS, 9), STATUS_SUCCESS);
             PVOID key = nullptr, context = nullptr;
             LARGE_INTEGER zero{};
             const NTSTATUS status = NtRemoveIoCompletion(o.port, &key, &context, iosb, &zero);
             if (status == STATUS_DATATYPE_MISALIGNMENT) {  // the packet stays; take it back out
                 IO_STATUS_BLOCK aligned{};
                 EXPECT_EQ(NtRemoveIoCompletion(o.port, &key, &context, &aligned, &zero), STATUS_SUCCESS);
             }
             return status;
         }},
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(row.service);
        std::memset(storage, 0xA5, sizeof(storage));
        const NTSTATUS status = row.call(at4);
        EXPECT_NE(status, STATUS_DATATYPE_MISALIGNMENT);
        EXPECT_TRUE(!NT_ERROR(status) || status == STATUS_NOT_FOUND) << std::hex << status;  // nothing to cancel
        NTSTATUS written;  // read as bytes: the block is not 8-byte aligned, which C++ would object to
        std::memcpy(&written, storage + 4 + offsetof(IO_STATUS_BLOCK, Status), sizeof written);
        EXPECT_EQ(written, status == STATUS_NOT_FOUND ? STATUS_NOT_FOUND : STATUS_SUCCESS)
            << "the IOSB at 4 mod 8 received the result";
        if (opened) {
            EXPECT_EQ(NtClose(std::exchange(opened, nullptr)), STATUS_SUCCESS);
        }
        std::memset(storage, 0xA5, sizeof(storage));
        EXPECT_EQ(row.call(at2), STATUS_DATATYPE_MISALIGNMENT);
        EXPECT_EQ(storage[2], 0xA5) << "a refused IOSB is not written";
        EXPECT_EQ(opened, nullptr);
    }
}

}  // namespace
}  // namespace ntio::test
