#include "ca/issuer.h"

#include <algorithm>

#include "ca/crl_shard.h"
#include "ca/linter.h"
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
      issuer_facts_(IssuerFacts::Of(issuer_cert)),
      sig_alg_(signer.SignatureAlgorithmDer()),
      signer_(signer),
      store_(store),
      programs_(programs),
      clock_(clock) {}

Status Issuer::ValidateRequest(const IssueRequest& request) const {
  if (!options_.programs.empty() && std::find(options_.programs.begin(), options_.programs.end(),
                                              request.program) == options_.programs.end()) {
    return FailedPrecondition("the issuing CA " + options_.issuer_id +
                              " does not sign certificates of the program " + request.program);
  }
  ASSIGN_OR_RETURN(const ProgramProfile* program, programs_.Find(request.program));
  RETURN_IF_ERROR(program->CheckSubjectCode(request.subject_code));
  RETURN_IF_ERROR(program->UsageCategoryFor(request.usage_category).status());
  RETURN_IF_ERROR(ValidateTerminalName(request.terminal_name));
  return Status::Ok();
}

// One certificate on its way through a batch.
struct Issuer::Draft {
  size_t key = 0;  // its item in IssuerBatch::keys
  const ProgramProfile* program = nullptr;
  std::string algorithm_name;
  TerminalCertSpec spec;
  store::CertificateRecord record;
  std::string der;  // the signed certificate
};

// A batch: the caller's items' results, the keys to issue for (and what they point to),
// the drafts, and the certificates signed and not yet stored.
struct IssuerBatch {
  std::vector<Result<IssuedCertificate>> out;
  std::vector<Issuer::KeyItem> keys;
  std::vector<size_t> key_out;          // keys[k] answers out[key_out[k]]
  std::vector<IssueRequest> requests;   // the requests keys point to, when owned here
  std::vector<crypto::ParsedCsr> csrs;  // the keys, when parsed here
  Instant now{};
  std::vector<Issuer::Draft> drafts;
  std::vector<Issuer::Draft*> recorded;  // intents recorded, to be signed
  std::vector<Issuer::Draft*> to_store;  // signed, to be stored
};

Result<IssuedCertificate> Issuer::IssueFromCsr(const IssueRequest& request, std::string_view csr) {
  const CsrItem item{request, csr};
  return std::move(IssueFromCsrs(std::span<const CsrItem>(&item, 1)).front());
}

std::unique_ptr<IssuerBatch> Issuer::ParseCsrs(std::span<const CsrItem> items) const {
  auto b = std::make_unique<IssuerBatch>();
  b->out.assign(items.size(), Internal("not issued"));
  b->requests.reserve(items.size());
  b->csrs.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    Status valid = ValidateRequest(items[i].request);
    if (!valid.ok()) {
      b->out[i] = valid;
      continue;
    }
    Result<crypto::ParsedCsr> csr = crypto::ParseCsr(items[i].csr);
    if (!csr.ok()) {
      b->out[i] = csr.status();
      continue;
    }
    b->requests.push_back(items[i].request);
    b->csrs.push_back(std::move(*csr));
    b->key_out.push_back(i);
  }
  b->keys.reserve(b->csrs.size());
  for (size_t k = 0; k < b->csrs.size(); ++k) {
    b->keys.push_back({&b->requests[k], b->csrs[k].public_key.get(), b->csrs[k].spki_der});
  }
  return b;
}

std::vector<Result<IssuedCertificate>> Issuer::IssueFromCsrs(std::span<const CsrItem> items,
                                                             bool defer_sync) {
  return Issue(*ParseCsrs(items), defer_sync);
}

std::vector<Result<IssuedCertificate>> Issuer::IssueBatch(std::span<const KeyItem> items,
                                                          bool defer_sync) {
  IssuerBatch b;
  b.out.assign(items.size(), Internal("not issued"));
  b.keys.assign(items.begin(), items.end());
  for (size_t i = 0; i < items.size(); ++i) b.key_out.push_back(i);
  return Issue(b, defer_sync);
}

std::vector<Result<IssuedCertificate>> Issuer::Issue(IssuerBatch& b, bool defer_sync) {
  PrepareAll(b);
  Record(b, nullptr);
  Sign(b);
  Store(b, defer_sync);
  return std::move(b.out);
}

Issuer::Pipeline::Pipeline(Issuer& issuer) : issuer_(issuer) {}
Issuer::Pipeline::~Pipeline() = default;

