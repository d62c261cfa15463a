#pragma once

// The identity check of the 資格確認限定型 form (注2; docs/qualcheck.md "The identity check
// on the claims bank account"). The register has no bank data: the operator imports, per
// institution, the last 4 digits of the account its claims are paid into, and only a
// keyed hash of them is stored (table qc_bank_digits, migration 081):
//   digest = hex HMAC-SHA256(secret, institution_code ":" digits)
// Four digits have only 10,000 values: a plain (even salted and slow) hash stored beside
// the code is reversed by trying them all; the HMAC key (32 random bytes, a file of the
// data directory, never in the database) is what protects them. Digits never appear in
// errors, logs or audit rows (only counts and codes).

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "store/module_sql.h"

namespace claimsca::store {
class Store;
}

namespace claimsca::qualcheck {

// The outcome an application keeps: 一致 / 不一致 / 登録なし.
enum class BankCheck { kMatch, kMismatch, kUnregistered };
std::string_view Name(BankCheck c);    // "match" | "mismatch" | "unregistered"
std::string_view NameJa(BankCheck c);  // "一致" | "不一致" | "登録なし"

class BankDigits {
 public:
  // `key`: the HMAC key (raw bytes, at least 16).
  explicit BankDigits(std::string key) : key_(std::move(key)) {}

  std::string Digest(std::string_view institution_code, std::string_view digits) const;

  // Imports a CSV "institution_code,last4" (a header line starting with a non-digit is
  // skipped; UTF-8 BOM allowed), all or nothing: a bad row is refused with its line
  // number and what is wrong (never the digits). Rows replace the institution's earlier
  // digest. Returns the number of rows. Audited "qualcheck.bank_import" (count only).
  Result<int64_t> Import(store::Store& store, std::string_view csv, std::string_view actor,
                         Instant at) const;

  // The check in a transaction of the caller.
  Result<BankCheck> Check(store::SqlTx& tx, std::string_view institution_code,
                          std::string_view digits) const;

 private:
  std::string key_;
};

}  // namespace claimsca::qualcheck
