#pragma once

// The import of the bureau's 新規指定医療機関一覧表 and the code swap (issue 21 §3;
// docs/newinst.md "The bureau's list and the code swap"). Every row is checked against the
// newinst rows, the register, accounts and applications BEFORE anything changes; one refused
// row refuses the whole file (nothing changes). Then, in ONE transaction, each designated
// clinic's 仮コード and 受付番号 are replaced by the real code: the newinst row (designated,
// real_code, designated_at), account_institutions (same accounts), applications (all
// states), the ledger's charges not billed yet (billing::MoveUnbilledCharges) and the billing
// method changes; a newinst_swaps row (what nicerts re-issues from) and an audit event per
// swap. Importing the same file again changes nothing ("already done" rows). Certificates
// are not touched here.

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "newinst/designation_list.h"

namespace claimsca::store {
class Store;
}

namespace claimsca::newinst {

struct DesignationOutcome {
  enum class Kind { kSwap, kAlreadyDone, kRefused };
  int row = 0;
  Kind kind = Kind::kRefused;
  std::string real_code;
  std::string provisional_code;  // of the matched newinst row ("" when none matched)
  std::string reception_number;
  std::string name;
  std::string code;        // refusals: a stable machine code ("bad_check_digit", …)
  std::string message_ja;  // refusals: the reason in Japanese, naming the row
  // After a swap: what moved.
  int64_t applications = 0, accounts = 0, charges_moved = 0;
};

struct DesignationReport {
  std::vector<DesignationOutcome> rows;
  int swapped = 0, already_done = 0, refused = 0;
  bool dry_run = false;
  bool changed = false;  // false: refused, a dry run, or nothing to do (re-import)
};

struct DesignationImport {
  std::string file_name;   // for the import log
  std::string file_bytes;  // hashed into the import log
  std::string actor;       // "operator:NAME"
  bool dry_run = false;
};

// Checks `list` and, unless refused or a dry run, swaps in one transaction. A refusal is NOT
// an error: the report says which rows and why (refused > 0, changed = false). Errors are
// for the store (kUnavailable, kInternal).
Result<DesignationReport> ImportDesignations(store::Store& store, const Clock& clock,
                                             const DesignationList& list,
                                             const DesignationImport& import);

// Reads the file (xlsx by its zip signature, else CSV) into a list.
Result<DesignationList> ReadDesignationFile(std::string_view bytes);

std::string_view KindName(DesignationOutcome::Kind k);  // "swap" | "already_done" | "refused"

}  // namespace claimsca::newinst
