// The ANSI name helpers and the WDK macros of ntifs.h over FsRtl: FsRtlIsDbcsInExpression and
// FsRtlDoesDbcsContainWildCards with the ANSI DOS wildcards, FsRtlDissectDbcs, the legal-character
// table behind FsRtlIsAnsiCharacter* / FsRtlTestAnsiCharacter / FsRtlIsUnicodeCharacterWild, the
// quota pool macros and FsRtlCompleteRequest.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlisdbcsinexpression
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtldissectdbcs
#include <gtest/gtest.h>

#include <cstdint>

#include "support/system_fixture.hpp"

#include <ntifs.h>

namespace name_ansi_test {

ANSI_STRING ansi(const char* s) {
    ANSI_STRING a;
    RtlInitAnsiString(&a, s);
    return a;
}

bool matches(const char* expression, const char* name) {
    ANSI_STRING e = ansi(expression), n = ansi(name);
    return FsRtlIsDbcsInExpression(&e, &n) != FALSE;
}

TEST(NameAnsiTest, dbcs_expressions_match_as_names_do_case_sensitively) {
    EXPECT_TRUE(matches("*", "anything.txt"));
    EXPECT_TRUE(matches("*.TXT", "A.TXT"));
    EXPECT_FALSE(matches("*.TXT", "a.txt"));  // case-sensitive (Learn)
    EXPECT_TRUE(matches("A?C", "ABC"));
    EXPECT_FALSE(matches("A?C", "AC"));
    // The DOS wildcards: "<" up to the last '.', ">" a character or nothing at a '.', '"' a '.' or the end.
    EXPECT_TRUE(matches("<.TXT", "A.B.TXT"));
    EXPECT_TRUE(matches("A>>>\">>>", "A.B"));
    EXPECT_TRUE(matches("A>>>\">>>", "A"));
    EXPECT_FALSE(matches("A>>>\">>>", "ABCDE.F"));
    EXPECT_TRUE(matches("<\"<", "NAME"));  // "*.*" as DOS means: anything
    EXPECT_TRUE(matches("\xC3\xA9*", "\xC3\xA9t\xC3\xA9"));  // UTF-8 bytes are name bytes
    EXPECT_TRUE(matches("", ""));
    EXPECT_FALSE(matches("*", ""));
    EXPECT_FALSE(matches("", "A"));
}

TEST(NameAnsiTest, dbcs_wildcards) {
    for (const char* wild : {"A*", "?", "A<", "A>", "A\"B"}) {
        ANSI_STRING a = ansi(wild);
        EXPECT_TRUE(FsRtlDoesDbcsContainWildCards(&a)) << wild;
    }
    for (const char* plain : {"", "NAME.TXT", "A[B]", "\xC3\xA9"}) {
        ANSI_STRING a = ansi(plain);
        EXPECT_FALSE(FsRtlDoesDbcsContainWildCards(&a)) << plain;
    }
}

TEST(NameAnsiTest, dissect_dbcs_splits_off_the_first_component) {
    ANSI_STRING first, rest;
    char path[] = "\\dir\\sub\\file";
    ANSI_STRING p = ansi(path);
    FsRtlDissectDbcs(p, &first, &rest);
    EXPECT_EQ(first.Buffer, path + 1);
    EXPECT_EQ(first.Length, 3);
    EXPECT_EQ(rest.Buffer, path + 5);
    EXPECT_EQ(rest.Length, 8);
    char single[] = "file";
    FsRtlDissectDbcs(ansi(single), &first, &rest);
    EXPECT_EQ(first.Buffer, single);
    EXPECT_EQ(first.Length, 4);
    EXPECT_EQ(rest.Length, 0);
    EXPECT_EQ(rest.Buffer, nullptr);
    FsRtlDissectDbcs(ansi(""), &first, &rest);
    EXPECT_EQ(first.Length, 0);
    EXPECT_EQ(rest.Length, 0);
}

TEST(NameAnsiTest, legal_character_table_and_macros) {
    // Wildcards: '*', '?' and the DOS ones < > ".
    for (char c : {'*', '?', '<', '>', '"'}) {
        EXPECT_TRUE(FsRtlIsAnsiCharacterWild(c)) << c;
        EXPECT_TRUE(FsRtlIsUnicodeCharacterWild(static_cast<WCHAR>(c))) << c;
    }
    EXPECT_FALSE(FsRtlIsAnsiCharacterWild('A'));
    EXPECT_FALSE(FsRtlIsUnicodeCharacterWild(L'A'));
    EXPECT_FALSE(FsRtlIsUnicodeCharacterWild(static_cast<WCHAR>(0x2A2A)));  // past the table: never wild
    // FAT refuses + , ; = [ ] that HPFS and NTFS take; none takes / : | \ or a control character.
    for (char c : {'+', ',', ';', '=', '[', ']'}) {
        EXPECT_FALSE(FsRtlIsAnsiCharacterLegalFat(c, FALSE)) << c;
        EXPECT_TRUE(FsRtlIsAnsiCharacterLegalHpfs(c, FALSE)) << c;
        EXPECT_TRUE(FsRtlIsAnsiCharacterLegalNtfs(c, FALSE)) << c;
    }
    for (char c : {'/', ':', '|', '\\', '\x01', '\x1f'}) {
        EXPECT_FALSE(FsRtlIsAnsiCharacterLegalFat(c, TRUE)) << int(c);
        EXPECT_FALSE(FsRtlIsAnsiCharacterLegalHpfs(c, TRUE)) << int(c);
        EXPECT_FALSE(FsRtlIsAnsiCharacterLegalNtfs(c, TRUE)) << int(c);
    }
    for (char c : {'A', 'z', '0', '.', ' ', '~', '$'}) EXPECT_TRUE(FsRtlIsAnsiCharacterLegalFat(c, FALSE)) << c;
    // Wildcards are legal only when the caller allows them.
    EXPECT_FALSE(FsRtlIsAnsiCharacterLegalNtfs('*', FALSE));
    EXPECT_TRUE(FsRtlIsAnsiCharacterLegalNtfs('*', TRUE));
    // Stream names may hold control characters; NUL is legal nowhere. (These macros index the table
    // with the character as given, as the WDK's do, so the callers pass UCHARs.)
    const UCHAR control = 0x05, colon = ':', nul = 0, high = 0xC3, letter = 'A';
    EXPECT_TRUE(FsRtlIsAnsiCharacterLegalNtfsStream(control, FALSE));
    EXPECT_FALSE(FsRtlIsAnsiCharacterLegalNtfsStream(colon, FALSE));
    EXPECT_FALSE(FsRtlIsAnsiCharacterLegal(nul, FSRTL_FAT_LEGAL | FSRTL_NTFS_STREAM_LEGAL));
    // Bytes of 0x80 and above: the table takes them; FsRtlTestAnsiCharacter answers DEFAULT_RET.
    EXPECT_TRUE(FsRtlIsAnsiCharacterLegalFat(high, FALSE));
    EXPECT_TRUE(FsRtlTestAnsiCharacter(high, TRUE, FALSE, FSRTL_FAT_LEGAL));
    EXPECT_FALSE(FsRtlTestAnsiCharacter(high, FALSE, FALSE, FSRTL_FAT_LEGAL));
    EXPECT_TRUE(BooleanFlagOn(LEGAL_ANSI_CHARACTER_ARRAY[letter], FSRTL_HPFS_LEGAL));
}

class FsRtlMacroTest : public ntio::test::SystemTest {};

TEST_F(FsRtlMacroTest, quota_pool_macros_allocate_and_raise) {
    PVOID p = FsRtlAllocatePoolWithQuotaTag(PagedPool, 64, 'tseT');
    ASSERT_NE(p, nullptr);
    ExFreePoolWithTag(p, 'tseT');
    p = FsRtlAllocatePoolWithQuota(NonPagedPoolNx, 8);
    ASSERT_NE(p, nullptr);
    ExFreePool(p);
    volatile NTSTATUS raised = STATUS_SUCCESS;
    __try {
        (void)FsRtlAllocatePoolWithQuota(NonPagedPoolNx, SIZE_MAX / 2 + 1);  // beyond what pool ever gives
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        raised = GetExceptionCode();
    }
    EXPECT_TRUE(raised == STATUS_INSUFFICIENT_RESOURCES || raised == STATUS_QUOTA_EXCEEDED) << std::hex << raised;
}

NTSTATUS g_seen = STATUS_PENDING;
NTSTATUS NTAPI keep_irp(PDEVICE_OBJECT, PIRP irp, PVOID) {
    g_seen = irp->IoStatus.Status;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

TEST_F(FsRtlMacroTest, complete_request_completes_with_the_status) {
    PIRP irp = IoAllocateIrp(1, FALSE);
    ASSERT_NE(irp, nullptr);
    g_seen = STATUS_PENDING;
    IoSetCompletionRoutine(irp, keep_irp, nullptr, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(irp);  // as the file system's dispatch routine sees it
    FsRtlCompleteRequest(irp, STATUS_END_OF_FILE);
    EXPECT_EQ(g_seen, STATUS_END_OF_FILE);
    IoFreeIrp(irp);
}

}  // namespace name_ansi_test
