#include "cmd/kokuhoren_web.h"

#include <map>

#include "cmd/billing_config.h"
#include "cmd/kokuhoren_fees_web.h"
#include "kokuhoren/inbox.h"
#include "kokuhoren/notice_pdf.h"
#include "kokuhoren/reissue.h"
#include "kokuhoren/transfer.h"
#include "kokuhoren/types.h"
#include "store/module_sql.h"

namespace claimsca::cmd {
namespace {

portal::KjMessage MessageView(kokuhoren::InboxMessage m) {
  return {.id = m.message_id,
          .title = std::move(m.title),
          .body = std::move(m.body),
          .created_at = m.created_at,
          .read = m.read_at.has_value(),
          .attachment_name = std::move(m.attachment_name),
          .attachment = std::move(m.attachment)};
}

// The state word of the pages: the application's, or "expired" past its notAfter.
std::string StateOf(const kokuhoren::CertApplication& a, Instant now) {
  return a.Expired(now) ? "expired" : std::string(kokuhoren::Name(a.state));
}

}  // namespace

KokuhorenWeb::KokuhorenWeb(App& app)
    : app_(app), accounts_(*app.kj_accounts), kj_accounts_(*app.kj_account_api) {
  WireAccounts();
  WireApplications();
}

void KokuhorenWeb::WireAccounts() {
  portal::KokuhorenPages& p = pages_;
  p.account = [this](const std::string& id) { return Account(id); };
  p.change_password = [this](const std::string& id, std::string_view current,
                             std::string_view next) {
    return accounts_.ChangePassword(id, current, next);
  };
  p.reissue_issuance_password = [this](const ra::Caller& caller, std::string_view login) {
    const Config& c = app_.config;
    const kokuhoren::NoticeSender sender{c.kokuhoren_sender_organisation,
                                         c.kokuhoren_sender_postal_code, c.kokuhoren_sender_address,
                                         c.kokuhoren_login_url};
    auto r = kokuhoren::ReissueIssuancePassword(*app_.store, accounts_, *app_.clock, sender,
                                                caller.principal.account_id, login);
    return r.ok() ? Status() : r.status();
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
  p.check_issuance_password = [this](const ra::Caller& caller, std::string_view password) {
    auto g = kj_accounts_.VerifyIssuancePassword(caller.principal.account_id, password);
    return g.ok() ? Status() : g.status();
  };
  p.check_offset_office = [this](std::string_view user_id, std::string_view password) {
    auto o = kj_accounts_.VerifyOffsetOffice(user_id, password);
    return o.ok() ? Status() : o.status();
  };
}

void KokuhorenWeb::WireApplications() {
  auto kj = WireKjCert(app_);  // charges the fee in Apply's transaction (kjfees)
  if (!kj.ok()) return;
  kj_ = std::move(*kj);
  portal::KokuhorenPages& p = pages_;
  p.certificates = [this](const ra::Caller&, const std::string& office) {
    return Certificates(office);
  };
  p.continue_from = [this](const std::string& office) -> Result<std::optional<Instant>> {
    ASSIGN_OR_RETURN(kokuhoren::ValidityOffer offer, kj_->applications->Offer(office));
    return offer.continue_from;
  };
  p.apply = [this](const portal::KjApplyRequest& r) -> Result<std::string> {
    kokuhoren::ApplyRequest a;
    a.account_id = r.caller.principal.account_id;
    a.office_number = r.office;
    a.issuance_password = r.issuance_password;
    a.validity =
        kokuhoren::ParseValidityStart(r.validity).value_or(kokuhoren::ValidityStart::kFromIssuance);
    a.usage =
        kokuhoren::ParseUsageCategory(r.usage).value_or(kokuhoren::UsageCategory::kCareInsurance);
    a.payment =
        kokuhoren::ParsePaymentMethod(r.payment).value_or(kokuhoren::PaymentMethod::kOffset);
    a.offset_user_id = r.offset_user_id;
    a.offset_password = r.offset_password;
    a.terms_accepted = true;  // the page refuses a 送信 without the check box
    a.terms_version = r.terms_version;
    a.idempotency_key = r.idempotency_key;
    ASSIGN_OR_RETURN(kokuhoren::CertApplication done, kj_->Apply(a));
    return done.id;
  };
  p.queue = [this](const std::string& state) { return Queue(state); };
  WireFeePages(app_, *kj_->applications, p);  // kjfees: 発行手数料残高, payment confirmation
  p.invoice = [this](const ra::Caller&, const std::string& office,
                     const std::string& id) -> Result<portal::KjFile> {
    std::optional<kokuhoren::TransferInvoice> inv;
    RETURN_IF_ERROR(store::RunRead(*app_.store, [&](store::SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(inv, kokuhoren::InvoiceOfApplication(tx, id));
      return Status();
    }));
    if (!inv || inv->office_number != office) return NotFound("invoice of " + id);
    RETURN_IF_ERROR(BillingPayeeReady(app_.config));  // a found invoice needs the payee
    const Config& c = app_.config;
    ASSIGN_OR_RETURN(std::string pdf,
                     kokuhoren::RenderTransferInvoicePdf(
                         *inv, InvoicePayee(c),
                         kokuhoren::KokuhorenInvoiceIssuer(c.kokuhoren_sender_organisation,
                                                           c.kokuhoren_sender_postal_code,
                                                           c.kokuhoren_sender_address)));
    return portal::KjFile{"invoice-" + inv->number + ".pdf", "application/pdf", std::move(pdf)};
  };
  if (!kj_->issuance) return;
  p.download = [this](const ra::Caller& caller, const std::string& office,
                      const std::string& id) -> Result<portal::KjFile> {
    ASSIGN_OR_RETURN(kokuhoren::Pkcs12Download d,
                     kj_->issuance->Download(caller.principal.account_id, id));
    if (d.application.office_number != office) return NotFound("application " + id);
    return portal::KjFile{std::move(d.file_name), "application/x-pkcs12", std::move(d.pkcs12_der)};
  };
  p.approve = [this](const ra::Caller& caller, const std::string& id) {
    auto a = kj_->issuance->Issue(id, caller.Actor());
    return a.ok() ? Status() : a.status();
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

Result<std::vector<portal::KjCertificateRow>> KokuhorenWeb::Certificates(
    const std::string& office) {
  ASSIGN_OR_RETURN(auto list, kj_->applications->ListForOffice(office));
  const Instant now = app_.clock->Now();
  std::map<std::string, int64_t> generation;  // per applying account
  std::vector<portal::KjCertificateRow> rows;
  for (const kokuhoren::CertApplication& a : list) {
    auto g = generation.find(a.account_id);
    if (g == generation.end()) {
      ASSIGN_OR_RETURN(int64_t current, kj_accounts_.IssuancePasswordGeneration(a.account_id));
      g = generation.emplace(a.account_id, current).first;
    }
    rows.push_back({.application_id = a.id,
                    .applied_at = a.applied_at,
                    .not_before = a.ValidFrom(),
                    .not_after = a.not_after,
                    .state = StateOf(a, now),
                    .usage = std::string(kokuhoren::Name(a.usage)),
                    .payment = std::string(kokuhoren::Name(a.payment)),
                    .old_generation = a.password_generation < g->second,
                    .has_invoice = a.payment == kokuhoren::PaymentMethod::kTransfer});
  }
  return rows;
}

Result<std::vector<portal::KjConsoleRow>> KokuhorenWeb::Queue(const std::string& state) {
  std::optional<kokuhoren::ApplicationState> only;
  if (!state.empty()) {
    only = kokuhoren::ParseApplicationState(state);
    if (!only) return std::vector<portal::KjConsoleRow>{};
  }
  ASSIGN_OR_RETURN(auto list, kj_->applications->List(only, 500));
  const Instant now = app_.clock->Now();
  std::vector<portal::KjConsoleRow> rows;
  for (const kokuhoren::CertApplication& a : list) {
    auto office = accounts_.GetOffice(a.office_number);
    rows.push_back({.application_id = a.id,
                    .office = a.office_number,
                    .office_name = office.ok() ? office->name : "",
                    .user_id = kokuhoren::DisplayUserId(a.account_id),
                    .applied_at = a.applied_at,
                    .state = StateOf(a, now),
                    .usage = std::string(kokuhoren::Name(a.usage)),
                    .payment = std::string(kokuhoren::Name(a.payment))});
  }
  return rows;
}

}  // namespace claimsca::cmd
