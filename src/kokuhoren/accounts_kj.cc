#include "kokuhoren/accounts_kj.h"

#include "kokuhoren/inbox.h"
#include "kokuhoren/types.h"
#include "store/store.h"

namespace claimsca::kokuhoren {

Result<KjAccount> StoreKjAccounts::Find(std::string_view account_id) {
  const std::string id = AccountIdOf(account_id);
  ASSIGN_OR_RETURN(store::AccountRecord a, store_.GetAccount(id));
  if (a.kind != kOfficeKind && a.kind != kAgentKind) return NotFound("kj account " + id);
  KjAccount k;
  k.account_id = a.account_id;
  k.kind = a.kind;
  k.offices = a.institution_codes;
  if (a.kind == kOfficeKind && a.institution_codes.size() == 1) {
    ASSIGN_OR_RETURN(Office o, accounts_.GetOffice(a.institution_codes.front()));
    k.name = o.name;
    k.email = o.email;
  } else {
    ASSIGN_OR_RETURN(Agent g, accounts_.GetAgent(id));
    k.name = g.name;
    k.email = g.email;
  }
  return k;
}

Result<int64_t> StoreKjAccounts::VerifyIssuancePassword(std::string_view account_id,
                                                        std::string_view password) {
  return accounts_.VerifyIssuancePassword(account_id, password);
}

Result<int64_t> StoreKjAccounts::IssuancePasswordGeneration(std::string_view account_id) {
  return accounts_.IssuancePasswordGeneration(account_id);
}

Result<std::string> StoreKjAccounts::VerifyOffsetOffice(std::string_view user_id,
                                                        std::string_view password) {
  return accounts_.VerifyOffsetOffice(user_id, password);
}

Result<bool> StoreKjAccounts::PostInbox(std::string_view account_id, std::string_view title,
                                        std::string_view body, std::string_view dedupe_key,
                                        Instant at) {
  InboxMessage m;
  m.account_id = AccountIdOf(account_id);
  m.title = std::string(title);
  m.body = std::string(body);
  m.dedupe_key = std::string(dedupe_key);
  return PostMessage(store_, m, at);
}

}  // namespace claimsca::kokuhoren
