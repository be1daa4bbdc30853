/* File name tunneling, as Microsoft KB 172190 ("Windows NT contains file system tunneling
 * capabilities") describes it: when a name is removed from a directory (delete, or rename away),
 * its short/long name pair and creation time go to the volume's tunnel cache, keyed by the name
 * that was removed; when a name is added to that directory soon after (create, or rename onto it),
 * the new entry gets the creation time back and, so that a program that saves by writing a
 * temporary file, deleting the original and renaming keeps both names, the name pair too.
 * The cache is FsRtl's (FsRtlAddToTunnelCache and FsRtlFindInTunnelCache on Microsoft Learn:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtladdtotunnelcache
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlfindintunnelcache);
 * the directory's first cluster is the key, the creation time the data. Its registry limits
 * (MaximumTunnelEntries, 0 turning tunneling off, and MaximumTunnelEntryAgeInSeconds) are the
 * cache's own. */
#include "fastfat.h"

/* The last component of a path ("\a\b.txt" gives "b.txt"; a trailing backslash is not part of it). */
static UNICODE_STRING FatLastComponent(PCUNICODE_STRING Path)
{
    UNICODE_STRING last = {0, 0, NULL};
    USHORT end;
    USHORT start;

    if (!Path || !Path->Buffer) {
        return last;
    }
    end = Path->Length / sizeof(WCHAR);
    if (end > 0 && Path->Buffer[end - 1] == L'\\') {
        --end;
    }
    start = end;
    while (start > 0 && Path->Buffer[start - 1] != L'\\') {
        --start;
    }
    last.Buffer = Path->Buffer + start;
    last.Length = last.MaximumLength = (USHORT)((end - start) * sizeof(WCHAR));
    return last;
}

/* The entry's short and long names as counted strings over its own buffers. */
static VOID FatDirentNames(const FAT_DIRENT *Dirent, PUNICODE_STRING ShortName, PUNICODE_STRING LongName)
{
    ShortName->Buffer = (PWCH)Dirent->ShortName;
    ShortName->Length = ShortName->MaximumLength = (USHORT)(Dirent->ShortNameLength * sizeof(WCHAR));
    LongName->Buffer = (PWCH)Dirent->LongName;
    LongName->Length = LongName->MaximumLength = (USHORT)(Dirent->LongNameLength * sizeof(WCHAR));
}

BOOLEAN FatNamesShortName(const FAT_DIRENT *Dirent, PCUNICODE_STRING Path)
{
    UNICODE_STRING shortName;
    UNICODE_STRING longName;
    UNICODE_STRING last = FatLastComponent(Path);

    FatDirentNames(Dirent, &shortName, &longName);
    return last.Length != 0 && RtlEqualUnicodeString(&last, &shortName, TRUE) &&
           !RtlEqualUnicodeString(&last, &longName, TRUE);
}

VOID FatTunnelRemovedEntry(PFAT_VCB Vcb, const FAT_DIRENT *Dirent, BOOLEAN ByShortName)
{
    UNICODE_STRING shortName;
    UNICODE_STRING longName;
    LARGE_INTEGER created = Dirent->CreationTime;

    FatDirentNames(Dirent, &shortName, &longName);
    /* Keyed by the name that was removed: the short one when the entry has no other, or when the
     * file was known by it (a program that only sees 8.3 names deleted or renamed it). */
    FsRtlAddToTunnelCache(&Vcb->Tunnel, Dirent->DirectoryCluster, &shortName, &longName,
                          Dirent->LongNameLength == 0 || ByShortName, sizeof(created), &created);
}

VOID FatFindTunneled(PFAT_VCB Vcb, ULONG Directory, PCUNICODE_STRING Name, PFAT_TUNNELED Tunneled)
{
    UNICODE_STRING shortName;
    UNICODE_STRING longName;
    ULONG length = sizeof(Tunneled->CreationTime);

    RtlZeroMemory(Tunneled, sizeof(*Tunneled));
    shortName.Buffer = Tunneled->ShortBuffer;
    shortName.Length = 0;
    shortName.MaximumLength = sizeof(Tunneled->ShortBuffer);
    longName.Buffer = Tunneled->LongBuffer;
    longName.Length = 0;
    longName.MaximumLength = sizeof(Tunneled->LongBuffer);
    if (!FsRtlFindInTunnelCache(&Vcb->Tunnel, Directory, (PUNICODE_STRING)Name, &shortName, &longName, &length,
                                &Tunneled->CreationTime) ||
        length != sizeof(Tunneled->CreationTime)) {
        Tunneled->CreationTime.QuadPart = 0;
    } else {
        Tunneled->Found = TRUE;
        /* Names only come back from an entry that had both (its short name was made for its long
         * one) and only as a pair: the new name is the old long name, which keeps its short name,
         * or the old short name, which gets its long name back. */
        if (shortName.Length != 0 && longName.Length != 0 && longName.Buffer == Tunneled->LongBuffer) {
            if (RtlEqualUnicodeString(&longName, Name, TRUE)) {
                Tunneled->ShortName = shortName;
            } else if (RtlEqualUnicodeString(&shortName, Name, TRUE)) {
                Tunneled->ShortName = shortName;
                Tunneled->LongName = longName;
            }
        }
    }
    if (longName.Buffer != Tunneled->LongBuffer) {
        ExFreePool(longName.Buffer);
    }
}

VOID FatRestoreTunneled(PFAT_VCB Vcb, PFAT_DIRENT Dirent, const FAT_TUNNELED *Tunneled)
{
    if (Tunneled->Found) {
        (void)FatSetEntryInformation(&Vcb->Volume, Dirent, Dirent->Attributes, &Tunneled->CreationTime, NULL, NULL);
    }
}
