// The invoice PDF read back with poppler-utils: every required field on page 1, fonts
// embedded, byte-identical re-render, page breaks of a long breakdown, hostile text, and
// the checks on the input.

#include "billing/invoice_pdf.h"

#include <gtest/gtest.h>

#include "billing/invoice_testing.h"
#include "pdf/testing/poppler.h"

namespace claimsca::billing {
namespace {

using pdf::testing::NoSpace;
using pdf::testing::PdfFile;
using testing::D;
using testing::Line;
using testing::Payee;
using testing::Sample;

std::string Render(const std::vector<InvoiceDocument>& batch, Date day = D(2027, 1, 12)) {
  auto pdf = RenderInvoicePdf(batch, Payee(), InvoiceIssuer{}, day);
  EXPECT_TRUE(pdf.ok()) << pdf.status().ToString();
  return pdf.ok() ? *pdf : "";
}

TEST(InvoicePdf, EveryRequiredFieldIsPrinted) {
  InvoiceDocument fallback = Sample("2701000002");
  fallback.fallback = true;
  const std::vector<InvoiceDocument> batch = {Sample("2701000001"), fallback};
  const PdfFile pdf(Render(batch));
  EXPECT_EQ(pdf.Pages(), 2);
  EXPECT_NE(pdf.Info().find("A4"), std::string::npos);
  for (int page = 1; page <= 2; ++page) {
    const InvoiceDocument& inv = batch[page - 1];
    const std::string text = NoSpace(pdf.PageText(page, true));
    for (const std::string& want : {
             std::string("電子証明書発行・更新料払込請求書"),
             std::to_string(page) + "/2",  // the batch's page counter
             "請求番号" + inv.number,
             std::string("お客様番号"),
             std::string("発行日2027/01/12"),
             std::string("払込期限2027/02/26"),
             std::string("2027年1月請求分"),
             std::string("〒100-0013"),
             inv.address,
             NoSpace(inv.institution_name) + "御中",
             inv.institution_code,
             std::string("ご請求金額3,792円"),
             // the breakdown: request ID, 端末名称等, issuance date, kind, amount
             std::string("20261124000011受付PC12026/11/24発行料1,500"),
             std::string("20261124000012受付PC22026/11/24更新料1,500"),
             std::string("20261124000013受付PC32026/11/24郵送手数料792"),
             std::string("合計（3件）3,792"),
             // the payee account
             std::string("みずほ銀行"),
             std::string("本店営業部"),
             std::string("当座"),
             std::string("1234567"),
             std::string("ｼﾔｶｲﾎｹﾝｼﾝﾘﾖｳﾎｳｼﾕｳｼﾊﾗｲｷｷﾝ"),
             std::string("振込手数料はご負担願います"),
             std::string("振込依頼人名の前に上記のお客様番号（10桁の請求番号）を必ず入力"),
             "（入力例：" + inv.number + "ｲﾘﾖｳﾎｳｼﾞﾝｻｸﾗｸﾘﾆﾂｸ）",
             // the issuer
             std::string("〒105-0004"),
             std::string("社会保険診療報酬支払基金"),
         }) {
      EXPECT_NE(text.find(NoSpace(want)), std::string::npos) << "page " << page << ": " << want;
    }
    const bool says_fallback = text.find("控除に代えてご請求するものです") != std::string::npos;
    EXPECT_EQ(says_fallback, inv.fallback) << page;
  }
  EXPECT_TRUE(pdf.IpaexFontsEmbedded());
}

TEST(InvoicePdf, SameInputSameBytes) {
  const std::vector<InvoiceDocument> batch = {Sample("2701000001"), Sample("2701000002", 30)};
  const std::string a = Render(batch);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(Render(batch), a);
  EXPECT_NE(Render(batch, D(2027, 1, 13)), a);  // the creation date is the batch date
  std::vector<InvoiceDocument> other = batch;
  other[1].lines[29].amount_yen = 792;
  other[1].amount_yen -= 1500 - 792;
  EXPECT_NE(Render(other), a);
}

TEST(InvoicePdf, LongBreakdownBreaksPagesAndEndsWithTheTotal) {
  // The smallest counts that need a second and a third page, and a long one.
  int first_page_lines = 0;
  while (InvoicePageCount(Sample("2701000001", first_page_lines + 1)) == 1) ++first_page_lines;
  ASSERT_GE(first_page_lines, 8);
  int two_page_lines = first_page_lines + 1;
  while (InvoicePageCount(Sample("2701000001", two_page_lines + 1)) == 2) ++two_page_lines;
  ASSERT_GE(two_page_lines - first_page_lines, 30);

  const std::vector<InvoiceDocument> batch = {
      Sample("2701000001", first_page_lines), Sample("2701000002", first_page_lines + 1),
      Sample("2701000003", two_page_lines + 1), Sample("2701000004", 200)};
  const std::vector<int> want_pages = {1, 2, 3, InvoicePageCount(batch[3])};
  EXPECT_GE(want_pages[3], 5);
  const PdfFile pdf(Render(batch));
  int total_pages = 0;
  for (int p : want_pages) total_pages += p;
  ASSERT_EQ(pdf.Pages(), total_pages);

  int page = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    const InvoiceDocument& inv = batch[i];
    std::string all;  // the invoice's pages
    for (int p = 1; p <= want_pages[i]; ++p) {
      const std::string text = NoSpace(pdf.PageText(++page, true));
      EXPECT_NE(text.find(std::to_string(page) + "/" + std::to_string(total_pages)),
                std::string::npos);
      EXPECT_NE(text.find("請求番号" + inv.number + std::to_string(p) + "/" +
                          std::to_string(want_pages[i]) + "頁"),
                std::string::npos)
          << "page " << page;
      EXPECT_EQ(text.find("請求明細の続き") != std::string::npos, p > 1) << "page " << page;
      EXPECT_EQ(text.find("合計（") != std::string::npos, p == want_pages[i]) << "page " << page;
      all += text;
    }
    // Every line exactly once, in order, and the total.
    size_t at = 0;
    for (const InvoiceLine& line : inv.lines) {
      const size_t found = all.find(line.request_id + NoSpace(line.terminal_name), at);
      ASSERT_NE(found, std::string::npos) << inv.number << " " << line.request_id;
      EXPECT_EQ(all.find(line.request_id + NoSpace(line.terminal_name), found + 1),
                std::string::npos);
      at = found;
    }
    EXPECT_NE(
        all.find("合計（" + std::to_string(inv.lines.size()) + "件）" + FormatYen(inv.amount_yen)),
        std::string::npos);
  }
  // Nothing is drawn below the bottom margin or beside the page.
  const auto edges = pdf.WordEdges();
  for (const auto& e : edges) {
    EXPECT_LE(e.x_max, 595.3 - 40);
    EXPECT_LE(e.y_max, 841.9 - 38);
  }
  EXPECT_GT(edges.size(), 1000u);
}

TEST(InvoicePdf, HostileAndLongTextStaysInItsBox) {
  InvoiceDocument inv = Sample("2701000001");
  inv.institution_name = "<b>太字</b> &amp; \"q\"";
  for (int i = 0; i < 30; ++i) inv.address += "東京都千代田区霞が関一丁目";
  inv.address += "END";
  inv.lines[0].terminal_name = std::string("端末\x01\xff名") + std::string(200, 'W');
  inv.lines[1].amount_yen = -1500;  // a credit note
  inv.lines.push_back(Line(4, FeeKind::kIssuance, 1500));
  inv.amount_yen = 1500 - 1500 + 792 + 1500;
  const PdfFile pdf(Render({inv}));
  EXPECT_EQ(pdf.Pages(), 1);
  const std::string raw = pdf.PageText(1);
  const std::string text = NoSpace(raw);
  EXPECT_NE(text.find("<b>太字</b>&amp;\"q\"御中"), std::string::npos) << text;
  EXPECT_EQ(raw.find("END"), std::string::npos);
  EXPECT_NE(raw.find("…"), std::string::npos);
  EXPECT_NE(text.find("更新料（取消）-1,500"), std::string::npos) << text;
  EXPECT_NE(text.find("ご請求金額2,292円"), std::string::npos) << text;
}

TEST(InvoicePdf, BadInputIsRefusedNamingTheInvoice) {
  struct Case {
    void (*mutate)(InvoiceDocument&);
    const char* says;
  };
  const Case cases[] = {
      {[](InvoiceDocument& i) { i.number = "27010001"; }, "10 digits"},
      {[](InvoiceDocument& i) { i.number = "270100000a"; }, "10 digits"},
      {[](InvoiceDocument& i) { i.lines.clear(); }, "no lines"},
      {[](InvoiceDocument& i) { i.amount_yen += 1; }, "sum of the lines"},
      {[](InvoiceDocument& i) {
         i.lines = {Line(1, FeeKind::kIssuance, -1500)};
         i.amount_yen = -1500;
       },
       "> 0"},
      {[](InvoiceDocument& i) { i.due_date = D(2027, 1, 11); }, "due_date"},
      {[](InvoiceDocument& i) { i.institution_name.clear(); }, "institution_name"},
      {[](InvoiceDocument& i) {
         i.lines[0].amount_yen = INT64_MAX;
         i.lines[1].amount_yen = INT64_MAX;
       },
       "overflows"},
  };
  for (const Case& c : cases) {
    InvoiceDocument inv = Sample("2701000009");
    c.mutate(inv);
    auto pdf = RenderInvoicePdf({Sample("2701000001"), inv}, Payee(), {}, D(2027, 1, 12));
    ASSERT_FALSE(pdf.ok()) << c.says;
    EXPECT_EQ(pdf.status().code(), Code::kInvalidArgument);
    EXPECT_NE(pdf.status().message().find(c.says), std::string::npos) << pdf.status().ToString();
  }
  EXPECT_FALSE(RenderInvoicePdf({}, Payee(), {}, D(2027, 1, 12)).ok());
  PayeeAccount no_holder = Payee();
  no_holder.holder_kana.clear();
  auto refused = RenderInvoicePdf({Sample("2701000001")}, no_holder, {}, D(2027, 1, 12));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("holder_kana"), std::string::npos);
}

TEST(FormatYen, ThousandsSeparators) {
  const std::pair<int64_t, const char*> cases[] = {{0, "0"},
                                                   {792, "792"},
                                                   {1500, "1,500"},
                                                   {-1500, "-1,500"},
                                                   {999999, "999,999"},
                                                   {1000000, "1,000,000"},
                                                   {-100, "-100"},
                                                   {INT64_MIN, "-9,223,372,036,854,775,808"}};
  for (const auto& [yen, text] : cases) EXPECT_EQ(FormatYen(yen), text);
}

TEST(FeeKind, NamesRoundTrip) {
  for (FeeKind k : {FeeKind::kIssuance, FeeKind::kRenewal, FeeKind::kMailing}) {
    EXPECT_EQ(ParseFeeKind(FeeKindName(k)), k);
  }
  EXPECT_EQ(FeeKindLabel(FeeKind::kMailing), "郵送手数料");
  EXPECT_EQ(ParseFeeKind("issuance"), std::nullopt);
}

}  // namespace
}  // namespace claimsca::billing
