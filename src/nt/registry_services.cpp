// The registry services NtCreateKey ... NtFlushKey, NtRenameKey, NtSetInformationKey and
// NtQueryMultipleValueKey: probe and capture the caller's names, data and
// output buffers (UserMode), reference the key handle with the access each service needs, and run
// the configuration manager's operation on the key's node. Names resolve through ob: \REGISTRY's
// parse procedure (config/key_object.cpp) walks the key tree.
#include "nt/current_system.hpp"
#include <ntio/ntapi.h>

#include "config/config_manager.hpp"
#include "config/key_information.hpp"
#include "config/key_object.hpp"
#include "nt/object_attributes.hpp"
#include "nt/object_reference.hpp"
#include "nt/previous_mode.hpp"
#include "nt/registry_open.hpp"
#include "nt/registry_callback_call.hpp"
#include "nt/user_memory.hpp"
#include "se/access_check.hpp"
#include "se/token.hpp"

using namespace ntio::nt;
using ntio::config::KeyBody;

namespace {

// Largest value data accepted: beyond it the copy is refused rather than attempted.
// NT deviation: NT bounds value data only by the hive's size (about 2 GiB).
constexpr ULONG kMaxValueData = 64u << 20;

POBJECT_TYPE key_type() noexcept { return &ntio::config::g_key_type; }

// Probes an information buffer and ResultLength before anything else, as NT does.
NTSTATUS probe_information(KPROCESSOR_MODE mode, PVOID buffer, ULONG length, PULONG result_length,
                           ULONG alignment) noexcept {
    if (!result_length) return STATUS_ACCESS_VIOLATION;
    if (mode == KernelMode) return STATUS_SUCCESS;
    NTSTATUS status = probe_for_write(result_length, sizeof(ULONG), alignof(ULONG));
    if (NT_SUCCESS(status) && length) status = probe_for_write(buffer, length, alignment);
    return status;
}

// Copies the answer out and reports its whole size (also for the two buffer-size statuses).
NTSTATUS deliver(KPROCESSOR_MODE mode, NTSTATUS status, const std::vector<unsigned char>& out, PVOID buffer,
                 PULONG result_length, ULONG result) noexcept {
    if (NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW || status == STATUS_BUFFER_TOO_SMALL) {
        if (!out.empty()) {
            NTSTATUS copy = mode == KernelMode ? (std::memcpy(buffer, out.data(), out.size()), STATUS_SUCCESS)
                                               : copy_to_user(buffer, out.data(), out.size(), 1);
            if (!NT_SUCCESS(copy)) return copy;
        }
        NTSTATUS write = write_caller(mode, result_length, result);
        if (!NT_SUCCESS(write)) return write;
    }
    return status;
}

UNICODE_STRING counted(const std::u16string& text) noexcept {
    UNICODE_STRING string;
    string.Buffer = const_cast<PWCH>(reinterpret_cast<const WCHAR*>(text.data()));
    string.Length = string.MaximumLength = static_cast<USHORT>(text.size() * sizeof(WCHAR));
    return string;
}


// The output fields of the query notifications: the information class (KeyInformationClass or
// KeyValueInformationClass; the services pass the caller's value converted from an integer, never
// by reading their enum parameter from memory, which a caller may fill with any value), the caller's buffer (KeyInformation or KeyValueInformation), Length
// and ResultLength.
template <class Info, class Class>
Info query_info(Class Info::*class_field, PVOID Info::*buffer_field, Class information_class, PVOID buffer,
                ULONG length, PULONG result_length) {
    Info info{};
    info.*class_field = information_class;
    info.*buffer_field = buffer;
    info.Length = length;
    info.ResultLength = result_length;
    return info;
}

// The four query services once the caller's buffer is probed: the key referenced with `access`,
// `produce(key, out, result)` fills the answer, which is delivered to the caller. A registry
// callback that takes the query over writes the caller's buffer itself.
template <class MakeInfo, class Produce>
NTSTATUS answer_from_key(HANDLE handle, ACCESS_MASK access, KPROCESSOR_MODE mode, PVOID buffer, PULONG result_length,
                         REG_NOTIFY_CLASS pre_class, MakeInfo&& make_info, Produce produce) noexcept {
    HandleReference<KeyBody> key;
    NTSTATUS status = key.reference(handle, access, key_type(), mode);
    if (!NT_SUCCESS(status)) return status;
    return with_callbacks(*key.get(), pre_class, make_info, [&] {
        std::vector<unsigned char> out;
        ULONG result = 0;
        NTSTATUS produced = produce(*key.get(), out, result);
        return deliver(mode, produced, out, buffer, result_length, result);
    });
}

// ne-wdm-_key_value_information_class: the Align64 classes need an 8-byte aligned buffer. The class
// is a caller's value, any number: it is handled as one (never read back as the enum from memory).
bool misaligned_for(ULONG information_class, PVOID buffer) noexcept {
    const bool align64 = information_class == KeyValueFullInformationAlign64 ||
                         information_class == KeyValuePartialInformationAlign64;
    return align64 && (reinterpret_cast<ULONG_PTR>(buffer) & 7);
}

}  // namespace

