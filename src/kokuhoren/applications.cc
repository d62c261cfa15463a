#include "kokuhoren/applications.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ca/validity.h"
#include "common/time_util.h"
#include "crypto/ossl.h"
#include "crypto/random.h"
#include "kokuhoren/applications_sql.h"
#include "store/store.h"

namespace claimsca::kokuhoren {
namespace {

using internal::FromSeconds;
using internal::OptSeconds;
using internal::Seconds;
using store::SqlRow;
using store::SqlTx;
using Json = nlohmann::json;

constexpr char kInsert[] =
    "INSERT INTO kj_applications (id, account_id, account_kind, office_number, usage_category, "
    "payment_method, offset_office_number, validity_start, continues_id, requested_not_before, "
    "password_generation, terms_version, state, applied_at, sealed_password, idempotency_key) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
constexpr char kByKey[] = "SELECT " KJ_APPLICATION_COLUMNS
                          " FROM kj_applications WHERE account_id = $1 AND idempotency_key = $2";
constexpr char kGet[] = "SELECT " KJ_APPLICATION_COLUMNS " FROM kj_applications WHERE id = $1";
constexpr char kOpenOfOffice[] =
    "SELECT id FROM kj_applications WHERE office_number = $1 "
    "AND state IN ('awaiting_payment', 'pending')";
constexpr char kLatestIssued[] =
    "SELECT " KJ_APPLICATION_COLUMNS
    " FROM kj_applications WHERE office_number = $1 AND " KJ_ISSUED_NOT_REVOKED
    " ORDER BY not_after DESC LIMIT 1";
constexpr char kOfOffice[] = "SELECT " KJ_APPLICATION_COLUMNS
                             " FROM kj_applications WHERE office_number = $1 "
                             "ORDER BY applied_at DESC, id DESC";
constexpr char kAll[] = "SELECT " KJ_APPLICATION_COLUMNS
                        " FROM kj_applications ORDER BY applied_at DESC, id DESC LIMIT $1";
constexpr char kAllOfState[] = "SELECT " KJ_APPLICATION_COLUMNS
                               " FROM kj_applications WHERE state = $1 "
                               "ORDER BY applied_at DESC, id DESC LIMIT $2";
constexpr char kPaid[] =
    "UPDATE kj_applications SET state = 'pending', paid_at = $2, paid_by = $3 "
    "WHERE id = $1 AND state = 'awaiting_payment'";
constexpr char kCancel[] =
    "UPDATE kj_applications SET state = 'cancelled', closed_at = $2, closed_by = $3, "
    "sealed_password = NULL WHERE id = $1 AND state IN ('awaiting_payment', 'pending')";

std::string Str(std::string_view s) { return std::string(s); }

Result<CertApplication> GetIn(SqlTx& tx, std::string_view id) {
  ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(kGet, {id}));
  if (!row) return NotFound("kokuhoren application " + Str(id));
  return internal::ReadApplication(*row);
}

Result<std::vector<CertApplication>> ReadAll(store::Store& store, const char* sql,
                                             const store::SqlParams& params) {
  std::vector<CertApplication> out;
  Status st = store::RunRead(store, [&](SqlTx& tx) -> Status {
    return tx.QueryEach(sql, params, [&](const SqlRow& row) -> Status {
      ASSIGN_OR_RETURN(CertApplication a, internal::ReadApplication(row));
      out.push_back(std::move(a));
      return Status();
    });
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace

namespace internal {

Result<CertApplication> ReadApplication(const SqlRow& r) {
  CertApplication a;
  ASSIGN_OR_RETURN(a.id, r.Text(0));
  ASSIGN_OR_RETURN(a.account_id, r.Text(1));
  ASSIGN_OR_RETURN(a.account_kind, r.Text(2));
  ASSIGN_OR_RETURN(a.office_number, r.Text(3));
  ASSIGN_OR_RETURN(std::string usage, r.Text(4));
  ASSIGN_OR_RETURN(std::string payment, r.Text(5));
  ASSIGN_OR_RETURN(std::optional<std::string> offset, r.OptText(6));
  ASSIGN_OR_RETURN(std::string validity, r.Text(7));
  ASSIGN_OR_RETURN(std::optional<std::string> continues, r.OptText(8));
  ASSIGN_OR_RETURN(std::optional<int64_t> requested, r.OptInt(9));
  ASSIGN_OR_RETURN(a.password_generation, r.Int(10));
  ASSIGN_OR_RETURN(a.terms_version, r.Text(11));
  ASSIGN_OR_RETURN(std::string state, r.Text(12));
  ASSIGN_OR_RETURN(int64_t applied, r.Int(13));
  ASSIGN_OR_RETURN(std::optional<int64_t> paid, r.OptInt(14));
  ASSIGN_OR_RETURN(std::optional<std::string> paid_by, r.OptText(15));
  ASSIGN_OR_RETURN(std::optional<int64_t> issued, r.OptInt(16));
  ASSIGN_OR_RETURN(std::optional<std::string> issued_by, r.OptText(17));
  ASSIGN_OR_RETURN(std::optional<std::string> serial, r.OptText(18));
  ASSIGN_OR_RETURN(std::optional<int64_t> nb, r.OptInt(19));
  ASSIGN_OR_RETURN(std::optional<int64_t> na, r.OptInt(20));
  ASSIGN_OR_RETURN(std::optional<int64_t> closed, r.OptInt(21));
  ASSIGN_OR_RETURN(std::optional<std::string> closed_by, r.OptText(22));
  auto u = ParseUsageCategory(usage);
  auto p = ParsePaymentMethod(payment);
  auto v = ParseValidityStart(validity);
  auto s = ParseApplicationState(state);
  if (!u || !p || !v || !s) return Internal("kj_applications " + a.id + ": unknown value");
  a.usage = *u;
  a.payment = *p;
  a.validity = *v;
  a.state = *s;
  a.offset_office_number = offset.value_or("");
  a.continues_id = continues.value_or("");
  auto opt = [](const std::optional<int64_t>& x) -> std::optional<Instant> {
    if (!x) return std::nullopt;
    return FromSeconds(*x);
  };
  a.requested_not_before = opt(requested);
  a.applied_at = FromSeconds(applied);
  a.paid_at = opt(paid);
  a.paid_by = paid_by.value_or("");
  a.issued_at = opt(issued);
  a.issued_by = issued_by.value_or("");
  a.serial = serial.value_or("");
  a.not_before = opt(nb);
  a.not_after = opt(na);
  a.closed_at = opt(closed);
  a.closed_by = closed_by.value_or("");
  return a;
}

}  // namespace internal

std::string_view Name(ApplicationState s) {
  switch (s) {
    case ApplicationState::kAwaitingPayment:
      return "awaiting_payment";
    case ApplicationState::kPending:
      return "pending";
    case ApplicationState::kIssued:
      return "issued";
    case ApplicationState::kRevoked:
      return "revoked";
    case ApplicationState::kCancelled:
      return "cancelled";
  }
  return "";
}

std::optional<ApplicationState> ParseApplicationState(std::string_view name) {
  for (auto s :
       {ApplicationState::kAwaitingPayment, ApplicationState::kPending, ApplicationState::kIssued,
        ApplicationState::kRevoked, ApplicationState::kCancelled}) {
    if (Name(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view CertApplication::StatusJa(Instant now) const {
  switch (state) {
    case ApplicationState::kAwaitingPayment:
      return "入金確認待ち";
    case ApplicationState::kPending:
      return "発行申請中";
    case ApplicationState::kIssued:
      return Expired(now) ? "有効期限切れ" : "発行済み";
    case ApplicationState::kRevoked:
      return "失効済み";
    case ApplicationState::kCancelled:
      return "取消";
  }
  return "";
}

Applications::Applications(store::Store& store, KjAccounts& accounts, const Clock& clock,
                           ApplicationOptions options)
    : store_(store), accounts_(accounts), clock_(clock), options_(std::move(options)) {}

Result<ValidityOffer> Applications::Offer(std::string_view office_number) const {
  if (options_.program == nullptr) return FailedPrecondition("kokuhoren: no program profile");
  std::optional<CertApplication> current;
  Status st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(kLatestIssued, {office_number}));
    if (!row) return Status();
    ASSIGN_OR_RETURN(current, internal::ReadApplication(*row));
    return Status();
  });
  if (!st.ok()) return st;
  ValidityOffer offer;
  const Instant now = clock_.Now();
  if (!current || !current->not_after || now > *current->not_after) return offer;
  // The window opens renewal_window_months calendar months before the end date (国保連: 3),
  // at 00:00 JST of that day.
  const Instant opens = ca::RenewalOpens(*options_.program, *current->not_after);
  if (now < opens) return offer;
  offer.continue_from = *current->not_after + std::chrono::seconds(1);
  offer.current_id = current->id;
  return offer;
}

Status Applications::CheckTerms(const ApplyRequest& r) const {
  if (!r.terms_accepted) {
    return InvalidArgument(
        "terms: 利用規約への同意が必要です (the terms of use were not accepted)");
  }
  if (r.terms_version != kTermsVersion) {
    return InvalidArgument("terms: version " + r.terms_version + " is not the current " +
                           Str(kTermsVersion));
  }
  return Status();
}

Result<CertApplication> Applications::Apply(const ApplyRequest& r) {
  if (options_.sealer == nullptr) return FailedPrecondition("kokuhoren: no sealing key");
  if (r.idempotency_key.size() > 64) return InvalidArgument("idempotency_key: too long");
  if (!r.idempotency_key.empty()) {
    auto earlier = ReadAll(store_, kByKey, {r.account_id, r.idempotency_key});
    if (!earlier.ok()) return earlier.status();
    if (!earlier->empty()) return earlier->front();
  }
  RETURN_IF_ERROR(CheckTerms(r));
  ASSIGN_OR_RETURN(KjAccount account, accounts_.Find(r.account_id));
  const bool agent = account.kind == kAgentKind;
  if (!agent && account.kind != kOfficeKind) {
    return Status(Code::kForbidden, "account " + r.account_id + " is not a kokuhoren account");
  }
  if (std::find(account.offices.begin(), account.offices.end(), r.office_number) ==
      account.offices.end()) {
    return Status(Code::kForbidden,
                  "office " + r.office_number + " is not an office of " + r.account_id);
  }
  auto generation = accounts_.VerifyIssuancePassword(r.account_id, r.issuance_password);
  if (!generation.ok()) {
    if (generation.status().code() != Code::kUnauthorized) return generation.status();
    return Status(Code::kUnauthorized,
                  "issuance_password: 証明書発行用パスワードが正しくありません");
  }
  CertApplication a;
  a.account_id = account.account_id;
  a.account_kind = account.kind;
  a.office_number = r.office_number;
  a.validity = r.validity;
  a.password_generation = *generation;
  a.terms_version = r.terms_version;
  if (agent) {
    a.usage = r.usage;
    a.payment = r.payment;
    if (a.payment == PaymentMethod::kOffset) {
      auto offset = accounts_.VerifyOffsetOffice(r.offset_user_id, r.offset_password);
      if (!offset.ok()) {
        if (offset.status().code() != Code::kUnauthorized) return offset.status();
        return Status(Code::kUnauthorized,
                      "offset_office: 相殺する事業所のユーザIDまたはパスワードが正しくありません");
      }
      a.offset_office_number = *offset;
    }
  } else {
    // An office applies for itself: 介護保険証明書, by offset against its own benefits.
    if (r.usage != UsageCategory::kCareInsurance || r.payment != PaymentMethod::kOffset) {
      return InvalidArgument("usage/payment: only agents choose 証明書利用区分 and 支払方法");
    }
    a.offset_office_number = r.office_number;
  }
  if (a.validity == ValidityStart::kContinue) {
    ASSIGN_OR_RETURN(ValidityOffer offer, Offer(r.office_number));
    if (!offer.continue_from) {
      return InvalidArgument("validity: no current certificate of office " + r.office_number +
                             " inside its renewal window to continue from; choose from_issuance");
    }
    a.requested_not_before = offer.continue_from;
    a.continues_id = offer.current_id;
  }
  a.state = a.payment == PaymentMethod::kTransfer ? ApplicationState::kAwaitingPayment
                                                  : ApplicationState::kPending;
  a.applied_at = clock_.Now();
  ASSIGN_OR_RETURN(std::string digits, crypto::RandomDigits(12));
  a.id = "KJA" + digits;
  ASSIGN_OR_RETURN(std::string sealed, options_.sealer->Seal(r.issuance_password, a.id));

  Json details = {{"office_number", a.office_number},    {"usage", Name(a.usage)},
                  {"payment", Name(a.payment)},          {"validity", Name(a.validity)},
                  {"generation", a.password_generation}, {"terms", a.terms_version}};
  if (!a.offset_office_number.empty()) details["offset_office"] = a.offset_office_number;
  if (a.requested_not_before) details["not_before"] = FormatJst(*a.requested_not_before);
  Status st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<SqlRow> open, tx.QueryFirst(kOpenOfOffice, {a.office_number}));
    if (open) {
      ASSIGN_OR_RETURN(std::string open_id, open->Text(0));
      return Conflict("office " + a.office_number + " has an open application " + open_id);
    }
    auto opt_text = [](const std::string& s) {
      return s.empty() ? store::SqlValue() : store::SqlValue(s);
    };
    RETURN_IF_ERROR(
        tx.Exec(kInsert,
                {a.id, a.account_id, a.account_kind, a.office_number, Name(a.usage),
                 Name(a.payment), opt_text(a.offset_office_number), Name(a.validity),
                 opt_text(a.continues_id), OptSeconds(a.requested_not_before),
                 a.password_generation, a.terms_version, Name(a.state), Seconds(a.applied_at),
                 crypto::HexEncode(sealed), opt_text(r.idempotency_key)})
            .status());
    if (options_.on_apply) RETURN_IF_ERROR(options_.on_apply(tx, a));
    return tx.AppendAudit(
        {a.applied_at, "account:" + a.account_id, "kokuhoren.apply", a.id, details.dump()});
  });
  if (!st.ok()) return st;
  return a;
}

Result<CertApplication> Applications::Transition(std::string_view id, const char* sql,
                                                 std::string_view actor, std::string_view action,
                                                 std::string_view expected) {
  CertApplication a;
  const Instant now = clock_.Now();
  Status st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t n, tx.Exec(sql, {id, Seconds(now), actor}));
    ASSIGN_OR_RETURN(a, GetIn(tx, id));
    if (n != 1) {
      return Conflict("kokuhoren application " + Str(id) + " is " + Str(Name(a.state)) + ", not " +
                      Str(expected));
    }
    return tx.AppendAudit({now, Str(actor), Str(action), a.id, "{}"});
  });
  if (!st.ok()) return st;
  return a;
}

Result<CertApplication> Applications::ConfirmPayment(std::string_view id, std::string_view actor) {
  return Transition(id, kPaid, actor, "kokuhoren.payment_confirmed", "awaiting_payment");
}

Result<CertApplication> Applications::Cancel(std::string_view id, std::string_view actor) {
  return Transition(id, kCancel, actor, "kokuhoren.cancel", "open");
}

Result<CertApplication> Applications::Get(std::string_view id) const {
  CertApplication a;
  Status st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(a, GetIn(tx, id));
    return Status();
  });
  if (!st.ok()) return st;
  return a;
}

Result<std::vector<CertApplication>> Applications::ListForOffice(
    std::string_view office_number) const {
  return ReadAll(store_, kOfOffice, {office_number});
}

Result<std::vector<CertApplication>> Applications::List(std::optional<ApplicationState> state,
                                                        int limit) const {
  if (state) return ReadAll(store_, kAllOfState, {Name(*state), int64_t{limit}});
  return ReadAll(store_, kAll, {int64_t{limit}});
}

}  // namespace claimsca::kokuhoren
