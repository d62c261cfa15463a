#pragma once

// The code swaps as the renewal engine asks for them (ra/code_change.h; docs/newinst.md,
// "Certificates on the real code"): a certificate naming a 仮コード or a 受付番号 whose
// newinst row is designated with the application's real code is re-issued on it.

#include <string_view>

#include "ra/code_change.h"
#include "store/store.h"

namespace claimsca::newinst {

// Reads newinst_institutions on every call (one indexed point read). Thread-safe.
class CodeSwaps : public ra::CodeChangeRegistry {
 public:
  explicit CodeSwaps(store::Store& store) : store_(store) {}
  // True when a designated row has real_code = new_code and old_code as its
  // provisional_code or its reception_number.
  Result<bool> Replaced(std::string_view old_code, std::string_view new_code) override;

 private:
  store::Store& store_;
};

}  // namespace claimsca::newinst
