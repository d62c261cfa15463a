#include "kokuhoren/accounts.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <map>
#include <optional>

#include "crypto/random.h"
#include "domain/codes.h"
#include "kokuhoren/types.h"
#include "store/module_sql.h"
#include "store/store.h"

namespace claimsca::kokuhoren {
namespace {

static_assert(auth::kKjOfficeKind == kOfficeKind && auth::kKjAgentKind == kAgentKind);

constexpr int kUserIdAttempts = 10;

constexpr char kInsertAccount[] =
    "INSERT INTO accounts (account_id, kind, display_name, email, password_hash, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id) DO NOTHING";
constexpr char kInsertCode[] =
    "INSERT INTO account_institutions (account_id, institution_code) VALUES ($1, $2)";
constexpr char kInsertMustChange[] =
    "INSERT INTO kj_password_change (account_id, required_since) VALUES ($1, $2)";
constexpr char kInsertIssuance[] =
    "INSERT INTO kj_issuance_passwords (account_id, generation, password_hash, created_at) "
    "VALUES ($1, $2, $3, $4)";
constexpr char kInsertOffice[] =
    "INSERT INTO kj_offices (care_office_number, name, postal_code, address, email, "
    "account_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "ON CONFLICT (care_office_number) DO NOTHING";
constexpr char kInsertAgent[] =
    "INSERT INTO kj_agents (account_id, name, postal_code, address, email, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
constexpr char kGetOffice[] =
    "SELECT care_office_number, name, postal_code, address, email, account_id, created_at "
    "FROM kj_offices WHERE care_office_number = $1";
constexpr char kListOffices[] =
    "SELECT care_office_number, name, postal_code, address, email, account_id, created_at "
    "FROM kj_offices ORDER BY care_office_number";
constexpr char kGetAgent[] =
    "SELECT account_id, name, postal_code, address, email, created_at FROM kj_agents "
    "WHERE account_id = $1";
constexpr char kListAgents[] =
    "SELECT account_id, name, postal_code, address, email, created_at FROM kj_agents "
    "ORDER BY account_id";
constexpr char kCodesOf[] =
    "SELECT institution_code FROM account_institutions WHERE account_id = $1 "
    "ORDER BY institution_code";
constexpr char kAllAgentCodes[] =
    "SELECT ai.account_id, ai.institution_code FROM account_institutions ai "
    "JOIN kj_agents g ON g.account_id = ai.account_id ORDER BY ai.account_id, ai.institution_code";
constexpr char kMustChange[] =
    "SELECT required_since FROM kj_password_change WHERE account_id = $1";
constexpr char kSetPassword[] =
    "UPDATE accounts SET password_hash = $2, failed_logins = 0, locked_until = NULL "
    "WHERE account_id = $1";
constexpr char kClearMustChange[] = "DELETE FROM kj_password_change WHERE account_id = $1";
constexpr char kDeleteSessions[] =
    "DELETE FROM auth_tokens WHERE account_id = $1 AND kind = 'session'";
constexpr char kCurrentIssuance[] =
    "SELECT generation, password_hash FROM kj_issuance_passwords WHERE account_id = $1 "
    "ORDER BY generation DESC LIMIT 1";
constexpr char kAccountsForOffice[] =
    "SELECT a.account_id FROM account_institutions ai JOIN accounts a "
    "ON a.account_id = ai.account_id WHERE ai.institution_code = $1 "
    "AND a.kind IN ('kj_office', 'kj_agent') ORDER BY a.account_id";

int64_t Seconds(Instant t) { return t.time_since_epoch().count(); }
Instant FromSeconds(int64_t s) { return Instant(std::chrono::seconds(s)); }

Status Bad(std::string_view field, std::string_view rule) {
  return InvalidArgument(std::string(field) + ": " + std::string(rule));
}

// Postal codes are kept as 7 digits ("100-0001" -> "1000001"); empty stays empty.
Result<std::string> PostalCode(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '-' && c != ' ') out += c;
  }
  if (!out.empty() && (out.size() != 7 || !domain::IsAsciiDigits(out))) {
    return Bad("postal_code", "not_7_digits");
  }
  return out;
}

