#pragma once

// claimsca.toml inside the data directory, with every value overridable by an environment
// variable CLAIMSCA_<SECTION>_<KEY> (e.g. CLAIMSCA_SERVER_LISTEN) and then by a flag
// `--set section.key=value` (flags win). Relative paths are relative to the data directory.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ca/program.h"
#include "common/status.h"
#include "domain/tariff.h"
#include "subsidy/calc.h"

namespace claimsca::cmd {

struct Config {
  std::string data_dir;

  // [server]
  std::string listen = "127.0.0.1:8080";
  // The public base URL: of the links in certificates (CRL, OCSP, CA issuers), e-mails,
  // notices and letters. "" in claimsca.toml = "http://" + listen (0.0.0.0 / :: shown as
  // 127.0.0.1; a port 0 keeps http://127.0.0.1:8080); LoadConfig resolves it and sets
  // public_url_from_listen, so that RenderConfig writes "" back (docs/operations.md).
  std::string public_url;
  bool public_url_from_listen = false;
  int threads = 2;         // I/O threads (fast handlers: OCSP, CA certificates)
  int worker_threads = 8;  // threads for handlers that wait (issuance, revocation, CRL)
  std::string tls_listen;  // production HTTPS listener ("" = off)
  std::string tls_cert = "tls/server.pem";
  std::string tls_key = "tls/server.key";
  std::string mtls_listen = "127.0.0.1:8443";  // terminal endpoints, client cert required
  bool access_log_ocsp = false;
  // A read-only node: OCSP, CRLs, CA certificates and /healthz only, from a database it
  // never writes (a streaming standby; docs/operations.md "Cluster").
  bool read_only = false;

  // [database]
  std::string database_url = "sqlite:claimsca.db";

  // [ca]
  std::string organization = "claimsca demo";
  std::string root_name = "claimsca Demo Root CA";
  std::string issuing_name = "claimsca Demo Issuing CA 1";
  std::string ocsp_name = "claimsca Demo OCSP Responder 1";
  // CN of the CMP signer certificate; empty (a data directory made before it existed):
  // derived from ocsp_name ("… OCSP Responder N" → "… CMP Signer N").
  std::string cmp_name;
  std::string issuer_id = "issuing-1";
  std::string key_algorithm = "rsa2048";
  std::string signer = "file";  // "file" or "pkcs11"
  std::string key_password_file = "secrets/ca-key.pass";
  // PBKDF2 iterations for CA key files made from now on (existing files carry their own
  // count). 0 = chosen by init: 2,048 when init generates the password (a random secret
  // of 190 bits, which stretching cannot strengthen), 600,000 for a password the operator
  // put in place; init writes the choice here. Otherwise at least 1,000.
  int key_kdf_iterations = 0;
  std::string pkcs11_module = "/usr/lib/softhsm/libsofthsm2.so";
  std::string pkcs11_token = "claimsca";
  std::string pkcs11_pin_file = "secrets/pkcs11.pin";

  // [crl]
  int crl_validity_hours = 24;
  int crl_refresh_before_hours = 12;
  int crl_debounce_seconds = 2;
  int crl_max_delay_seconds = 30;
  // CRL shards per issuing CA (docs/revocation.md, "Sharded CRLs"): a certificate issued
  // while > 0 gets a shard and names that shard's CRL; 0: every certificate names the full
  // CRL. 64 keeps each shard under 1 MB up to about 1.8 million revoked certificates.
  int crl_shards = 64;

  // [ocsp]
  int ocsp_validity_hours = 24;
  int ocsp_refresh_after_hours = 12;
  int ocsp_cache_entries = 200000;
  // Certificate statuses cached in memory for this many milliseconds at most after a
  // revocation (ocsp/status_cache.h; docs/revocation.md "Freshness of the read-only node");
  // 0: read from the database on every request. status_cache_ms applies to a read-write
  // node (0: "revoked" at once after a revocation), read_only_status_cache_ms to
  // `serve --read-only` (already as fresh as its standby).
  int ocsp_status_cache_ms = 0;
  int ocsp_read_only_status_cache_ms = 100;

  // [key_pool]
  int key_pool_target = 64;
  int key_pool_threads = 1;
  std::string key_pool_secret_file = "secrets/key-pool.pass";

