#pragma once

// The monthly offset file of the 国保連 program (docs/kokuhoren.md, section "Fees", has the
// layout): the 相殺 fees to deduct from the benefits (介護給付費) the 国保連 pays each office,
// one line per office and a totals line; CSV, ASCII, CRLF; a SHA-256 file beside it in
// `sha256sum` format (billing::Sha256SumFile).
//
// The file of month M takes every open 相殺 charge dated before the 1st of M (JST) and
// settles each with an 'offset' ledger entry (reference "offset-file:M"), in the same
// transaction that keeps the file's bytes (kj_offset_files). Made once: a later call for M
// returns the stored bytes and writes nothing, so a re-run is byte-identical and the
// balance is never settled twice. A month with nothing to offset still gets its file (the
// header and a totals line of zero).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/module_sql.h"

namespace claimsca::kokuhoren {

struct OffsetLine {
  std::string office_number;  // 介護保険事業所番号 (the offset office)
  int64_t charges = 0;        // applications offset on this line, > 0
  int64_t amount_yen = 0;     // > 0

  bool operator==(const OffsetLine&) const = default;
};

struct OffsetFile {
  std::string month;  // "YYYY-MM"
  std::string file_name;
  std::string content;
  std::string sha256_file_name;  // file_name + ".sha256"
  std::string sha256_content;    // "<64 hex>  <file_name>\n"
  int64_t lines = 0;
  int64_t total_yen = 0;
  bool created = false;  // false: made by an earlier call, returned as stored
};

// "kokuhoren-offset-YYYYMM.csv".
std::string OffsetFileName(std::chrono::year_month month);

// The file's bytes for `lines` (sorted by office number, each office once; InvalidArgument
// otherwise or for an amount <= 0). Pure.
Result<std::string> RenderOffsetFile(std::chrono::year_month month,
                                     const std::vector<OffsetLine>& lines);

// Makes (or returns the stored) file of `month`. FailedPrecondition before the 1st of the
// month (JST): charges of the previous month may still come. Audited as
// "kokuhoren.offset_file" when made.
Result<OffsetFile> MakeOffsetFile(store::SqlTx& tx, std::chrono::year_month month,
                                  std::string_view actor, Instant now);

// The stored file of `month`, NotFound if it was never made (read transactions too).
Result<OffsetFile> StoredOffsetFile(store::SqlTx& tx, std::chrono::year_month month);

}  // namespace claimsca::kokuhoren