void Issuer::Pipeline::Add(std::span<const CsrItem> items, const Stored& stored) {
  std::unique_ptr<IssuerBatch> b = issuer_.ParseCsrs(items);
  issuer_.PrepareAll(*b);
  issuer_.Record(*b, held_.get());
  if (held_) {
    std::unique_ptr<IssuerBatch> previous = std::move(held_);
    stored(std::move(previous->out));
  }
  issuer_.Sign(*b);
  held_ = std::move(b);
}

std::vector<Result<IssuedCertificate>> Issuer::Pipeline::Finish() {
  if (!held_) return {};
  issuer_.Store(*held_, /*defer_sync=*/true);
  std::vector<Result<IssuedCertificate>> out = std::move(held_->out);
  held_.reset();
  return out;
}

Result<IssuedCertificate> Issuer::IssueForKey(const IssueRequest& request, EVP_PKEY* public_key) {
  ASSIGN_OR_RETURN(std::string spki, crypto::PublicKeyDer(public_key));
  return IssueForSpki(request, public_key, spki);
}

Result<IssuedCertificate> Issuer::IssueForSpki(const IssueRequest& request, EVP_PKEY* public_key,
                                               std::string_view spki) {
  const KeyItem item{&request, public_key, spki};
  return std::move(IssueBatch(std::span<const KeyItem>(&item, 1)).front());
}

Status Issuer::Prepare(const KeyItem& item, Instant now, Draft& draft) const {
  // Step 1: validate the request against the program.
  const IssueRequest& request = *item.request;
  RETURN_IF_ERROR(ValidateRequest(request));
  ASSIGN_OR_RETURN(draft.program, programs_.Find(request.program));
  ASSIGN_OR_RETURN(crypto::KeyAlgorithm algorithm, crypto::KeyAlgorithmOf(item.public_key));
  draft.algorithm_name = crypto::KeyAlgorithmName(algorithm);
  if (!draft.program->AllowsKeyAlgorithm(draft.algorithm_name)) {
    return Status(Code::kBadCsr, "key algorithm " + draft.algorithm_name + " is not allowed");
  }
  TerminalCertSpec& spec = draft.spec;
  spec.subject_code = request.subject_code;
  ASSIGN_OR_RETURN(spec.usage_category, draft.program->UsageCategoryFor(request.usage_category));
  spec.organization = options_.organization;
  spec.spki_der = item.spki_der;
  const bool keep = request.not_before && (*request.not_before > now || request.keep_period);
  spec.not_before = keep ? *request.not_before : now;
  spec.not_after = draft.program->NotAfter(spec.not_before);
  return Status::Ok();
}

Status Issuer::Draw(const KeyItem& item, Instant now, Draft& draft) const {
  // Steps 2–4: draw a serial and a Common Name, build and lint the TBS. The intent is
  // recorded by the caller; a clash of serial or Common Name there (the database enforces
  // both) draws again.
  TerminalCertSpec& spec = draft.spec;
  ASSIGN_OR_RETURN(spec.serial, crypto::RandomSerial());
  ASSIGN_OR_RETURN(spec.common_name, crypto::RandomDigits(options_.common_name_digits));
  RETURN_IF_ERROR(issuer_facts_.status());
  RETURN_IF_ERROR(sig_alg_.status());
  std::optional<int> shard;
  const IssuerUrls* urls = &options_.urls;
  IssuerUrls shard_urls;
  if (options_.crl_shards > 0 && !options_.urls.crl_url.empty()) {
    shard = CrlShardOf(spec.serial, options_.crl_shards);
    if (!shard) return InvalidArgument("crl.shards: out of range or bad serial");
    shard_urls = options_.urls;
    shard_urls.crl_url = CrlShardUrl(options_.urls.crl_url, *shard);
    urls = &shard_urls;
  }
  ASSIGN_OR_RETURN(std::string tbs, EncodeTerminalTbs(spec, *issuer_facts_, *sig_alg_, *urls));
  RETURN_IF_ERROR(
      CheckTerminalTbs(tbs, *issuer_facts_, *draft.program, options_.lint, item.public_key));
  store::CertificateRecord& record = draft.record;
  const IssueRequest& request = *item.request;
  record.serial = spec.serial;
  record.issuer_id = options_.issuer_id;
  record.program = draft.program->id;
  record.institution_code = request.subject_code;
  record.common_name = spec.common_name;
  record.terminal_name = request.terminal_name;
  record.request_id = request.request_id;
  record.key_algorithm = draft.algorithm_name;
  record.not_before = spec.not_before;
  record.not_after = spec.not_after;
  record.tbs_der = std::move(tbs);
  record.crl_shard = shard;
  record.state = store::CertState::kIntent;
  record.created_at = now;
  return Status::Ok();
}

