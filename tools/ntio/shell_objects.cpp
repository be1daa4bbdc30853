// The shell's object commands: ls (an object directory with types and symbolic link targets),
// devstack (the devices stacked over a device, top first) and objects (the whole namespace with
// object and handle counts).
#include <fmt/core.h>
#include <string>
#include <vector>

#include <ntio/ntapi.h>

#include "ob/object_manager.hpp"
#include "shell.hpp"
#include "shell_support.hpp"
#include "unicode_string.hpp"

namespace ntio::tool {
namespace {

std::string text(const UNICODE_STRING& s) {
    return narrow(std::u16string_view(reinterpret_cast<const char16_t*>(s.Buffer), s.Length / sizeof(WCHAR)));
}

// The target of a symbolic link, or "?" with the status when it cannot be read.
std::string link_target(const std::u16string& path) {
    UNICODE_STRING name = counted(path);
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE link = nullptr;
    NTSTATUS status = NtOpenSymbolicLinkObject(&link, SYMBOLIC_LINK_QUERY, &attributes);
    if (!NT_SUCCESS(status)) return "? " + status_text(status);
    std::vector<WCHAR> buffer(1024);
    UNICODE_STRING target;
    target.Buffer = buffer.data();
    target.Length = 0;
    target.MaximumLength = static_cast<USHORT>(buffer.size() * sizeof(WCHAR));
    status = NtQuerySymbolicLinkObject(link, &target, nullptr);
    (void)NtClose(link);
    return NT_SUCCESS(status) ? text(target) : "? " + status_text(status);
}

int ls_command(System&, const std::vector<std::string>& args, std::string& out) {
    if (args.size() > 2) {
        out += "usage: ls [DIRECTORY]\n";
        return 1;
    }
    std::string directory = args.size() > 1 ? args[1] : std::string("\\");
    while (directory.size() > 1 && directory.back() == '\\') directory.pop_back();
    std::vector<DirectoryEntry> entries;
    NTSTATUS status = list_directory(widen(directory), entries);
    if (!NT_SUCCESS(status)) {
        out += status_text(status) + "\n";
        return 1;
    }
    out += directory + "\n";
    const std::string base = directory == "\\" ? directory : directory + "\\";
    for (const DirectoryEntry& e : entries) {
        out += fmt::format("  {:<28} {}", e.name, e.type);
        if (e.type == "SymbolicLink") out += " -> " + link_target(widen(base + e.name));
        out += "\n";
    }
    return 0;
}

std::string object_name(PVOID object) {
    std::vector<unsigned char> buffer(1024);
    ULONG needed = 0;
    auto* info = reinterpret_cast<POBJECT_NAME_INFORMATION>(buffer.data());
    if (!NT_SUCCESS(ObQueryNameString(object, info, static_cast<ULONG>(buffer.size()), &needed)) ||
        info->Name.Length == 0)
        return "(unnamed)";
    return text(info->Name);
}

int devstack_command(System&, const std::vector<std::string>& args, std::string& out) {
    if (args.size() != 2) {
        out += "usage: devstack DEVICE   (e.g. \\Device\\Ramdisk0 or \\\\.\\Ramdisk0)\n";
        return 1;
    }
    const std::u16string path = nt_name(args[1]);
    UNICODE_STRING name = counted(path);
    PFILE_OBJECT file = nullptr;
    PDEVICE_OBJECT device = nullptr;
    NTSTATUS status = IoGetDeviceObjectPointer(&name, FILE_READ_ATTRIBUTES, &file, &device);
    if (!NT_SUCCESS(status)) {
        out += status_text(status) + "\n";
        return 1;
    }
    PDEVICE_OBJECT base = IoGetDeviceAttachmentBaseRef(device);
    out += fmt::format("{} (top first)\n", args[1]);
    for (PDEVICE_OBJECT d = IoGetAttachedDeviceReference(base); d;) {
        out += fmt::format("  {:<24} {:<28} StackSize {} Flags 0x{:x}\n", text(d->DriverObject->DriverName),
                           object_name(d), static_cast<int>(d->StackSize), d->Flags);
        PDEVICE_OBJECT lower = IoGetLowerDeviceObject(d);
        ObDereferenceObject(d);
        d = lower;
    }
    ObDereferenceObject(base);
    ObDereferenceObject(file);
    return 0;
}

int objects_command(System& system, const std::vector<std::string>& args, std::string& out) {
    if (args.size() != 1) {
        out += "usage: objects\n";
        return 1;
    }
    std::string tree;
    system.objects().dump_namespace(tree);
    out += tree;
    out += fmt::format("{} objects, {} handles\n", system.objects().object_count(), system.objects().handle_count());
    return 0;
}

}  // namespace

void register_object_commands() {
    register_shell_command("ls", "ls [DIRECTORY] - an object directory: names, types, symbolic link targets", ls_command);
    register_shell_command("devstack", "devstack DEVICE - the device stack over DEVICE, top first", devstack_command);
    register_shell_command("objects", "objects - the whole object namespace, object and handle counts",
                           objects_command);
}

}  // namespace ntio::tool
