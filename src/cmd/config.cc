#include "cmd/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include "ca/crl_shard.h"
#include "cmd/billing_config.h"
#include "cmd/subsidy_config.h"
#include "cmd/toml_text.h"

namespace claimsca::cmd {
namespace {

// The largest integer setting (file, environment or --set).
constexpr int64_t kMaxSetting = 100000000;

// One scalar setting: its TOML section and key, and where it lives in Config.
struct Field {
  const char* section;
  const char* key;
  std::string Config::*str = nullptr;
  int Config::*num = nullptr;
  bool Config::*flag = nullptr;
};

const std::vector<Field>& Fields() {
  static const std::vector<Field> kFields = {
      {"server", "listen", &Config::listen},
      {"server", "public_url", &Config::public_url},
      {"server", "threads", nullptr, &Config::threads},
      {"server", "worker_threads", nullptr, &Config::worker_threads},
      {"server", "tls_listen", &Config::tls_listen},
      {"server", "tls_cert", &Config::tls_cert},
      {"server", "tls_key", &Config::tls_key},
      {"server", "mtls_listen", &Config::mtls_listen},
      {"server", "access_log_ocsp", nullptr, nullptr, &Config::access_log_ocsp},
      {"server", "read_only", nullptr, nullptr, &Config::read_only},
      {"database", "url", &Config::database_url},
      {"ca", "organization", &Config::organization},
      {"ca", "root_name", &Config::root_name},
      {"ca", "issuing_name", &Config::issuing_name},
      {"ca", "ocsp_name", &Config::ocsp_name},
      {"ca", "cmp_name", &Config::cmp_name},
      {"ca", "issuer_id", &Config::issuer_id},
      {"ca", "key_algorithm", &Config::key_algorithm},
      {"ca", "signer", &Config::signer},
      {"ca", "key_password_file", &Config::key_password_file},
      {"ca", "key_kdf_iterations", nullptr, &Config::key_kdf_iterations},
      {"ca", "pkcs11_module", &Config::pkcs11_module},
      {"ca", "pkcs11_token", &Config::pkcs11_token},
      {"ca", "pkcs11_pin_file", &Config::pkcs11_pin_file},
      {"crl", "validity_hours", nullptr, &Config::crl_validity_hours},
      {"crl", "refresh_before_hours", nullptr, &Config::crl_refresh_before_hours},
      {"crl", "debounce_seconds", nullptr, &Config::crl_debounce_seconds},
      {"crl", "max_delay_seconds", nullptr, &Config::crl_max_delay_seconds},
      {"crl", "shards", nullptr, &Config::crl_shards},
      {"ocsp", "validity_hours", nullptr, &Config::ocsp_validity_hours},
      {"ocsp", "refresh_after_hours", nullptr, &Config::ocsp_refresh_after_hours},
      {"ocsp", "cache_entries", nullptr, &Config::ocsp_cache_entries},
      {"ocsp", "status_cache_ms", nullptr, &Config::ocsp_status_cache_ms},
      {"ocsp", "read_only_status_cache_ms", nullptr, &Config::ocsp_read_only_status_cache_ms},
      {"key_pool", "target", nullptr, &Config::key_pool_target},
      {"key_pool", "threads", nullptr, &Config::key_pool_threads},
      {"key_pool", "secret_file", &Config::key_pool_secret_file},
      {"api", "token_file", &Config::api_token_file},
      {"ra", "auto_review", nullptr, nullptr, &Config::ra_auto_review},
      {"ra", "four_eyes", nullptr, nullptr, &Config::ra_four_eyes},
      {"ra", "require_register", nullptr, nullptr, &Config::ra_require_register},
      {"ra", "require_name_match", nullptr, nullptr, &Config::ra_require_name_match},
      {"ra", "max_active_certificates", nullptr, &Config::ra_max_active_certificates},
      {"ra", "download_max_failures", nullptr, &Config::ra_download_max_failures},
      {"ra", "download_lock_minutes", nullptr, &Config::ra_download_lock_minutes},
      {"ra", "pkcs12_mode", &Config::ra_pkcs12_mode},
      {"ra", "seal_secret_file", &Config::ra_seal_secret_file},
      {"ra", "download_kdf_memory_kib", nullptr, &Config::ra_download_kdf_memory_kib},
      {"ra", "download_kdf_passes", nullptr, &Config::ra_download_kdf_passes},
      {"network", "allowed_ranges", &Config::network_allowed_ranges},
      {"accounts", "max_failed_logins", nullptr, &Config::accounts_max_failed_logins},
      {"accounts", "lock_minutes", nullptr, &Config::accounts_lock_minutes},
      {"accounts", "token_hours", nullptr, &Config::accounts_token_hours},
      {"portal", "session_idle_seconds", nullptr, &Config::portal_session_idle_seconds},
      {"portal", "session_max_seconds", nullptr, &Config::portal_session_max_seconds},
      {"portal", "login_per_minute", nullptr, &Config::portal_login_per_minute},
      {"portal", "download_per_minute", nullptr, &Config::portal_download_per_minute},
      {"mail", "from_address", &Config::mail_from_address},
      {"mail", "from_name", &Config::mail_from_name},
      {"mail", "smtp_url", &Config::mail_smtp_url},
      {"mail", "smtp_starttls", &Config::mail_smtp_starttls},
      {"mail", "smtp_username", &Config::mail_smtp_username},
      {"mail", "smtp_password_file", &Config::mail_smtp_password_file},
      {"mail", "smtp_ca_file", &Config::mail_smtp_ca_file},
      {"mail", "smtp_verify_peer", nullptr, nullptr, &Config::mail_smtp_verify_peer},
      {"mail", "max_attempts", nullptr, &Config::mail_max_attempts},
      {"notice", "ca_name", &Config::notice_ca_name},
      {"notice", "sender_postal_code", &Config::notice_sender_postal_code},
      {"notice", "sender_address", &Config::notice_sender_address},
      {"notice", "sender_organisation", &Config::notice_sender_organisation},
      {"notice", "sender_agent", &Config::notice_sender_agent},
      {"notice", "download_url", &Config::notice_download_url},
      {"notice", "manual_url", &Config::notice_manual_url},
      {"guide", "cps_url", &Config::guide_cps_url},
      {"guide", "manual_url", &Config::guide_manual_url},
      {"contact", "name", &Config::contact_name},
      {"contact", "phone", &Config::contact_phone},
      {"contact", "hours", &Config::contact_hours},
      {"contact", "email", &Config::contact_email},
      {"demo", "enabled", nullptr, nullptr, &Config::demo_enabled},
      {"jobs", "enabled", nullptr, nullptr, &Config::jobs_enabled},
      {"jobs", "interval_seconds", nullptr, &Config::jobs_interval_seconds},
      {"jobs", "lease_seconds", nullptr, &Config::jobs_lease_seconds},
      {"jobs", "notices_dir", &Config::jobs_notices_dir},
      {"jobs", "notice_batch_at", &Config::jobs_notice_batch_at},
      {"jobs", "reminders_at", &Config::jobs_reminders_at},
      {"jobs", "purge_at", &Config::jobs_purge_at},
      {"jobs", "billing_run_at", &Config::jobs_billing_run_at},
      {"jobs", "renewal_failing_days", nullptr, &Config::jobs_renewal_failing_days},
      {"audit", "checkpoint_interval_seconds", nullptr, &Config::audit_checkpoint_interval_seconds},
      {"audit", "checkpoint_file", &Config::audit_checkpoint_file},
      {"billing", "payee_bank_name", &Config::billing_payee_bank_name},
      {"billing", "payee_branch_name", &Config::billing_payee_branch_name},
      {"billing", "payee_account_type", &Config::billing_payee_account_type},
      {"billing", "payee_account_number", &Config::billing_payee_account_number},
      {"billing", "payee_account_holder", &Config::billing_payee_account_holder},
      {"billing", "invoice_day", nullptr, &Config::billing_invoice_day},
      {"billing", "due_days", nullptr, &Config::billing_due_days},
      {"billing", "grace_days", nullptr, &Config::billing_grace_days},
      {"billing", "job_enabled", nullptr, nullptr, &Config::billing_job_enabled},
      {"billing", "files_dir", &Config::billing_files_dir},
      {"kokuhoren", "max_failed_logins", nullptr, &Config::kokuhoren_max_failed_logins},
      {"kokuhoren", "lock_minutes", nullptr, &Config::kokuhoren_lock_minutes},
      {"kokuhoren", "sender_organisation", &Config::kokuhoren_sender_organisation},
      {"kokuhoren", "sender_postal_code", &Config::kokuhoren_sender_postal_code},
      {"kokuhoren", "sender_address", &Config::kokuhoren_sender_address},
      {"kokuhoren", "login_url", &Config::kokuhoren_login_url},
      {"newinst", "reminder_days_before", &Config::newinst_reminder_days_before},
      {"kokuhoren", "auto_issue", nullptr, nullptr, &Config::kokuhoren_auto_issue},
      {"newinst", "reissue_grace_days", nullptr, &Config::newinst_reissue_grace_days},
  };
  return kFields;
}

std::string EnvName(const std::string& section, const std::string& key) {
  std::string s = "CLAIMSCA_" + section + "_" + key;
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Status SetFromText(Config& c, const Field& f, const std::string& text, const std::string& where) {
  if (f.str) {
    c.*f.str = text;
  } else if (f.num) {
    char* end = nullptr;
    long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < 0 || v > kMaxSetting) {
      return InvalidArgument(where + ": " + f.section + "." + f.key + " must be an integer");
    }
    c.*f.num = static_cast<int>(v);
  } else {
    if (text != "true" && text != "false") {
      return InvalidArgument(where + ": " + f.section + "." + f.key + " must be true or false");
    }
    c.*f.flag = text == "true";
  }
  return Status::Ok();
}

Status SetFromToml(Config& c, const Field& f, const toml::node& node) {
  std::string where = std::string("claimsca.toml: ") + f.section + "." + f.key;
  if (f.str) {
    if (!node.is_string()) return InvalidArgument(where + " must be a string");
    c.*f.str = *node.value<std::string>();
  } else if (f.num) {
    // The range of SetFromText: a wider value would wrap around in the int.
    const std::optional<int64_t> v = node.value<int64_t>();
    if (!node.is_integer() || *v < 0 || *v > kMaxSetting) {
      return InvalidArgument(where + " must be an integer (0.." + std::to_string(kMaxSetting) +
                             ")");
    }
    c.*f.num = static_cast<int>(*v);
  } else {
    if (!node.is_boolean()) return InvalidArgument(where + " must be true or false");
    c.*f.flag = *node.value<bool>();
  }
  return Status::Ok();
}

Status ReadProgram(const std::string& id, const toml::table& t, ca::ProgramProfile* p) {
  p->id = id;
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    auto integer = [&, &node = v](int* out) -> Status {  // (clang 14: no binding captures)
      const std::optional<int64_t> n = node.value<int64_t>();
      if (!node.is_integer() || *n < 0 || *n > kMaxSetting) {
        return InvalidArgument("programs." + id + "." + key + ": integer");
      }
      *out = static_cast<int>(*n);
      return Status::Ok();
    };
    if (key == "display_name" && v.is_string()) {
      p->display_name = *v.value<std::string>();
    } else if (key == "validity_months") {
      RETURN_IF_ERROR(integer(&p->validity_months));
    } else if (key == "renewal_window_days") {
      RETURN_IF_ERROR(integer(&p->renewal_window_days));
    } else if (key == "renewal_window_months") {
      RETURN_IF_ERROR(integer(&p->renewal_window_months));
    } else if (key == "download_days") {
      RETURN_IF_ERROR(integer(&p->download_days));
    } else if (key == "renewal_start_choice" && v.is_boolean()) {
      p->renewal_start_choice = *v.value<bool>();
    } else if ((key == "issuer_id" || key == "issuing_name") && v.is_string()) {
      (key == "issuer_id" ? p->issuer_id : p->issuing_name) = *v.value<std::string>();
    } else if (key == "default_key_algorithm" && v.is_string()) {
      p->default_key_algorithm = *v.value<std::string>();
    } else if (key == "allowed_key_algorithms" && v.is_array()) {
      p->allowed_key_algorithms.clear();
      for (auto&& e : *v.as_array()) {
        if (!e.is_string()) return InvalidArgument("programs." + id + "." + key + ": strings");
        p->allowed_key_algorithms.push_back(*e.value<std::string>());
      }
    } else {
      return InvalidArgument("claimsca.toml: unknown or mistyped key programs." + id + "." + key);
    }
  }
  return p->Validate();
}

Result<domain::TariffEntry> ReadTariffEntry(const toml::table& t) {
  domain::TariffEntry e;
  bool have_date = false;
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    const std::string where = "claimsca.toml: tariff." + key;
    if (key == "program" && v.is_string()) {
      e.program = *v.value<std::string>();
    } else if (key == "effective_from" && v.is_date()) {
      const toml::date d = *v.value<toml::date>();
      e.effective_from =
          Date{std::chrono::year(d.year), std::chrono::month(d.month), std::chrono::day(d.day)};
      have_date = true;
    } else if ((key == "issuance_fee_yen" || key == "renewal_fee_yen" ||
                key == "mailing_fee_yen") &&
               v.is_integer()) {
      const int64_t yen = *v.value<int64_t>();
      (key == "issuance_fee_yen"  ? e.issuance_fee_yen
       : key == "renewal_fee_yen" ? e.renewal_fee_yen
                                  : e.mailing_fee_yen) = yen;
    } else {
      return InvalidArgument(where + ": unknown or mistyped key");
    }
  }
  if (!have_date) return InvalidArgument("claimsca.toml: tariff.effective_from: required (a date)");
  return e;
}

}  // namespace

