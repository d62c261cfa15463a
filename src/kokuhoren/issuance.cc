#include "kokuhoren/issuance.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ca/server_key_issuance.h"
#include "common/time_util.h"
#include "crypto/ossl.h"
#include "kokuhoren/applications_sql.h"
#include "store/store.h"

namespace claimsca::kokuhoren {
namespace {

using internal::FromSeconds;
using internal::Seconds;
using store::SqlRow;
using store::SqlTx;
using Json = nlohmann::json;

// A claim outlives one issuance by far; a process that died holding it frees it then.
constexpr std::chrono::seconds kClaim{300};

constexpr char kClaimSql[] =
    "UPDATE kj_applications SET claimed_by = $2, claimed_until = $3 WHERE id = $1 "
    "AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < $4)";
constexpr char kSealed[] = "SELECT sealed_password FROM kj_applications WHERE id = $1";
constexpr char kState[] = "SELECT state FROM kj_applications WHERE id = $1";
constexpr char kIssued[] =
    "UPDATE kj_applications SET state = 'issued', issued_at = $3, issued_by = $4, serial = $5, "
    "not_before = $6, not_after = $7, pkcs12_hex = $8, sealed_password = NULL, "
    "claimed_by = NULL, claimed_until = NULL "
    "WHERE id = $1 AND state = 'pending' AND claimed_by = $2";
constexpr char kPendingIds[] =
    "SELECT id FROM kj_applications WHERE state = 'pending' ORDER BY applied_at, id";
constexpr char kGet[] = "SELECT " KJ_APPLICATION_COLUMNS
                        ", pkcs12_hex FROM kj_applications "
                        "WHERE id = $1";

std::string Str(std::string_view s) { return std::string(s); }

}  // namespace

Issuance::Issuance(store::Store& store, ca::Issuer& issuer, ca::KeyPool& pool,
                   const ca::ProgramRegistry& programs, std::vector<X509*> chain,
                   const crypto::SealedBox& sealer, KjAccounts& accounts, const Clock& clock,
                   std::string holder)
    : store_(store),
      issuer_(issuer),
      pool_(pool),
      programs_(programs),
      chain_(std::move(chain)),
      sealer_(sealer),
      accounts_(accounts),
      clock_(clock),
      holder_(std::move(holder)) {}

Result<CertApplication> Issuance::Issue(std::string_view id, std::string_view actor) {
  // Step 1: claim the pending application and take its sealed password.
  const Instant now = clock_.Now();
  std::string sealed_hex;
  CertApplication a;
  Status st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t n,
                     tx.Exec(kClaimSql, {id, holder_, Seconds(now + kClaim), Seconds(now)}));
    if (n != 1) {
      ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(kState, {id}));
      if (!row) return NotFound("kokuhoren application " + Str(id));
      ASSIGN_OR_RETURN(std::string state, row->Text(0));
      return Conflict("kokuhoren application " + Str(id) + " is " + state +
                      (state == "pending" ? " and being issued elsewhere" : ", not pending"));
    }
    ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(kGet, {id}));
    if (!row) return NotFound("kokuhoren application " + Str(id));
    ASSIGN_OR_RETURN(a, internal::ReadApplication(*row));
    ASSIGN_OR_RETURN(std::optional<SqlRow> s, tx.QueryFirst(kSealed, {id}));
    ASSIGN_OR_RETURN(std::optional<std::string> sealed, s->OptText(0));
    if (!sealed) return Internal("kokuhoren application " + Str(id) + " has no sealed password");
    sealed_hex = *sealed;
    return Status();
  });
  if (!st.ok()) return st;
  // Step 2: open it (bound to this application's id).
  ASSIGN_OR_RETURN(std::string sealed, crypto::HexDecode(sealed_hex));
  ASSIGN_OR_RETURN(std::string password, sealer_.Open(sealed, a.id));
  // Step 3: sign (the issuer records its intent first) and build the PKCS#12.
  ca::ServerKeyRequest req;
  req.issue.program = Str(kProgram);
  req.issue.subject_code = a.office_number;
  req.issue.terminal_name = Str(JapaneseName(a.usage));
  // Carried in the certificate's second OU (docs/certificate-profile.md).
  req.issue.usage_category = Str(JapaneseName(a.usage));
  req.issue.request_id = a.id;
  req.issue.not_before = a.requested_not_before;
  req.password = password;
  auto issued = ca::IssueWithServerKey(issuer_, pool_, programs_, chain_, req);
  OPENSSL_cleanse(password.data(), password.size());
  OPENSSL_cleanse(req.password.data(), req.password.size());
  if (!issued.ok()) return issued.status().WithContext("kokuhoren application " + a.id);
  // Step 4: record it, wipe the sealed password, audit.
  const ca::IssuedCertificate& c = issued->certificate;
  const Instant done = clock_.Now();
  Json details = {{"serial", c.serial},
                  {"office_number", a.office_number},
                  {"not_before", FormatJst(c.not_before)},
                  {"not_after", FormatJst(c.not_after)}};
  st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t n, tx.Exec(kIssued, {a.id, holder_, Seconds(done), actor, c.serial,
                                                  Seconds(c.not_before), Seconds(c.not_after),
                                                  crypto::HexEncode(issued->pkcs12_der)}));
    if (n != 1) {
      return Internal("kokuhoren application " + a.id + ": claim lost while issuing " + c.serial +
                      " (the certificate is in the store without its application)");
    }
    return tx.AppendAudit({done, Str(actor), "kokuhoren.issue", a.id, details.dump()});
  });
  if (!st.ok()) return st;
  a.state = ApplicationState::kIssued;
  a.issued_at = done;
  a.issued_by = Str(actor);
  a.serial = c.serial;
  a.not_before = c.not_before;
  a.not_after = c.not_after;
  return a;
}

