#include "agent/agent.h"

#include <openssl/cmp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/report.h"
#include "common/iso_date.h"
#include "common/time_util.h"
#include "crypto/ossl.h"

namespace claimsca::agent {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CtxPtr = std::unique_ptr<OSSL_CMP_CTX, decltype(&OSSL_CMP_CTX_free)>;

Result<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `data` to `path` through a temporary file in the same directory, fsync'd, then
// renamed over it: a reader sees the old file or the new one, never half of one.
Status WriteAtomic(const std::string& path, std::string_view data, mode_t mode) {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return Unavailable("cannot write " + tmp);
  const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size() &&
                  std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  std::fclose(f);
  if (!ok || chmod(tmp.c_str(), mode) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Unavailable("cannot replace " + path);
  }
  return Status::Ok();
}

Result<crypto::X509Ptr> ReadCert(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadAll(path));
  return crypto::CertFromPem(pem);
}

// Every certificate of a PEM file, as the trust anchors of CMP responses. Partial chains
// are accepted: the issuing CA alone is a valid anchor, as is the root.
Result<X509_STORE*> ReadTrustStore(const std::string& path, Instant now) {
  ASSIGN_OR_RETURN(std::string pem, ReadAll(path));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  if (bio == nullptr || store == nullptr) return crypto::OpensslError("trust store");
  int n = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    const int added = X509_STORE_add_cert(store.get(), cert);
    X509_free(cert);
    if (added != 1) return crypto::OpensslError("trust store");
    ++n;
  }
  ERR_clear_error();  // the end of the file
  if (n == 0) return InvalidArgument(path + ": no PEM certificate");
  X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get());
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(now));
  return store.release();
}

Result<KeyPtr> ReadKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadAll(path));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (key == nullptr) return crypto::OpensslError("reading " + path, Code::kInvalidArgument);
  return key;
}

Result<std::string> KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
    return crypto::OpensslError("writing the key");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Instant NotAfter(X509* cert) {
  const ASN1_TIME* t = X509_get0_notAfter(cert);
  struct tm tm {};
  ASN1_TIME_to_tm(t, &tm);
  return std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::from_time_t(timegm(&tm)));
}

int64_t DaysLeft(Instant now, Instant not_after) {
  return (std::chrono::sys_days(JstDate(not_after)) - std::chrono::sys_days(JstDate(now))).count();
}

// The transfer callback of tests: encodes, hands over, decodes.
OSSL_CMP_MSG* Transfer(OSSL_CMP_CTX* ctx, const OSSL_CMP_MSG* req) {
  auto* fn = static_cast<std::function<Result<std::string>(std::string_view)>*>(
      OSSL_CMP_CTX_get_transfer_cb_arg(ctx));
  unsigned char* buf = nullptr;
  const int n = i2d_OSSL_CMP_MSG(req, &buf);
  if (n <= 0) return nullptr;
  std::string der(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  auto rsp = (*fn)(der);
  if (!rsp.ok()) return nullptr;
  const auto* p = reinterpret_cast<const unsigned char*>(rsp->data());
  return d2i_OSSL_CMP_MSG(nullptr, &p, static_cast<long>(rsp->size()));
}

// The server's free text of the last response (a rejection's reason), "" when none.
std::string StatusText(OSSL_CMP_CTX* c) {
  std::string out;
  if (OSSL_CMP_PKIFREETEXT* texts = OSSL_CMP_CTX_get0_statusString(c)) {
    for (int i = 0; i < sk_ASN1_UTF8STRING_num(texts); ++i) {
      const ASN1_UTF8STRING* t = sk_ASN1_UTF8STRING_value(texts, i);
      if (!out.empty()) out += "; ";
      out.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(t)),
                 static_cast<size_t>(ASN1_STRING_length(t)));
    }
  }
  return out;
}

}  // namespace

Status ExplainRefusal(int pki_status, std::string_view server_text, std::string_view transport,
                      std::string_view ends) {
  const std::string end(ends);
  if (pki_status < 0) {
    return Unavailable("server down or unreachable (" +
                       std::string(transport.empty() ? "no answer" : transport) +
                       "). Nothing to do now: the certificate stays valid until " + end +
                       " and the agent tries again at the next check; if this lasts, check the "
                       "network, the proxy and --server");
  }
  const std::string text(server_text);
  auto rule = [&](std::string_view name) { return text.starts_with(std::string(name) + ":"); };
  if (rule("renewal_not_open")) {
    return FailedPrecondition("window not open: " + text +
                              ". Nothing to do: the agent renews by itself once it opens");
  }
  if (rule("not_current")) {
    return FailedPrecondition("not current: " + text +
                              ". This certificate was already renewed and the new one confirmed: "
                              "install that certificate and its key on this terminal");
  }
  if (rule("expired")) {
    return FailedPrecondition("expired: " + text + ". Apply anew on the portal");
  }
  if (rule("revoked")) {
    return FailedPrecondition("revoked: " + text + ". Apply anew on the portal");
  }
  return FailedPrecondition(
      "refused by the server: " + (text.empty() ? std::string("no reason given") : text) +
      ". Ask the CA's operator; the certificate stays valid until " + end);
}

