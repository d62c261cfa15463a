#pragma once

// The subsidy payment file (docs/qualcheck.md "Subsidy" has the layout): the approved,
// unpaid subsidies to transfer, one line per application and a totals line; CSV, UTF-8,
// CRLF; a SHA-256 file beside it in `sha256sum` format (billing::Sha256SumFile), as the
// billing deduction file.
//
// The file of date D takes every approved application approved on or before D that is in
// no file yet, marks each as in the file of D and keeps the file's bytes
// (subsidy_payment_files), all in one transaction. Made once: a later call for D returns
// the stored bytes and marks nothing, so a re-run is byte-identical. MarkPaid then records
// the payment of every application of a stored file (identified by its SHA-256, so an
// edited file is refused).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "common/time_util.h"

namespace claimsca::store {
class Store;
}

namespace claimsca::subsidy {

struct PaymentLine {
  std::string institution_code;
  std::string institution_name;
  int64_t amount_yen = 0;
  std::string application_id;
  std::string approval_date;  // YYYY-MM-DD

  bool operator==(const PaymentLine&) const = default;
};

struct PaymentFile {
  std::string file_date;  // YYYY-MM-DD
  std::string file_name;
  std::string content;
  std::string sha256_file_name;  // file_name + ".sha256"
  std::string sha256_content;    // "<64 hex>  <file_name>\n"
  int64_t lines = 0;
  int64_t total_yen = 0;
  bool created = false;  // false: made by an earlier call, returned as stored
};

// "subsidy-payment-YYYYMMDD.csv".
std::string PaymentFileName(Date d);

// The bytes of the file for `lines` (InvalidArgument for an amount <= 0). Pure.
Result<std::string> RenderPaymentFile(const std::vector<PaymentLine>& lines);

// Makes (or returns the stored) file of `date`. FailedPrecondition for a date after
// today (JST): approvals of that day may still come. Audited "subsidy.payment_file".
Result<PaymentFile> MakePaymentFile(store::Store& store, Date date, std::string_view actor,
                                    Instant now);

// The stored file of `date`; NotFound if it was never made.
Result<PaymentFile> StoredPaymentFile(store::Store& store, Date date);

// Records the payment of the applications in the stored file whose bytes are `content`
// (NotFound when no stored file has them: not ours, or edited). Returns how many were
// marked paid now (0 on a repeat). Audited "subsidy.paid" per application.
Result<int64_t> MarkPaid(store::Store& store, std::string_view content, std::string_view actor,
                         Instant now);

}  // namespace claimsca::subsidy
