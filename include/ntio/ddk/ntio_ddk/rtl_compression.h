/* <ntifs.h> contents: the Rtl compression routines a file system uses for compressed files. WDK names,
 * signatures and values:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcompressbuffer
 * The formats are those of the open specification [MS-XCA]: LZNT1, which works in chunks of 4096
 * uncompressed bytes, each decompressible alone, XPRESS (Plain LZ77) and XPRESS_HUFF (LZ77+Huffman,
 * decompressed by RtlDecompressBufferEx only). IRQL <= APC_LEVEL. */
#ifndef NTIO_DDK_RTL_COMPRESSION_H
#define NTIO_DDK_RTL_COMPRESSION_H

#include "basetypes.h"
#include "ntstatus.h"

NTIO_BEGIN_DECLS

#define COMPRESSION_FORMAT_NONE (0x0000)
#define COMPRESSION_FORMAT_DEFAULT (0x0001)
#define COMPRESSION_FORMAT_LZNT1 (0x0002)
#define COMPRESSION_FORMAT_XPRESS (0x0003)
#define COMPRESSION_FORMAT_XPRESS_HUFF (0x0004)
#define COMPRESSION_FORMAT_XP10 (0x0005)
#define COMPRESSION_ENGINE_STANDARD (0x0000)
#define COMPRESSION_ENGINE_MAXIMUM (0x0100)
#define COMPRESSION_ENGINE_HIBER (0x0200)

/* The WorkSpace sizes RtlCompressBuffer (CompressBufferWorkSpaceSize) and RtlDecompressFragment /
 * RtlDecompressBufferEx (CompressFragmentWorkSpaceSize) need for a format and engine.
 * STATUS_INVALID_PARAMETER for FORMAT_NONE and _DEFAULT, STATUS_UNSUPPORTED_COMPRESSION for an
 * unknown format, STATUS_NOT_SUPPORTED for an engine other than STANDARD or MAXIMUM. */
NTSYSAPI NTSTATUS NTAPI RtlGetCompressionWorkSpaceSize(USHORT CompressionFormatAndEngine,
                                                       PULONG CompressBufferWorkSpaceSize,
                                                       PULONG CompressFragmentWorkSpaceSize);
/* Compresses the whole buffer. STATUS_BUFFER_ALL_ZEROS (a success) when every input byte is zero;
 * STATUS_BUFFER_TOO_SMALL when the compressed form does not fit. */
NTSYSAPI NTSTATUS NTAPI RtlCompressBuffer(USHORT CompressionFormatAndEngine, PUCHAR UncompressedBuffer,
                                          ULONG UncompressedBufferSize, PUCHAR CompressedBuffer,
                                          ULONG CompressedBufferSize, ULONG UncompressedChunkSize,
                                          PULONG FinalCompressedSize, PVOID WorkSpace);
/* Decompresses a whole compressed buffer. STATUS_BAD_COMPRESSION_BUFFER for corrupt data and when the
 * data does not fit the uncompressed buffer. */
NTSYSAPI NTSTATUS NTAPI RtlDecompressBuffer(USHORT CompressionFormat, PUCHAR UncompressedBuffer,
                                            ULONG UncompressedBufferSize, PUCHAR CompressedBuffer,
                                            ULONG CompressedBufferSize, PULONG FinalUncompressedSize);
NTSYSAPI NTSTATUS NTAPI RtlDecompressBufferEx(USHORT CompressionFormat, PUCHAR UncompressedBuffer,
                                              ULONG UncompressedBufferSize, PUCHAR CompressedBuffer,
                                              ULONG CompressedBufferSize, PULONG FinalUncompressedSize,
                                              PVOID WorkSpace);
/* Decompresses the bytes of the original data from FragmentOffset on, as many as the fragment holds.
 * LZNT1 only. */
NTSYSAPI NTSTATUS NTAPI RtlDecompressFragment(USHORT CompressionFormat, PUCHAR UncompressedFragment,
                                              ULONG UncompressedFragmentSize, PUCHAR CompressedBuffer,
                                              ULONG CompressedBufferSize, ULONG FragmentOffset,
                                              PULONG FinalUncompressedSize, PVOID WorkSpace);

NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_COMPRESSION_H */