bool ReminderDue(int64_t days_left) {
  return days_left == 90 || days_left == 60 || days_left == 30 || days_left == 15 ||
         (days_left >= 0 && days_left <= 7);
}

Agent::Agent(AgentOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

Result<int64_t> Agent::RenewAtDaysLeft(const std::string& serial) const {
  // A stable per-terminal spread: the serial's last hex digits.
  uint64_t h = 0;
  for (char c : serial) h = h * 131 + static_cast<unsigned char>(c);
  const int spread =
      options_.jitter_days > 0 ? static_cast<int>(h % (options_.jitter_days + 1)) : 0;
  return std::max<int64_t>(1, LatestRenewDaysLeft(options_) - spread);
}

int64_t LatestRenewDaysLeft(const AgentOptions& o) {
  // The server's window opens at 00:00 JST of the day window_days whole JST days before
  // the end date (ca::RenewalOpens): that day and every later one is inside it at any hour.
  return std::max(1, std::min(o.renew_within_days, o.window_days));
}

Result<std::string> Agent::Renew() {
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, ReadCert(options_.cert_file));
  ASSIGN_OR_RETURN(KeyPtr key, ReadKey(options_.key_file));
  ASSIGN_OR_RETURN(X509_STORE * trusted, ReadTrustStore(options_.trusted_file, clock_.Now()));
  KeyPtr new_key(options_.key_algorithm == "rsa" ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"),
                 &EVP_PKEY_free);
  if (new_key == nullptr) return crypto::OpensslError("generating the new key");
  CtxPtr ctx(OSSL_CMP_CTX_new(nullptr, nullptr), &OSSL_CMP_CTX_free);
  if (ctx == nullptr) {
    X509_STORE_free(trusted);
    return crypto::OpensslError("OSSL_CMP_CTX_new");
  }
  OSSL_CMP_CTX* c = ctx.get();
  OSSL_CMP_CTX_set_log_verbosity(c, OSSL_CMP_LOG_ERR);
  // The server sends error and rejection messages unprotected (so that a client with a
  // wrong key still reads the reason): accept them, or every refusal reads "no status".
  // A forged error costs at most a renewal retried at the next check.
  OSSL_CMP_CTX_set_option(c, OSSL_CMP_OPT_UNPROTECTED_ERRORS, 1);
  // Responses are signed by the CMP signer certificate (digitalSignature), which must
  // chain to the trusted file's certificates at the agent's clock.
  if (OSSL_CMP_CTX_set0_trustedStore(c, trusted) != 1) {
    X509_STORE_free(trusted);
    return crypto::OpensslError("setting up CMP");
  }
  bool ok = OSSL_CMP_CTX_set1_cert(c, cert.get()) == 1 &&
            OSSL_CMP_CTX_set1_pkey(c, key.get()) == 1 &&
            OSSL_CMP_CTX_set0_newPkey(c, 1, new_key.get()) == 1;
  if (ok) EVP_PKEY_up_ref(new_key.get());  // the context took one reference
  if (ok && options_.transfer) {
    ok = OSSL_CMP_CTX_set_transfer_cb(c, &Transfer) == 1 &&
         OSSL_CMP_CTX_set_transfer_cb_arg(c, &options_.transfer) == 1;
  } else if (ok) {
    const size_t colon = options_.server.rfind(':');
    const std::string host = options_.server.substr(0, colon);
    const int port = colon == std::string::npos ? 80 : std::stoi(options_.server.substr(colon + 1));
    ok = OSSL_CMP_CTX_set1_server(c, host.c_str()) == 1 &&
         OSSL_CMP_CTX_set_serverPort(c, port) == 1 &&
         OSSL_CMP_CTX_set1_serverPath(c, options_.server_path.c_str()) == 1;
  }
  if (!ok) return crypto::OpensslError("setting up CMP");
  X509* issued = OSSL_CMP_exec_KUR_ses(c);
  std::string note;
  if (issued == nullptr) {
    // The kup arrived and certConf was sent, but the pkiConf was lost: the certificate is
    // valid (signed, verified by OpenSSL) and renewable; installing it means the answer
    // lost last does not cost this terminal its renewal (docs/renewal-and-cmp.md).
    X509* got = OSSL_CMP_CTX_get0_newCert(c);
    if (got != nullptr && EVP_PKEY_eq(X509_get0_pubkey(got), new_key.get()) == 1) {
      issued = got;
      note = " (the server's confirmation was lost; the new certificate is installed)";
    } else {
      char transport[256] = "";
      if (const unsigned long e = ERR_peek_last_error(); e != 0) {
        ERR_error_string_n(e, transport, sizeof(transport));
      }
      const int pki_status = OSSL_CMP_CTX_get_status(c);
      const std::string text = StatusText(c);
      ERR_clear_error();
      return ExplainRefusal(pki_status, text, transport, IsoDate(JstDate(NotAfter(cert.get()))));
    }
  }
  ERR_clear_error();
  ASSIGN_OR_RETURN(std::string cert_pem, crypto::CertToPem(issued));
  ASSIGN_OR_RETURN(std::string key_pem, KeyPem(new_key.get()));
  // Key first: a certificate is never on disk without its key.
  RETURN_IF_ERROR(WriteAtomic(options_.key_file + ".new", key_pem, 0600));
  RETURN_IF_ERROR(WriteAtomic(options_.cert_file + ".new", cert_pem, 0644));
  if (std::rename((options_.key_file + ".new").c_str(), options_.key_file.c_str()) != 0 ||
      std::rename((options_.cert_file + ".new").c_str(), options_.cert_file.c_str()) != 0) {
    return Unavailable("cannot install the renewed key and certificate");
  }
  return note;
}

