/* Helpers the engine's source files share and the IRP layer does not need: little-endian field
 * access, raw directory entry layout, the directory cursor and the name routines. */
#ifndef NTIO_FASTFAT_FAT_INTERNAL_H
#define NTIO_FASTFAT_FAT_INTERNAL_H

#include "fat_engine.h"

#define FAT_POOL_TAG 'gnEF'
#define FAT_DIRENT_SIZE 32
/* fatgen103, "FAT Directory Structure": a directory holds at most 65,536 entries (2 MiB). */
#define FAT_MAX_DIRENTS 65536

/* Byte offsets of the fields of a 32-byte short directory entry (fatgen103). */
#define DIR_NAME 0
#define DIR_ATTR 11
#define DIR_NTRES 12
#define DIR_CRT_TIME_TENTH 13
#define DIR_CRT_TIME 14
#define DIR_CRT_DATE 16
#define DIR_LST_ACC_DATE 18
#define DIR_FST_CLUS_HI 20
#define DIR_WRT_TIME 22
#define DIR_WRT_DATE 24
#define DIR_FST_CLUS_LO 26
#define DIR_FILE_SIZE 28

/* ... and of a long-name entry. */
#define LDIR_ORD 0
#define LDIR_NAME1 1
#define LDIR_ATTR 11
#define LDIR_TYPE 12
#define LDIR_CHKSUM 13
#define LDIR_NAME2 14
#define LDIR_FST_CLUS_LO 26
#define LDIR_NAME3 28
#define LDIR_LAST_LONG_ENTRY 0x40
#define LDIR_CHARS_PER_ENTRY 13

#define DIRENT_FREE 0xE5
#define DIRENT_END 0x00
#define DIRENT_KANJI_E5 0x05

static inline USHORT FatLe16(const UCHAR *p) { return (USHORT)(p[0] | (p[1] << 8)); }
static inline ULONG FatLe32(const UCHAR *p) {
    return (ULONG)p[0] | ((ULONG)p[1] << 8) | ((ULONG)p[2] << 16) | ((ULONG)p[3] << 24);
}
static inline VOID FatPut16(UCHAR *p, USHORT v) {
    p[0] = (UCHAR)v;
    p[1] = (UCHAR)(v >> 8);
}
static inline VOID FatPut32(UCHAR *p, ULONG v) {
    p[0] = (UCHAR)v;
    p[1] = (UCHAR)(v >> 8);
    p[2] = (UCHAR)(v >> 16);
    p[3] = (UCHAR)(v >> 24);
}

static inline NTSTATUS FatRead(PFAT_VOLUME Volume, ULONGLONG Offset, ULONG Length, PVOID Buffer) {
    return Volume->Io.Read(Volume->Io.Context, Offset, Length, Buffer);
}
static inline NTSTATUS FatWrite(PFAT_VOLUME Volume, ULONGLONG Offset, ULONG Length, const VOID *Buffer) {
    return Volume->Io.Write(Volume->Io.Context, Offset, Length, Buffer);
}

static inline BOOLEAN FatIsDataCluster(const FAT_VOLUME *Volume, ULONG Cluster) {
    return Cluster >= 2 && Cluster - 2 < Volume->ClusterCount;
}

/* ---- directory entries by index (fat_dir_stream.c) ----------------------------------------- */

/* Remembers where the previous index was, so walking a directory in order follows its chain once. */
typedef struct _FAT_DIR_CURSOR {
    ULONG Directory;
    ULONG ClusterIndex;
    ULONG Cluster;
} FAT_DIR_CURSOR, *PFAT_DIR_CURSOR;

VOID FatInitDirCursor(PFAT_DIR_CURSOR Cursor, ULONG Directory);
/* STATUS_END_OF_FILE when Index is past the directory's allocation. */
NTSTATUS FatReadDirent(PFAT_VOLUME Volume, PFAT_DIR_CURSOR Cursor, ULONG Index, UCHAR Entry[FAT_DIRENT_SIZE]);
NTSTATUS FatWriteDirent(PFAT_VOLUME Volume, PFAT_DIR_CURSOR Cursor, ULONG Index, const UCHAR Entry[FAT_DIRENT_SIZE]);
/* Appends one zeroed cluster to a cluster-chain directory; the fixed root cannot grow. */
NTSTATUS FatExtendDirectory(PFAT_VOLUME Volume, ULONG Directory);
NTSTATUS FatZeroCluster(PFAT_VOLUME Volume, ULONG Cluster);

