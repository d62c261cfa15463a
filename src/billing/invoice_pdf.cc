#include "billing/invoice_pdf.h"

#include <algorithm>
#include <memory>

#include "pdf/document.h"

namespace claimsca::billing {
namespace {

using pdf::Align;
using pdf::kGothic;
using pdf::kMincho;
using pdf::Style;

constexpr double kMargin = 42;
constexpr double kWidth = pdf::kPageWidth - 2 * kMargin;
constexpr double kBottom = pdf::kPageHeight - 40;

// The breakdown table: fixed rows, so that the page count follows from the line count.
constexpr double kRowHeight = 15;
constexpr double kFirstPageRowsTop = 610;  // below the header of page 1
constexpr double kNextPageRowsTop = 112;   // below the short header of pages 2..
constexpr int RowsBetween(double top) { return static_cast<int>((kBottom - top) / kRowHeight); }
constexpr int kFirstPageRows = RowsBetween(kFirstPageRowsTop);
constexpr int kNextPageRows = RowsBetween(kNextPageRowsTop);

// Columns: No., リクエストID, 端末名称等, 発行日, 区分, 金額（円）.
struct Column {
  const char* title;
  double width;
  Align align;
};
constexpr Column kColumns[] = {
    {"No.", 26, Align::kRight},        {"リクエストID", 92, Align::kLeft},
    {"端末名称等", 170, Align::kLeft}, {"発行日", 66, Align::kLeft},
    {"区分", 72, Align::kLeft},        {"金額（円）", 85, Align::kRight}};

std::string PostalCode(const std::string& digits) {
  if (digits.empty()) return "";  // no address known: no 〒 line
  bool seven = digits.size() == 7 && std::all_of(digits.begin(), digits.end(),
                                                 [](char c) { return c >= '0' && c <= '9'; });
  return "〒" + (seven ? digits.substr(0, 3) + "-" + digits.substr(3) : digits);
}

// `style` for text that is the same on many pages of a batch (pdf::Style::repeated).
Style Same(Style style) {
  style.repeated = true;
  return style;
}

bool AllDigits(const std::string& s, size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One batch being drawn: the document and the page counter the mailing service checks.
class InvoiceWriter {
 public:
  InvoiceWriter(pdf::Document& doc, const PayeeAccount& payee, const InvoiceIssuer& issuer,
                int batch_pages)
      : doc_(doc), payee_(payee), issuer_(issuer), batch_pages_(batch_pages) {}

  void Draw(const InvoiceDocument& inv) {
    const int pages = InvoicePageCount(inv);
    size_t next = 0;  // the next line to print
    for (int page = 1; page <= pages; ++page) {
      if (batch_page_ > 0) doc_.NextPage();
      ++batch_page_;
      PageCorner(inv, page, pages);
      double y = page == 1 ? FirstPageHeader(inv) : NextPageHeader(inv);
      y = TableHead(y);
      const int rows = page == 1 ? kFirstPageRows : kNextPageRows;
      for (int r = 0; r < rows && next < inv.lines.size(); ++r, ++next) {
        y = Row(y, inv.lines[next], next + 1);
      }
      if (page == pages) Total(y, inv);
    }
  }

 private:
  double Text(double x, double y, double w, std::string_view text, const Style& style) {
    return doc_.Text(x, y, w, text, style);
  }

  // Top of every page: the batch's page counter (left) and the invoice's number and page.
  void PageCorner(const InvoiceDocument& inv, int page, int pages) {
    Text(kMargin, 22, kWidth / 2, std::to_string(batch_page_) + "/" + std::to_string(batch_pages_),
         {kGothic, 7, 1});
    Text(
        kMargin + kWidth / 2, 22, kWidth / 2,
        "請求番号 " + inv.number + "  " + std::to_string(page) + "/" + std::to_string(pages) + "頁",
        {kGothic, 8, 1, false, Align::kRight});
  }

  double FirstPageHeader(const InvoiceDocument& inv) {
    Text(kMargin, 38, kWidth, "発行日 " + FormatDateJa(inv.issue_date),
         Same({kMincho, 10.5, 1, false, Align::kRight}));

    // Addressee (left, the envelope's window): registered postal code, address, name.
    const double box = kWidth / 2 - 16;
    double y = 62;
    y += Text(kMargin, y, box, PostalCode(inv.postal_code), {kMincho, 11, 1});
    y += Text(kMargin, y, box, inv.address, {kMincho, 11, 3});
    y += 4;
    y += Text(kMargin, y, box, inv.institution_name + " 御中", {kMincho, 12.5, 2});
    Text(kMargin, y + 2, box, inv.code_label + " " + inv.institution_code, {kGothic, 9, 1});

    // Issuer (right).
    const double sx = kMargin + kWidth / 2 + 16;
    double sy = 62;
    sy += Text(sx, sy, box, PostalCode(issuer_.postal_code), Same({kMincho, 9, 1}));
    for (const std::string& line : issuer_.address_lines) {
      sy += Text(sx, sy, box, line, Same({kMincho, 9, 2}));
    }
    sy += Text(sx, sy, box, issuer_.organisation, Same({kMincho, 11, 2}));
    Text(sx, sy + 2, box, issuer_.ca_name, Same({kMincho, 8, 2}));

    Text(kMargin, 196, kWidth, "電子証明書発行・更新料払込請求書",
         Same({kGothic, 16, 1, true, Align::kCenter}));
    Text(kMargin, 228, kWidth,
         "平素は、" + issuer_.ca_name +
             "の業務運営につきまして、格別のご理解とご協力を賜り厚くお礼申し上げます。"
             "下記のとおり電子証明書の発行（更新）料をご請求いたしますので、払込期限までに"
             "お振込みくださいますようお願いいたします。",
         Same({kMincho, 9.5, 3}));
    if (inv.fallback) {
      Text(kMargin, 276, kWidth,
           "※本請求書は、診療（調剤）報酬支払額からの控除ができなかった発行（更新）料について、"
           "控除に代えてご請求するものです。",
           Same({kGothic, 9, 2, true}));
    }

    // The amount, framed.
    double fy = 312;
    doc_.Frame(kMargin, fy, kWidth, 98, 0.8);
    const double label = 150;
    auto row = [&](double at, const std::string& k, const std::string& v, const Style& style) {
      Text(kMargin + 14, at, label, k, Same({kGothic, 10, 1}));
      Text(kMargin + 14 + label, at - (style.size - 10), kWidth - 28 - label, v, style);
    };
    row(fy + 10, "請求番号（お客様番号）", inv.number, {kGothic, 12, 1, true});
    row(fy + 36, "ご請求金額", FormatYen(inv.amount_yen) + "円", {kGothic, 16, 1, true});
    row(fy + 60, "払込期限", FormatDateJa(inv.due_date), Same({kGothic, 12, 1, true}));
    row(fy + 80, "請求月", FormatMonthJa(inv.billing_month) + "請求分", Same({kGothic, 10, 1}));

    // The payee account, framed.
    fy = 420;
    doc_.Frame(kMargin, fy, kWidth, 78, 0.8);
    Text(kMargin + 8, fy + 6, kWidth - 16, "■ お振込先", Same({kGothic, 10.5, 1, true}));
    row(fy + 24, "金融機関", payee_.bank_name + "　" + payee_.branch_name, Same({kGothic, 10, 1}));
    row(fy + 40, "預金種目・口座番号", payee_.account_type + "　" + payee_.account_number,
        Same({kGothic, 10, 1}));
    row(fy + 56, "口座名義", payee_.holder_kana, Same({kGothic, 10, 1}));

    double ny = 506;
    ny += Text(kMargin, ny, kWidth,
               "・お振込みの際は、振込依頼人名の前に上記のお客様番号（10桁の請求番号）を必ず"
               "入力してください。お客様番号により入金を確認いたします。",
               Same({kMincho, 8.5, 2}));
    ny += Text(kMargin + 12, ny, kWidth - 12, "（入力例：" + inv.number + " ｲﾘﾖｳﾎｳｼﾞﾝ ｻｸﾗｸﾘﾆﾂｸ）",
               {kMincho, 8.5, 1});
    Text(kMargin, ny, kWidth,
         "・振込手数料はご負担願います。\n"
         "・払込期限を過ぎてもお支払いいただけない場合、当該電子証明書は失効されるものと"
         "します。",
         Same({kMincho, 8.5, 3}));
    Text(kMargin, 580, kWidth, "■ 請求明細", Same({kGothic, 10.5, 1, true}));
    return kFirstPageRowsTop - kRowHeight;
  }

  double NextPageHeader(const InvoiceDocument& inv) {
    Text(kMargin, 44, kWidth, "電子証明書発行・更新料払込請求書（請求明細の続き）",
         Same({kGothic, 12, 1, true}));
    Text(kMargin, 68, kWidth,
         "請求番号 " + inv.number + "　" + inv.institution_name + " 御中（" + inv.institution_code +
             "）",
         {kMincho, 10, 1});
    return kNextPageRowsTop - kRowHeight;
  }

  // The column titles on a grey band; returns the top of the first row.
  double TableHead(double y) {
    doc_.Fill(kMargin, y, kWidth, kRowHeight, 0.88);
    double x = kMargin;
    for (const Column& c : kColumns) {
      Text(x + 3, y + 2.5, c.width - 6, c.title, Same({kGothic, 8.5, 1, false, c.align}));
      x += c.width;
    }
    return y + kRowHeight;
  }

  double Row(double y, const InvoiceLine& line, size_t n) {
    std::string kind(FeeKindLabel(line.kind));
    if (line.amount_yen < 0) kind += "（取消）";
    const std::string cells[] = {std::to_string(n),
                                 line.request_id,
                                 line.terminal_name,
                                 FormatDateJa(line.issuance_date),
                                 kind,
                                 FormatYen(line.amount_yen)};
    double x = kMargin;
    for (size_t i = 0; i < std::size(kColumns); ++i) {
      // No., date, kind and amount take few values: their layouts are kept.
      const bool same = i != 1 && i != 2;
      Text(x + 3, y + 3, kColumns[i].width - 6, cells[i],
           {i == 2 ? kMincho : kGothic, 8.5, 1, false, kColumns[i].align, same});
      x += kColumns[i].width;
    }
    doc_.Line(kMargin, y + kRowHeight, kMargin + kWidth, y + kRowHeight, 0.3);
    return y + kRowHeight;
  }

  void Total(double y, const InvoiceDocument& inv) {
    const double amount_width = kColumns[std::size(kColumns) - 1].width;
    Text(kMargin, y + 3, kWidth - amount_width - 3,
         "合計（" + std::to_string(inv.lines.size()) + "件）",
         {kGothic, 9, 1, true, Align::kRight});
    Text(kMargin + kWidth - amount_width + 3, y + 3, amount_width - 6, FormatYen(inv.amount_yen),
         {kGothic, 9, 1, true, Align::kRight});
    doc_.Line(kMargin, y + kRowHeight, kMargin + kWidth, y + kRowHeight, 0.8);
  }

  pdf::Document& doc_;
  const PayeeAccount& payee_;
  const InvoiceIssuer& issuer_;
  const int batch_pages_;
  int batch_page_ = 0;
};

}  // namespace

std::string_view FeeKindName(FeeKind kind) {
  switch (kind) {
    case FeeKind::kRenewal:
      return "renewal_fee";
    case FeeKind::kMailing:
      return "mailing_fee";
    case FeeKind::kIssuance:
      break;
  }
  return "issuance_fee";
}

std::string_view FeeKindLabel(FeeKind kind) {
  switch (kind) {
    case FeeKind::kRenewal:
      return "更新料";
    case FeeKind::kMailing:
      return "郵送手数料";
    case FeeKind::kIssuance:
      break;
  }
  return "発行料";
}

std::optional<FeeKind> ParseFeeKind(std::string_view name) {
  for (FeeKind k : {FeeKind::kIssuance, FeeKind::kRenewal, FeeKind::kMailing}) {
    if (FeeKindName(k) == name) return k;
  }
  return std::nullopt;
}

std::string FormatYen(int64_t yen) {
  // Digits of the magnitude without negating (INT64_MIN has no positive counterpart).
  std::string digits;
  int64_t v = yen;
  do {
    const int64_t d = v % 10;
    digits += static_cast<char>('0' + (d < 0 ? -d : d));
    v /= 10;
  } while (v != 0);
  std::string out = yen < 0 ? "-" : "";
  for (size_t i = digits.size(); i-- > 0;) {
    out += digits[i];
    if (i > 0 && i % 3 == 0) out += ',';
  }
  return out;
}

Status ValidateInvoice(const InvoiceDocument& inv) {
  const std::string where = "invoice " + inv.number + ": ";
  if (!AllDigits(inv.number, 10)) return InvalidArgument(where + "number must be 10 digits");
  if (inv.institution_name.empty()) return InvalidArgument(where + "institution_name is empty");
  if (inv.lines.empty()) return InvalidArgument(where + "no lines");
  if (!inv.issue_date.ok() || !inv.due_date.ok() || !inv.billing_month.ok()) {
    return InvalidArgument(where + "issue_date, due_date or billing_month is not a date");
  }
  if (inv.due_date < inv.issue_date) {
    return InvalidArgument(where + "due_date is before issue_date");
  }
  int64_t sum = 0;
  for (const InvoiceLine& line : inv.lines) {
    if (line.amount_yen > 0 ? sum > INT64_MAX - line.amount_yen
                            : sum < INT64_MIN - line.amount_yen) {
      return InvalidArgument(where + "the lines' sum overflows");
    }
    sum += line.amount_yen;
  }
  if (inv.amount_yen <= 0 || inv.amount_yen != sum) {
    return InvalidArgument(where + "amount_yen " + std::to_string(inv.amount_yen) +
                           " must be > 0 and the sum of the lines (" + std::to_string(sum) + ")");
  }
  return Status::Ok();
}

int InvoicePageCount(const InvoiceDocument& invoice) {
  // The lines and the total row, kFirstPageRows on page 1 and kNextPageRows on each next.
  const int64_t rows = static_cast<int64_t>(invoice.lines.size()) + 1;
  if (rows <= kFirstPageRows) return 1;
  return 1 + static_cast<int>((rows - kFirstPageRows + kNextPageRows - 1) / kNextPageRows);
}

Result<std::string> RenderInvoicePdf(const std::vector<InvoiceDocument>& invoices,
                                     const PayeeAccount& payee, const InvoiceIssuer& issuer,
                                     Date batch_date) {
  if (invoices.empty()) return InvalidArgument("an invoice batch needs at least one invoice");
  for (const auto& [key, value] :
       {std::pair{"bank_name", &payee.bank_name}, std::pair{"branch_name", &payee.branch_name},
        std::pair{"account_type", &payee.account_type},
        std::pair{"account_number", &payee.account_number},
        std::pair{"holder_kana", &payee.holder_kana}}) {
    if (value->empty()) return InvalidArgument(std::string("payee account: ") + key + " is empty");
  }
  int pages = 0;
  for (const InvoiceDocument& inv : invoices) {
    RETURN_IF_ERROR(ValidateInvoice(inv));
    pages += InvoicePageCount(inv);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<pdf::Document> doc,
                   pdf::Document::Create("電子証明書発行・更新料払込請求書", batch_date));
  InvoiceWriter writer(*doc, payee, issuer, pages);
  for (const InvoiceDocument& inv : invoices) writer.Draw(inv);
  return doc->Finish();
}

}  // namespace claimsca::billing
