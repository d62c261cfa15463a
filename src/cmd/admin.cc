#include "cmd/admin.h"

#include <openssl/crypto.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cmd/ca_files.h"
#include "cmd/views.h"
#include "common/time_util.h"
#include "crypto/ossl.h"
#include "store/register_csv.h"

namespace claimsca::cmd {
int RunImportRegister(App& app, const std::string& csv_path, const std::string& operator_name) {
  auto text = ReadFile(csv_path);
  if (!text.ok()) return ExitWithError(text.status());
  auto rows = store::ParseRegisterCsv(*text);
  if (!rows.ok()) return ExitWithError(rows.status().WithContext(csv_path));
  Instant now = app.clock->Now();
  auto version = app.store->ImportRegister(*rows, csv_path, operator_name, now);
  if (!version.ok()) return ExitWithError(version.status());
  nlohmann::json details = {{"version", *version}, {"rows", rows->size()}, {"file", csv_path}};
  Status audit =
      app.store->AppendAudit({now, operator_name, "register_imported", "register", details.dump()});
  if (!audit.ok())
    return ExitWithError(audit.WithContext("register imported, but the audit append"));
  app.logger->Event("register_imported", details);
  std::printf("imported %zu institutions as register version %lld\n", rows->size(),
              static_cast<long long>(*version));
  return 0;
}

int RunRegisterLookup(App& app, const std::string& institution_code) {
  auto entry = app.store->FindInRegister(institution_code);
  if (!entry.ok()) return ExitWithError(entry.status());
  nlohmann::json j = {{"institution_code", entry->institution_code},
                      {"name", entry->name},
                      {"postal_code", entry->postal_code},
                      {"address", entry->address},
                      {"category", entry->category},
                      {"billing_method", entry->billing_method}};
  std::printf("%s\n", j.dump(2).c_str());
  return 0;
}

namespace {

void PrintJson(const nlohmann::json& j) {
  std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

}  // namespace

int RunListApplications(App& app, const ApplicationQuery& q) {
  store::ApplicationFilter f;
  if (!q.state.empty()) {
    auto state = store::ParseApplicationState(q.state);
    if (!state.ok()) return ExitWithError(state.status().WithContext("--state"));
    f.state = *state;
  }
  if (!q.institution_code.empty()) f.institution_codes = {q.institution_code};
  f.only_held = q.held;
  f.limit = q.limit;
  auto page = app.ra->List(OperatorCaller("cli"), f);
  if (!page.ok()) return ExitWithError(page.status());
  for (const auto& a : page->items) {
    std::printf("%s  %-10s %-12s %s  %s%s\n", a.request_id.c_str(),
                std::string(store::ApplicationStateName(a.state)).c_str(),
                a.institution_code.c_str(), FormatJst(a.submitted_at).substr(0, 16).c_str(),
                a.terminal_name.c_str(),
                a.hold_reason.empty() || a.state != store::ApplicationState::kPending
                    ? ""
                    : ("  [held: " + a.hold_reason + "]").c_str());
  }
  std::fprintf(stderr, "%zu application(s)%s\n", page->items.size(),
               page->next_before_seq > 0 ? " (more: raise --limit)" : "");
  return 0;
}

int RunShowApplication(App& app, const std::string& request_id) {
  ra::Caller op = OperatorCaller("cli");
  auto a = app.ra->Get(op, request_id);
  if (!a.ok()) return ExitWithError(a.status());
  nlohmann::json j = ApplicationJson(*a, app.clock->Now(), true);
  auto edits = app.ra->Edits(op, request_id);
  if (!edits.ok()) return ExitWithError(edits.status());
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& e : *edits) {
    rows.push_back({{"field", e.field},
                    {"before", e.before},
                    {"after", e.after},
                    {"edited_by", e.edited_by},
                    {"at", FormatJst(e.at)}});
  }
  j["edits"] = rows;
  PrintJson(j);
  return 0;
}

int RunApprove(App& app, const std::string& request_id, const std::string& by) {
  auto approved = app.ra->Approve(OperatorCaller(by), request_id);
  if (!approved.ok()) return ExitWithError(approved.status());
  const auto& a = approved->application;
  std::printf(
      "approved %s: serial %s, Common Name %s, valid until %s, download until %s, fee %lld yen\n",
      a.request_id.c_str(), a.serial.c_str(), a.common_name.c_str(),
      FormatJst(*a.not_after).c_str(), FormatJst(*a.download_deadline).c_str(),
      static_cast<long long>(approved->charge.total_yen));
  return 0;
}

int RunReject(App& app, const std::string& request_id, const std::string& reason,
              const std::string& by) {
  Status st = app.ra->Reject(OperatorCaller(by), request_id, reason);
  if (!st.ok()) return ExitWithError(st);
  std::printf("rejected %s\n", request_id.c_str());
  return 0;
}

int RunRevokeApplications(App& app, const std::string& request_id,
                          const std::string& institution_code, const std::string& serials_file,
                          const std::string& reason_name, const std::string& by) {
  const int given = !request_id.empty() + !institution_code.empty() + !serials_file.empty();
  if (given != 1) {
    return ExitWithError(
        InvalidArgument("give exactly one of --request-id, --code or --serials-file"));
  }
  auto reason = ParseRevocationReason(reason_name);
  if (!reason.ok()) return ExitWithError(reason.status());
  ra::Caller op = OperatorCaller(by);
  if (!request_id.empty()) {
    Status st = app.ra->Revoke(op, request_id, *reason);
    if (!st.ok()) return ExitWithError(st);
    std::printf("revoked the certificate of %s\n", request_id.c_str());
    return 0;
  }
  Result<std::vector<ra::BulkItem>> items = std::vector<ra::BulkItem>{};
  if (!institution_code.empty()) {
    items = app.ra->RevokeInstitution(op, institution_code, *reason);
  } else {
    auto text = ReadFile(serials_file);
    if (!text.ok()) return ExitWithError(text.status());
    std::vector<std::string> serials;
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      auto canonical = crypto::CanonicalSerialHex(line);
      if (!canonical.ok()) return ExitWithError(canonical.status().WithContext(serials_file));
      serials.push_back(*canonical);
    }
    items = app.ra->RevokeSerials(op, serials, *reason);
  }
  if (!items.ok()) return ExitWithError(items.status());
  int failed = 0;
  for (const auto& item : *items) {
    if (item.status.ok()) {
      std::printf("revoked %s%s\n", item.serial.c_str(),
                  item.request_id.empty() ? "" : (" (" + item.request_id + ")").c_str());
    } else {
      ++failed;
      std::printf("NOT revoked %s: %s\n", item.serial.c_str(), item.status.ToString().c_str());
    }
  }
  std::fprintf(stderr, "%zu revoked, %d not\n", items->size() - failed, failed);
  return failed == 0 ? 0 : 4;
}

int RunDownloadPassword(App& app, const std::string& request_id, const std::string& by) {
  auto password = app.ra->TakeDownloadPassword(OperatorCaller(by), request_id);
  if (!password.ok()) return ExitWithError(password.status());
  std::printf("request_id=%s\npassword=%s\n", request_id.c_str(), password->c_str());
  std::fprintf(stderr,
               "This is the only time the password is shown; it is erased from the database.\n");
  OPENSSL_cleanse(password->data(), password->size());
  return 0;
}

int RunCreateAccount(App& app, store::AccountRecord account, const std::string& password_file,
                     const std::string& by) {
  std::string password;
  if (password_file == "-") {
    std::getline(std::cin, password);
  } else {
    auto secret = ReadSecret(password_file);
    if (!secret.ok()) return ExitWithError(secret.status());
    password = std::move(*secret);
  }
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
    password.pop_back();
  }
  auto created = app.auth->CreateAccount(account, password, "operator:" + by);
  OPENSSL_cleanse(password.data(), password.size());
  if (!created.ok()) return ExitWithError(created);
  std::printf("created %s account %s\n", account.kind.c_str(), account.account_id.c_str());
  return 0;
}

}  // namespace claimsca::cmd
