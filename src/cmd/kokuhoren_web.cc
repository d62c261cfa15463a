#include "cmd/kokuhoren_web.h"

#include "kokuhoren/inbox.h"
#include "kokuhoren/types.h"

namespace claimsca::cmd {
namespace {

kokuhoren::AccountsOptions AccountsOptionsOf(const App& app) {
  kokuhoren::AccountsOptions o;
  o.kdf = app.auth->options().kdf;
  return o;
}

portal::KjMessage MessageView(kokuhoren::InboxMessage m) {
  return {.id = m.message_id,
          .title = std::move(m.title),
          .body = std::move(m.body),
          .created_at = m.created_at,
          .read = m.read_at.has_value(),
          .attachment_name = std::move(m.attachment_name),
          .attachment = std::move(m.attachment)};
}

}  // namespace

KokuhorenWeb::KokuhorenWeb(App& app)
    : app_(app), accounts_(*app.store, *app.auth, *app.clock, AccountsOptionsOf(app)) {
  portal::KokuhorenPages& p = pages_;
  p.account = [this](const std::string& id) { return Account(id); };
  p.change_password = [this](const std::string& id, std::string_view current,
                             std::string_view next) {
    return accounts_.ChangePassword(id, current, next);
  };
  p.inbox = [this](const std::string& id) -> Result<std::vector<portal::KjMessage>> {
    ASSIGN_OR_RETURN(auto list, kokuhoren::ListMessages(*app_.store, id));
    std::vector<portal::KjMessage> out;
    for (auto& m : list) out.push_back(MessageView(std::move(m)));
    return out;
  };
  p.message = [this](const std::string& id, int64_t message_id) -> Result<portal::KjMessage> {
    ASSIGN_OR_RETURN(auto m, kokuhoren::GetMessage(*app_.store, id, message_id));
    RETURN_IF_ERROR(kokuhoren::MarkRead(*app_.store, id, message_id, app_.clock->Now()));
    return MessageView(std::move(m));
  };
}

Result<portal::KjAccount> KokuhorenWeb::Account(const std::string& account_id) {
  ASSIGN_OR_RETURN(store::AccountRecord a, app_.store->GetAccount(account_id));
  portal::KjAccount v;
  v.user_id = kokuhoren::DisplayUserId(a.account_id);
  v.name = a.display_name;
  v.agent = a.kind == kokuhoren::kAgentKind;
  ASSIGN_OR_RETURN(v.must_change_password, accounts_.MustChangePassword(account_id));
  for (const std::string& number : a.institution_codes) {
    auto office = accounts_.GetOffice(number);
    v.offices.push_back({number, office.ok() ? office->name : ""});
    if (!v.agent && office.ok() && v.name.empty()) v.name = office->name;
  }
  return v;
}

}  // namespace claimsca::cmd