Result<Office> OfficeFromRow(const store::SqlRow& r) {
  Office o;
  ASSIGN_OR_RETURN(o.care_office_number, r.Text(0));
  ASSIGN_OR_RETURN(o.name, r.Text(1));
  ASSIGN_OR_RETURN(o.postal_code, r.Text(2));
  ASSIGN_OR_RETURN(o.address, r.Text(3));
  ASSIGN_OR_RETURN(o.email, r.Text(4));
  ASSIGN_OR_RETURN(o.account_id, r.Text(5));
  ASSIGN_OR_RETURN(int64_t at, r.Int(6));
  o.created_at = FromSeconds(at);
  return o;
}

Result<Agent> AgentFromRow(const store::SqlRow& r) {
  Agent g;
  ASSIGN_OR_RETURN(g.account_id, r.Text(0));
  ASSIGN_OR_RETURN(g.name, r.Text(1));
  ASSIGN_OR_RETURN(g.postal_code, r.Text(2));
  ASSIGN_OR_RETURN(g.address, r.Text(3));
  ASSIGN_OR_RETURN(g.email, r.Text(4));
  ASSIGN_OR_RETURN(int64_t at, r.Int(5));
  g.created_at = FromSeconds(at);
  return g;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

}  // namespace

Accounts::Accounts(store::Store& store, auth::AuthService& auth, const Clock& clock,
                   AccountsOptions options)
    : store_(store), auth_(auth), clock_(clock), options_(options), dummy_(options.kdf) {}

std::string Accounts::NormalizeCareOfficeNumber(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

Result<std::string> Accounts::NewPassword(std::string_view account_id) const {
  for (int i = 0; i < 100; ++i) {
    ASSIGN_OR_RETURN(std::string pw, crypto::RandomPassword(options_.password_length));
    if (auth::CheckPasswordPolicy(pw, account_id).empty()) return pw;
    OPENSSL_cleanse(pw.data(), pw.size());
  }
  return Internal("no generated password passed the policy");
}

Result<Registration> Accounts::CreateAccount(
    std::string_view kind, std::vector<std::string> codes, std::string_view display_name,
    std::string_view email, std::string_view actor,
    const std::function<Status(store::SqlTx&, const Registration&)>& rest) {
  const Instant now = clock_.Now();
  for (int attempt = 0; attempt < kUserIdAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::string digits, crypto::RandomDigits(static_cast<int>(kUserIdDigits)));
    Registration reg;
    reg.kind = std::string(kind);
    reg.account_id = "kj" + digits;
    reg.user_id = DisplayUserId(reg.account_id);
    reg.offices = codes;
    reg.registered_at = now;
    ASSIGN_OR_RETURN(reg.temporary_password, NewPassword(reg.account_id));
    ASSIGN_OR_RETURN(reg.issuance_password, NewPassword(reg.account_id));
    store::AccountRecord rec;
    rec.account_id = reg.account_id;
    rec.kind = reg.kind;
    rec.institution_codes = codes;
    rec.display_name = std::string(display_name);
    rec.email = std::string(email);
    ASSIGN_OR_RETURN(rec, auth_.PrepareAccount(std::move(rec), reg.temporary_password));
    ASSIGN_OR_RETURN(std::string issuance_hash,
                     auth::HashPassword(reg.issuance_password, options_.kdf));
    bool id_taken = false;
    Status st = store::RunInTransaction(store_, [&](store::SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(
          int64_t n, tx.Exec(kInsertAccount, {rec.account_id, rec.kind, rec.display_name, rec.email,
                                              rec.password_hash, Seconds(now)}));
      if (n == 0) {
        id_taken = true;
        return Conflict("user ID taken");
      }
      for (const std::string& c : rec.institution_codes) {
        RETURN_IF_ERROR(tx.Exec(kInsertCode, {rec.account_id, c}).status());
      }
      RETURN_IF_ERROR(tx.Exec(kInsertMustChange, {rec.account_id, Seconds(now)}).status());
      RETURN_IF_ERROR(
          tx.Exec(kInsertIssuance, {rec.account_id, int64_t{1}, issuance_hash, Seconds(now)})
              .status());
      RETURN_IF_ERROR(rest(tx, reg));
      return tx.AppendAudit(store::AuditEvent{now, std::string(actor), "account.create",
                                              rec.account_id,
                                              auth::AuthService::CreationDetails(rec)});
    });
    if (id_taken) continue;
    RETURN_IF_ERROR(st);
    return reg;
  }
  return Internal("no free KJ user ID after " + std::to_string(kUserIdAttempts) + " attempts");
}

