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

/* The chunk interface a file system uses to keep a compression unit as independent chunks (LZNT1
 * only; any other format is STATUS_UNSUPPORTED_COMPRESSION, FORMAT_NONE/DEFAULT
 * STATUS_INVALID_PARAMETER). Learn lists the four routines as reserved for system use:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcompresschunks
 * ntio's contract, from the [MS-XCA] LZNT1 chunk format (a 2-byte header per chunk of 4096 bytes):
 * ChunkShift is 12; in CompressedChunkSizes a size of 0 stands for a chunk of zeros (no bytes), a
 * size of 4096 for a chunk stored raw (no header), any other size for an LZNT1 chunk with its
 * header. */
typedef struct _COMPRESSED_DATA_INFO {
    USHORT CompressionFormatAndEngine;
    UCHAR CompressionUnitShift;
    UCHAR ChunkShift;
    UCHAR ClusterShift;
    UCHAR Reserved;
    USHORT NumberOfChunks;
    ULONG CompressedChunkSizes[ANYSIZE_ARRAY];
} COMPRESSED_DATA_INFO, *PCOMPRESSED_DATA_INFO;

/* Steps *CompressedBuffer over one LZNT1 chunk of a compressed stream: *ChunkBuffer and *ChunkSize
 * get the chunk with its header. STATUS_NO_MORE_ENTRIES (*ChunkSize 0) at the end of the stream (a
 * zero header or fewer than 2 bytes left); STATUS_BAD_COMPRESSION_BUFFER for a header without the
 * LZNT1 signature or claiming more than the buffer holds. */
NTSYSAPI NTSTATUS NTAPI RtlDescribeChunk(USHORT CompressionFormat, PUCHAR* CompressedBuffer,
                                         PUCHAR EndOfCompressedBufferPlus1, PUCHAR* ChunkBuffer, PULONG ChunkSize);
/* Reserves room for one chunk at *CompressedBuffer and advances it. ChunkSize 0 writes the LZNT1
 * chunk of 4096 zeros; 4096 writes the header of a stored chunk, the caller copies its bytes to
 * *ChunkBuffer + 2; any other size (3..4098, header included) is left for the caller to fill.
 * STATUS_BUFFER_TOO_SMALL when the room is not there. */
NTSYSAPI NTSTATUS NTAPI RtlReserveChunk(USHORT CompressionFormat, PUCHAR* CompressedBuffer,
                                        PUCHAR EndOfCompressedBufferPlus1, PUCHAR* ChunkBuffer, ULONG ChunkSize);
/* Decompresses the chunks CompressedDataInfo describes, which lie back to back in CompressedBuffer
 * and, when that runs out, continue in CompressedTail. */
NTSYSAPI NTSTATUS NTAPI RtlDecompressChunks(PUCHAR UncompressedBuffer, ULONG UncompressedBufferSize,
                                            PUCHAR CompressedBuffer, ULONG CompressedBufferSize,
                                            PUCHAR CompressedTail, ULONG CompressedTailSize,
                                            PCOMPRESSED_DATA_INFO CompressedDataInfo);
/* Compresses UncompressedBuffer chunk by chunk and fills CompressedChunkSizes and NumberOfChunks.
 * STATUS_BUFFER_TOO_SMALL when CompressedDataInfoLength has no room for every chunk's size, when the
 * chunks do not fit, or when they do not save at least a cluster (1 << ClusterShift bytes): the
 * caller then stores the unit uncompressed. STATUS_BUFFER_ALL_ZEROS (a success) for all zeros. */
NTSYSAPI NTSTATUS NTAPI RtlCompressChunks(PUCHAR UncompressedBuffer, ULONG UncompressedBufferSize,
                                          PUCHAR CompressedBuffer, ULONG CompressedBufferSize,
                                          PCOMPRESSED_DATA_INFO CompressedDataInfo, ULONG CompressedDataInfoLength,
                                          PVOID WorkSpace);

NTIO_END_DECLS

#endif /* NTIO_DDK_RTL_COMPRESSION_H */
