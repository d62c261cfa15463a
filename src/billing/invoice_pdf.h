#pragma once

// The invoice (電子証明書発行・更新料払込請求書, DOMAIN.md §7, seed 000 §7) as A4 PDF pages,
// many invoices to one PDF batch (docs/billing.md, section "invoice"). Drawn with
// pdf::Document (the notice's cairo/pango stack, IPAex fonts embedded).
//
// Layout: every box has a fixed place and size, so an invoice's page count depends only on
// its number of lines (InvoicePageCount): page 1 holds the addressee, the issuer, the
// amount, the due date, the payee account and the transfer instructions, then the first
// lines of the breakdown; further pages repeat the invoice number and continue the
// breakdown; the total closes the last page. Long text is cut with "…" in its box.
//
// Deterministic: the same input gives the same bytes (the PDF's creation date is the
// batch's date, never the clock), so a re-run of a billing month reproduces its file.
// Pure: the caller gathers the data (registered name and address from the register) and
// writes the bytes. Thread-safe (each call has its own document).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time_util.h"

namespace claimsca::billing {

// 発行料 / 更新料 / 郵送手数料 (glossary: issuance_fee / renewal_fee / mailing_fee).
enum class FeeKind { kIssuance, kRenewal, kMailing };
std::string_view FeeKindName(FeeKind kind);   // "issuance_fee" / "renewal_fee" / "mailing_fee"
std::string_view FeeKindLabel(FeeKind kind);  // "発行料" / "更新料" / "郵送手数料"
std::optional<FeeKind> ParseFeeKind(std::string_view name);  // the names above

// One line of the breakdown: one fee of one certificate.
struct InvoiceLine {
  std::string request_id;     // リクエストID
  std::string terminal_name;  // 端末名称等
  Date issuance_date;         // the certificate's issuance (approval) date
  FeeKind kind = FeeKind::kIssuance;
  int64_t amount_yen = 0;  // negative for a credit note (printed "（取消）")
};

struct InvoiceDocument {
  // 請求番号, 10 digits (YYMM of the run month + 6-digit sequence, docs/billing.md "run");
  // printed as the お客様番号 the payer types before the 依頼人名.
  std::string number;
  Date issue_date;                        // 発行日
  Date due_date;                          // 払込期限
  std::chrono::year_month billing_month;  // the run month: "2027年1月請求分"
  std::string institution_code;
  // The words printed before institution_code (the 国保連 program's invoices carry a
  // 介護保険事業所番号 there).
  std::string code_label = "医療機関等コード";
  std::string institution_name;    // registered name
  std::string postal_code;         // registered, 7 digits; printed "〒105-0004"
  std::string address;             // registered address
  int64_t amount_yen = 0;          // the sum of the lines, > 0
  std::vector<InvoiceLine> lines;  // in print order, at least one
  // A fallback invoice: it replaces a deduction from the 診療(調剤)報酬 payment that could
  // not be made; a line on the invoice says so.
  bool fallback = false;
};

// The account the transfer goes to ([billing] payee_*; docs/operations.md).
struct PayeeAccount {
  std::string bank_name;
  std::string branch_name;
  std::string account_type;    // 普通 / 当座
  std::string account_number;  // 7 digits
  std::string holder_kana;     // 口座名義
};

// The sender block, as on the notice ([notice] sender_*; the defaults are the seed's).
struct InvoiceIssuer {
  std::string postal_code = "1050004";
  std::vector<std::string> address_lines = {"東京都港区新橋二丁目1番1号", "山口ビルディング3層"};
  std::string organisation = "社会保険診療報酬支払基金";
  std::string ca_name = "オンライン請求ネットワーク関連システム等共通認証局";
};

// InvalidArgument naming the invoice number and the field: number not 10 digits, no line,
// amount <= 0 or not the sum of the lines, due date before the issue date, empty name.
Status ValidateInvoice(const InvoiceDocument& invoice);

// The pages `invoice` takes (1 or more), from its number of lines alone.
int InvoicePageCount(const InvoiceDocument& invoice);

// "12,345", "-1,500": yen with thousands separators.
std::string FormatYen(int64_t yen);

// Renders `invoices` (at least one, each valid) as one PDF, in the given order, each
// starting on a new page. `batch_date` is the PDF's creation date (the run's issue date).
// InvalidArgument for an empty batch, an invalid invoice, or a payee account with an
// empty field; FailedPrecondition when the IPAex fonts are not installed.
Result<std::string> RenderInvoicePdf(const std::vector<InvoiceDocument>& invoices,
                                     const PayeeAccount& payee, const InvoiceIssuer& issuer,
                                     Date batch_date);

}  // namespace claimsca::billing
