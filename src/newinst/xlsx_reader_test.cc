#include "newinst/xlsx_reader.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "newinst/xlsx_fixture.h"

namespace claimsca::newinst {
namespace {

using testing::FixtureCell;
using testing::FixtureSheet;
using testing::WriteXlsx;

class XlsxReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("xlsx_reader_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::vector<FixtureSheet>& sheets, bool inline_strings = false) {
    const std::string path = (dir_ / "f.xlsx").string();
    const Status st = WriteXlsx(path, sheets, inline_strings);
    EXPECT_TRUE(st.ok()) << st.ToString();
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::filesystem::path dir_;
};

// A zip assembled by hand (libzip), for packages libxlsxwriter would never write.
std::string Zip(const std::map<std::string, std::string>& parts) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_source_keep(out);
  zip_t* za = zip_open_from_source(out, ZIP_TRUNCATE, &err);
  for (const auto& [name, text] : parts) {
    zip_source_t* s = zip_source_buffer(za, text.data(), text.size(), 0);
    zip_file_add(za, name.c_str(), s, ZIP_FL_ENC_UTF_8);
  }
  zip_close(za);
  zip_source_open(out);
  zip_source_seek(out, 0, SEEK_END);
  const zip_int64_t n = zip_source_tell(out);
  zip_source_seek(out, 0, SEEK_SET);
  std::string bytes(static_cast<std::size_t>(n), '\0');
  zip_source_read(out, bytes.data(), static_cast<zip_uint64_t>(n));
  zip_source_close(out);
  zip_source_free(out);
  return bytes;
}

std::map<std::string, std::string> MinimalPackage(const std::string& sheet_xml) {
  return {
      {"_rels/.rels",
       R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)"},
      {"xl/workbook.xml",
       R"(<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="一覧" sheetId="1" r:id="rId7"/></sheets></workbook>)"},
      {"xl/_rels/workbook.xml.rels",
       R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/data.xml"/></Relationships>)"},
      {"xl/worksheets/data.xml", sheet_xml},
  };
}

const std::string& Cell(const XlsxSheet& s, std::size_t row, std::size_t col) {
  static const std::string kNone = "<none>";
  if (row >= s.rows.size() || col >= s.rows[row].cells.size()) return kNone;
  return s.rows[row].cells[col].text;
}

TEST_F(XlsxReaderTest, SharedStringsNumbersGapsAndDatesOfTheFirstSheet) {
  const std::string bytes = Write({
      {"新規指定医療機関一覧表",
       {FixtureCell::Str(0, 0, "新規指定医療機関一覧表"), FixtureCell::Str(2, 0, "都道府県"),
        FixtureCell::Str(2, 1, "医療機関等コード"), FixtureCell::Str(2, 3, "指定年月日"),
        FixtureCell::Num(3, 0, 13), FixtureCell::Num(3, 1, 1310000013),
        FixtureCell::Date(3, 3, 2026, 12, 1), FixtureCell::Num(5, 1, 110113719),
        FixtureCell::Str(5, 2, "0110113719")}},
      {"説明", {FixtureCell::Str(0, 0, "not read")}},
  });
  const Result<XlsxSheet> s = ReadFirstSheet(bytes);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->name, "新規指定医療機関一覧表");
  ASSERT_EQ(s->rows.size(), 4u);  // rows 1, 3, 4, 6: rows 2 and 5 were never written
  EXPECT_EQ(s->rows[0].number, 1);
  EXPECT_EQ(s->rows[1].number, 3);
  EXPECT_EQ(s->rows[3].number, 6);
  EXPECT_EQ(Cell(*s, 1, 1), "医療機関等コード");
  EXPECT_EQ(s->rows[1].cells[2].type, XlsxCell::Type::kEmpty);  // the gap at C3
  EXPECT_EQ(Cell(*s, 2, 0), "13");
  EXPECT_EQ(s->rows[2].cells[1].type, XlsxCell::Type::kNumber);
  EXPECT_EQ(Cell(*s, 2, 1), "1310000013");
  EXPECT_EQ(Cell(*s, 3, 1), "110113719");  // the leading zero is lost in a number cell
  EXPECT_EQ(Cell(*s, 3, 2), "0110113719");
  ASSERT_EQ(s->rows[2].cells[3].type, XlsxCell::Type::kNumber);
  const Result<std::string> d = ExcelSerialToDate(std::stod(Cell(*s, 2, 3)), s->date1904);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "2026-12-01");
}

TEST_F(XlsxReaderTest, InlineStrings) {
  const std::string bytes = Write(
      {{"Sheet1",
        {FixtureCell::Str(0, 0, "医療機関名称"), FixtureCell::Str(0, 2, "受付番号"),
         FixtureCell::Str(1, 0, "さくら内科クリニック"), FixtureCell::Num(1, 2, 1310000013)}}},
      /*inline_strings=*/true);
  const Result<XlsxSheet> s = ReadFirstSheet(bytes);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Cell(*s, 0, 0), "医療機関名称");
  EXPECT_EQ(Cell(*s, 0, 2), "受付番号");
  EXPECT_EQ(Cell(*s, 1, 0), "さくら内科クリニック");
  EXPECT_EQ(Cell(*s, 1, 2), "1310000013");
}