namespace ntio::nt {

// NtCreateKey, NtOpenKey(Ex) and their transacted forms (registry_transacted_services.cpp): with
// `transacted`, TransactionHandle names the transaction the new handle is bound to.
NTSTATUS open_or_create_key(PHANDLE key_handle, ACCESS_MASK desired, POBJECT_ATTRIBUTES attributes,
                            PUNICODE_STRING class_name, ULONG options, PULONG disposition, bool create,
                            bool transacted, HANDLE transaction_handle) noexcept {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_caller_output(mode, key_handle);
    if (NT_SUCCESS(status) && disposition) status = probe_caller_output(mode, disposition);
    if (!NT_SUCCESS(status)) return status;
    // The handle is cleared before anything else can fail: a failed open or create leaves NULL there
    // (Windows' registry tests check it after STATUS_OBJECT_NAME_NOT_FOUND and _COLLISION).
    (void)write_caller(mode, key_handle, HANDLE{nullptr});
    if (create ? (options & ~ULONG{REG_LEGAL_OPTION}) != 0 : (options & ~ULONG{REG_OPEN_LEGAL_OPTION}) != 0)
        return STATUS_INVALID_PARAMETER;
    if (!attributes) return mode == KernelMode ? STATUS_INVALID_PARAMETER : STATUS_ACCESS_VIOLATION;
    CapturedObjectAttributes captured;
    status = captured.capture(attributes, mode);
    if (!NT_SUCCESS(status)) return status;

    ntio::config::KeyParseContext context;
    context.create = create;
    context.options = options;
    // The transaction is referenced for the open; the key object takes its own reference.
    // NT deviation: Learn does not name the right the transaction handle needs; ntio asks for
    // TRANSACTION_ENLIST, which enlisting a resource manager in it needs.
    HandleReference<KTRANSACTION> transaction;
    if (transacted) {
        status = transaction.reference(transaction_handle, TRANSACTION_ENLIST, *TmTransactionObjectType, mode);
        if (!NT_SUCCESS(status)) return status;
        status = ntio::System::current()->config().bind_transaction(transaction.get(), context.tx);
        if (!NT_SUCCESS(status)) return status;
        context.transaction = transaction.get();
    }
    ntio::se::SecurityDescriptor security;
    if (create) {
        if (class_name) {
            status = capture_string(mode, class_name, context.class_name);
            if (!NT_SUCCESS(status)) return status;
        }
        if (captured.get()->SecurityDescriptor) {
            status = ntio::se::SecurityDescriptor::capture(captured.get()->SecurityDescriptor, security);
            if (!NT_SUCCESS(status)) return status;
            context.security = &security;
        }
    }
    // The WOW64 view bits select a registry view, not a right.
    desired &= ~ACCESS_MASK{KEY_WOW64_RES};
    HANDLE handle = nullptr;
    status = ObOpenObjectByName(captured.get(), key_type(), mode, nullptr, desired, &context, &handle);
    if (!NT_SUCCESS(status)) return status;
    (void)write_caller(mode, key_handle, handle);
    if (disposition) (void)write_caller(mode, disposition, context.disposition);
    return status;
}

}  // namespace ntio::nt

