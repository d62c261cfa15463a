#include "cmd/ca_ceremony.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "ca/hierarchy.h"
#include "cmd/app.h"
#include "cmd/ca_files.h"
#include "common/time_util.h"
#include "store/store.h"

namespace claimsca::cmd {
namespace fs = std::filesystem;

std::string ArlPath(const Config& c) { return c.Path("ca/root.crl"); }

Result<crl::ArlContents> LoadArl(const Config& c, X509* root) {
  if (!fs::exists(ArlPath(c))) return NotFound("no ARL yet: " + ArlPath(c));
  ASSIGN_OR_RETURN(std::string der, ReadFile(ArlPath(c)));
  auto arl = crl::ReadArl(der, root);
  if (!arl.ok()) return arl.status().WithContext(ArlPath(c));
  return arl;
}

Result<std::string> WriteArl(const Config& c, X509* root, const crypto::Signer& root_signer,
                             Instant now, std::chrono::seconds validity,
                             const crl::ArlContents* previous, std::vector<ca::CrlEntry> revoke) {
  ASSIGN_OR_RETURN(std::string der,
                   crl::MakeArl({root, &root_signer, now, validity, previous, std::move(revoke)}));
  RETURN_IF_ERROR(WriteFileAtomic(ArlPath(c), der));
  return der;
}

namespace {

Result<crypto::X509Ptr> LoadCaCert(const Config& c, const std::string& name) {
  ASSIGN_OR_RETURN(std::string pem, ReadFile(c.Path("ca/" + name + ".pem")));
  return crypto::CertFromPem(pem);
}

// The root certificate and its key, checked to belong together.
struct Root {
  crypto::X509Ptr cert;
  std::unique_ptr<crypto::Signer> signer;
};
Result<Root> OpenRoot(const Config& c) {
  Root r;
  ASSIGN_OR_RETURN(r.cert, LoadCaCert(c, "root"));
  ASSIGN_OR_RETURN(r.signer, OpenSigner(c, "root"));
  // 1 equal; -2 cannot compare (a token key): allowed, the signature checks it later.
  const int eq = EVP_PKEY_eq(X509_get0_pubkey(r.cert.get()), r.signer->key());
  if (eq == 0 || eq == -1) return FailedPrecondition("the root key does not match ca/root.pem");
  return r;
}

// The entries to add for `command`: each file a CA certificate issued by the root.
Result<std::vector<ca::CrlEntry>> Revocations(const ArlCommand& command, X509* root, Instant now) {
  std::vector<ca::CrlEntry> out;
  if (command.revoke_files.empty()) return out;
  ASSIGN_OR_RETURN(int reason, ParseRevocationReason(command.reason));
  std::optional<Instant> invalidity;
  if (!command.invalidity.empty()) {
    auto t = ParseInstant(command.invalidity);
    if (!t.ok()) return t.status().WithContext("--invalidity-date");
    invalidity = *t;
  }
  for (const std::string& file : command.revoke_files) {
    ASSIGN_OR_RETURN(std::string pem, ReadFile(file));
    ASSIGN_OR_RETURN(crypto::X509Ptr cert, crypto::CertFromPem(pem));
    Status issued = crl::CheckIssuedByRoot(cert.get(), root);
    if (!issued.ok()) return issued.WithContext(file);
    out.push_back({crypto::SerialHex(X509_get0_serialNumber(cert.get())), now, reason, invalidity});
  }
  return out;
}

// The ceremony's record: in the audit trail before and after the root key signs, and on
// standard error. An offline ceremony machine may not reach the database: then standard
// error is the only record (for the ceremony's minutes), and it says so.
class CeremonyAudit {
 public:
  explicit CeremonyAudit(const Config& c) {
    auto store = store::OpenStore(c.DatabaseUrl());
    if (store.ok()) store_ = std::move(*store);
  }
  void Record(Instant at, const std::string& action, const std::string& subject,
              const nlohmann::json& details) {
    const nlohmann::json line = {{"kind", action}, {"subject", subject}, {"details", details}};
    std::fprintf(stderr, "%s\n", line.dump().c_str());
    Status st =
        store_ == nullptr
            ? Unavailable("database not reachable")
            : store_->AppendAudit({at, "operator:ceremony", action, subject, details.dump()});
    if (!st.ok()) {
      std::fprintf(stderr, "claimsca: not in the audit trail (%s): keep the line above\n",
                   st.ToString().c_str());
    }
  }