void Issuer::Audit(std::string_view event, const store::CertificateRecord& record) const {
  if (!options_.audit) return;
  options_.audit(event, {{"serial", record.serial},
                         {"issuer_id", record.issuer_id},
                         {"program", record.program},
                         {"institution_code", record.institution_code},
                         {"common_name", record.common_name},
                         {"key_algorithm", record.key_algorithm}});
}

void Issuer::PrepareAll(IssuerBatch& b) const {
  b.now = clock_.Now();
  b.drafts.reserve(b.keys.size());
  for (size_t k = 0; k < b.keys.size(); ++k) {
    Draft d;
    d.key = k;
    Status st = Prepare(b.keys[k], b.now, d);
    if (st.ok()) st = Draw(b.keys[k], b.now, d);
    if (!st.ok()) {
      b.out[b.key_out[k]] = st;
      continue;
    }
    b.drafts.push_back(std::move(d));
  }
}

void Issuer::Record(IssuerBatch& b, IssuerBatch* previous) {
  // Record the intents before anything is signed, with the previous batch's certificates
  // when there is one (the same transaction). A clash of serial or Common Name draws
  // fresh values for that draft and records it again (at most 5 attempts).
  std::vector<Draft*> todo;
  for (Draft& d : b.drafts) todo.push_back(&d);
  for (int attempt = 0; !todo.empty() || previous != nullptr; ++attempt) {
    std::vector<store::CertificateRecord> records;
    records.reserve(todo.size());
    for (Draft* d : todo) records.push_back(std::move(d->record));
    std::vector<Status> stored;
    if (previous != nullptr) {
      std::vector<store::CertificateWriter::IssuedDer> certs = ToStore(*previous);
      store::CertificateWriter::IntentsAndCerts both =
          store_.InsertIntentsAndMarkIssued(records, certs, /*defer_sync=*/true);
      Finished(*previous, std::move(both.certs));
      stored = std::move(both.intents);
      previous = nullptr;  // stored; the retries are intents only
    } else {
      stored = store_.InsertIntents(records);
    }
    std::vector<Draft*> again;
    for (size_t k = 0; k < todo.size(); ++k) {
      Draft& d = *todo[k];
      d.record = std::move(records[k]);
      if (stored[k].ok()) {
        b.recorded.push_back(&d);
        continue;
      }
      if (stored[k].code() != Code::kConflict || attempt >= 4) {
        b.out[b.key_out[d.key]] = stored[k].WithContext("recording issuance intent");
        continue;
      }
      Status redrawn = Draw(b.keys[d.key], b.now, d);
      if (!redrawn.ok()) {
        b.out[b.key_out[d.key]] = redrawn;
        continue;
      }
      again.push_back(&d);
    }
    todo.swap(again);
  }
}

void Issuer::Sign(IssuerBatch& b) {
  // Step 5: sign the recorded TBS bytes themselves. Step 6: the certificate is assembled
  // around exactly those bytes, with the signature algorithm the TBS names (both are
  // sig_alg_, and the linter checked it against the issuer's key).
  for (Draft* d : b.recorded) {
    Audit("signing_intent", d->record);
    Result<std::string> signature = signer_.SignSha256(d->record.tbs_der);
    if (signature.ok()) {
      d->der = AssembleCertificate(d->record.tbs_der, *sig_alg_, *signature);
      b.to_store.push_back(d);
      continue;
    }
    (void)store_.MarkFailed(d->record.serial);
    Audit("signing_failed", d->record);
    b.out[b.key_out[d->key]] = signature.status().WithContext("signing certificate");
  }
}

void Issuer::Store(IssuerBatch& b, bool defer_sync) {
  // Step 7: store the certificates; only then are they handed out.
  Finished(b, store_.MarkIssuedAll(ToStore(b), defer_sync));
}

std::vector<store::CertificateWriter::IssuedDer> Issuer::ToStore(const IssuerBatch& b) {
  std::vector<store::CertificateWriter::IssuedDer> certs;
  certs.reserve(b.to_store.size());
  for (const Draft* d : b.to_store) certs.push_back({d->record.serial, d->der});
  return certs;
}

void Issuer::Finished(IssuerBatch& b, std::vector<Status> stored) {
  for (size_t k = 0; k < b.to_store.size(); ++k) {
    Draft& d = *b.to_store[k];
    Result<IssuedCertificate>& out = b.out[b.key_out[d.key]];
    if (!stored[k].ok()) {
      out = stored[k].WithContext("storing certificate");
      continue;
    }
    Audit("certificate_issued", d.record);
    out = IssuedCertificate{d.record.serial, d.record.common_name, std::move(d.der),
                            d.spec.not_before, d.spec.not_after};
  }
  b.to_store.clear();
}

}  // namespace claimsca::ca
