// The tour's file-system part: fastfat.sys started through the service control manager, the RAM
// disk formatted as FAT16 through a whole-volume handle, files and a directory made on it through a
// drive letter, the volume shown as the inspector shows it, and the IRPs the file system sent down
// the disk's stack.
#include "tour_fat.hpp"

#include <fmt/core.h>
#include <string>
#include <vector>

#include "admin_process.hpp"
#include "boot.hpp"
#include "fat_format.hpp"
#include "inspect/kd_commands.hpp"
#include "tour_steps.hpp"
#include "unicode_string.hpp"

namespace ntio::tool::tour {
namespace {

std::string from_wide(const wchar_t* text) { return narrow(std::u16string_view(reinterpret_cast<const char16_t*>(text))); }

// "sc start Fastfat": the default hive lists Fastfat as a demand-start file system, as Windows does.
// Starting a service takes an administrator, as on Windows.
void start_fastfat(System& system) {
    step("Starting the FAT file system (Fastfat, a demand-start service) through the service control manager");
    AdminProcess admin(system);
    SC_HANDLE scm = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
    SC_HANDLE service = scm ? OpenServiceW(scm, L"Fastfat", SERVICE_START | SERVICE_QUERY_STATUS) : nullptr;
    check(service != nullptr, fmt::format("OpenServiceW(Fastfat){}", service ? "" : fmt::format(": error {}", GetLastError())));
    if (service) {
        check(StartServiceW(service, 0, nullptr), "StartServiceW: fastfat.sys loaded, \\Fat registered as a disk file system");
        SERVICE_STATUS status{};
        check(QueryServiceStatus(service, &status) && status.dwCurrentState == SERVICE_RUNNING,
              "QueryServiceStatus: SERVICE_RUNNING");
        CloseServiceHandle(service);
    }
    if (scm) CloseServiceHandle(scm);
}

void format_disk() {
    step("Formatting \\\\.\\Ramdisk0 as FAT16 (lock the volume, write the layout, dismount)");
    // This open offers the volume to fastfat first; it finds no FAT boot sector (the tour wrote 'N's
    // over sector 0), so the volume is held raw and the handle reaches the disk itself.
    HANDLE volume = open_device(L"\\\\.\\Ramdisk0", 0);
    check(volume != INVALID_HANDLE_VALUE, "CreateFile(\\\\.\\Ramdisk0): fastfat declined it, RAW holds it");
    if (volume == INVALID_HANDLE_VALUE) return;
    const FatFormatResult result = format_fat16(volume, "NTIO TOUR");
    check(result.ok, result.ok ? fmt::format("{} sectors, {} sectors per cluster, {} clusters", result.sectors,
                                             result.sectors_per_cluster, result.clusters)
                               : result.error);
    CloseHandle(volume);
}

void use_files() {
    step("Files on R: (DefineDosDevice R: -> \\Device\\Ramdisk0); the first open mounts the FAT volume");
    if (!DefineDosDeviceW(DDD_RAW_TARGET_PATH, L"R:", L"\\Device\\Ramdisk0"))
        return check(false, fmt::format("DefineDosDeviceW(R:) error {}", GetLastError()));
    check(CreateDirectoryW(L"R:\\tour", nullptr), "CreateDirectoryW(R:\\tour)");
    const char text[] = "Hello from a WDM file system on Linux.\n";
    HANDLE file = CreateFileW(L"R:\\tour\\hello.txt", GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL,
                              nullptr);
    DWORD done = 0;
    const bool wrote = file != INVALID_HANDLE_VALUE && WriteFile(file, text, sizeof(text) - 1, &done, nullptr);
    check(wrote && done == sizeof(text) - 1, fmt::format("CreateFileW(R:\\tour\\hello.txt) and WriteFile: {} bytes", done));
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    file = CreateFileW(L"R:\\tour\\hello.txt", GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr);
    char back[64] = {};
    check(file != INVALID_HANDLE_VALUE && ReadFile(file, back, sizeof(back), &done, nullptr) &&
              std::string(back, done) == text,
          "ReadFile gives the text back through the cache manager");
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    HANDLE copy = CreateFileW(L"R:\\tour\\big.bin", GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr);
    std::vector<char> block(64 * 1024, 'F');
    check(copy != INVALID_HANDLE_VALUE && WriteFile(copy, block.data(), static_cast<DWORD>(block.size()), &done, nullptr) &&
              done == block.size(),
          "WriteFile(R:\\tour\\big.bin): 64 KiB");
    if (copy != INVALID_HANDLE_VALUE) CloseHandle(copy);

    WIN32_FIND_DATAW found{};
    HANDLE find = FindFirstFileW(L"R:\\tour\\*", &found);
    check(find != INVALID_HANDLE_VALUE, "FindFirstFileW(R:\\tour\\*)");
    if (find != INVALID_HANDLE_VALUE) {
        do {
            const bool directory = (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
            fmt::print("        {:<12} {}\n", from_wide(found.cFileName),
                       directory ? std::string("<DIR>") : fmt::format("{} bytes", found.nFileSizeLow));
        } while (FindNextFileW(find, &found));
        FindClose(find);
    }
    wchar_t label[32] = {}, fs_name[16] = {};
    DWORD serial = 0, max_component = 0, fs_flags = 0;
    const bool info = GetVolumeInformationW(L"R:\\", label, 32, &serial, &max_component, &fs_flags, fs_name, 16);
    check(info && from_wide(label) == "NTIO TOUR" && from_wide(fs_name) == "FAT", fmt::format("GetVolumeInformationW(R:\\): label \"{}\", file system {}, serial {:04X}-{:04X}",
                            from_wide(label), from_wide(fs_name), serial >> 16, serial & 0xFFFF));
    ULARGE_INTEGER free_bytes{}, total{}, total_free{};
    const bool space = GetDiskFreeSpaceExW(L"R:\\", &free_bytes, &total, &total_free);
    check(space && total.QuadPart > 0 && total_free.QuadPart < total.QuadPart, fmt::format("GetDiskFreeSpaceExW(R:\\): {} KiB free of {} KiB", total_free.QuadPart / 1024,
                      total.QuadPart / 1024));
}

// The disk's VPB names the volume device fastfat created for it; the inspector shows both.
void show_volume(System& system) {
    step("The mounted volume, as the inspector shows it (!vpb, !devstack)");
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\Ramdisk0");
    PFILE_OBJECT file = nullptr;
    PDEVICE_OBJECT top = nullptr;
    // FILE_READ_ATTRIBUTES only: a direct device open, which neither mounts nor reaches the volume.
    if (!NT_SUCCESS(IoGetDeviceObjectPointer(&name, FILE_READ_ATTRIBUTES, &file, &top)))
        return check(false, "IoGetDeviceObjectPointer(\\Device\\Ramdisk0)");
    PDEVICE_OBJECT disk = IoGetDeviceAttachmentBaseRef(top);
    const PVPB vpb = disk->Vpb;
    const bool mounted = vpb && (vpb->Flags & VPB_MOUNTED) && vpb->DeviceObject;
    check(mounted, "\\Device\\Ramdisk0's VPB is mounted");
    if (mounted) {
        fmt::print("   volume stack: {}\n   disk stack:   {}\n", stack_of(vpb->DeviceObject), stack_of(disk));
        for (const std::string& command : {fmt::format("!vpb {:#x}", reinterpret_cast<std::uintptr_t>(vpb)),
                                          fmt::format("!devstack {:#x}",
                                                      reinterpret_cast<std::uintptr_t>(vpb->DeviceObject))}) {
            std::string out;
            const int status = inspect::run_kd_command(system, command, out);
            fmt::print("   kd> {}\n", command);
            for (std::size_t at = 0; at < out.size();) {
                const std::size_t end = out.find('\n', at);
                fmt::print("   {}\n", out.substr(at, end == std::string::npos ? std::string::npos : end - at));
                at = end == std::string::npos ? out.size() : end + 1;
            }
            check(status == 0, command);
        }
    }
    ObDereferenceObject(disk);
    ObDereferenceObject(file);
}

}  // namespace

void fat_volume(System& system) {
    start_fastfat(system);
    format_disk();
    use_files();
    show_volume(system);
    check(DefineDosDeviceW(DDD_RAW_TARGET_PATH | DDD_REMOVE_DEFINITION, L"R:", L"\\Device\\Ramdisk0"),
          "DefineDosDeviceW(DDD_REMOVE_DEFINITION, R:)");
    show_trace("IRPs that went down the RAM disk's stack since: the format, fastfat's mounts, its paging and metadata I/O", 16);
}

}  // namespace ntio::tool::tour
