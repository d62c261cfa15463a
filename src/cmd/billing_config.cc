#include "cmd/billing_config.h"

#include <string>

#include "domain/normalize.h"

namespace claimsca::cmd {
namespace {

constexpr char kWhere[] = "billing.";  // from the file, the environment or --set

bool InRange(char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; }

bool IsKanaNameChar(char32_t c) {
  if (InRange(c, U'0', U'9') || InRange(c, U'A', U'Z')) return true;
  if (std::u32string_view(U" ().-/,").find(c) != std::u32string_view::npos) return true;
  return InRange(c, 0x30A1, 0x30FA)  // full-width katakana ァ … ヺ
         || c == 0x30FC              // ー
         || c == 0x309B ||
         c == 0x309C  // ゛ ゜
         // half-width ｡ … ﾟ (kana, ｢ ｣, voiced marks), not the small ｧ … ｯ: bank names
         // of accounts are held without them (ｼﾔｶｲ, not ｼｬｶｲ)
         || (InRange(c, 0xFF61, 0xFF9F) && !InRange(c, 0xFF67, 0xFF6F)) ||
         InRange(c, 0xFF10, 0xFF19)     // ０ … ９
         || InRange(c, 0xFF21, 0xFF3A)  // Ａ … Ｚ
         ||
         std::u32string_view(U"\u3000\uFF08\uFF09\uFF0E\uFF0D\uFF0F\uFF0C\u300C\u300D").find(c) !=
             std::u32string_view::npos;
}

// Printable text on one line: no control characters, valid UTF-8, not blank.
bool IsPrintableLine(std::string_view s) {
  bool visible = false;
  size_t pos = 0;
  while (pos < s.size()) {
    const char32_t c = domain::DecodeUtf8(s, &pos);
    if (c == domain::kInvalidCodePoint || c < 0x20 || InRange(c, 0x7F, 0x9F)) return false;
    if (c != U' ' && c != 0x3000) visible = true;
  }
  return visible;
}

}  // namespace

bool IsKanaAccountName(std::string_view name) {
  bool visible = false;
  size_t pos = 0;
  while (pos < name.size()) {
    const char32_t c = domain::DecodeUtf8(name, &pos);
    if (c == domain::kInvalidCodePoint || !IsKanaNameChar(c)) return false;
    if (c != U' ' && c != 0x3000) visible = true;
  }
  return visible;
}

void SetDemoBillingPayee(Config& c) {
  c.billing_payee_bank_name = "デモ銀行（見本・実在しません）";
  c.billing_payee_branch_name = "デモ支店";
  c.billing_payee_account_type = "普通";
  c.billing_payee_account_number = "0000000";
  c.billing_payee_account_holder = "ﾃﾞﾓ ﾆﾝｼﾖｳｷﾖｸ";
}

Status ValidateBillingConfig(const Config& c) {
  auto range = [](const char* key, int v, int lo, int hi) {
    if (v >= lo && v <= hi) return Status::Ok();
    return InvalidArgument(std::string(kWhere) + key + " must be " + std::to_string(lo) + ".." +
                           std::to_string(hi) + ", not " + std::to_string(v));
  };
  RETURN_IF_ERROR(range("invoice_day", c.billing_invoice_day, 1, 28));
  RETURN_IF_ERROR(range("due_days", c.billing_due_days, 0, 365));
  RETURN_IF_ERROR(range("grace_days", c.billing_grace_days, 0, 365));
  if (c.billing_payee_account_type != "普通" && c.billing_payee_account_type != "当座") {
    return InvalidArgument(std::string(kWhere) + "payee_account_type must be 普通 or 当座, not \"" +
                           c.billing_payee_account_type + "\"");
  }
  if (c.billing_files_dir.empty()) {
    return InvalidArgument(std::string(kWhere) + "files_dir must not be empty");
  }
  const bool any_set = !c.billing_payee_bank_name.empty() || !c.billing_payee_branch_name.empty() ||
                       !c.billing_payee_account_number.empty() ||
                       !c.billing_payee_account_holder.empty();
  if (!any_set) return Status::Ok();  // not set up yet: BillingPayeeReady says so when needed
  if (Status ready = BillingPayeeReady(c); !ready.ok()) {
    return InvalidArgument("the payee account is incomplete: " + std::string(ready.message()));
  }
  for (const auto& [key, value] : {std::pair{"payee_bank_name", &c.billing_payee_bank_name},
                                   std::pair{"payee_branch_name", &c.billing_payee_branch_name}}) {
    if (!IsPrintableLine(*value)) {
      return InvalidArgument(std::string(kWhere) + key +
                             " must be printable text on one line (no control characters)");
    }
  }
  const std::string& number = c.billing_payee_account_number;
  bool digits = number.size() == 7;
  for (char ch : number) digits = digits && ch >= '0' && ch <= '9';
  if (!digits) {
    return InvalidArgument(std::string(kWhere) + "payee_account_number must be 7 digits, not \"" +
                           number + "\"");
  }
  if (!IsKanaAccountName(c.billing_payee_account_holder)) {
    return InvalidArgument(std::string(kWhere) +
                           "payee_account_holder must be the account holder's name in kana "
                           "(katakana, A-Z, 0-9, space, ( ) . - / ,), as the bank registers it");
  }
  return Status::Ok();
}

Status BillingPayeeReady(const Config& c) {
  for (const auto& [key, value] :
       {std::pair{"payee_bank_name", &c.billing_payee_bank_name},
        std::pair{"payee_branch_name", &c.billing_payee_branch_name},
        std::pair{"payee_account_number", &c.billing_payee_account_number},
        std::pair{"payee_account_holder", &c.billing_payee_account_holder}}) {
    if (value->empty()) {
      return FailedPrecondition(std::string(kWhere) + key +
                                " is not set: invoices print the payee account (set the "
                                "[billing] payee_* keys, docs/operations.md)");
    }
  }
  return Status::Ok();
}

billing::PayeeAccount InvoicePayee(const Config& c) {
  return {c.billing_payee_bank_name, c.billing_payee_branch_name, c.billing_payee_account_type,
          c.billing_payee_account_number, c.billing_payee_account_holder};
}

billing::InvoiceIssuer InvoiceIssuerOf(const Config& c) {
  billing::InvoiceIssuer issuer;
  issuer.postal_code = c.notice_sender_postal_code;
  issuer.address_lines.clear();
  size_t start = 0;
  for (size_t nl; (nl = c.notice_sender_address.find('\n', start)) != std::string::npos;
       start = nl + 1) {
    issuer.address_lines.push_back(c.notice_sender_address.substr(start, nl - start));
  }
  if (start < c.notice_sender_address.size()) {
    issuer.address_lines.push_back(c.notice_sender_address.substr(start));
  }
  issuer.organisation = c.notice_sender_organisation;
  issuer.ca_name = c.notice_ca_name;
  return issuer;
}

}  // namespace claimsca::cmd
