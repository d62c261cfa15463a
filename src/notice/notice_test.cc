// The notice PDF checked with poppler-utils: valid, the expected text on each page, the
// IPAex fonts embedded, one page per notice with its counter, hostile and long text laid
// out safely; and the mailing list CSV.

#include "notice/notice.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "pdf/testing/poppler.h"

namespace claimsca::notice {
namespace {

namespace fs = std::filesystem;

constexpr char kHostile[] = "テスト中です#%& * > ? @ <b>太字</b> &amp; 'q' \"dq\"";

using pdf::testing::NoSpace;
using pdf::testing::Shell;

// The page count pdfinfo reports; -1 when absent.
int Pages(const std::string& info) {
  const size_t at = info.find("Pages:");
  if (at == std::string::npos) return -1;
  return std::stoi(info.substr(at + 6));
}

Instant At(const char* text) { return *ParseInstant(text); }

NoticeData Sample(int i) {
  NoticeData n;
  n.request_id = "2026112400000" + std::to_string(i);
  n.download_password = "Kp7xQ2mWz9RtYh" + std::to_string(10 + i);
  n.postal_code = "1000013";
  n.address = "東京都千代田区霞が関一丁目2番2号";
  n.institution_name = "霞が関クリニック" + std::to_string(i);
  n.contact_name = "医事課 山田太郎";
  n.institution_code = "1312345678";
  n.terminal_name = "受付PC" + std::to_string(i);
  n.issued_at = At("2026-11-24T10:00");
  n.download_deadline = At("2027-05-23T23:59:59");
  n.not_after = At("2030-02-24T10:00");
  return n;
}

class NoticePdfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::path(::testing::TempDir()) / ("claimsca_notice_" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Renders and writes the batch; returns the file's path.
  std::string Write(const std::vector<NoticeData>& notices) {
    auto pdf = RenderNoticePdf(notices, NoticeSender{}, Date(std::chrono::year(2026) / 11 / 24));
    EXPECT_TRUE(pdf.ok()) << pdf.status().ToString();
    const std::string path = (dir_ / "batch.pdf").string();
    std::ofstream(path, std::ios::binary) << (pdf.ok() ? *pdf : std::string());
    return path;
  }
  std::string PageText(const std::string& path, int page) {
    return Shell("pdftotext -enc UTF-8 -f " + std::to_string(page) + " -l " + std::to_string(page) +
                 " '" + path + "' -");
  }

  fs::path dir_;
};

TEST_F(NoticePdfTest, ValidWithEveryItemAndEmbeddedFonts) {
  const std::vector<NoticeData> batch = {Sample(1), Sample(2), Sample(3)};
  const std::string path = Write(batch);
  const std::string info = Shell("pdfinfo '" + path + "'");
  EXPECT_EQ(Pages(info), 3) << info;
  EXPECT_NE(info.find("A4"), std::string::npos) << info;

  for (int page = 1; page <= 3; ++page) {
    const NoticeData& n = batch[page - 1];
    const std::string text = NoSpace(PageText(path, page));
    for (const std::string& want : {std::to_string(page) + "/3",
                                    std::string("2026/11/24"),
                                    std::string("〒100-0013"),
                                    n.address,
                                    n.institution_name,
                                    NoSpace(n.contact_name) + "様",
                                    std::string("〒105-0004"),
                                    std::string("社会保険診療報酬支払基金"),
                                    std::string("電子証明書発行通知書"),
                                    std::string("格別のご理解とご協力を賜り"),
                                    std::string("リクエストID"),
                                    n.request_id,
                                    std::string("ダウンロードパスワード"),
                                    n.download_password,
                                    n.terminal_name,
                                    std::string("2027/05/23"),
                                    std::string("2030/02/24"),
                                    std::string("インポートウィザード"),
                                    std::string("翌々月"),
                                    std::string("診療（調剤）報酬支払額からの控除"),
                                    std::string("更新や失効等の申請の際に必要"),
                                    std::string("再表示できません")}) {
      EXPECT_NE(text.find(NoSpace(want)), std::string::npos) << "page " << page << ": " << want;
    }
    // Only its own password is on a page.
    for (const NoticeData& other : batch) {
      if (&other != &n) {
        EXPECT_EQ(text.find(other.download_password), std::string::npos);
      }
    }
  }

  const std::string fonts = Shell("pdffonts '" + path + "'");
  EXPECT_NE(fonts.find("IPAexGothic"), std::string::npos) << fonts;
  EXPECT_NE(fonts.find("IPAexMincho"), std::string::npos) << fonts;
  // Every font line (after the two header lines) says emb = yes.
  std::istringstream lines(fonts);
  std::string line;
  int font_lines = 0;
  for (int i = 0; std::getline(lines, line); ++i) {
    if (i < 2 || line.empty()) continue;
    ++font_lines;
    EXPECT_NE(line.find(" yes yes "), std::string::npos) << "not embedded/subset: " << line;
  }
  EXPECT_GE(font_lines, 2);
}

// Every date on the notice is written as the guide writes it (docs/portal.md "Dates"):
// YYYY/MM/DD, the Asia/Tokyo date, never 「2026年11月24日」 nor ISO; the printing date, 発行日,
// ダウンロード有効期限 and 証明書有効期限 each appear (the last second of a day stays on it).
TEST_F(NoticePdfTest, EveryDateIsTheGuidesYearMonthDay) {
  NoticeData n = Sample(1);
  n.issued_at = At("2026-11-24T00:30:00+09:00");  // 2026-11-23T15:30Z: the JST date counts
  n.download_deadline = At("2027-05-23T23:59:59+09:00");
  n.not_after = At("2030-02-24T23:59:59+09:00");
  const std::string text = NoSpace(PageText(Write({n}), 1));
  for (const char* want : {"2026/11/24", "2027/05/23", "2030/02/24"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << " in " << text;
  }
  EXPECT_EQ(text.find("2026/11/23"), std::string::npos) << text;
  EXPECT_FALSE(std::regex_search(text, std::regex("[0-9]+年[0-9]+月[0-9]+日"))) << text;
  EXPECT_FALSE(std::regex_search(text, std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}"))) << text;
  // Every date-like figure is zero-padded YYYY/MM/DD.
  const std::regex any_date("[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}");
  int dates = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), any_date);
       it != std::sregex_iterator(); ++it, ++dates) {
    EXPECT_TRUE(std::regex_match(it->str(), std::regex("[0-9]{4}/[0-9]{2}/[0-9]{2}"))) << it->str();
  }
  EXPECT_GE(dates, 4) << text;
}

TEST_F(NoticePdfTest, HostileTextRoundTripsAndIsNotMarkup) {
  NoticeData n = Sample(1);
  n.institution_name = kHostile;
  n.contact_name = std::string("総務課\n\x01\tテスト中です#%& * > ? @");
  n.terminal_name = "端末\xff\xfe名";  // invalid UTF-8
  const std::string path = Write({n});
  const std::string text = NoSpace(PageText(path, 1));
  // Markup would have eaten <b>…</b> and turned &amp; into &.
  EXPECT_NE(text.find(NoSpace(kHostile)), std::string::npos) << text;
  EXPECT_NE(text.find("総務課テスト中です#%&*>?@様"), std::string::npos) << text;
  EXPECT_NE(text.find("端末"), std::string::npos);
  EXPECT_NE(text.find("名"), std::string::npos);
}

TEST_F(NoticePdfTest, LongTextWrapsInsideItsBoxAndPagesStayOnePerNotice) {
  std::vector<NoticeData> batch;
  for (int i = 0; i < 12; ++i) {
    NoticeData n = Sample(i);
    std::string long_name;
    for (int k = 0; k < 40; ++k) long_name += "医療法人社団長い名前の会";
    n.institution_name = long_name + "END";
    n.address.clear();
    for (int k = 0; k < 60; ++k) n.address += "東京都千代田区霞が関一丁目";
    n.contact_name = std::string(500, 'W');  // one unbreakable word
    batch.push_back(n);
  }
  const std::string path = Write(batch);
  EXPECT_EQ(Pages(Shell("pdfinfo '" + path + "'")), 12);
  const std::string text = PageText(path, 12);
  EXPECT_NE(NoSpace(text).find("12/12"), std::string::npos);
  // The start of the long name is there, the end cut with an ellipsis (2 lines at most).
  EXPECT_NE(NoSpace(text).find("医療法人社団長い名前の会医療法人社団"), std::string::npos);
  EXPECT_EQ(text.find("END"), std::string::npos) << text;
  EXPECT_NE(text.find("…"), std::string::npos);
  // Nothing is drawn outside the page: pdftotext's bounding boxes stay within A4.
  std::ifstream written(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(written)),
                          std::istreambuf_iterator<char>());
  const auto edges = pdf::testing::PdfFile(bytes).WordEdges(12, 12);
  for (const auto& e : edges) {
    EXPECT_LE(e.x_max, 595.3 - 40);
    EXPECT_LE(e.y_max, 841.9 - 20);
  }
  EXPECT_GT(edges.size(), 50u);
}

