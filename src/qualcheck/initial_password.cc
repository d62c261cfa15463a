#include "qualcheck/initial_password.h"

#include "store/module_sql.h"

namespace claimsca::qualcheck {

Result<bool> InitialPasswords::MustChange(std::string_view account_id) {
  bool must = false;
  const Status st = store::RunRead(store_, [&](store::SqlTx& tx) -> Status {
    // Only while the account still holds the temporary password: a password set by any
    // other path (a reset by e-mail, an operator) ends the requirement too.
    ASSIGN_OR_RETURN(
        auto row, tx.QueryFirst("SELECT 1 FROM qc_initial_passwords p JOIN accounts a "
                                "ON a.account_id = p.account_id WHERE p.account_id = $1 AND "
                                "(p.temporary_hash IS NULL OR p.temporary_hash = a.password_hash)",
                                {std::string(account_id)}));
    must = row.has_value();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return must;
}

Status InitialPasswords::Done(std::string_view account_id) {
  return store::RunInTransaction(store_, [&](store::SqlTx& tx) -> Status {
    return tx
        .Exec("DELETE FROM qc_initial_passwords WHERE account_id = $1", {std::string(account_id)})
        .status();
  });
}

}  // namespace claimsca::qualcheck