std::string Config::Path(const std::string& p) const {
  if (p.empty()) return data_dir;
  if (p[0] == '/') return p;
  return data_dir + "/" + p;
}

namespace {

Result<Config> FromToml(const toml::table& table, const std::string& data_dir,
                        const std::vector<std::string>& sets) {
  Config c;
  c.data_dir = data_dir;
  for (auto&& [section, node] : table) {
    std::string s(section.str());
    if (s == "programs" || s == "tariff" || s == "subsidy") continue;
    const toml::table* t = node.as_table();
    if (!t) return InvalidArgument("claimsca.toml: [" + s + "] must be a table");
    for (auto&& [key, value] : *t) {
      const Field* field = nullptr;
      for (const Field& f : Fields()) {
        if (s == f.section && key.str() == f.key) field = &f;
      }
      if (!field) {
        return InvalidArgument("claimsca.toml: unknown key " + s + "." + std::string(key.str()));
      }
      RETURN_IF_ERROR(SetFromToml(c, *field, value));
    }
  }
  if (const toml::table* programs = table["programs"].as_table()) {
    for (auto&& [id, node] : *programs) {
      if (!node.is_table()) return InvalidArgument("claimsca.toml: programs entries are tables");
      ca::ProgramProfile p = ca::ProgramBase(std::string(id.str()));
      RETURN_IF_ERROR(ReadProgram(std::string(id.str()), *node.as_table(), &p));
      c.programs.push_back(std::move(p));
    }
  }
  if (c.programs.empty()) c.programs.push_back(ca::CommonProgramDefaults());
  if (const toml::node_view<const toml::node> tariff = table["tariff"]; tariff) {
    const toml::array* entries = tariff.as_array();
    if (!entries) return InvalidArgument("claimsca.toml: tariff must be an array of tables");
    c.tariff.clear();
    for (auto&& node : *entries) {
      if (!node.is_table()) return InvalidArgument("claimsca.toml: [[tariff]] entries are tables");
      ASSIGN_OR_RETURN(domain::TariffEntry e, ReadTariffEntry(*node.as_table()));
      c.tariff.push_back(std::move(e));
    }
    const bool has_kokuhoren = std::any_of(c.tariff.begin(), c.tariff.end(), [](const auto& e) {
      return e.program == domain::kKokuhorenProgram;
    });
    if (!has_kokuhoren) {
      for (domain::TariffEntry& e : domain::DefaultKokuhorenTariff()) c.tariff.push_back(e);
    }
  }
  RETURN_IF_ERROR(domain::Tariff::Create(c.tariff).status().WithContext("claimsca.toml: tariff"));
  RETURN_IF_ERROR(ReadSubsidyConfig(table, c));

  for (const Field& f : Fields()) {
    if (const char* v = std::getenv(EnvName(f.section, f.key).c_str())) {
      RETURN_IF_ERROR(SetFromText(c, f, v, EnvName(f.section, f.key)));
    }
  }
  for (const std::string& set : sets) {
    size_t dot = set.find('.'), eq = set.find('=');
    if (dot == std::string::npos || eq == std::string::npos || dot > eq) {
      return InvalidArgument("--set " + set + ": expected section.key=value");
    }
    std::string section = set.substr(0, dot), key = set.substr(dot + 1, eq - dot - 1);
    const Field* field = nullptr;
    for (const Field& f : Fields()) {
      if (section == f.section && key == f.key) field = &f;
    }
    if (!field) return InvalidArgument("--set: unknown key " + section + "." + key);
    RETURN_IF_ERROR(SetFromText(c, *field, set.substr(eq + 1), "--set"));
  }
  if (c.key_kdf_iterations != 0 && c.key_kdf_iterations < 1000) {
    return InvalidArgument("ca.key_kdf_iterations must be 0 (chosen by init) or at least 1000");
  }
  if (c.jobs_renewal_failing_days < 1) {
    return InvalidArgument("jobs.renewal_failing_days must be at least 1 (days of failures)");
  }
  if (c.crl_shards > ca::kMaxCrlShards) {
    return InvalidArgument("crl.shards must be 0 (no shards) to " +
                           std::to_string(ca::kMaxCrlShards));
  }
  RETURN_IF_ERROR(ValidateBillingConfig(c));
  c.public_url_from_listen = c.public_url.empty();
  if (c.public_url_from_listen) c.public_url = PublicUrlOfListen(c.listen);
  return c;
}

}  // namespace