Result<Registration> Accounts::RegisterOffice(Office office, std::string_view actor) {
  office.care_office_number = NormalizeCareOfficeNumber(office.care_office_number);
  if (!domain::CareOfficeNumberOk(office.care_office_number)) {
    return Bad("care_office_number", "invalid");
  }
  if (office.name.empty()) return Bad("name", "required");
  ASSIGN_OR_RETURN(office.postal_code, PostalCode(office.postal_code));
  ASSIGN_OR_RETURN(
      Registration reg,
      CreateAccount(
          kOfficeKind, {office.care_office_number}, office.name, office.email, actor,
          [&](store::SqlTx& tx, const Registration& r) -> Status {
            ASSIGN_OR_RETURN(
                int64_t n, tx.Exec(kInsertOffice, {office.care_office_number, office.name,
                                                   office.postal_code, office.address, office.email,
                                                   r.account_id, Seconds(r.registered_at)}));
            if (n == 0) {
              return Conflict("office " + office.care_office_number + " is already registered");
            }
            return tx.AppendAudit(store::AuditEvent{
                r.registered_at, std::string(actor), "kokuhoren.office.register",
                office.care_office_number, R"({"account_id":)" + JsonString(r.account_id) + "}"});
          }));
  reg.name = office.name;
  reg.postal_code = office.postal_code;
  reg.address = office.address;
  return reg;
}

Result<Registration> Accounts::RegisterAgent(Agent agent, std::string_view actor) {
  if (agent.name.empty()) return Bad("name", "required");
  if (agent.offices.empty()) return Bad("offices", "required");
  ASSIGN_OR_RETURN(agent.postal_code, PostalCode(agent.postal_code));
  for (std::string& c : agent.offices) c = NormalizeCareOfficeNumber(c);
  std::sort(agent.offices.begin(), agent.offices.end());
  if (std::adjacent_find(agent.offices.begin(), agent.offices.end()) != agent.offices.end()) {
    return Bad("offices", "duplicate");
  }
  for (const std::string& c : agent.offices) {
    if (!domain::CareOfficeNumberOk(c)) return Bad("offices", "invalid " + c);
  }
  ASSIGN_OR_RETURN(
      Registration reg,
      CreateAccount(
          kAgentKind, agent.offices, agent.name, agent.email, actor,
          [&](store::SqlTx& tx, const Registration& r) -> Status {
            for (const std::string& c : agent.offices) {
              ASSIGN_OR_RETURN(std::optional<store::SqlRow> o, tx.QueryFirst(kGetOffice, {c}));
              if (!o) return Bad("offices", "not_registered " + c);
            }
            RETURN_IF_ERROR(
                tx.Exec(kInsertAgent, {r.account_id, agent.name, agent.postal_code, agent.address,
                                       agent.email, Seconds(r.registered_at)})
                    .status());
            return tx.AppendAudit(store::AuditEvent{
                r.registered_at, std::string(actor), "kokuhoren.agent.register", r.account_id,
                R"({"offices":)" + std::to_string(agent.offices.size()) + "}"});
          }));
  reg.name = agent.name;
  reg.postal_code = agent.postal_code;
  reg.address = agent.address;
  return reg;
}

Result<Office> Accounts::GetOffice(std::string_view care_office_number) {
  std::optional<Office> found;
  const std::string code = NormalizeCareOfficeNumber(care_office_number);
  RETURN_IF_ERROR(store::RunRead(store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(kGetOffice, {code}));
    if (!r) return NotFound("office " + code + " not found");
    ASSIGN_OR_RETURN(found, OfficeFromRow(*r));
    return Status::Ok();
  }));
  return std::move(*found);
}

Result<std::vector<Office>> Accounts::ListOffices() {
  std::vector<Office> out;
  RETURN_IF_ERROR(store::RunRead(store_, [&](store::SqlTx& tx) -> Status {
    return tx.QueryEach(kListOffices, {}, [&](const store::SqlRow& r) -> Status {
      ASSIGN_OR_RETURN(Office o, OfficeFromRow(r));
      out.push_back(std::move(o));
      return Status::Ok();
    });
  }));
  return out;
}

Result<Agent> Accounts::GetAgent(std::string_view account_id) {
  std::optional<Agent> found;
  const std::string id = AccountIdOf(account_id);
  RETURN_IF_ERROR(store::RunRead(store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(kGetAgent, {id}));
    if (!r) return NotFound("agent " + id + " not found");
    ASSIGN_OR_RETURN(found, AgentFromRow(*r));
    return tx.QueryEach(kCodesOf, {id}, [&](const store::SqlRow& c) -> Status {
      ASSIGN_OR_RETURN(std::string code, c.Text(0));
      found->offices.push_back(std::move(code));
      return Status::Ok();
    });
  }));
  return std::move(*found);
}

