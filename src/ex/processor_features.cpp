// ExIsProcessorFeaturePresent: the PF_* features of the processor ntio runs on, read with CPUID
// (the compiler's <cpuid.h>, no host call). Features of other architectures, and the ones that
// describe what an x64 processor always has or never has, answer as Windows x64 documents them.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exisprocessorfeaturepresent
// ExVerifySuite answers the other "what is this system" question, from the product RtlGetVersion reports.
#include <cstring>

#include <wdm.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "verifier/verifier.hpp"

namespace {

struct CpuidBits {
    unsigned ecx1 = 0, edx1 = 0;          // leaf 1
    unsigned ebx7 = 0, ecx7 = 0;          // leaf 7, subleaf 0
    unsigned ecx81 = 0, edx81 = 0;        // leaf 0x80000001
    unsigned long long xcr0 = 0;          // the state the OS enabled for XSAVE
};

CpuidBits read_cpuid() noexcept {
    CpuidBits bits;
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        bits.ecx1 = c;
        bits.edx1 = d;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        bits.ebx7 = b;
        bits.ecx7 = c;
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
        bits.ecx81 = c;
        bits.edx81 = d;
    }
    if (bits.ecx1 & (1u << 27)) {  // OSXSAVE: XGETBV is usable
        unsigned lo, hi;
        asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        bits.xcr0 = (static_cast<unsigned long long>(hi) << 32) | lo;
    }
#endif
    return bits;
}

bool bit(unsigned word, unsigned n) noexcept { return ((word >> n) & 1u) != 0; }

}  // namespace

extern "C" {

NTKERNELAPI BOOLEAN NTAPI ExIsProcessorFeaturePresent(ULONG ProcessorFeature) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::ExPassive);
    static const CpuidBits c = read_cpuid();
    const bool ymm = (c.xcr0 & 0x6) == 0x6;            // SSE and AVX state enabled
    const bool zmm = ymm && (c.xcr0 & 0xE0) == 0xE0;   // and the AVX-512 state
    bool present = false;
    switch (ProcessorFeature) {
    case PF_FLOATING_POINT_PRECISION_ERRATA:
    case PF_FLOATING_POINT_EMULATED: present = false; break;
    case PF_COMPARE_EXCHANGE_DOUBLE: present = bit(c.edx1, 8); break;
    case PF_MMX_INSTRUCTIONS_AVAILABLE: present = bit(c.edx1, 23); break;
    case PF_XMMI_INSTRUCTIONS_AVAILABLE: present = bit(c.edx1, 25); break;
    case PF_3DNOW_INSTRUCTIONS_AVAILABLE: present = bit(c.edx81, 31); break;
    case PF_RDTSC_INSTRUCTION_AVAILABLE: present = bit(c.edx1, 4); break;
    case PF_PAE_ENABLED:  // x64 runs with PAE paging, and no-execute is always on
    case PF_NX_ENABLED: present = true; break;
    case PF_XMMI64_INSTRUCTIONS_AVAILABLE: present = bit(c.edx1, 26); break;
    case PF_SSE_DAZ_MODE_AVAILABLE: present = bit(c.edx1, 25); break;  // every SSE2-era x64 processor
    case PF_SSE3_INSTRUCTIONS_AVAILABLE: present = bit(c.ecx1, 0); break;
    case PF_COMPARE_EXCHANGE128: present = bit(c.ecx1, 13); break;
    case PF_XSAVE_ENABLED: present = bit(c.ecx1, 27); break;
    case PF_RDWRFSGSBASE_AVAILABLE: present = false; break;  // user mode here: the kernel decides
    case PF_FASTFAIL_AVAILABLE: present = true; break;
    case PF_RDRAND_INSTRUCTION_AVAILABLE: present = bit(c.ecx1, 30); break;
    case PF_RDTSCP_INSTRUCTION_AVAILABLE: present = bit(c.edx81, 27); break;
    case PF_RDPID_INSTRUCTION_AVAILABLE: present = bit(c.ecx7, 22); break;
    case PF_SSSE3_INSTRUCTIONS_AVAILABLE: present = bit(c.ecx1, 9); break;
    case PF_SSE4_1_INSTRUCTIONS_AVAILABLE: present = bit(c.ecx1, 19); break;
    case PF_SSE4_2_INSTRUCTIONS_AVAILABLE: present = bit(c.ecx1, 20); break;
    case PF_AVX_INSTRUCTIONS_AVAILABLE: present = bit(c.ecx1, 28) && ymm; break;
    case PF_AVX2_INSTRUCTIONS_AVAILABLE: present = bit(c.ebx7, 5) && ymm; break;
    case PF_AVX512F_INSTRUCTIONS_AVAILABLE: present = bit(c.ebx7, 16) && zmm; break;
    case PF_ERMS_AVAILABLE: present = bit(c.ebx7, 9); break;
    default: present = false; break;  // unknown, or another architecture's (ARM, Alpha, PowerPC)
    }
    return present ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exverifysuite: the suite bits
// RtlGetVersion reports (wSuiteMask, one bit per SUITE_TYPE).
NTKERNELAPI BOOLEAN NTAPI ExVerifySuite(SUITE_TYPE SuiteType) {
    unsigned type = 0;  // as passed: a value outside the enumeration is no suite
    static_assert(sizeof(SuiteType) == sizeof(type));
    std::memcpy(&type, &SuiteType, sizeof(type));
    if (type >= MaxSuiteType || type >= 16) return FALSE;
    RTL_OSVERSIONINFOEXW version{};
    version.dwOSVersionInfoSize = sizeof(version);
    if (!NT_SUCCESS(RtlGetVersion(reinterpret_cast<PRTL_OSVERSIONINFOW>(&version)))) return FALSE;
    return (version.wSuiteMask & (1u << type)) ? TRUE : FALSE;
}

}  // extern "C"