 private:
  std::unique_ptr<store::Store> store_;
};

int Report(const Config& c, const std::string& der, X509* root) {
  auto arl = crl::ReadArl(der, root);
  if (!arl.ok()) return ExitWithError(arl.status());
  std::printf("ARL number %lld, %zu revoked CA certificate(s), next update %s: %s\n",
              static_cast<long long>(arl->crl_number), arl->entries.size(),
              FormatJst(arl->next_update).c_str(), ArlPath(c).c_str());
  std::printf(
      "Copy it to the data directory of every server (served at /crl/root.crl); "
      "make the next one before %s.\n",
      FormatJst(arl->this_update + (arl->next_update - arl->this_update) / 2).c_str());
  return 0;
}

}  // namespace

int RunCaArl(const Config& c, const Clock& clock, const ArlCommand& command) {
  if (command.validity_days <= 0) return ExitWithError(InvalidArgument("--validity-days > 0"));
  auto root = OpenRoot(c);
  if (!root.ok()) return ExitWithError(root.status());
  const Instant now = clock.Now();
  std::optional<crl::ArlContents> previous;
  auto loaded = LoadArl(c, root->cert.get());
  if (loaded.ok()) {
    previous = std::move(*loaded);
  } else if (loaded.status().code() != Code::kNotFound) {
    return ExitWithError(loaded.status());  // never drop the entries of an unreadable ARL
  }
  auto revoke = Revocations(command, root->cert.get(), now);
  if (!revoke.ok()) return ExitWithError(revoke.status());
  nlohmann::json serials = nlohmann::json::array();
  for (const ca::CrlEntry& e : *revoke) serials.push_back(e.serial_hex);
  CeremonyAudit audit(c);
  audit.Record(
      now, "ca.arl_signing", "root",
      {{"revoke", serials}, {"reason", command.reason}, {"validity_days", command.validity_days}});
  auto der =
      WriteArl(c, root->cert.get(), *root->signer, now, std::chrono::days(command.validity_days),
               previous ? &*previous : nullptr, std::move(*revoke));
  if (!der.ok()) return ExitWithError(der.status());
  audit.Record(now, "ca.arl_signed", "root",
               {{"revoked", serials}, {"sha256", crypto::Sha256Hex(*der)}});
  if (!command.out.empty()) {
    Status st = WriteFileAtomic(command.out, *der);
    if (!st.ok()) return ExitWithError(st);
  }
  return Report(c, *der, root->cert.get());
}

int RunReissueIssuing(const Config& c, const Clock& clock) {
  auto root = OpenRoot(c);
  if (!root.ok()) return ExitWithError(root.status());
  auto current = LoadCaCert(c, c.issuer_id);
  if (!current.ok()) return ExitWithError(current.status());
  const Instant now = clock.Now();
  const std::string old_serial = crypto::SerialHex(X509_get0_serialNumber(current->get()));
  CeremonyAudit audit(c);
  audit.Record(now, "ca.issuing_reissuing", c.issuer_id, {{"serial", old_serial}});
  auto fresh = ca::ReissueIssuingCert(HierarchySpecFor(c), root->cert.get(), *root->signer,
                                      current->get(), now);
  if (!fresh.ok()) return ExitWithError(fresh.status());
  const std::string new_serial = crypto::SerialHex(X509_get0_serialNumber(fresh->get()));
  audit.Record(now, "ca.issuing_reissued", c.issuer_id,
               {{"serial", new_serial}, {"previous_serial", old_serial}});
  // The current certificate first goes to the archive, then the new one takes its place.
  const std::string archived = c.Path("ca/archive/" + c.issuer_id + "-" + old_serial + ".pem");
  auto old_pem = crypto::CertToPem(current->get());
  auto new_pem = crypto::CertToPem(fresh->get());
  if (!old_pem.ok() || !new_pem.ok()) return ExitWithError(Internal("PEM encoding"));
  Status st = WriteFileAtomic(archived, *old_pem);
  if (st.ok()) st = WriteFileAtomic(c.Path("ca/" + c.issuer_id + ".pem"), *new_pem);
  if (!st.ok()) return ExitWithError(st);
  struct tm end {};
  ASN1_TIME_to_tm(X509_get0_notAfter(fresh->get()), &end);
  std::printf(
      "Re-issued the issuing CA certificate %s: serial %s → %s (same key), valid until %s.\n"
      "The previous one is kept in %s. Restart every server.\n",
      c.issuer_id.c_str(), old_serial.c_str(), new_serial.c_str(),
      FormatJst(Instant(std::chrono::seconds(timegm(&end)))).c_str(), archived.c_str());
  // Its CRL distribution point must answer: make the first ARL if there is none.
  auto arl = LoadArl(c, root->cert.get());
  if (arl.ok()) return 0;
  if (arl.status().code() != Code::kNotFound) return ExitWithError(arl.status());
  auto der = WriteArl(c, root->cert.get(), *root->signer, now, crl::kDefaultArlValidity, nullptr);
  if (!der.ok()) return ExitWithError(der.status());
  return Report(c, *der, root->cert.get());
}

int RunAddIssuing(const Config& config, const Clock& clock, const std::string& program) {
  Config c = config;
  ca::ProgramProfile* profile = nullptr;
  for (ca::ProgramProfile& p : c.programs) {
    if (p.id == program) profile = &p;
  }
  if (profile == nullptr) {
    return ExitWithError(NotFound("no [programs." + program + "] in claimsca.toml"));
  }
  if (!profile->issuer_id.empty() && profile->issuer_id != c.issuer_id &&
      std::filesystem::exists(c.Path("ca/" + profile->issuer_id + ".pem"))) {
    return ExitWithError(
        Conflict("the program " + program + " has its issuing CA " + profile->issuer_id));
  }
  if (profile->issuer_id.empty() || profile->issuer_id == c.issuer_id) {
    const ca::ProgramProfile defaults =
        program == "kokuhoren" ? ca::KokuhorenProgramDefaults() : ca::ProgramProfile{};
    profile->issuer_id =
        defaults.issuer_id.empty() ? "issuing-" + program + "-1" : defaults.issuer_id;
    profile->issuing_name.clear();
  }
  if (profile->issuing_name.empty()) {
    // "claimsca Issuing CA 1" → "claimsca Kokuhoren Issuing CA 1"
    std::string label = program;
    label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    profile->issuing_name = c.issuing_name;
    const size_t at = profile->issuing_name.find("Issuing CA");
    profile->issuing_name.insert(at == std::string::npos ? 0 : at, label + " ");
  }
  auto root = OpenRoot(c);
  if (!root.ok()) return ExitWithError(root.status());
  const Instant now = clock.Now();
  CeremonyAudit audit(c);
  audit.Record(now, "ca.program_issuing_adding", profile->issuer_id,
               {{"program", program}, {"name", profile->issuing_name}});
  Status st = MakeProgramIssuingCa(c, *profile, root->cert.get(), *root->signer, now);
  if (!st.ok()) return ExitWithError(st);
  auto cert = LoadCaCert(c, profile->issuer_id);
  if (!cert.ok()) return ExitWithError(cert.status());
  audit.Record(
      now, "ca.program_issuing_added", profile->issuer_id,
      {{"program", program}, {"serial", crypto::SerialHex(X509_get0_serialNumber(cert->get()))}});
  st = WriteFileAtomic(c.Path("claimsca.toml"), RenderConfig(c));
  if (!st.ok()) return ExitWithError(st);
  std::printf(
      "Made the issuing CA %s (%s) of the program %s: ca/%s.pem, OCSP responder "
      "ca/ocsp-%s.pem; claimsca.toml names it.\nRestart every server; its CRL is served at "
      "/crl/%s.crl.\n",
      profile->issuer_id.c_str(), profile->issuing_name.c_str(), program.c_str(),
      profile->issuer_id.c_str(), profile->issuer_id.c_str(), profile->issuer_id.c_str());
  return 0;
}

}  // namespace claimsca::cmd
