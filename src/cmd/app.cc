#include "cmd/app.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "crypto/keys.h"
#include "crypto/random.h"

namespace claimsca::cmd {

Result<std::unique_ptr<App>> OpenApp(Config config, std::unique_ptr<Clock> clock, CaNeeds needs) {
  auto app = std::make_unique<App>();
  app->config = std::move(config);
  app->clock = std::move(clock);
  const Config& c = app->config;
  app->logger = std::make_unique<web::Logger>(*app->clock);
  ASSIGN_OR_RETURN(app->store, store::OpenStore(c.DatabaseUrl()));
  if (c.read_only) {
    // A standby refuses every write: the schema is the primary's to migrate.
    ASSIGN_OR_RETURN(int version, app->store->SchemaVersion());
    if (version == 0) {
      return FailedPrecondition(
          "server.read_only: the database has no schema yet (migrate it on the primary first)");
    }
  } else {
    RETURN_IF_ERROR(app->store->Migrate().WithContext("migrating the database"));
  }
  ASSIGN_OR_RETURN(app->ca, LoadCa(c, needs));
  for (const auto& p : c.programs) RETURN_IF_ERROR(p.Validate());
  app->programs = ca::ProgramRegistry(c.programs);

  ca::IssuerOptions options;
  options.issuer_id = c.issuer_id;
  options.organization = c.organization;
  options.urls = {c.CrlUrl(), c.OcspUrl(), c.CaIssuersUrl()};
  options.crl_shards = c.crl_shards;  // docs/revocation.md, "Sharded CRLs"
  options.audit = [logger = app->logger.get()](std::string_view event, const auto& fields) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : fields) j[k] = v;
    logger->Event(event, j);
  };
  // One issuer per issuing CA; each signs only its programs' certificates.
  ca::IssuerOptions common_options = options;
  for (const auto& [id, program] : app->programs.all()) {
    const bool own = std::any_of(app->ca.program_issuing.begin(), app->ca.program_issuing.end(),
                                 [&id = id](const ProgramIssuingCa& p) { return p.program == id; });
    if (!own) common_options.programs.push_back(id);
  }
  if (app->ca.issuing_signer) {
    app->issuer =
        std::make_unique<ca::Issuer>(common_options, app->ca.issuing.get(), *app->ca.issuing_signer,
                                     *app->store, app->programs, *app->clock);
  }
  for (const ProgramIssuingCa& p : app->ca.program_issuing) {
    if (p.signer == nullptr) continue;
    ca::IssuerOptions own = options;
    own.issuer_id = p.issuer_id;
    own.programs = {p.program};
    own.urls = {c.CrlUrlOf(p.issuer_id), c.OcspUrl(), c.public_url + "/ca/" + p.issuer_id + ".der"};
    app->program_issuers.emplace(
        p.program, std::make_unique<ca::Issuer>(own, p.cert.get(), *p.signer, *app->store,
                                                app->programs, *app->clock));
  }

  ca::KeyPoolOptions pool;
  pool.target = c.key_pool_target;
  pool.threads = c.key_pool_threads;
  pool.algorithms.clear();
  for (const auto& [id, program] : app->programs.all()) {
    ASSIGN_OR_RETURN(crypto::KeyAlgorithm alg,
                     crypto::ParseKeyAlgorithm(program.default_key_algorithm));
    if (std::find(pool.algorithms.begin(), pool.algorithms.end(), alg) == pool.algorithms.end()) {
      pool.algorithms.push_back(alg);
    }
  }
  ASSIGN_OR_RETURN(std::string secret, ReadSecret(c.Path(c.key_pool_secret_file)));
  app->key_pool = std::make_unique<ca::KeyPool>(*app->store, secret, pool);

  ASSIGN_OR_RETURN(domain::Tariff tariff, domain::Tariff::Create(c.tariff));
  app->tariff.emplace(std::move(tariff));
  // The sealing key is derived from a random secret file, created on first use.
  const std::string seal_path = c.Path(c.ra_seal_secret_file);
  auto seal_secret = ReadSecret(seal_path);
  if (!seal_secret.ok() && seal_secret.status().code() == Code::kNotFound) {
    ASSIGN_OR_RETURN(std::string fresh, crypto::RandomPassword(32));
    RETURN_IF_ERROR(WriteFileAtomic(seal_path, fresh + "\n", 0600));
    seal_secret = ReadSecret(seal_path);
  }
  if (!seal_secret.ok()) return seal_secret.status();
  std::string seal_key(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(seal_secret->data()), seal_secret->size(),
         reinterpret_cast<unsigned char*>(seal_key.data()));
  OPENSSL_cleanse(seal_secret->data(), seal_secret->size());
  ASSIGN_OR_RETURN(crypto::SealedBox sealer, crypto::SealedBox::Create(std::move(seal_key)));
  app->sealer.emplace(std::move(sealer));

  auto ranges = auth::AddressRanges::Parse(c.network_allowed_ranges);
  if (!ranges.ok()) return ranges.status().WithContext("network.allowed_ranges");
  app->network_ranges = std::move(*ranges);
  auth::AuthOptions auth_options;
  auth_options.max_failed_logins = c.accounts_max_failed_logins;
  auth_options.lock_for = std::chrono::minutes(c.accounts_lock_minutes);
  auth_options.kj_max_failed_logins = c.kokuhoren_max_failed_logins;
  auth_options.kj_lock_for = std::chrono::minutes(c.kokuhoren_lock_minutes);
  app->auth = std::make_unique<auth::AuthService>(*app->store, *app->clock, auth_options);
  kokuhoren::AccountsOptions kj_options;
  kj_options.kdf = auth_options.kdf;
  app->kj_accounts =
      std::make_unique<kokuhoren::Accounts>(*app->store, *app->auth, *app->clock, kj_options);
  app->kj_account_api =
      std::make_unique<kokuhoren::StoreKjAccounts>(*app->store, *app->kj_accounts);

  mail::OutboxOptions mail_options;
  mail_options.from_address = c.mail_from_address;
  mail_options.from_name = c.mail_from_name;
  mail_options.max_attempts = std::max(1, c.mail_max_attempts);
  mail_options.common_values["ca_name"] = c.notice_ca_name;
  if (!mail::ValidAddress(mail_options.from_address)) {
    return InvalidArgument("mail.from_address: not an e-mail address");
  }
  app->mail_composer = std::make_unique<mail::Composer>(*app->clock, mail_options);
  if (!c.mail_smtp_url.empty()) {
    mail::SmtpConfig smtp;
    smtp.url = c.mail_smtp_url;
    if (c.mail_smtp_starttls == "required") {
      smtp.starttls = mail::SmtpConfig::StartTls::kRequired;
    } else if (c.mail_smtp_starttls == "try") {
      smtp.starttls = mail::SmtpConfig::StartTls::kTry;
    } else if (c.mail_smtp_starttls == "none") {
      smtp.starttls = mail::SmtpConfig::StartTls::kNone;
    } else {
      return InvalidArgument("mail.smtp_starttls: required, try or none");
    }
    smtp.username = c.mail_smtp_username;
    if (!c.mail_smtp_password_file.empty()) {
      ASSIGN_OR_RETURN(smtp.password, ReadSecret(c.Path(c.mail_smtp_password_file)));
    }
    if (!c.mail_smtp_ca_file.empty()) smtp.ca_file = c.Path(c.mail_smtp_ca_file);
    smtp.verify_peer = c.mail_smtp_verify_peer;
    app->mailer = std::make_unique<mail::SmtpMailer>(std::move(smtp));
    app->outbox =
        std::make_unique<mail::Outbox>(*app->store, *app->mailer, *app->clock, mail_options);
  }

  if (c.ra_download_kdf_memory_kib < 8) {
    return InvalidArgument("ra.download_kdf_memory_kib: at least 8 (argon2id's minimum)");
  }
  if (c.ra_pkcs12_mode != "modern" && c.ra_pkcs12_mode != "legacy") {
    return InvalidArgument("ra.pkcs12_mode: modern or legacy");
  }
  ra::RaOptions ra;
  ra.auto_review.enabled = c.ra_auto_review;
  ra.four_eyes = c.ra_four_eyes;
  ra.auto_review.require_register = c.ra_require_register;
  ra.auto_review.require_name_match = c.ra_require_name_match;
  ra.auto_review.max_active_certificates = c.ra_max_active_certificates;
  ra.download_max_failures = std::max(1, c.ra_download_max_failures);
  ra.download_lock = std::chrono::minutes(c.ra_download_lock_minutes);
  ra.p12_mode = c.ra_pkcs12_mode == "legacy" ? crypto::P12Mode::kLegacy : crypto::P12Mode::kModern;
  ra.holder = ProcessHolder();
  ra.mail = app->mail_composer.get();
  app->code_swaps = std::make_unique<newinst::CodeSwaps>(*app->store);
  ra.code_change = app->code_swaps.get();
  ra.audit_log = [logger = app->logger.get()](const store::AuditEvent& e) {
    nlohmann::json details = nlohmann::json::parse(e.details, nullptr, false);
    logger->Event("audit", {{"actor", e.actor},
                            {"action", e.action},
                            {"subject", e.subject},
                            {"details", details.is_discarded() ? nlohmann::json(e.details)
                                                               : std::move(details)}});
  };
  ra.download_kdf.memlimit_bytes = static_cast<size_t>(c.ra_download_kdf_memory_kib) * 1024;
  ra.download_kdf.opslimit = static_cast<uint64_t>(std::max(1, c.ra_download_kdf_passes));
  app->ra = std::make_unique<ra::RegistrationAuthority>(
      *app->store, app->issuer.get(), *app->key_pool, app->programs, app->Chain(), *app->tariff,
      *app->sealer, *app->clock, std::move(ra));
  return app;
}

