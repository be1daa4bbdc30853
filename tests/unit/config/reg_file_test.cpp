// .reg import and export (config/reg_file.hpp): every data form regedit writes, continuation lines,
// key and value deletion, links followed on import, syntax errors that change nothing, UTF-16 input,
// REGEDIT4, and export text that imports back to the same tree.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/system_fixture.hpp"

#undef __try
#include <wdm.h>

#include "config/config_manager.hpp"
#include "config/reg_file.hpp"

namespace ntio::config::test {
namespace {

class RegFileTest : public ntio::test::SystemTest {
protected:
    ConfigManager& config() { return system().config(); }

    // Type and data of a value, or the status of the lookup.
    NTSTATUS value(std::u16string_view key, std::u16string_view name, ULONG& type, std::vector<unsigned char>& data) {
        NodeRef node;
        NTSTATUS status = config().open_path(key, node);
        if (!NT_SUCCESS(status)) return status;
        std::vector<unsigned char> out;
        ULONG result = 0;
        status = config().query_value(*node, name, KeyValuePartialInformation, 1u << 16, out, result);
        if (!NT_SUCCESS(status)) return status;
        auto* info = reinterpret_cast<const KEY_VALUE_PARTIAL_INFORMATION*>(out.data());
        type = info->Type;
        data.assign(info->Data, info->Data + info->DataLength);
        return status;
    }
    static std::vector<unsigned char> utf16z(std::u16string_view text) {
        std::vector<unsigned char> out((text.size() + 1) * 2, 0);
        std::memcpy(out.data(), text.data(), text.size() * 2);
        return out;
    }
    bool exists(std::u16string_view key) {
        NodeRef node;
        return NT_SUCCESS(config().open_path(key, node));
    }
};

constexpr std::u16string_view kKey = u"\\REGISTRY\\MACHINE\\SOFTWARE\\RegTest";

TEST_F(RegFileTest, ImportsEveryDataForm) {
    const std::string text =
        "Windows Registry Editor Version 5.00\r\n"
        "\r\n"
        "; a comment\r\n"
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\RegTest]\r\n"
        "@=\"default\"\r\n"
        "\"Quoted\"=\"a \\\"b\\\" c:\\\\d\"\r\n"
        "\"Dword\"=dword:0000002a\r\n"
        "\"Binary\"=hex:01,02,\\\r\n"
        "  ff\r\n"
        "\"Expand\"=hex(2):25,00,41,00,25,00,00,00\r\n"
        "\"Multi\"=hex(7):61,00,00,00,62,00,00,00,00,00\r\n"
        "\"Qword\"=hex(b):08,07,06,05,04,03,02,01\r\n"
        "\"None\"=hex(0):\r\n"
        "\r\n"
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\RegTest\\Sub Key]\r\n";
    std::string message;
    ASSERT_EQ(import_reg(config(), text, message), STATUS_SUCCESS) << message;
    ULONG type = 0;
    std::vector<unsigned char> data;
    ASSERT_EQ(value(kKey, u"", type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, ULONG{REG_SZ});
    EXPECT_EQ(data, utf16z(u"default"));
    ASSERT_EQ(value(kKey, u"Quoted", type, data), STATUS_SUCCESS);
    EXPECT_EQ(data, utf16z(u"a \"b\" c:\\d"));
    ASSERT_EQ(value(kKey, u"Dword", type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, ULONG{REG_DWORD});
    EXPECT_EQ(data, (std::vector<unsigned char>{0x2a, 0, 0, 0}));
    ASSERT_EQ(value(kKey, u"Binary", type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, ULONG{REG_BINARY});
    EXPECT_EQ(data, (std::vector<unsigned char>{1, 2, 0xff}));
    ASSERT_EQ(value(kKey, u"Expand", type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, ULONG{REG_EXPAND_SZ});
    EXPECT_EQ(data, utf16z(u"%A%"));
    ASSERT_EQ(value(kKey, u"Multi", type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, ULONG{REG_MULTI_SZ});
    EXPECT_EQ(data.size(), 10u);
    ASSERT_EQ(value(kKey, u"Qword", type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, ULONG{REG_QWORD});
    EXPECT_EQ(data, (std::vector<unsigned char>{8, 7, 6, 5, 4, 3, 2, 1}));
    ASSERT_EQ(value(kKey, u"None", type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, ULONG{REG_NONE});
    EXPECT_TRUE(data.empty());
    EXPECT_TRUE(exists(u"\\REGISTRY\\MACHINE\\SOFTWARE\\RegTest\\Sub Key"));
}

TEST_F(RegFileTest, DeletesKeysAndValues) {
    std::string message;
    ASSERT_EQ(import_reg(config(),
                         "Windows Registry Editor Version 5.00\n[HKLM\\SOFTWARE\\RegTest\\A\\B]\n"
                         "[HKLM\\SOFTWARE\\RegTest]\n\"Keep\"=dword:1\n\"Drop\"=dword:2\n",
                         message),
              STATUS_SUCCESS)
        << message;
    ASSERT_EQ(import_reg(config(),
                         "Windows Registry Editor Version 5.00\n[-HKLM\\SOFTWARE\\RegTest\\A]\n"
                         "[HKLM\\SOFTWARE\\RegTest]\n\"Drop\"=-\n\"NeverThere\"=-\n[-HKLM\\SOFTWARE\\Absent]\n",
                         message),
              STATUS_SUCCESS)
        << message;
    EXPECT_FALSE(exists(u"\\REGISTRY\\MACHINE\\SOFTWARE\\RegTest\\A"));
    ULONG type = 0;
    std::vector<unsigned char> data;
    EXPECT_EQ(value(kKey, u"Keep", type, data), STATUS_SUCCESS);
    EXPECT_EQ(value(kKey, u"Drop", type, data), STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(RegFileTest, ASyntaxErrorChangesNothingAndNamesTheLine) {
    std::string message;
    EXPECT_EQ(import_reg(config(),
                         "Windows Registry Editor Version 5.00\n\n[HKLM\\SOFTWARE\\RegTest]\n\"Ok\"=dword:1\n"
                         "\"Bad\"=dword:xyz\n",
                         message),
              STATUS_INVALID_PARAMETER);
    EXPECT_NE(message.find("line 5"), std::string::npos) << message;
    EXPECT_FALSE(exists(kKey));
    EXPECT_EQ(import_reg(config(), "[HKLM\\SOFTWARE\\RegTest]\n", message), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(import_reg(config(), "Windows Registry Editor Version 5.00\n[HKEY_NOWHERE\\X]\n", message),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(import_reg(config(), "Windows Registry Editor Version 5.00\n\"Orphan\"=dword:1\n", message),
              STATUS_INVALID_PARAMETER);
    EXPECT_EQ(import_reg(config(), "Windows Registry Editor Version 5.00\n[HKLM\\SOFTWARE\\RegTest]\n\"B\"=hex:1,zz\n",
                         message),
              STATUS_INVALID_PARAMETER);
    EXPECT_FALSE(exists(kKey));
}

TEST_F(RegFileTest, ImportFollowsTheCurrentControlSetLink) {
    std::string message;
    ASSERT_EQ(import_reg(config(),
                         "Windows Registry Editor Version 5.00\n"
                         "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\demo]\n\"Start\"=dword:00000003\n",
                         message),
              STATUS_SUCCESS)
        << message;
    ULONG type = 0;
    std::vector<unsigned char> data;
    EXPECT_EQ(value(u"\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\demo", u"Start", type, data), STATUS_SUCCESS);
}

TEST_F(RegFileTest, AcceptsUtf16WithByteOrderMarkAndRegedit4) {
    std::u16string text = u"\xFEFFWindows Registry Editor Version 5.00\r\n[HKLM\\SOFTWARE\\RegTest]\r\n\"W\"=\"\u00e9t\u00e9\"\r\n";
    std::string bytes(reinterpret_cast<const char*>(text.data()), text.size() * 2);
    std::string message;
    ASSERT_EQ(import_reg(config(), bytes, message), STATUS_SUCCESS) << message;
    ULONG type = 0;
    std::vector<unsigned char> data;
    ASSERT_EQ(value(kKey, u"W", type, data), STATUS_SUCCESS);
    EXPECT_EQ(data, utf16z(u"\u00e9t\u00e9"));

    ASSERT_EQ(import_reg(config(), "REGEDIT4\n\n[HKLM\\SOFTWARE\\RegTest]\n\"E\"=hex(2):25,41,25,00\n", message),
              STATUS_SUCCESS)
        << message;
    ASSERT_EQ(value(kKey, u"E", type, data), STATUS_SUCCESS);
    EXPECT_EQ(type, ULONG{REG_EXPAND_SZ});
    EXPECT_EQ(data, utf16z(u"%A%"));
}

TEST_F(RegFileTest, ExportWritesRegeditTextThatImportsBackToTheSameTree) {
    std::string message;
    const std::string text =
        "Windows Registry Editor Version 5.00\r\n"
        "\r\n"
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\RegTest]\r\n"
        "@=\"root\"\r\n"
        "\"Dword\"=dword:0000002a\r\n"
        "\"Path\"=\"C:\\\\x \\\"y\\\"\"\r\n"
        "\"Long\"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,\\\r\n"
        "  16,17,18,19\r\n"
        "\"Multi\"=hex(7):61,00,00,00,00,00\r\n"
        "\r\n"
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\RegTest\\Child]\r\n"
        "\"Q\"=hex(b):01,00,00,00,00,00,00,00\r\n"
        "\r\n";
    ASSERT_EQ(import_reg(config(), text, message), STATUS_SUCCESS) << message;
    std::string exported;
    ASSERT_EQ(export_reg(config(), u"HKEY_LOCAL_MACHINE\\SOFTWARE\\RegTest", exported), STATUS_SUCCESS);
    EXPECT_EQ(exported, text);

    NodeRef node;
    ASSERT_EQ(config().open_path(kKey, node), STATUS_SUCCESS);
    ASSERT_EQ(config().delete_tree(*node), STATUS_SUCCESS);
    EXPECT_FALSE(exists(kKey));
    ASSERT_EQ(import_reg(config(), exported, message), STATUS_SUCCESS) << message;
    std::string again;
    ASSERT_EQ(export_reg(config(), u"\\REGISTRY\\MACHINE\\SOFTWARE\\RegTest", again), STATUS_SUCCESS);
    EXPECT_EQ(again, text);
}

TEST_F(RegFileTest, TheEmbeddedDefaultHiveIsRegText) {
    EXPECT_EQ(default_hive_text().substr(0, 36), "Windows Registry Editor Version 5.00");
    std::string exported;
    ASSERT_EQ(export_reg(config(), u"HKLM\\SYSTEM", exported), STATUS_SUCCESS);
    // The link is not exported: its target is.
    EXPECT_EQ(exported.find("CurrentControlSet"), std::string::npos);
    EXPECT_NE(exported.find("[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services]"), std::string::npos);
}

TEST_F(RegFileTest, RootNamesMapToRegistryPaths) {
    EXPECT_EQ(registry_path_from_reg(u"HKEY_LOCAL_MACHINE\\SOFTWARE"), u"\\REGISTRY\\MACHINE\\SOFTWARE");
    EXPECT_EQ(registry_path_from_reg(u"hklm"), u"\\REGISTRY\\MACHINE");
    EXPECT_EQ(registry_path_from_reg(u"HKEY_USERS\\.DEFAULT"), u"\\REGISTRY\\USER\\.DEFAULT");
    EXPECT_EQ(registry_path_from_reg(u"HKEY_CLASSES_ROOT\\.txt"), u"\\REGISTRY\\MACHINE\\SOFTWARE\\Classes\\.txt");
    EXPECT_EQ(registry_path_from_reg(u"HKEY_CURRENT_USER").rfind(u"\\REGISTRY\\USER\\S-1-5-21-", 0), 0u);
    EXPECT_EQ(registry_path_from_reg(u"\\Registry\\Machine"), u"\\Registry\\Machine");
    EXPECT_TRUE(registry_path_from_reg(u"HKEY_BOGUS\\X").empty());
}

}  // namespace
}  // namespace ntio::config::test