extern "C" {

NTSTATUS NTAPI NtCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                           ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition) {
    (void)TitleIndex;  // reserved: NT ignores it
    return open_or_create_key(KeyHandle, DesiredAccess, ObjectAttributes, Class, CreateOptions, Disposition, true,
                              false, nullptr);
}

NTSTATUS NTAPI NtOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes) {
    return open_or_create_key(KeyHandle, DesiredAccess, ObjectAttributes, nullptr, 0, nullptr, false, false, nullptr);
}

NTSTATUS NTAPI NtOpenKeyEx(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                           ULONG OpenOptions) {
    return open_or_create_key(KeyHandle, DesiredAccess, ObjectAttributes, nullptr, OpenOptions, nullptr, false, false,
                              nullptr);
}

NTSTATUS NTAPI NtDeleteKey(HANDLE KeyHandle) {
    const KPROCESSOR_MODE mode = previous_mode();
    HandleReference<KeyBody> key;
    NTSTATUS status = key.reference(KeyHandle, DELETE, key_type(), mode);
    if (!NT_SUCCESS(status)) return status;
    return with_callbacks(
        *key.get(), RegNtPreDeleteKey, [] { return REG_DELETE_KEY_INFORMATION{}; },
        [&] { return key->manager->delete_key(*key->node, key->tx.get()); });
}

NTSTATUS NTAPI NtFlushKey(HANDLE KeyHandle) {
    const KPROCESSOR_MODE mode = previous_mode();
    HandleReference<KeyBody> key;
    NTSTATUS status = key.reference(KeyHandle, 0, key_type(), mode);
    if (!NT_SUCCESS(status)) return status;
    return with_callbacks(*key.get(), RegNtPreFlushKey, [] { return REG_FLUSH_KEY_INFORMATION{}; }, [&] {
        std::u16string path;
        NTSTATUS found = key->manager->full_path(*key->node, path);  // STATUS_KEY_DELETED
        if (!NT_SUCCESS(found)) return found;
        // A key of a loaded hive: that hive is written back to its file (NtLoadKey).
        NTSTATUS flushed = key->manager->flush();
        return NT_SUCCESS(flushed) ? key->manager->flush_hive(*key->node) : flushed;
    });
}

NTSTATUS NTAPI NtSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type, PVOID Data,
                             ULONG DataSize) {
    const KPROCESSOR_MODE mode = previous_mode();
    HandleReference<KeyBody> key;
    NTSTATUS status = key.reference(KeyHandle, KEY_SET_VALUE, key_type(), mode);
    if (!NT_SUCCESS(status)) return status;
    std::u16string name;
    status = capture_string(mode, ValueName, name);
    if (!NT_SUCCESS(status)) return status;
    if (DataSize && !Data) return mode == KernelMode ? STATUS_INVALID_PARAMETER : STATUS_ACCESS_VIOLATION;
    if (mode != KernelMode) {
        status = probe_for_read(Data, DataSize, 1);
        if (!NT_SUCCESS(status)) return status;
    }
    if (DataSize > kMaxValueData) return STATUS_INSUFFICIENT_RESOURCES;
    std::vector<unsigned char> data(DataSize);
    if (DataSize) {
        if (mode == KernelMode)
            std::memcpy(data.data(), Data, DataSize);
        else if (status = copy_from_user(data.data(), Data, DataSize, 1); !NT_SUCCESS(status))
            return status;
    }
    UNICODE_STRING value_name = counted(name);
    auto make_info = [&] {
        REG_SET_VALUE_KEY_INFORMATION info{};
        info.ValueName = &value_name;
        info.TitleIndex = TitleIndex;
        info.Type = Type;
        info.Data = data.data();
        info.DataSize = DataSize;
        return info;
    };
    return with_callbacks(*key.get(), RegNtPreSetValueKey, make_info, [&] {
        // A link key (REG_OPTION_CREATE_LINK) holds its target and nothing else: only SymbolicLinkValue
        // of type REG_LINK can be set on it, anything else is STATUS_ACCESS_DENIED, as Windows answers.
        if (key->node->is_link() &&
            (Type != REG_LINK || !ntio::config::names_equal(name, ntio::config::kSymbolicLinkValue)))
            return STATUS_ACCESS_DENIED;
        return key->manager->set_value(*key->node, name, Type, data.data(), DataSize, key->tx.get());
    });
}