Result<ca::Issuer*> App::IssuerFor(std::string_view program) const {
  ASSIGN_OR_RETURN(const ca::ProgramProfile* profile, programs.Find(std::string(program)));
  const bool own = std::any_of(ca.program_issuing.begin(), ca.program_issuing.end(),
                               [&](const ProgramIssuingCa& p) { return p.program == program; });
  ca::Issuer* found = nullptr;
  if (own) {
    auto it = program_issuers.find(program);
    if (it != program_issuers.end()) found = it->second.get();
  } else {
    found = issuer.get();
  }
  if (found == nullptr) {
    return FailedPrecondition("the issuing CA of the program " + profile->id +
                              " is not loaded by this command");
  }
  return found;
}

X509* App::IssuingCertFor(std::string_view program) const {
  for (const ProgramIssuingCa& p : ca.program_issuing) {
    if (p.program == program) return p.cert.get();
  }
  return ca.issuing.get();
}

std::vector<X509*> App::ChainFor(std::string_view program) const {
  return {IssuingCertFor(program), ca.root.get()};
}

std::string ProcessHolder() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

int ExitWithError(const Status& s) {
  std::fprintf(stderr, "claimsca: %s\n", s.ToString().c_str());
  switch (s.code()) {
    case Code::kInvalidArgument:
    case Code::kBadCsr:
    case Code::kLintFailed:
      return 2;
    case Code::kNotFound:
      return 3;
    case Code::kConflict:
    case Code::kFailedPrecondition:
      return 4;
    default:
      return 1;
  }
}

ra::Caller OperatorCaller(const std::string& name) {
  ra::Caller c;
  c.channel = ra::Channel::kOperator;
  c.principal.account_id = name;
  c.principal.kind = "operator";
  c.principal.roles = {"administrator"};
  c.owner = true;
  return c;
}

Result<int> ParseRevocationReason(std::string_view name) {
  std::string n;
  for (char ch : name) {
    if (ch != '_' && ch != '-') n.push_back(static_cast<char>(std::tolower(ch)));
  }
  static const std::pair<const char*, int> kReasons[] = {
      {"unspecified", 0}, {"keycompromise", 1},        {"affiliationchanged", 3},
      {"superseded", 4},  {"cessationofoperation", 5}, {"privilegewithdrawn", 9},
  };
  for (auto [k, v] : kReasons) {
    if (n == k) return v;
  }
  return InvalidArgument(
      "reason: one of unspecified, keyCompromise, affiliationChanged, superseded, "
      "cessationOfOperation, privilegeWithdrawn");
}

}  // namespace claimsca::cmd