/* fatgen103: a character a short name may hold (not below 0x20, not 0x7F and up, none of the
 * characters it lists as illegal in DIR_Name; '.' separates the parts and is not one). */
BOOLEAN FatIsShortNameChar(WCHAR c);

/* Fills a FAT_DIRENT from a short entry (names from the entry only; the caller adds a long name). */
VOID FatDecodeShortEntry(const FAT_VOLUME *Volume, const UCHAR Entry[FAT_DIRENT_SIZE], PFAT_DIRENT Dirent);
ULONG FatEntryFirstCluster(const FAT_VOLUME *Volume, const UCHAR Entry[FAT_DIRENT_SIZE]);
VOID FatSetEntryFirstCluster(UCHAR Entry[FAT_DIRENT_SIZE], ULONG Cluster);

/* Finds Count consecutive free entries, growing the directory when needed. */
NTSTATUS FatFindFreeDirents(PFAT_VOLUME Volume, ULONG Directory, ULONG Count, PULONG FirstIndex);

/* Writes the long-name entries (when LfnCount > 0) and the short entry at FirstIndex. */
NTSTATUS FatWriteNamedEntry(PFAT_VOLUME Volume, ULONG Directory, ULONG FirstIndex, PCUNICODE_STRING LongName,
                            ULONG LfnCount, const UCHAR Short[FAT_DIRENT_SIZE]);

/* Writes Dirent's first cluster, size and attributes into its short entry (fat_dir_change.c). */
NTSTATUS FatStoreEntryFields(PFAT_VOLUME Volume, const FAT_DIRENT *Dirent);

/* Marks the entry and its long-name entries deleted. */
NTSTATUS FatMarkEntryDeleted(PFAT_VOLUME Volume, const FAT_DIRENT *Dirent);

/* ---- names (fat_name.c, fat_short_name.c) --------------------------------------------------- */

UCHAR FatShortNameChecksum(const UCHAR Name[11]);

/* Checks a long name (characters, length, no "." / ".."). */
BOOLEAN FatIsValidLongName(PCUNICODE_STRING Name);

/* Builds the on-disk 11-byte name when Name is a legal 8.3 name whose case the NT bits can record;
 * FALSE otherwise (it needs long-name entries). */
BOOLEAN FatNameFitsShort(PCUNICODE_STRING Name, UCHAR Short[11], PUCHAR CaseBits);

/* Generates the short name for a long name (fatgen103 basis name and numeric tail), unique in
 * Directory. */
NTSTATUS FatGenerateShortName(PFAT_VOLUME Volume, ULONG Directory, PCUNICODE_STRING Name, UCHAR Short[11]);

/* The short name for a new long-named entry: Preferred (optional; a name file name tunneling kept)
 * when it is an upper-case 8.3 name no entry of Directory holds, else a generated one. */
NTSTATUS FatChooseShortName(PFAT_VOLUME Volume, ULONG Directory, PCUNICODE_STRING Name, PCUNICODE_STRING Preferred,
                            UCHAR Short[11]);

/* A short name's display form ("NAME.EXT") with the case bits applied; returns the length. */
USHORT FatFormatShortName(const UCHAR Name[11], UCHAR CaseBits, WCHAR Out[13]);

/* OEM byte <-> UTF-16 for short names. NT deviation: the engine treats short names as Latin-1 (each
 * byte is the code point of the same value) instead of the system's OEM code page; names the
 * engine generates are ASCII, and Latin-1 round-trips every byte. */
static inline WCHAR FatOemToUnicode(UCHAR c) { return (WCHAR)c; }

BOOLEAN FatNamesEqualInsensitive(const WCHAR *A, USHORT ALength, const WCHAR *B, USHORT BLength);

/* ---- time (fat_time.c) ---------------------------------------------------------------------- */
LARGE_INTEGER FatCurrentTime(VOID);

/* ---- FSInfo (fat_boot.c) -------------------------------------------------------------------- */
NTSTATUS FatUpdateFsInfo(PFAT_VOLUME Volume);

#endif