  // [api]
  std::string api_token_file = "secrets/api-token.sha256";
  // [ra] the registration authority (docs/applications.md)
  bool ra_auto_review = true;           // approve clean applications at once
  bool ra_four_eyes = true;             // who applied for a clinic may not approve it
  bool ra_require_register = true;      // hold codes not in the register
  bool ra_require_name_match = false;   // hold names that differ from the register's
  int ra_max_active_certificates = 20;  // hold beyond this many per institution; 0 = no limit
  int ra_download_max_failures = 5;     // wrong download passwords before the lock
  int ra_download_lock_minutes = 30;
  std::string ra_pkcs12_mode = "modern";  // "modern" (AES-256) or "legacy" (3DES, old Windows)
  std::string ra_seal_secret_file = "secrets/notice-seal.pass";  // seals download passwords
  // argon2id of the download password (a random 16-character secret, ≈93 bits; the
  // PKCS#12 it protects is itself only PBKDF2-hardened, so heavier settings buy nothing).
  int ra_download_kdf_memory_kib = 8192;
  int ra_download_kdf_passes = 1;
  // [network] the network-terminal application site: allowed client address ranges
  // (CIDR, comma-separated); empty = the channel is closed.
  std::string network_allowed_ranges;
  // [accounts]
  int accounts_max_failed_logins = 5;
  int accounts_lock_minutes = 15;
  // [kokuhoren] the 国保連 program (docs/kokuhoren.md). Logins of kj_office / kj_agent
  // accounts lock after max_failed_logins wrong passwords for lock_minutes.
  int kokuhoren_max_failed_logins = 3;
  int kokuhoren_lock_minutes = 30;
  // The sender printed on its notices (registration results, password notices) and the
  // system's address for the first login ("" = not printed).
  std::string kokuhoren_sender_organisation = "国民健康保険団体連合会";
  std::string kokuhoren_sender_postal_code;
  std::string kokuhoren_sender_address;
  std::string kokuhoren_login_url;
  // [newinst] reminder_days_before: the deadline reminders go out this many open days
  // before each deadline, comma-separated (docs/newinst.md).
  std::string newinst_reminder_days_before = "5,1";
  int accounts_token_hours = 12;
  // [portal] sessions end after session_idle_seconds without a request, and at the latest
  // session_max_seconds after login; per client address, at most login_per_minute login
  // and download_per_minute download attempts (docs/portal.md).
  int portal_session_idle_seconds = 1800;
  int portal_session_max_seconds = 7200;
  int portal_login_per_minute = 20;
  int portal_download_per_minute = 20;
  // [mail] the e-mail outbox (docs/notices-and-mail.md). Messages are always written to
  // the outbox; they are sent only when smtp_url is set.
  std::string mail_from_address = "no-reply@localhost";
  std::string mail_from_name;
  std::string mail_smtp_url;                    // "smtp://host:port", "smtps://…"; "" = hold
  std::string mail_smtp_starttls = "required";  // "required", "try" or "none"
  std::string mail_smtp_username;               // "" = no AUTH
  std::string mail_smtp_password_file;
  std::string mail_smtp_ca_file;  // "" = the system's CA bundle
  bool mail_smtp_verify_peer = true;
  int mail_max_attempts = 10;
  // [notice] what every 発行通知書 prints (defaults: the seed's sample, 000 §3.3). Multi-line
  // values separate lines with "\n". ca_name is also the signature of every e-mail.
  std::string notice_ca_name = "オンライン請求ネットワーク関連システム等共通認証局";
  std::string notice_sender_postal_code = "1050004";
  std::string notice_sender_address = "東京都港区新橋二丁目1番1号\n山口ビルディング3層";
  std::string notice_sender_organisation = "社会保険診療報酬支払基金";
  std::string notice_sender_agent =
      "【発送代行】【還付先】\n株式会社ネクスウェイ e-オンデマンド便サービス事務局\n"
      "〒275-0023 千葉県習志野市芝園2-5-3";
  std::string notice_download_url;  // "" = public_url + "/download/"
  std::string notice_manual_url =
      "https://iryohokenjyoho.service-now.com/csm?sys_kb_id=4356711cc3537910615bd1877a0131b6"
      "&id=kb_article_view";
  // [guide] the documents the pages link to (docs/portal.md "Help"): the CP/CPS and the
  // user manual. "" = a page of ours says where the operator sets them (the manual: also
  // the notice's manual_url).
  std::string guide_cps_url;
  std::string guide_manual_url;
  // [contact] the お問い合わせ page (/portal/contact), linked from every page's footer and
  // from every error that says to contact the body.
  std::string contact_name;
  std::string contact_phone;
  std::string contact_hours;
  std::string contact_email;
  // [demo] enabled: the demo mailbox (/console/demo-mail) and the demo logins printed by
  // serve. Written by `init --demo` only; serve refuses it unless the root certificate is a
  // demo root (docs/operations.md "Demo"). A demo given an SMTP server sends its mail there
  // and has no mailbox (DemoMailbox).
  bool demo_enabled = false;
  // Whether mail is kept for the demo mailbox instead of sent: a demo without SMTP server.
  bool DemoMailbox() const { return demo_enabled && mail_smtp_url.empty(); }
  // [jobs] what `serve` runs on its own and `claimsca jobs run` runs at a chosen instant.
  // Daily jobs run once per JST day, at or after their time (HH:MM JST).
  bool jobs_enabled = true;
  int jobs_interval_seconds = 60;
  // The ttl of a job's lease `job:<name>`, renewed every third of it while the job runs:
  // when a process dies, another takes its jobs over this long after its last renewal.
  int jobs_lease_seconds = 1800;
  std::string jobs_notices_dir = "notices";  // the daily notice batch's PDF + CSV
  std::string jobs_notice_batch_at = "14:00";
  std::string jobs_reminders_at = "09:00";
  std::string jobs_purge_at = "03:00";
  std::string jobs_billing_run_at = "07:00";  // the monthly billing run (docs/billing.md)
  // The reminders job mails "renewal is failing" once a terminal's agent has reported
  // failed renewals on this many different days (docs/notices-and-mail.md).
  int jobs_renewal_failing_days = 3;
  // [audit] checkpoints of the audit chain (docs/audit.md): signed by the audit signer
  // ("audit" key), appended to checkpoint_file; `serve` writes one when the newest is older
  // than the interval and the chain grew since. 0 = only `claimsca audit checkpoint`.
  int audit_checkpoint_interval_seconds = 3600;
  std::string audit_checkpoint_file = "audit/checkpoints.log";
  // [billing] fees and invoices (docs/billing.md "invoice", docs/operations.md). The payee
  // account is printed on every 払込請求書; it is empty until set (`init --demo` writes a
  // demo account) and the billing run issues no invoice without it
  // (ValidateBillingConfig, BillingPayeeReady in cmd/billing_config.h).
  std::string billing_payee_bank_name;
  std::string billing_payee_branch_name;
  std::string billing_payee_account_type = "普通";  // 普通 or 当座
  std::string billing_payee_account_number;         // 7 digits
  std::string billing_payee_account_holder;         // 口座名義, in kana
  int billing_invoice_day = 10;     // invoices are dated this day, rolled to a business day
  int billing_due_days = 0;         // 0: end of the month after the invoice's; N: N days after
  int billing_grace_days = 14;      // unpaid this many days after the due date: listed
  bool billing_job_enabled = true;  // `serve` runs the monthly billing job
  std::string billing_files_dir = "billing";  // the run's files (PDF, CSV, reports)
  // [kokuhoren] auto_issue: 国保連 applications are issued without an operator's approval
  // once pending (相殺 at once, 振込 when the payment is confirmed); docs/kokuhoren.md.
  bool kokuhoren_auto_issue = false;
  // [newinst] reissue_grace_days: a certificate on a replaced code, re-issued on the real
  // code and not confirmed, is superseded this many days after the re-issue (docs/newinst.md).
  int newinst_reissue_grace_days = 30;
  // [[tariff]] dated fees (DOMAIN.md §7); `init` writes the built-in common and kokuhoren
  // tariffs. A file whose [[tariff]] has no kokuhoren entry gets the built-in one
  // (data directories made before issue 20; docs/kokuhoren.md "Fees").
  std::vector<domain::TariffEntry> tariff = DefaultTariff();
  static std::vector<domain::TariffEntry> DefaultTariff() {
    std::vector<domain::TariffEntry> t = domain::DefaultCommonTariff();
    for (domain::TariffEntry& e : domain::DefaultKokuhorenTariff()) t.push_back(std::move(e));
    return t;
  }