Result<int> Issuance::IssuePending(std::string_view actor) {
  std::vector<std::string> ids;
  Status st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    return tx.QueryEach(kPendingIds, {}, [&](const SqlRow& row) -> Status {
      ASSIGN_OR_RETURN(std::string id, row.Text(0));
      ids.push_back(std::move(id));
      return Status();
    });
  });
  if (!st.ok()) return st;
  int n = 0;
  for (const std::string& id : ids) {
    RETURN_IF_ERROR(Issue(id, actor).status());
    ++n;
  }
  return n;
}

Result<Pkcs12Download> Issuance::Download(std::string_view account_id, std::string_view id) {
  Pkcs12Download out;
  std::optional<std::string> p12_hex;
  Status st = store::RunRead(store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(kGet, {id}));
    if (!row) return NotFound("kokuhoren application " + Str(id));
    ASSIGN_OR_RETURN(out.application, internal::ReadApplication(*row));
    ASSIGN_OR_RETURN(p12_hex, row->OptText(23));
    return Status();
  });
  if (!st.ok()) return st;
  const CertApplication& a = out.application;
  ASSIGN_OR_RETURN(KjAccount account, accounts_.Find(account_id));
  const bool own = account.account_id == a.account_id ||
                   std::find(account.offices.begin(), account.offices.end(), a.office_number) !=
                       account.offices.end();
  if (!own) {
    return Status(Code::kForbidden,
                  "office " + a.office_number + " is not an office of " + Str(account_id));
  }
  const Instant now = clock_.Now();
  if (a.state == ApplicationState::kRevoked) {
    return FailedPrecondition("revoked: この証明書は失効しています");
  }
  if (a.state != ApplicationState::kIssued || !p12_hex) {
    return FailedPrecondition("not_issued: この証明書はまだ発行されていません");
  }
  if (a.Expired(now)) return FailedPrecondition("expired: この証明書は有効期限が切れています");
  // Revoked in the common certificates table (`claimsca revoke`, the console): no longer
  // served, whatever this table says.
  ASSIGN_OR_RETURN(store::CertificateRecord cert, store_.GetCertificate(a.serial));
  if (cert.revoked_at) {
    return FailedPrecondition("revoked: この証明書は失効しています");
  }
  ASSIGN_OR_RETURN(int64_t generation, accounts_.IssuancePasswordGeneration(a.account_id));
  if (generation != a.password_generation) {
    return FailedPrecondition("old_password: " + Str(kOldPasswordRefusal));
  }
  ASSIGN_OR_RETURN(out.pkcs12_der, crypto::HexDecode(*p12_hex));
  out.file_name = a.id + ".p12";
  st = store::RunInTransaction(store_, [&](SqlTx& tx) -> Status {
    return tx.AppendAudit({now, "account:" + Str(account_id), "kokuhoren.download", a.id,
                           Json{{"serial", a.serial}}.dump()});
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace claimsca::kokuhoren
