#include "ca/issuer.h"

#include "crypto/csr.h"
#include "crypto/keys.h"
#include "crypto/random.h"

namespace claimsca::ca {
namespace {

// Decodes one UTF-8 sequence; returns its length or 0 when invalid.
size_t Utf8Length(std::string_view s, size_t i, uint32_t* cp) {
  unsigned char c = s[i];
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t v = n == 1 ? c : c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = s[i + k];
    if ((cc >> 6) != 2) return 0;
    v = v << 6 | (cc & 0x3f);
  }
  static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  *cp = v;
  return n;
}

}  // namespace

Status ValidateSubjectCode(std::string_view code) {
  bool digits = !code.empty();
  for (char c : code) digits &= (c >= '0' && c <= '9');
  if (!digits || (code.size() != 10 && code.size() != 8)) {
    return InvalidArgument(
        "code: must be a 10-digit institution code or an 8-digit insurer number");
  }
  return Status::Ok();
}

Status ValidateTerminalName(std::string_view name) {
  size_t chars = 0;
  for (size_t i = 0; i < name.size();) {
    uint32_t cp = 0;
    size_t n = Utf8Length(name, i, &cp);
    if (n == 0) return InvalidArgument("terminal_name: must be valid UTF-8");
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
      return InvalidArgument("terminal_name: must not contain control characters");
    }
    i += n;
    ++chars;
  }
  if (chars == 0 || chars > 100) return InvalidArgument("terminal_name: 1 to 100 characters");
  return Status::Ok();
}

Issuer::Issuer(IssuerOptions options, X509* issuer_cert, const crypto::Signer& signer,
               store::CertificateWriter& store, const ProgramRegistry& programs, const Clock& clock)
    : options_(std::move(options)),
      issuer_cert_((X509_up_ref(issuer_cert), issuer_cert)),
      signer_(signer),
      store_(store),
      programs_(programs),
      clock_(clock) {}

Status Issuer::ValidateRequest(const IssueRequest& request) const {
  RETURN_IF_ERROR(ValidateSubjectCode(request.subject_code));
  RETURN_IF_ERROR(ValidateTerminalName(request.terminal_name));
  return Status::Ok();
}

Result<IssuedCertificate> Issuer::IssueFromCsr(const IssueRequest& request, std::string_view csr) {
  RETURN_IF_ERROR(ValidateRequest(request));
  ASSIGN_OR_RETURN(crypto::ParsedCsr parsed, crypto::ParseCsr(csr));
  return IssueForSpki(request, parsed.public_key.get(), parsed.Spki());
}

Result<IssuedCertificate> Issuer::IssueForKey(const IssueRequest& request, EVP_PKEY* public_key) {
  ASSIGN_OR_RETURN(auto spki, MakeSpki(public_key));
  return IssueForSpki(request, public_key, spki.get());
}

Result<IssuedCertificate> Issuer::IssueForSpki(const IssueRequest& request, EVP_PKEY* public_key,
                                               const X509_PUBKEY* spki) {
  // Step 1: validate the request against the program.
  RETURN_IF_ERROR(ValidateRequest(request));
  ASSIGN_OR_RETURN(const ProgramProfile* program, programs_.Find(request.program));
  ASSIGN_OR_RETURN(crypto::KeyAlgorithm algorithm, crypto::KeyAlgorithmOf(public_key));
  std::string algorithm_name(crypto::KeyAlgorithmName(algorithm));
  if (!program->AllowsKeyAlgorithm(algorithm_name)) {
    return Status(Code::kBadCsr, "key algorithm " + algorithm_name + " is not allowed");
  }

  const Instant now = clock_.Now();
  TerminalCertSpec spec;
  spec.subject_code = request.subject_code;
  spec.organization = options_.organization;
  spec.public_key = public_key;
  spec.spki = spki;
  spec.not_before = request.not_before && *request.not_before > now ? *request.not_before : now;
  spec.not_after = program->NotAfter(spec.not_before);

  // Steps 2–4: draw a serial and a Common Name, build and lint the TBS, and record the
  // intent durably. A clash of serial or Common Name (the database enforces both) draws
  // fresh values; nothing is signed before the intent is stored.
  crypto::X509Ptr tbs_cert;
  store::CertificateRecord record;
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(spec.serial, crypto::RandomSerial());
    ASSIGN_OR_RETURN(spec.common_name, crypto::RandomDigits(options_.common_name_digits));
    ASSIGN_OR_RETURN(tbs_cert,
                     BuildTerminalTbs(spec, issuer_cert_.get(), signer_.key(), options_.urls));
    RETURN_IF_ERROR(
        CheckTerminalCert(tbs_cert.get(), issuer_cert_.get(), *program, options_.lint, public_key));
    record.serial = spec.serial;
    record.issuer_id = options_.issuer_id;
    record.program = program->id;
    record.institution_code = request.subject_code;
    record.common_name = spec.common_name;
    record.terminal_name = request.terminal_name;
    record.request_id = request.request_id;
    record.key_algorithm = algorithm_name;
    record.not_before = spec.not_before;
    record.not_after = spec.not_after;
    ASSIGN_OR_RETURN(record.tbs_der, TbsDer(tbs_cert.get()));
    record.state = store::CertState::kIntent;
    record.created_at = now;
    Status st = store_.InsertIntent(record);
    if (st.ok()) break;
    if (st.code() != Code::kConflict || attempt >= 4) {
      return st.WithContext("recording issuance intent");
    }
  }

  const std::vector<std::pair<std::string, std::string>> fields = {
      {"serial", record.serial},           {"issuer_id", record.issuer_id},
      {"program", record.program},         {"institution_code", record.institution_code},
      {"common_name", record.common_name}, {"key_algorithm", record.key_algorithm}};
  auto audit = [&](std::string_view event) {
    if (options_.audit) options_.audit(event, fields);
  };
  audit("signing_intent");

  // Step 5: sign the recorded TBS bytes themselves. Step 6: the certificate is assembled
  // around exactly those bytes, with the signature algorithm the TBS names (checked).
  auto fail = [&](Status failed) {
    (void)store_.MarkFailed(record.serial);
    audit("signing_failed");
    return failed;
  };
  Result<std::string> sig_alg = signer_.SignatureAlgorithmDer();
  if (!sig_alg.ok()) return fail(sig_alg.status());
  unsigned char* tbs_alg = nullptr;
  int tbs_alg_len = i2d_X509_ALGOR(X509_get0_tbs_sigalg(tbs_cert.get()), &tbs_alg);
  bool same_alg = tbs_alg_len > 0 &&
                  std::string_view(reinterpret_cast<char*>(tbs_alg), tbs_alg_len) == *sig_alg;
  OPENSSL_free(tbs_alg);
  if (!same_alg) return fail(Internal("the TBS names another signature algorithm than the CA's"));
  Result<std::string> signature = signer_.SignSha256(record.tbs_der);
  if (!signature.ok()) return fail(signature.status().WithContext("signing certificate"));
  std::string der = AssembleCertificate(record.tbs_der, *sig_alg, *signature);

  // Step 7: store the certificate; only then is it handed out.
  RETURN_IF_ERROR(store_.MarkIssued(record.serial, der).WithContext("storing certificate"));
  audit("certificate_issued");
  return IssuedCertificate{record.serial, record.common_name, std::move(der), spec.not_before,
                           spec.not_after};
}

}  // namespace claimsca::ca