  // [[subsidy.schedule]] the dated cap / rate / deadline of the 資格確認限定型 subsidy
  // (cmd/subsidy_config.h, docs/qualcheck.md "Subsidy"); the seed's entry by default.
  std::vector<subsidy::ScheduleEntry> subsidy_schedule = {subsidy::SeedScheduleEntry()};

  // [programs.*]
  std::vector<ca::ProgramProfile> programs;

  // An absolute path for a configured (possibly relative) one.
  std::string Path(const std::string& p) const;
  // database_url with a relative SQLite path resolved against the data directory.
  std::string DatabaseUrl() const {
    if (database_url.starts_with("sqlite:") && database_url.size() > 7 && database_url[7] != '/') {
      return "sqlite:" + Path(database_url.substr(7));
    }
    return database_url;
  }
  std::string CrlUrl() const { return CrlUrlOf(issuer_id); }
  // The full CRL of issuing CA `id` (a shard's: ca::CrlShardUrl of it).
  std::string CrlUrlOf(const std::string& id) const { return public_url + "/crl/" + id + ".crl"; }
  std::string OcspUrl() const { return public_url + "/ocsp"; }
  std::string CaIssuersUrl() const { return public_url + "/ca/" + issuer_id + ".der"; }
};

// Reads DATA/claimsca.toml, applies env overrides, then `sets` ("section.key=value").
// Unknown keys are errors (a typo must not silently fall back to a default).
Result<Config> LoadConfig(const std::string& data_dir, const std::vector<std::string>& sets);
// The same for the TOML text of a claimsca.toml in `data_dir` (env overrides apply, no
// --set); InvalidArgument when it does not parse. For tests and fuzz/config_fuzz.cc.
Result<Config> ParseConfig(std::string_view toml_text, const std::string& data_dir);

// The public base URL of a listener "HOST:PORT" when server.public_url is "":
// "http://HOST:PORT", 0.0.0.0 as 127.0.0.1 and :: as [::1]; a port 0 (chosen by the
// system when serving) gives the built-in http://127.0.0.1:8080.
std::string PublicUrlOfListen(const std::string& listen);

// The TOML text of `config` (what `init` writes).
std::string RenderConfig(const Config& config);

}  // namespace claimsca::cmd