NTSTATUS NTAPI NtDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName) {
    const KPROCESSOR_MODE mode = previous_mode();
    HandleReference<KeyBody> key;
    NTSTATUS status = key.reference(KeyHandle, KEY_SET_VALUE, key_type(), mode);
    if (!NT_SUCCESS(status)) return status;
    std::u16string name;
    status = capture_string(mode, ValueName, name);
    if (!NT_SUCCESS(status)) return status;
    UNICODE_STRING value_name = counted(name);
    auto make_info = [&] {
        REG_DELETE_VALUE_KEY_INFORMATION info{};
        info.ValueName = &value_name;
        return info;
    };
    return with_callbacks(*key.get(), RegNtPreDeleteValueKey, make_info,
                          [&] { return key->manager->delete_value(*key->node, name, key->tx.get()); });
}

NTSTATUS NTAPI NtQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
                               KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass, PVOID KeyValueInformation,
                               ULONG Length, PULONG ResultLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    const ULONG information_class = static_cast<ULONG>(KeyValueInformationClass);
    if (misaligned_for(information_class, KeyValueInformation)) return STATUS_DATATYPE_MISALIGNMENT;
    NTSTATUS status = probe_information(mode, KeyValueInformation, Length, ResultLength, alignof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    std::u16string name;
    status = capture_string(mode, ValueName, name);
    if (!NT_SUCCESS(status)) return status;
    UNICODE_STRING value_name = counted(name);
    auto make_info = [&] {
        auto info = query_info(&REG_QUERY_VALUE_KEY_INFORMATION::KeyValueInformationClass,
                               &REG_QUERY_VALUE_KEY_INFORMATION::KeyValueInformation,
                               static_cast<KEY_VALUE_INFORMATION_CLASS>(information_class),
                               KeyValueInformation, Length, ResultLength);
        info.ValueName = &value_name;
        return info;
    };
    return answer_from_key(KeyHandle, KEY_QUERY_VALUE, mode, KeyValueInformation, ResultLength,
                           RegNtPreQueryValueKey, make_info, [&](KeyBody& key, std::vector<unsigned char>& out, ULONG& result) {
                               return key.manager->query_value(
                                   *key.node, name, static_cast<KEY_VALUE_INFORMATION_CLASS>(information_class), Length,
                                   out, result, key.tx.get());
                           });
}

