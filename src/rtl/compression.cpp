// The Rtl compression routines: the format and engine checks Learn documents, then the codec.
#include <ntifs.h>

#include "rtl/lznt1.hpp"
#include "rtl/xpress.hpp"
#include "rtl/xpress_huff.hpp"

namespace {

constexpr USHORT kFormatMask = 0x00FF;
constexpr USHORT kEngineMask = 0xFF00;

// The status for a format ntio cannot handle, STATUS_SUCCESS for LZNT1, XPRESS and XPRESS_HUFF.
NTSTATUS check_format(USHORT format) {
    switch (format) {
    case COMPRESSION_FORMAT_NONE:
    case COMPRESSION_FORMAT_DEFAULT: return STATUS_INVALID_PARAMETER;
    case COMPRESSION_FORMAT_LZNT1:
    case COMPRESSION_FORMAT_XPRESS:
    case COMPRESSION_FORMAT_XPRESS_HUFF: return STATUS_SUCCESS;
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

// Decompression takes the format alone; engine bits a caller passes along are ignored. XPRESS_HUFF
// needs a WorkSpace, which only RtlDecompressBufferEx passes.
NTSTATUS decompress(USHORT format_bits, PUCHAR out, ULONG out_size, PUCHAR in, ULONG in_size, PULONG final_size,
                    PVOID workspace) {
    const USHORT format = format_bits & kFormatMask;
    const NTSTATUS status = check_format(format);
    if (!NT_SUCCESS(status)) return status;
    if ((!out && out_size != 0) || (!in && in_size != 0) || !final_size) return STATUS_INVALID_PARAMETER;
    switch (format) {
    case COMPRESSION_FORMAT_XPRESS: return ntio::rtl::xpress::decompress(in, in_size, out, out_size, final_size);
    case COMPRESSION_FORMAT_XPRESS_HUFF:
        if (!workspace) return STATUS_INVALID_PARAMETER;
        return ntio::rtl::xpress_huff::decompress(in, in_size, out, out_size, workspace, final_size);
    default: return ntio::rtl::lznt1::decompress(in, in_size, out, out_size, final_size);
    }
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
    switch (CompressionFormatAndEngine & kFormatMask) {
    case COMPRESSION_FORMAT_XPRESS:
        *CompressBufferWorkSpaceSize = ntio::rtl::xpress::kCompressWorkSpaceSize;
        *CompressFragmentWorkSpaceSize = 0;  // XPRESS decompresses without one
        break;
    case COMPRESSION_FORMAT_XPRESS_HUFF:
        *CompressBufferWorkSpaceSize = ntio::rtl::xpress_huff::kCompressWorkSpaceSize;
        *CompressFragmentWorkSpaceSize = ntio::rtl::xpress_huff::kDecompressWorkSpaceSize;  // RtlDecompressBufferEx's
        break;
    default:
        *CompressBufferWorkSpaceSize = ntio::rtl::lznt1::kCompressWorkSpaceSize;
        *CompressFragmentWorkSpaceSize = ntio::rtl::lznt1::kFragmentWorkSpaceSize;
        break;
    }
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlcompressbuffer
// Compresses the whole buffer. LZNT1 works in 4096-byte chunks, a chunk that does not shrink stored
// raw; UncompressedChunkSize does not change them (4096 bytes by the format). XPRESS is one stream,
// XPRESS_HUFF blocks of 65536 bytes each with its own Huffman code.
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
    switch (CompressionFormatAndEngine & kFormatMask) {
    case COMPRESSION_FORMAT_XPRESS:
        return ntio::rtl::xpress::compress(UncompressedBuffer, UncompressedBufferSize, CompressedBuffer,
                                           CompressedBufferSize, maximum, WorkSpace, FinalCompressedSize);
    case COMPRESSION_FORMAT_XPRESS_HUFF:
        return ntio::rtl::xpress_huff::compress(UncompressedBuffer, UncompressedBufferSize, CompressedBuffer,
                                                CompressedBufferSize, maximum, WorkSpace, FinalCompressedSize);
    default: break;
    }
    return ntio::rtl::lznt1::compress(UncompressedBuffer, UncompressedBufferSize, CompressedBuffer,
                                      CompressedBufferSize, maximum, WorkSpace, FinalCompressedSize);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtldecompressbuffer
// Decompresses the whole buffer: STATUS_BAD_COMPRESSION_BUFFER for corrupt data or data that does not
// fit UncompressedBuffer. LZNT1 and XPRESS (Learn's list: XPRESS_HUFF takes RtlDecompressBufferEx).
NTSTATUS NTAPI RtlDecompressBuffer(USHORT CompressionFormat, PUCHAR UncompressedBuffer, ULONG UncompressedBufferSize,
                                   PUCHAR CompressedBuffer, ULONG CompressedBufferSize, PULONG FinalUncompressedSize) {
    if ((CompressionFormat & kFormatMask) == COMPRESSION_FORMAT_XPRESS_HUFF) return STATUS_UNSUPPORTED_COMPRESSION;
    return decompress(CompressionFormat, UncompressedBuffer, UncompressedBufferSize, CompressedBuffer,
                      CompressedBufferSize, FinalUncompressedSize, nullptr);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtldecompressbufferex
// RtlDecompressBuffer with a WorkSpace (CompressFragmentWorkSpaceSize bytes), which XPRESS_HUFF needs
// for its decoding table; LZNT1 and XPRESS do without.
NTSTATUS NTAPI RtlDecompressBufferEx(USHORT CompressionFormat, PUCHAR UncompressedBuffer,
                                     ULONG UncompressedBufferSize, PUCHAR CompressedBuffer, ULONG CompressedBufferSize,
                                     PULONG FinalUncompressedSize, PVOID WorkSpace) {
    return decompress(CompressionFormat, UncompressedBuffer, UncompressedBufferSize, CompressedBuffer,
                      CompressedBufferSize, FinalUncompressedSize, WorkSpace);
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