std::string PublicUrlOfListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return "http://127.0.0.1:8080";
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port == "0") return "http://127.0.0.1:8080";  // chosen by the system
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::" || host == "[::]") host = "[::1]";
  return "http://" + host + ":" + port;
}

Result<Config> LoadConfig(const std::string& data_dir, const std::vector<std::string>& sets) {
  std::string path = data_dir + "/claimsca.toml";
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return FailedPrecondition(path + ": cannot be read; run `claimsca init --data " + data_dir +
                              "` first");
  }
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto table = ParseToml(text, path);
  if (!table.ok()) {
    return FailedPrecondition(path + ": " + std::string(table.status().message()) +
                              "; run `claimsca init --data " + data_dir + "` first");
  }
  return FromToml(*table, data_dir, sets);
}

Result<Config> ParseConfig(std::string_view toml_text, const std::string& data_dir) {
  auto table = ParseToml(toml_text, data_dir + "/claimsca.toml");
  if (!table.ok())
    return InvalidArgument("claimsca.toml: " + std::string(table.status().message()));
  return FromToml(*table, data_dir, {});
}

std::string RenderConfig(const Config& c) {
  toml::table root;
  for (const Field& f : Fields()) {
    if (!root.contains(f.section)) root.insert(f.section, toml::table{});
    toml::table& t = *root[f.section].as_table();
    if (f.str == &Config::public_url && c.public_url_from_listen) {
      t.insert(f.key, std::string());  // follows the listener (docs/operations.md)
    } else if (f.str) {
      t.insert(f.key, c.*f.str);
    }
    if (f.num) t.insert(f.key, static_cast<int64_t>(c.*f.num));
    if (f.flag) t.insert(f.key, c.*f.flag);
  }
  toml::table programs;
  for (const ca::ProgramProfile& p : c.programs) {
    toml::array algs;
    for (const auto& a : p.allowed_key_algorithms) algs.push_back(a);
    toml::table t{{"display_name", p.display_name},
                  {"validity_months", p.validity_months},
                  {"renewal_window_days", p.renewal_window_days},
                  {"renewal_window_months", p.renewal_window_months},
                  {"renewal_start_choice", p.renewal_start_choice},
                  {"download_days", p.download_days},
                  {"default_key_algorithm", p.default_key_algorithm},
                  {"allowed_key_algorithms", algs}};
    if (!p.issuer_id.empty()) {  // its own issuing CA (docs/certificate-profile.md)
      t.insert("issuer_id", p.issuer_id);
      t.insert("issuing_name", p.issuing_name);
    }
    programs.insert(p.id, std::move(t));
  }
  root.insert("programs", programs);
  toml::array tariff;
  for (const domain::TariffEntry& e : c.tariff) {
    tariff.push_back(
        toml::table{{"program", e.program},
                    {"effective_from", toml::date{static_cast<int>(e.effective_from.year()),
                                                  static_cast<unsigned>(e.effective_from.month()),
                                                  static_cast<unsigned>(e.effective_from.day())}},
                    {"issuance_fee_yen", e.issuance_fee_yen},
                    {"renewal_fee_yen", e.renewal_fee_yen},
                    {"mailing_fee_yen", e.mailing_fee_yen}});
  }
  root.insert("tariff", tariff);
  RenderSubsidyConfig(c, root);
  std::ostringstream out;
  out << "# claimsca configuration. Every value can be overridden by the environment\n"
         "# (CLAIMSCA_<SECTION>_<KEY>) or by `--set section.key=value`.\n"
         "# Relative paths are relative to this directory.\n\n"
      // Basic strings only: toml++ 3.3 writes some strings holding three quotes and tabs as
      // literal strings it cannot read back (found by fuzz/config_fuzz.cc).
      << toml::toml_formatter{root, toml::format_flags::allow_unicode_strings |
                                        toml::format_flags::indentation}
      << "\n";
  return out.str();
}

}  // namespace claimsca::cmd
