#include "cmd/demo_setup.h"

#include <openssl/crypto.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cmd/ca_files.h"
#include "crypto/ossl.h"
#include "crypto/random.h"
#include "store/register_csv.h"

namespace claimsca::cmd {

void SetDemoConfig(Config& c) {
  c.demo_enabled = true;
  c.contact_name = "claimsca デモ認証局 ヘルプデスク（見本・実在しません）";
  c.contact_phone = "0120-000-000";
  c.contact_hours = "平日 9:00～17:00（土日祝日・年末年始を除く）";
  c.contact_email = "help@demo.example.jp";
}

namespace {

Result<std::string> CreateLogin(App& app, store::AccountRecord account) {
  ASSIGN_OR_RETURN(std::string password, crypto::RandomPassword(16));
  Status st = app.auth->CreateAccount(account, password, "operator:init-demo");
  if (!st.ok()) {
    OPENSSL_cleanse(password.data(), password.size());
    return st;
  }
  return password;
}

std::map<std::string, std::string> ReadLogins(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

}  // namespace

Status RunDemoSetup(App& app, const std::string& register_csv) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(register_csv));
  ASSIGN_OR_RETURN(auto rows, store::ParseRegisterCsv(text));
  const Instant now = app.clock->Now();
  ASSIGN_OR_RETURN(int64_t version,
                   app.store->ImportRegister(rows, register_csv, "init-demo", now));
  nlohmann::json details = {{"version", version}, {"rows", rows.size()}, {"file", register_csv}};
  RETURN_IF_ERROR(app.store->AppendAudit(
      {now, "operator:init-demo", "register_imported", "register", details.dump()}));
  const store::RegisterEntry* clinic = nullptr;
  for (const store::RegisterEntry& r : rows) {
    if (r.institution_code.starts_with("131")) {  // 東京都, 医科
      clinic = &r;
      break;
    }
  }
  if (clinic == nullptr) return InvalidArgument(register_csv + ": no 東京都 医科 institution");

  store::AccountRecord op;
  op.account_id = "demo-operator";
  op.kind = "operator";
  op.roles = {"reviewer", "operator", "administrator"};
  op.display_name = "デモ運用者";
  ASSIGN_OR_RETURN(std::string op_password, CreateLogin(app, op));
  store::AccountRecord inst;
  inst.account_id = "clinic@demo.example.jp";
  inst.kind = "institution";
  inst.institution_codes = {clinic->institution_code};
  inst.display_name = clinic->name;
  inst.email = inst.account_id;
  inst.email_verified = true;
  ASSIGN_OR_RETURN(std::string inst_password, CreateLogin(app, inst));

  std::ostringstream file;
  file << "operator_id=" << op.account_id << "\noperator_password=" << op_password
       << "\nclinic_id=" << inst.account_id << "\nclinic_password=" << inst_password
       << "\nclinic_code=" << clinic->institution_code << "\nclinic_name=" << clinic->name << "\n";
  Status w = WriteFileAtomic(app.config.Path(kDemoLoginsFile), file.str(), 0600);
  OPENSSL_cleanse(op_password.data(), op_password.size());
  OPENSSL_cleanse(inst_password.data(), inst_password.size());
  RETURN_IF_ERROR(w);
  std::printf("Imported the institution register %s: %zu institutions (version %lld).\n",
              register_csv.c_str(), rows.size(), static_cast<long long>(version));
  std::printf("Demo logins written to %s (serve prints them at every start).\n",
              app.config.Path(kDemoLoginsFile).c_str());
  return Status::Ok();
}

Result<std::string> DemoServeLines(const Config& c, X509* root, const std::string& base) {
  X509_NAME* subject = X509_get_subject_name(root);
  char cn[256] = {0};
  if (subject == nullptr ||
      X509_NAME_get_text_by_NID(subject, NID_commonName, cn, sizeof(cn)) <= 0 ||
      std::string(cn).find("Demo") == std::string::npos) {
    return FailedPrecondition(
        "demo.enabled: this CA's root is not a demo root (made by `claimsca init --demo`); "
        "the demo mailbox is refused outside a demo (docs/operations.md \"Demo\")");
  }
  auto logins = ReadLogins(c.Path(kDemoLoginsFile));
  std::string out =
      "Demo (docs/operations.md \"Demo\"; the README's quick start is the journey):\n";
  if (c.DemoMailbox()) out += "  demo mailbox (sent mail)    " + base + "/console/demo-mail\n";
  out += "  help, contact               " + base + "/portal/contact\n";
  if (logins.count("operator_id")) {
    out += "  operator login (console)    account " + logins["operator_id"] + "  password " +
           logins["operator_password"] + "\n";
  }
  if (logins.count("clinic_id")) {
    out += "  clinic login (portal)       account " + logins["clinic_id"] + "  password " +
           logins["clinic_password"] + "  (" + logins["clinic_name"] + ", code " +
           logins["clinic_code"] + ")\n";
  }
  return out;
}

}  // namespace claimsca::cmd
