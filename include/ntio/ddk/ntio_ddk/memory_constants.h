/* Page protections, section allocation attributes, section access rights and the view allocation
 * types shared by <wdm.h> and <windows.h> (winnt.h). Each is guarded, since both the SDK and the WDK
 * define them.
 * https://learn.microsoft.com/windows/win32/memory/memory-protection-constants
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwcreatesection */
#ifndef NTIO_DDK_MEMORY_CONSTANTS_H
#define NTIO_DDK_MEMORY_CONSTANTS_H

#ifndef PAGE_NOACCESS
#define PAGE_NOACCESS 0x01
#define PAGE_READONLY 0x02
#define PAGE_READWRITE 0x04
#define PAGE_WRITECOPY 0x08
#define PAGE_EXECUTE 0x10
#define PAGE_EXECUTE_READ 0x20
#define PAGE_EXECUTE_READWRITE 0x40
#define PAGE_EXECUTE_WRITECOPY 0x80
#define PAGE_GUARD 0x100
#define PAGE_NOCACHE 0x200
#define PAGE_WRITECOMBINE 0x400
#endif

#ifndef SEC_COMMIT
#define SEC_FILE 0x00800000
#define SEC_IMAGE 0x01000000
#define SEC_PROTECTED_IMAGE 0x02000000
#define SEC_RESERVE 0x04000000
#define SEC_COMMIT 0x08000000
#define SEC_NOCACHE 0x10000000
#define SEC_WRITECOMBINE 0x40000000
#define SEC_LARGE_PAGES 0x80000000
#define SEC_IMAGE_NO_EXECUTE (SEC_IMAGE | SEC_NOCACHE)
#endif

#ifndef SECTION_QUERY
#define SECTION_QUERY 0x0001
#define SECTION_MAP_WRITE 0x0002
#define SECTION_MAP_READ 0x0004
#define SECTION_MAP_EXECUTE 0x0008
#define SECTION_EXTEND_SIZE 0x0010
#define SECTION_MAP_EXECUTE_EXPLICIT 0x0020
#define SECTION_ALL_ACCESS (0x000F0000L | SECTION_QUERY | SECTION_MAP_WRITE | SECTION_MAP_READ | \
                            SECTION_MAP_EXECUTE | SECTION_EXTEND_SIZE)
#endif

#ifndef MEM_COMMIT
#define MEM_COMMIT 0x00001000
#define MEM_RESERVE 0x00002000
#define MEM_RELEASE 0x00008000
#define MEM_TOP_DOWN 0x00100000
#define MEM_LARGE_PAGES 0x20000000
#endif
#ifndef MEM_DOS_LIM
#define MEM_DOS_LIM 0x40000000
#endif

#endif