Result<CheckReport> Agent::CheckOnce() {
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, ReadCert(options_.cert_file));
  const Instant now = clock_.Now();
  const Instant end = NotAfter(cert.get());
  const std::string serial = crypto::SerialHex(X509_get0_serialNumber(cert.get()));
  CheckReport r;
  r.days_left = DaysLeft(now, end);
  r.reminder = ReminderDue(r.days_left);
  const std::string ends = IsoDate(JstDate(end));
  if (now >= end) {
    r.line = "expired " + ends +
             ": renewal is no longer possible; apply anew on the portal (a new application, "
             "with a notice by post)";
    return r;
  }
  ASSIGN_OR_RETURN(int64_t renew_at, RenewAtDaysLeft(serial));
  if (r.days_left <= renew_at) {
    Result<std::string> done = Renew();
    if (done.ok()) {
      ASSIGN_OR_RETURN(crypto::X509Ptr renewed, ReadCert(options_.cert_file));
      r.renewed = true;
      r.line = "renewed: " + serial + " (ends " + ends + ") -> " +
               crypto::SerialHex(X509_get0_serialNumber(renewed.get())) + " (ends " +
               IsoDate(JstDate(NotAfter(renewed.get()))) + ")" + *done;
      return r;
    }
    r.line = "renewal failed: " + done.status().message() + " [certificate ends " + ends + "]";
    if (!options_.report_server.empty()) {
      // With the certificate that failed to renew (it is still valid: now < end).
      Result<std::string> reported = ReportRenewalFailure(
          {options_.report_server, options_.cert_file, options_.key_file, options_.trusted_file},
          done.status().message());
      r.line += reported.ok() ? " (reported to the server)"
                              : " (the report failed too: " + reported.status().message() + ")";
    }
  } else {
    r.line = "certificate ends " + ends + " (" + std::to_string(r.days_left) + " days)";
  }
  if (r.reminder) {
    r.line = "REMINDER: 証明書の有効期限まであと " + std::to_string(r.days_left) + " 日 (" + ends +
             "); " + r.line;
  }
  return r;
}

Result<std::string> Agent::StatusLine() {
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, ReadCert(options_.cert_file));
  const Instant now = clock_.Now();
  const Instant end = NotAfter(cert.get());
  const int64_t left = DaysLeft(now, end);
  const std::string ends = IsoDate(JstDate(end));
  if (now >= end)
    return "certificate ended " + ends + ": renewal is no longer possible; apply anew";
  ASSIGN_OR_RETURN(int64_t renew_at,
                   RenewAtDaysLeft(crypto::SerialHex(X509_get0_serialNumber(cert.get()))));
  if (left <= renew_at) {
    return "certificate ends " + ends + " (" + std::to_string(left) +
           " days left): renewal is due now, at the next daily check";
  }
  const Date renew_on = JstDate(end - std::chrono::days(renew_at));
  return "certificate ends " + ends + " (" + std::to_string(left) +
         " days left): renews by itself on " + IsoDate(renew_on);
}

}  // namespace claimsca::agent