TEST_F(XlsxReaderTest, RichTextRunsAreJoined) {
  const std::string bytes =
      Write({{"Sheet1", {FixtureCell::Rich(0, 0, {"医療法人", "さくら", "会"})}}});
  const Result<XlsxSheet> s = ReadFirstSheet(bytes);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Cell(*s, 0, 0), "医療法人さくら会");
}

TEST_F(XlsxReaderTest, HandWrittenPackageWithPhoneticRunsEscapesAndNoCellReferences) {
  const std::string sheet =
      R"(<?xml version="1.0"?><worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><sheetData>)"
      R"(<row><c t="inlineStr"><is><r><t>桜</t></r><r><t>医院</t></r><rPh sb="0" eb="1"><t>サクラ</t></rPh></is></c>)"
      R"(<c t="str"><f>A1</f><v>a_x000A_b</v></c><c t="b"><v>1</v></c><c><v>1.310000013E9</v></c><c><v>2.5</v></c></row>)"
      R"(</sheetData></worksheet>)";
  const Result<XlsxSheet> s = ReadFirstSheet(Zip(MinimalPackage(sheet)));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->name, "一覧");
  EXPECT_EQ(s->rows[0].number, 1);
  EXPECT_EQ(Cell(*s, 0, 0), "桜医院");
  EXPECT_EQ(Cell(*s, 0, 1), "a\nb");
  EXPECT_EQ(Cell(*s, 0, 2), "1");
  EXPECT_EQ(Cell(*s, 0, 3), "1310000013");
  EXPECT_EQ(Cell(*s, 0, 4), "2.5");
}

TEST_F(XlsxReaderTest, RefusesWhatIsNotAnXlsx) {
  struct Case {
    const char* what;
    std::string bytes;
    const char* says;
  } cases[] = {
      {"not a zip", "都道府県,点数表\n13,1\n", "not a zip"},
      {"no workbook", Zip({{"hello.txt", "x"}}), "_rels/.rels is missing"},
      {"a DTD",
       Zip(MinimalPackage(R"(<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet/>)")),
       "has a DTD"},
      {"broken XML", Zip(MinimalPackage("<worksheet><sheetData>")), "not well-formed"},
      {"a missing shared string",
       Zip(MinimalPackage(
           R"(<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>3</v></c></row></sheetData></worksheet>)")),
       "shared string 3"},
      {"cells out of order",
       Zip(MinimalPackage(
           R"(<worksheet><sheetData><row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>1</v></c></row></sheetData></worksheet>)")),
       "bad cell reference 'A1'"},
  };
  for (const Case& c : cases) {
    const Result<XlsxSheet> s = ReadFirstSheet(c.bytes);
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(s.status().code(), Code::kInvalidArgument) << c.what;
    EXPECT_NE(s.status().message().find(c.says), std::string::npos)
        << c.what << ": " << s.status().message();
  }
}

TEST_F(XlsxReaderTest, RefusesAZipBombAndOversizedInput) {
  // 40 MiB of one repeated row inflates from a few hundred KiB: over the 32 MiB part limit.
  std::string sheet = R"(<worksheet><sheetData>)";
  const std::string row =
      R"(<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>)";
  while (sheet.size() < (40u << 20)) sheet += row;
  sheet += "</sheetData></worksheet>";
  const std::string bomb = Zip(MinimalPackage(sheet));
  ASSERT_LT(bomb.size(), 1u << 20);
  Result<XlsxSheet> s = ReadFirstSheet(bomb);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("zip bomb"), std::string::npos) << s.status().message();

  XlsxLimits small;
  small.max_file_bytes = 100;
  s = ReadFirstSheet(bomb, small);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("more than the limit of 100"), std::string::npos);

  XlsxLimits few_cells;
  few_cells.max_cells = 2;
  s = ReadFirstSheet(
      Write({{"S",
              {FixtureCell::Num(0, 0, 1), FixtureCell::Num(1, 0, 2), FixtureCell::Num(2, 0, 3)}}}),
      few_cells);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("more than 2 cells"), std::string::npos);

  s = ReadFirstSheet(Write({{"S", {FixtureCell::Num(0, 2000, 1)}}}));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("column limit"), std::string::npos);
}

TEST(XlsxColumnsAndDates, Table) {
  EXPECT_EQ(ColumnIndex("A"), 0);
  EXPECT_EQ(ColumnIndex("Z"), 25);
  EXPECT_EQ(ColumnIndex("AA"), 26);
  EXPECT_EQ(ColumnIndex("XFD"), 16383);
  EXPECT_EQ(ColumnIndex("a"), -1);
  EXPECT_EQ(ColumnIndex(""), -1);
  const struct {
    double serial;
    bool d1904;
    const char* date;
  } dates[] = {{1, false, "1900-01-01"},        {59, false, "1900-02-28"},
               {61, false, "1900-03-01"},       {25569, false, "1970-01-01"},
               {46357.75, false, "2026-12-01"}, {0 + 1, true, "1904-01-02"},
               {44895, true, "2026-12-01"}};
  for (const auto& d : dates) {
    const Result<std::string> r = ExcelSerialToDate(d.serial, d.d1904);
    ASSERT_TRUE(r.ok()) << d.serial;
    EXPECT_EQ(*r, d.date) << d.serial << (d.d1904 ? " (1904)" : "");
  }
  EXPECT_FALSE(ExcelSerialToDate(0, false).ok());
  EXPECT_FALSE(ExcelSerialToDate(3e6, false).ok());
}

}  // namespace
}  // namespace claimsca::newinst
