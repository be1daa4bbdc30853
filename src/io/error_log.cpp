// The system error log for drivers: IoAllocateErrorLogEntry hands out a zeroed IO_ERROR_LOG_PACKET
// that holds a reference on its device or driver object; IoWriteErrorLogEntry records it and frees
// it, IoFreeErrorLogEntry only frees it. NT queues written entries to the event log service; ntio
// writes each as one line of its debug output (docs/nt-deviations.md).
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "io/io_manager.hpp"
#include "ob/object_manager.hpp"
#include "rtl/utf.hpp"

namespace ntio::io {
namespace {

constexpr ULONG kEntryMagic = 0x474f4c45;  // "ELOG"

// What precedes the packet: its object (referenced) and its size. 16 bytes keep the packet's
// LARGE_INTEGER aligned.
struct alignas(16) ErrorLogEntry {
    PVOID object;
    ULONG size;
    ULONG magic;
};
static_assert(sizeof(ErrorLogEntry) == 16);

ErrorLogEntry* entry_of(PVOID packet) { return static_cast<ErrorLogEntry*>(packet) - 1; }

void release(ErrorLogEntry* entry) {
    entry->magic = 0;
    ObDereferenceObject(entry->object);
    entry->~ErrorLogEntry();
    ::operator delete(entry, std::align_val_t{alignof(ErrorLogEntry)});
}

std::string utf8(std::u16string_view text) {
    std::string out(rtl::utf8_size(text.data(), text.size()), '\0');
    out.resize(rtl::utf16_to_utf8(text.data(), text.size(), out.data(), out.size()));
    return out;
}

std::string hex(ULONG value) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%08X", value);
    return text;
}

// "\Device\Name (\Driver\Name)" for a device, "\Driver\Name" for a driver; an unnamed device is
// named by its driver alone.
std::string object_names(PVOID object) {
    ob::ObjectManager& objects = ob::manager_of(object);
    auto* device = static_cast<PDEVICE_OBJECT>(object);
    if (device->Type != IO_TYPE_DEVICE) return utf8(objects.full_name(object));
    std::string driver = utf8(objects.full_name(device->DriverObject));
    std::u16string name = objects.full_name(device);
    return name.empty() ? driver : utf8(name) + " (" + driver + ")";
}

// The insertion strings: NumberOfStrings NUL-terminated strings from StringOffset, read only within
// the entry (a missing terminator ends the last one at the entry's end).
std::string insertion_strings(const IO_ERROR_LOG_PACKET* packet, ULONG size) {
    std::string out;
    ULONG offset = packet->StringOffset;
    for (USHORT i = 0; i < packet->NumberOfStrings && offset + sizeof(WCHAR) <= size; ++i) {
        std::u16string text;
        const auto* bytes = reinterpret_cast<const unsigned char*>(packet);
        for (; offset + sizeof(WCHAR) <= size; offset += sizeof(WCHAR)) {
            char16_t unit;
            std::memcpy(&unit, bytes + offset, sizeof unit);
            if (unit == 0) break;
            text.push_back(unit);
        }
        offset += sizeof(WCHAR);
        out += i ? ", \"" : " strings \"";
        out += utf8(text) + "\"";
    }
    return out;
}

}  // namespace
}  // namespace ntio::io

using namespace ntio::io;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocateerrorlogentry
// NULL for an EntrySize above ERROR_LOG_MAXIMUM_SIZE or below the packet's fixed part, and for an
// IoObject that is neither a device nor a driver object (drivers must not treat NULL as fatal).
PVOID NTAPI IoAllocateErrorLogEntry(PVOID IoObject, UCHAR EntrySize) {
    if (!IoObject || EntrySize > ERROR_LOG_MAXIMUM_SIZE || EntrySize < sizeof(IO_ERROR_LOG_PACKET)) return nullptr;
    const CSHORT type = static_cast<PDEVICE_OBJECT>(IoObject)->Type;
    if (type != IO_TYPE_DEVICE && type != IO_TYPE_DRIVER) return nullptr;
    void* block = ::operator new(sizeof(ErrorLogEntry) + EntrySize, std::align_val_t{alignof(ErrorLogEntry)},
                                 std::nothrow);
    if (!block) return nullptr;
    ObReferenceObject(IoObject);
    auto* entry = new (block) ErrorLogEntry{IoObject, EntrySize, kEntryMagic};
    PVOID packet = entry + 1;
    std::memset(packet, 0, EntrySize);
    return packet;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowriteerrorlogentry
// NT deviation: the entry goes to ntio's debug output as one line (the object's names, ErrorCode,
// FinalStatus, UniqueErrorValue and the insertion strings), not to the System event log; it is
// freed when written, as the I/O manager frees it on NT. Anything but an entry from
// IoAllocateErrorLogEntry is ignored.
VOID NTAPI IoWriteErrorLogEntry(PVOID ElEntry) {
    if (!ElEntry) return;
    ErrorLogEntry* entry = entry_of(ElEntry);
    if (entry->magic != kEntryMagic) return;
    const auto* packet = static_cast<const IO_ERROR_LOG_PACKET*>(ElEntry);
    std::string line = "Error log: " + object_names(entry->object) + ": ErrorCode " +
                       hex(static_cast<ULONG>(packet->ErrorCode)) + ", FinalStatus " +
                       hex(static_cast<ULONG>(packet->FinalStatus)) + ", UniqueErrorValue " +
                       hex(packet->UniqueErrorValue) + insertion_strings(packet, entry->size) + "\n";
    DbgPrint("%s", line.c_str());
    release(entry);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iofreeerrorlogentry
VOID NTAPI IoFreeErrorLogEntry(PVOID ElEntry) {
    if (!ElEntry) return;
    ErrorLogEntry* entry = entry_of(ElEntry);
    if (entry->magic != kEntryMagic) return;
    release(entry);
}

}  // extern "C"
