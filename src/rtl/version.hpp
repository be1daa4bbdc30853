// The Windows version ntio reports (RtlGetVersion, PsGetVersion): Windows 10, version 2004.
#pragma once

namespace ntio::rtl {

inline constexpr unsigned long kMajorVersion = 10;
inline constexpr unsigned long kMinorVersion = 0;
inline constexpr unsigned long kBuildNumber = 19041;
// A workstation product (VER_NT_WORKSTATION), not a server (MmIsThisAnNtAsSystem).
inline constexpr bool kServerProduct = false;
// NTDDI_WIN10_VB: 0xMMmmSSVV, major, minor, service pack, sub-version (version 2004 is VB's).
inline constexpr unsigned long kNtddiVersion = 0x0A000008;

}  // namespace ntio::rtl