NTSTATUS NTAPI NtEnumerateValueKey(HANDLE KeyHandle, ULONG Index, KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                   PVOID KeyValueInformation, ULONG Length, PULONG ResultLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    const ULONG information_class = static_cast<ULONG>(KeyValueInformationClass);
    if (misaligned_for(information_class, KeyValueInformation)) return STATUS_DATATYPE_MISALIGNMENT;
    NTSTATUS status = probe_information(mode, KeyValueInformation, Length, ResultLength, alignof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    auto make_info = [&] {
        auto info = query_info(&REG_ENUMERATE_VALUE_KEY_INFORMATION::KeyValueInformationClass,
                               &REG_ENUMERATE_VALUE_KEY_INFORMATION::KeyValueInformation,
                               static_cast<KEY_VALUE_INFORMATION_CLASS>(information_class),
                               KeyValueInformation, Length, ResultLength);
        info.Index = Index;
        return info;
    };
    return answer_from_key(KeyHandle, KEY_QUERY_VALUE, mode, KeyValueInformation, ResultLength,
                           RegNtPreEnumerateValueKey, make_info,
                           [&](KeyBody& key, std::vector<unsigned char>& out, ULONG& result) {
                               return key.manager->enumerate_value(
                                   *key.node, Index, static_cast<KEY_VALUE_INFORMATION_CLASS>(information_class), Length,
                                   out, result, key.tx.get());
                           });
}

NTSTATUS NTAPI NtQueryKey(HANDLE KeyHandle, KEY_INFORMATION_CLASS KeyInformationClass, PVOID KeyInformation,
                          ULONG Length, PULONG ResultLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_information(mode, KeyInformation, Length, ResultLength, alignof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    // A key's name needs no right on the handle; everything else KEY_QUERY_VALUE.
    // https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwquerykey
    const ULONG information_class = static_cast<ULONG>(KeyInformationClass);  // any caller's value
    const ACCESS_MASK needed = information_class == KeyNameInformation ? 0 : KEY_QUERY_VALUE;
    auto make_info = [&] {
        return query_info(&REG_QUERY_KEY_INFORMATION::KeyInformationClass, &REG_QUERY_KEY_INFORMATION::KeyInformation,
                          static_cast<KEY_INFORMATION_CLASS>(information_class), KeyInformation, Length,
                          ResultLength);
    };
    return answer_from_key(KeyHandle, needed, mode, KeyInformation, ResultLength, RegNtPreQueryKey, make_info,
                           [&](KeyBody& key, std::vector<unsigned char>& out, ULONG& result) {
                               const auto known = static_cast<KEY_INFORMATION_CLASS>(information_class);
                               if (!ntio::config::key_information_class_valid(known)) return STATUS_INVALID_PARAMETER;
                               return key.manager->query_key(*key.node, known, Length, out, result, key.tx.get());
                           });
}

NTSTATUS NTAPI NtEnumerateKey(HANDLE KeyHandle, ULONG Index, KEY_INFORMATION_CLASS KeyInformationClass,
                              PVOID KeyInformation, ULONG Length, PULONG ResultLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    NTSTATUS status = probe_information(mode, KeyInformation, Length, ResultLength, alignof(ULONG));
    if (!NT_SUCCESS(status)) return status;
    const ULONG information_class = static_cast<ULONG>(KeyInformationClass);  // any caller's value
    auto make_info = [&] {
        auto info = query_info(&REG_ENUMERATE_KEY_INFORMATION::KeyInformationClass,
                               &REG_ENUMERATE_KEY_INFORMATION::KeyInformation,
                               static_cast<KEY_INFORMATION_CLASS>(information_class), KeyInformation,
                               Length, ResultLength);
        info.Index = Index;
        return info;
    };
    return answer_from_key(KeyHandle, KEY_ENUMERATE_SUB_KEYS, mode, KeyInformation, ResultLength,
                           RegNtPreEnumerateKey, make_info, [&](KeyBody& key, std::vector<unsigned char>& out, ULONG& result) {
                               return key.manager->enumerate_key(
                                   *key.node, Index, static_cast<KEY_INFORMATION_CLASS>(information_class), Length, out,
                                   result, key.tx.get());
                           });
}

NTSTATUS NTAPI NtRenameKey(HANDLE KeyHandle, PUNICODE_STRING NewName) {
    const KPROCESSOR_MODE mode = previous_mode();
    // NtRenameKey: "The handle must be opened with the KEY_WRITE access right."
    // https://learn.microsoft.com/windows/win32/api/winternl/nf-winternl-ntrenamekey
    HandleReference<KeyBody> key;
    NTSTATUS status = key.reference(KeyHandle, KEY_WRITE, key_type(), mode);
    if (!NT_SUCCESS(status)) return status;
    std::u16string name;
    status = capture_string(mode, NewName, name);
    if (!NT_SUCCESS(status)) return status;
    UNICODE_STRING new_name = counted(name);
    auto make_info = [&] {
        REG_RENAME_KEY_INFORMATION info{};
        info.NewName = &new_name;
        return info;
    };
    std::shared_ptr<ntio::se::Token> token;
    if (mode != KernelMode) token = ntio::se::current_effective_token();
    // NT deviation: renaming and setting the write time are not transacted; through a handle bound
    // to a transaction they are STATUS_NOT_SUPPORTED.
    if (key->tx) return STATUS_NOT_SUPPORTED;
    return with_callbacks(*key.get(), RegNtPreRenameKey, make_info,
                          [&] { return key->manager->rename_key(*key->node, name, token.get()); });
}

NTSTATUS NTAPI NtSetInformationKey(HANDLE KeyHandle, KEY_SET_INFORMATION_CLASS KeySetInformationClass,
                                   PVOID KeySetInformation, ULONG KeySetInformationLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    // ZwSetInformationKey: the handle needs KEY_SET_VALUE.
    // https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwsetinformationkey
    HandleReference<KeyBody> key;
    NTSTATUS status = key.reference(KeyHandle, KEY_SET_VALUE, key_type(), mode);
    if (!NT_SUCCESS(status)) return status;
    const ULONG information_class = static_cast<ULONG>(KeySetInformationClass);  // any caller's value
    // ne-wdm-_key_set_information_class: each class but the write time carries one ULONG.
    ULONG expected = 0;
    switch (information_class) {
    case KeyWriteTimeInformation: expected = sizeof(KEY_WRITE_TIME_INFORMATION); break;
    case KeyWow64FlagsInformation:
    case KeyControlFlagsInformation:
    case KeySetVirtualizationInformation:
    case KeySetDebugInformation:
    case KeySetHandleTagsInformation:
    case KeySetLayerInformation: expected = sizeof(ULONG); break;
    default: return STATUS_INVALID_INFO_CLASS;
    }
    if (KeySetInformationLength != expected) return STATUS_INFO_LENGTH_MISMATCH;
    if (!KeySetInformation) return mode == KernelMode ? STATUS_INVALID_PARAMETER : STATUS_ACCESS_VIOLATION;
    unsigned char data[sizeof(KEY_WRITE_TIME_INFORMATION)] = {};
    if (mode == KernelMode)
        std::memcpy(data, KeySetInformation, expected);
    else if (status = copy_from_user(data, KeySetInformation, expected, alignof(ULONG)); !NT_SUCCESS(status))
        return status;
    auto make_info = [&] {
        REG_SET_INFORMATION_KEY_INFORMATION info{};
        info.KeySetInformationClass = static_cast<KEY_SET_INFORMATION_CLASS>(information_class);
        info.KeySetInformation = data;
        info.KeySetInformationLength = expected;
        return info;
    };
    if (key->tx) return STATUS_NOT_SUPPORTED;  // see NtRenameKey
    return with_callbacks(*key.get(), RegNtPreSetInformationKey, make_info, [&]() -> NTSTATUS {
        if (information_class == KeyWriteTimeInformation) {
            KEY_WRITE_TIME_INFORMATION info;
            std::memcpy(&info, data, sizeof(info));
            return key->manager->set_last_write(*key->node, info.LastWriteTime.QuadPart);
        }
        // NT deviation: the classes Learn reserves for system use (WOW64 user flags, control flags,
        // virtualization, debug, handle tags, layers) describe machinery ntio does not have; they
        // are STATUS_NOT_IMPLEMENTED once the handle, class and length are checked.
        return STATUS_NOT_IMPLEMENTED;
    });
}

// The value data NtQueryMultipleValueKey lays out: each value's data starts at a ULONG boundary
// of ValueBuffer, in the order of the entries.
// NT deviation: Learn documents only the fields (ns-wdm-_key_value_entry, DataOffset "within the
// buffer that is pointed to by the ValueBuffer member"); the ULONG alignment and the overflow rule
// (every entry described, the data of those that fit copied, STATUS_BUFFER_OVERFLOW with
// *BufferLength the size needed) are ntio's reading of it.
NTSTATUS NTAPI NtQueryMultipleValueKey(HANDLE KeyHandle, PKEY_VALUE_ENTRY ValueEntries, ULONG EntryCount,
                                       PVOID ValueBuffer, PULONG BufferLength, PULONG RequiredBufferLength) {
    const KPROCESSOR_MODE mode = previous_mode();
    if (!BufferLength || (EntryCount && !ValueEntries))
        return mode == KernelMode ? STATUS_INVALID_PARAMETER : STATUS_ACCESS_VIOLATION;
    ULONG length = 0;
    NTSTATUS status = read_caller(mode, const_cast<const ULONG*>(BufferLength), length);
    if (!NT_SUCCESS(status)) return status;
    const std::uint64_t entries_bytes = std::uint64_t{EntryCount} * sizeof(KEY_VALUE_ENTRY);
    if (entries_bytes > MAXULONG) return STATUS_INVALID_PARAMETER;
    if (mode != KernelMode) {
        status = probe_for_write(BufferLength, sizeof(ULONG), alignof(ULONG));
        if (NT_SUCCESS(status) && RequiredBufferLength)
            status = probe_for_write(RequiredBufferLength, sizeof(ULONG), alignof(ULONG));
        if (NT_SUCCESS(status) && EntryCount)
            status = probe_for_write(ValueEntries, static_cast<ULONG>(entries_bytes), alignof(PVOID));
        if (NT_SUCCESS(status) && length) status = probe_for_write(ValueBuffer, length, 1);
        if (!NT_SUCCESS(status)) return status;
    }
    if (length && !ValueBuffer) return mode == KernelMode ? STATUS_INVALID_PARAMETER : STATUS_ACCESS_VIOLATION;
    HandleReference<KeyBody> key;
    status = key.reference(KeyHandle, KEY_QUERY_VALUE, key_type(), mode);
    if (!NT_SUCCESS(status)) return status;
    std::vector<KEY_VALUE_ENTRY> entries(EntryCount);
    std::vector<std::u16string> names(EntryCount);
    for (ULONG i = 0; i < EntryCount; ++i) {
        if (mode == KernelMode)
            entries[i] = ValueEntries[i];
        else if (status = read_caller(mode, const_cast<const KEY_VALUE_ENTRY*>(&ValueEntries[i]), entries[i]);
                 !NT_SUCCESS(status))
            return status;
        status = capture_string(mode, entries[i].ValueName, names[i]);
        if (!NT_SUCCESS(status)) return status;
    }
    auto make_info = [&] {
        REG_QUERY_MULTIPLE_VALUE_KEY_INFORMATION info{};
        info.ValueEntries = ValueEntries;
        info.EntryCount = EntryCount;
        info.ValueBuffer = ValueBuffer;
        info.BufferLength = BufferLength;
        info.RequiredBufferLength = RequiredBufferLength;
        return info;
    };
    return with_callbacks(*key.get(), RegNtPreQueryMultipleValueKey, make_info, [&]() -> NTSTATUS {
        std::vector<ntio::config::KeyValue> values;
        NTSTATUS found = key->manager->query_values(*key->node, names, values, key->tx.get());
        if (!NT_SUCCESS(found)) return found;
        std::uint64_t required = 0;
        std::vector<unsigned char> out;
        for (ULONG i = 0; i < EntryCount; ++i) {
            required = (required + sizeof(ULONG) - 1) & ~std::uint64_t{sizeof(ULONG) - 1};
            const std::uint64_t size = values[i].data.size();
            entries[i].DataOffset = static_cast<ULONG>(required);
            entries[i].DataLength = static_cast<ULONG>(size);
            entries[i].Type = values[i].type;
            if (required + size <= length) {
                out.resize(static_cast<std::size_t>(required + size));
                if (size) std::memcpy(out.data() + required, values[i].data.data(), static_cast<std::size_t>(size));
            }
            required += size;
            if (required > MAXULONG) return STATUS_INSUFFICIENT_RESOURCES;
        }
        const ULONG needed = static_cast<ULONG>(required);
        if (!out.empty()) {
            NTSTATUS copy = mode == KernelMode ? (std::memcpy(ValueBuffer, out.data(), out.size()), STATUS_SUCCESS)
                                               : copy_to_user(ValueBuffer, out.data(), out.size(), 1);
            if (!NT_SUCCESS(copy)) return copy;
        }
        for (ULONG i = 0; i < EntryCount; ++i) {
            NTSTATUS write = write_caller(mode, &ValueEntries[i], entries[i]);
            if (!NT_SUCCESS(write)) return write;
        }
        NTSTATUS write = write_caller(mode, BufferLength, needed);
        if (NT_SUCCESS(write) && RequiredBufferLength) write = write_caller(mode, RequiredBufferLength, needed);
        if (!NT_SUCCESS(write)) return write;
        return needed > length ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    });
}

}  // extern "C"