TEST(NoticePdf, EmptyBatchRefused) {
  EXPECT_EQ(
      RenderNoticePdf({}, NoticeSender{}, Date(std::chrono::year(2026) / 1 / 5)).status().code(),
      Code::kInvalidArgument);
}

TEST(MailingList, RowsQuotedNoPassword) {
  NoticeData a = Sample(1);
  NoticeData b = Sample(2);
  b.institution_name = "=HYPERLINK(\"x\"),\"quoted\"";
  b.contact_name = "総務課\r\n担当";
  const std::string csv = MailingListCsv({a, b});
  EXPECT_EQ(csv,
            "\"page\",\"postal_code\",\"address\",\"name\",\"addressee\",\"request_id\"\r\n"
            "\"1\",\"100-0013\",\"東京都千代田区霞が関一丁目2番2号\",\"霞が関クリニック1\","
            "\"医事課 山田太郎\",\"20261124000001\"\r\n"
            "\"2\",\"100-0013\",\"東京都千代田区霞が関一丁目2番2号\","
            "\"'=HYPERLINK(\"\"x\"\"),\"\"quoted\"\"\",\"総務課  担当\",\"20261124000002\"\r\n");
  EXPECT_EQ(csv.find(a.download_password), std::string::npos);
}

TEST(FormatPostalCode, HyphenAfterThreeDigits) {
  EXPECT_EQ(CleanText("a\x01"), "a ");  // pdf::CleanText (pdf/document_test.cc)
  EXPECT_EQ(FormatPostalCode("1050004"), "105-0004");
  EXPECT_EQ(FormatPostalCode("105-0004"), "105-0004");
}

}  // namespace
}  // namespace claimsca::notice