Result<std::vector<Agent>> Accounts::ListAgents() {
  std::vector<Agent> out;
  const Status st = store::RunRead(store_, [&](store::SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.QueryEach(kListAgents, {}, [&](const store::SqlRow& r) -> Status {
      ASSIGN_OR_RETURN(Agent g, AgentFromRow(r));
      out.push_back(std::move(g));
      return Status::Ok();
    }));
    std::map<std::string, Agent*> by_id;
    for (Agent& g : out) by_id[g.account_id] = &g;
    return tx.QueryEach(kAllAgentCodes, {}, [&](const store::SqlRow& r) -> Status {
      ASSIGN_OR_RETURN(std::string id, r.Text(0));
      ASSIGN_OR_RETURN(std::string code, r.Text(1));
      if (auto it = by_id.find(id); it != by_id.end()) it->second->offices.push_back(code);
      return Status::Ok();
    });
  });
  RETURN_IF_ERROR(st);
  return out;
}

Result<Registration> Accounts::ResetLoginPassword(std::string_view account_id,
                                                  std::string_view actor) {
  const std::string id = AccountIdOf(account_id);
  ASSIGN_OR_RETURN(store::AccountRecord a, store_.GetAccount(id));
  if (!auth::IsKjKind(a.kind)) return NotFound("kj account " + id + " not found");
  const auth::Principal p = auth::AuthService::PrincipalOf(a);
  Registration reg;
  reg.kind = a.kind;
  reg.account_id = id;
  reg.user_id = DisplayUserId(id);
  reg.offices = a.institution_codes;
  reg.registered_at = clock_.Now();
  ASSIGN_OR_RETURN(reg.name, NameOf(p));
  if (a.kind == kOfficeKind && !a.institution_codes.empty()) {
    ASSIGN_OR_RETURN(Office o, GetOffice(a.institution_codes.front()));
    reg.postal_code = o.postal_code;
    reg.address = o.address;
  } else {
    ASSIGN_OR_RETURN(Agent g, GetAgent(id));
    reg.postal_code = g.postal_code;
    reg.address = g.address;
  }
  ASSIGN_OR_RETURN(reg.temporary_password, NewPassword(id));
  ASSIGN_OR_RETURN(std::string hash,
                   auth::HashPassword(reg.temporary_password, auth_.options().kdf));
  const int64_t now = Seconds(reg.registered_at);
  const Status written = store::RunInTransaction(store_, [&](store::SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec(kSetPassword, {id, hash}).status());
    RETURN_IF_ERROR(tx.Exec(kClearMustChange, {id}).status());
    RETURN_IF_ERROR(tx.Exec(kInsertMustChange, {id, now}).status());
    RETURN_IF_ERROR(tx.Exec(kDeleteSessions, {id}).status());
    return tx.AppendAudit(store::AuditEvent{reg.registered_at, std::string(actor),
                                            "kokuhoren.password.reset", id, "{}"});
  });
  RETURN_IF_ERROR(written);
  return reg;
}

Result<bool> Accounts::MustChangePassword(std::string_view account_id) {
  bool must = false;
  const std::string id = AccountIdOf(account_id);
  RETURN_IF_ERROR(store::RunRead(store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(kMustChange, {id}));
    must = r.has_value();
    return Status::Ok();
  }));
  return must;
}

Status Accounts::ChangePassword(std::string_view account_id, std::string_view current,
                                std::string_view new_password) {
  ASSIGN_OR_RETURN(auth::Principal p, auth_.Login(account_id, current));
  std::string rules;
  for (const auto& e : auth::CheckPasswordPolicy(new_password, p.account_id)) {
    rules += (rules.empty() ? "" : ", ") + e.rule;
  }
  if (rules.empty() && new_password == current) rules = "same_as_current";
  if (!rules.empty()) return InvalidArgument("password: " + rules);
  ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(new_password, auth_.options().kdf));
  const Instant now = clock_.Now();
  return store::RunInTransaction(store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t n, tx.Exec(kSetPassword, {p.account_id, hash}));
    if (n != 1) return NotFound("account " + p.account_id + " not found");
    ASSIGN_OR_RETURN(int64_t cleared, tx.Exec(kClearMustChange, {p.account_id}));
    RETURN_IF_ERROR(tx.Exec(kDeleteSessions, {p.account_id}).status());
    return tx.AppendAudit(store::AuditEvent{
        now, "self:" + p.account_id, "kokuhoren.password.change", p.account_id,
        std::string(R"({"temporary":)") + (cleared > 0 ? "true" : "false") + "}"});
  });
}

