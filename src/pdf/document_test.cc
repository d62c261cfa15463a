// pdf::Document read back with poppler-utils: the text, the embedded fonts, the pinned
// creation date and byte-identical output, cut text, pages.

#include "pdf/document.h"

#include <gtest/gtest.h>

#include "pdf/testing/poppler.h"

namespace claimsca::pdf {
namespace {

using testing::NoSpace;
using testing::PdfFile;

constexpr Date kDay{std::chrono::year(2026), std::chrono::month(12), std::chrono::day(10)};

std::string Render(std::optional<Date> created_on, const std::string& body) {
  auto doc = Document::Create("題名のテスト", created_on);
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  if (!doc.ok()) return "";
  (*doc)->Text(48, 48, 400, "ゴシック見出し", {kGothic, 14, 1, true, Align::kCenter});
  (*doc)->Text(48, 64, 400, "ゴシック本文", {kGothic, 10});
  (*doc)->Text(48, 80, 400, body, {kMincho, 10, 2});
  (*doc)->Frame(40, 40, 420, 100, 0.8);
  (*doc)->Line(40, 150, 460, 150, 0.5);
  (*doc)->Fill(40, 160, 420, 20, 0.9);
  (*doc)->NextPage();
  (*doc)->Text(48, 48, 400, "二頁目", {kMincho, 10});
  auto pdf = (*doc)->Finish();
  EXPECT_TRUE(pdf.ok()) << pdf.status().ToString();
  return pdf.ok() ? *pdf : "";
}

TEST(Document, TextFontsPagesAndMetadata) {
  const PdfFile pdf(Render(kDay, "明朝の本文 <b>markup</b> &amp;"));
  EXPECT_EQ(pdf.Pages(), 2);
  const std::string info = pdf.Info();
  EXPECT_NE(info.find("題名のテスト"), std::string::npos) << info;
  EXPECT_NE(info.find("claimsca"), std::string::npos) << info;
  EXPECT_NE(info.find("A4"), std::string::npos) << info;
  const std::string one = NoSpace(pdf.PageText(1));
  EXPECT_NE(one.find("ゴシック見出し"), std::string::npos) << one;
  EXPECT_NE(one.find("明朝の本文<b>markup</b>&amp;"), std::string::npos) << one;
  EXPECT_NE(NoSpace(pdf.PageText(2)).find("二頁目"), std::string::npos);
  EXPECT_TRUE(pdf.IpaexFontsEmbedded());
}

TEST(Document, PinnedCreationDateGivesIdenticalBytes) {
  const std::string a = Render(kDay, "同じ入力");
  const std::string b = Render(kDay, "同じ入力");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  // (cairo 1.16 leaves out the optional "D:" prefix.)
  EXPECT_NE(a.find("/CreationDate (20261210000000+09'00)"), std::string::npos);
  // Another day or other text: other bytes.
  EXPECT_NE(Render(Date{std::chrono::year(2026), std::chrono::month(12), std::chrono::day(11)},
                   "同じ入力"),
            a);
  EXPECT_NE(Render(kDay, "違う入力"), a);
}

TEST(Document, LongTextIsCutWithAnEllipsis) {
  std::string long_text;
  for (int i = 0; i < 50; ++i) long_text += "長い本文の繰り返し";
  const PdfFile pdf(Render(kDay, long_text + "END"));
  const std::string text = pdf.PageText(1);
  EXPECT_EQ(text.find("END"), std::string::npos);
  EXPECT_NE(text.find("…"), std::string::npos);
}

TEST(CleanText, ReplacesInvalidAndControls) {
  EXPECT_EQ(CleanText("a\x01"
                      "b\xff"
                      "c\n"),
            "a b\xEF\xBF\xBD"
            "c\n");
}

}  // namespace
}  // namespace claimsca::pdf
