// The Rtl compression routines: the format and engine checks Learn documents, then the codec.
// NT deviation: COMPRESSION_FORMAT_XPRESS_HUFF (LZ77+Huffman), which Windows supports, is not
// implemented: it gets STATUS_UNSUPPORTED_COMPRESSION as an unknown format does.
#include <ntifs.h>

#include "rtl/lznt1.hpp"
#include "rtl/xpress.hpp"

namespace {

constexpr USHORT kFormatMask = 0x00FF;
constexpr USHORT kEngineMask = 0xFF00;

// The status for a format ntio cannot handle, STATUS_SUCCESS for LZNT1 and XPRESS.
NTSTATUS check_format(USHORT format) {
    switch (format) {
    case COMPRESSION_FORMAT_NONE:
    case COMPRESSION_FORMAT_DEFAULT: return STATUS_INVALID_PARAMETER;
    case COMPRESSION_FORMAT_LZNT1:
    case COMPRESSION_FORMAT_XPRESS: return STATUS_SUCCESS;
    default: return STATUS_UNSUPPORTED_COMPRESSION;
    }
}

// The format check, then the engine: STANDARD or MAXIMUM (STATUS_NOT_SUPPORTED otherwise).
NTSTATUS check_format_and_engine(USHORT format_and_engine) {
    const NTSTATUS status = check_format(format_and_engine & kFormatMask);
    if (!NT_SUCCESS(status)) return status;
    const USHORT engine = format_and_engine & kEngineMask;
    if (engine != COMPRESSION_ENGINE_STANDARD && engine != COMPRESSION_ENGINE_MAXIMUM) return STATUS_NOT_SUPPORTED;
    return STATUS_SUCCESS;
}

// Decompression takes the format alone; engine bits a caller passes along are ignored.
NTSTATUS decompress(USHORT format, PUCHAR out, ULONG out_size, PUCHAR in, ULONG in_size, PULONG final_size) {
    const NTSTATUS status = check_format(format & kFormatMask);
    if (!NT_SUCCESS(status)) return status;
    if ((!out && out_size != 0) || (!in && in_size != 0) || !final_size) return STATUS_INVALID_PARAMETER;
    if ((format & kFormatMask) == COMPRESSION_FORMAT_XPRESS) {
        return ntio::rtl::xpress::decompress(in, in_size, out, out_size, final_size);
    }
    return ntio::rtl::lznt1::decompress(in, in_size, out, out_size, final_size);
}

}  // namespace

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlgetcompressionworkspacesize
// The WorkSpace sizes of RtlCompressBuffer and RtlDecompressFragment for a format and engine.
NTSTATUS NTAPI RtlGetCompressionWorkSpaceSize(USHORT CompressionFormatAndEngine, PULONG CompressBufferWorkSpaceSize,
                                              PULONG CompressFragmentWorkSpaceSize) {
    const NTSTATUS status = check_format_and_engine(CompressionFormatAndEngine);
    if (!NT_SUCCESS(status)) return status;
    if (!CompressBufferWorkSpaceSize || !CompressFragmentWorkSpaceSize) return STATUS_INVALID_PARAMETER;
    if ((CompressionFormatAndEngine & kFormatMask) == COMPRESSION_FORMAT_XPRESS) {
        *CompressBufferWorkSpaceSize = ntio::rtl::xpress::kCompressWorkSpaceSize;
        *CompressFragmentWorkSpaceSize = 0;  // XPRESS decompresses without one
    } else {
        *CompressBufferWorkSpaceSize = ntio::rtl::lznt1::kCompressWorkSpaceSize;
        *CompressFragmentWorkSpaceSize = ntio::rtl::lznt1::kFragmentWorkSpaceSize;
    }
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcompressbuffer
// Compresses the whole buffer. LZNT1 works in 4096-byte chunks, a chunk that does not shrink stored
// raw; UncompressedChunkSize does not change them (4096 bytes by the format). XPRESS is one stream.
NTSTATUS NTAPI RtlCompressBuffer(USHORT CompressionFormatAndEngine, PUCHAR UncompressedBuffer,
                                 ULONG UncompressedBufferSize, PUCHAR CompressedBuffer, ULONG CompressedBufferSize,
                                 ULONG UncompressedChunkSize, PULONG FinalCompressedSize, PVOID WorkSpace) {
    (void)UncompressedChunkSize;
    const NTSTATUS status = check_format_and_engine(CompressionFormatAndEngine);
    if (!NT_SUCCESS(status)) return status;
    if ((!UncompressedBuffer && UncompressedBufferSize != 0) || (!CompressedBuffer && CompressedBufferSize != 0) ||
        !FinalCompressedSize || !WorkSpace) {
        return STATUS_INVALID_PARAMETER;
    }
    const bool maximum = (CompressionFormatAndEngine & kEngineMask) == COMPRESSION_ENGINE_MAXIMUM;
    if ((CompressionFormatAndEngine & kFormatMask) == COMPRESSION_FORMAT_XPRESS) {
        return ntio::rtl::xpress::compress(UncompressedBuffer, UncompressedBufferSize, CompressedBuffer,
                                           CompressedBufferSize, maximum, WorkSpace, FinalCompressedSize);
    }
    return ntio::rtl::lznt1::compress(UncompressedBuffer, UncompressedBufferSize, CompressedBuffer,
                                      CompressedBufferSize, maximum, WorkSpace, FinalCompressedSize);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtldecompressbuffer
// Decompresses the whole buffer: STATUS_BAD_COMPRESSION_BUFFER for corrupt data or data that does not
// fit UncompressedBuffer.
NTSTATUS NTAPI RtlDecompressBuffer(USHORT CompressionFormat, PUCHAR UncompressedBuffer, ULONG UncompressedBufferSize,
                                   PUCHAR CompressedBuffer, ULONG CompressedBufferSize, PULONG FinalUncompressedSize) {
    return decompress(CompressionFormat, UncompressedBuffer, UncompressedBufferSize, CompressedBuffer,
                      CompressedBufferSize, FinalUncompressedSize);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtldecompressbufferex
// RtlDecompressBuffer with a WorkSpace, which only XPRESS_HUFF needs; LZNT1 and XPRESS do without.
NTSTATUS NTAPI RtlDecompressBufferEx(USHORT CompressionFormat, PUCHAR UncompressedBuffer,
                                     ULONG UncompressedBufferSize, PUCHAR CompressedBuffer, ULONG CompressedBufferSize,
                                     PULONG FinalUncompressedSize, PVOID WorkSpace) {
    (void)WorkSpace;
    return decompress(CompressionFormat, UncompressedBuffer, UncompressedBufferSize, CompressedBuffer,
                      CompressedBufferSize, FinalUncompressedSize);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtldecompressfragment
// The original bytes from FragmentOffset on, as many as UncompressedFragment holds (fewer when the data
// ends first). Chunks wholly before the offset are skipped by their headers, not expanded.
NTSTATUS NTAPI RtlDecompressFragment(USHORT CompressionFormat, PUCHAR UncompressedFragment,
                                     ULONG UncompressedFragmentSize, PUCHAR CompressedBuffer,
                                     ULONG CompressedBufferSize, ULONG FragmentOffset, PULONG FinalUncompressedSize,
                                     PVOID WorkSpace) {
    // Learn: LZNT1 is the one format with fragments.
    const USHORT format = CompressionFormat & kFormatMask;
    const NTSTATUS status = check_format(format);
    if (!NT_SUCCESS(status)) return status;
    if (format != COMPRESSION_FORMAT_LZNT1) return STATUS_UNSUPPORTED_COMPRESSION;
    if ((!UncompressedFragment && UncompressedFragmentSize != 0) || (!CompressedBuffer && CompressedBufferSize != 0) ||
        !FinalUncompressedSize || !WorkSpace) {
        return STATUS_INVALID_PARAMETER;
    }
    return ntio::rtl::lznt1::decompress_fragment(CompressedBuffer, CompressedBufferSize, FragmentOffset,
                                                 UncompressedFragment, UncompressedFragmentSize, WorkSpace,
                                                 FinalUncompressedSize);
}

}  // extern "C"
