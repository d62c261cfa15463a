#include "cmd/admin.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cmd/ca_files.h"
#include "common/time_util.h"
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

int RunAuditVerify(App& app) {
  int64_t rows = 0;
  Status st = app.store->VerifyAuditChain(&rows);
  if (!st.ok()) {
    std::fprintf(stderr, "audit trail BROKEN after %lld intact rows: %s\n",
                 static_cast<long long>(rows), st.message().c_str());
    return 5;
  }
  std::printf("audit trail intact: %lld rows\n", static_cast<long long>(rows));
  return 0;
}

}  // namespace claimsca::cmd