Result<int64_t> Accounts::IssuancePasswordGeneration(std::string_view account_id) {
  int64_t generation = 0;
  const std::string id = AccountIdOf(account_id);
  RETURN_IF_ERROR(store::RunRead(store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(kCurrentIssuance, {id}));
    if (!r) return NotFound("account " + id + " has no issuance password");
    ASSIGN_OR_RETURN(generation, r->Int(0));
    return Status::Ok();
  }));
  return generation;
}

Result<int64_t> Accounts::VerifyIssuancePassword(std::string_view account_id,
                                                 std::string_view password) {
  std::optional<std::pair<int64_t, std::string>> current;
  const std::string id = AccountIdOf(account_id);
  RETURN_IF_ERROR(store::RunRead(store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(kCurrentIssuance, {id}));
    if (!r) return Status::Ok();
    ASSIGN_OR_RETURN(int64_t g, r->Int(0));
    ASSIGN_OR_RETURN(std::string h, r->Text(1));
    current.emplace(g, std::move(h));
    return Status::Ok();
  }));
  // Without a hash, one is still verified, so the time does not tell who has none.
  const std::string& hash = current ? current->second : dummy_.Get();
  if (!auth::VerifyPassword(hash, password) || !current) {
    return Status(Code::kUnauthorized, "the issuance password is wrong");
  }
  return current->first;
}

Result<std::pair<std::string, std::string>> Accounts::MakeIssuancePassword(
    std::string_view account_id) const {
  ASSIGN_OR_RETURN(std::string password, NewPassword(AccountIdOf(account_id)));
  ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(password, options_.kdf));
  return std::make_pair(std::move(password), std::move(hash));
}

Result<int64_t> Accounts::AddIssuancePasswordIn(store::SqlTx& tx, std::string_view account_id,
                                                std::string_view hash) {
  const std::string id = AccountIdOf(account_id);
  ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(kCurrentIssuance, {id}));
  if (!r) return NotFound("account " + id + " has no issuance password");
  ASSIGN_OR_RETURN(int64_t g, r->Int(0));
  RETURN_IF_ERROR(tx.Exec(kInsertIssuance, {id, g + 1, hash, Seconds(clock_.Now())}).status());
  return g + 1;
}

Result<auth::Principal> Accounts::CheckLogin(std::string_view account_id,
                                             std::string_view password) {
  ASSIGN_OR_RETURN(auth::Principal p, auth_.Login(account_id, password));
  if (!auth::IsKjKind(p.kind))
    return Status(Code::kUnauthorized, "account ID or password is wrong");
  return p;
}

Result<std::string> Accounts::NameOf(const auth::Principal& p) {
  if (p.kind == kOfficeKind && p.institution_codes.size() == 1) {
    ASSIGN_OR_RETURN(Office o, GetOffice(p.institution_codes.front()));
    return o.name;
  }
  ASSIGN_OR_RETURN(Agent g, GetAgent(p.account_id));
  return g.name;
}

Result<std::string> Accounts::VerifyOffsetOffice(std::string_view user_id,
                                                 std::string_view password) {
  ASSIGN_OR_RETURN(auth::Principal p, CheckLogin(AccountIdOf(user_id), password));
  if (p.kind != kOfficeKind || p.institution_codes.size() != 1) {
    return Status(Code::kUnauthorized, "account ID or password is wrong");
  }
  return p.institution_codes.front();
}

Result<std::vector<std::string>> Accounts::AccountsForOffice(std::string_view care_office_number) {
  std::vector<std::string> out;
  const std::string code = NormalizeCareOfficeNumber(care_office_number);
  RETURN_IF_ERROR(store::RunRead(store_, [&](store::SqlTx& tx) -> Status {
    return tx.QueryEach(kAccountsForOffice, {code}, [&](const store::SqlRow& r) -> Status {
      ASSIGN_OR_RETURN(std::string id, r.Text(0));
      out.push_back(std::move(id));
      return Status::Ok();
    });
  }));
  return out;
}

}  // namespace claimsca::kokuhoren
