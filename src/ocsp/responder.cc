#include "ocsp/responder.h"

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include <array>
#include <ctime>
#include <exception>
#include <utility>

#include "ocsp/status_cache.h"

namespace claimsca::ocsp {
namespace {

std::string_view View(const ASN1_STRING* s) {
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
          static_cast<size_t>(ASN1_STRING_length(s))};
}

Result<std::string> Digest(std::string_view data, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out, &n, md, nullptr) != 1) {
    return crypto::OpensslError("EVP_Digest");
  }
  return std::string(reinterpret_cast<char*>(out), n);
}

// An HTTP date (IMF-fixdate, RFC 9110 §5.6.7): "Sun, 06 Dec 2026 08:00:00 GMT".
std::string HttpDate(Instant t) {
  const time_t secs = std::chrono::system_clock::to_time_t(t);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[40];
  const size_t n = strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

crypto::X509Ptr UpRef(X509* cert) {
  X509_up_ref(cert);
  return crypto::X509Ptr(cert);
}

}  // namespace

// issuerNameHash / issuerKeyHash of one issuer for each supported CertID hash.
struct OcspResponder::IssuerHashes {
  std::string issuer_id;
  crypto::X509Ptr cert;
  std::array<std::string, 2> name_hash;  // [0] SHA-1, [1] SHA-256
  std::array<std::string, 2> key_hash;
  size_t delegate = 0;  // index into delegates_
};

OcspResponder::OcspResponder(store::CertificateReader& certs,
                             const std::vector<OcspIssuer>& issuers, X509* responder_cert,
                             const crypto::Signer& responder_signer, const Clock& clock,
                             OcspResponderOptions options)
    : certs_(certs),
      signer_(responder_signer),
      clock_(clock),
      options_(options),
      refresh_after_(options.refresh_after.value_or(options.validity / 2)),
      cache_(options.cache_capacity) {
  init_status_ = Init(issuers, responder_cert);
}

OcspResponder::~OcspResponder() = default;

Result<std::unique_ptr<OcspResponder>> OcspResponder::Create(
    store::CertificateReader& certs, const std::vector<OcspIssuer>& issuers, X509* responder_cert,
    const crypto::Signer& responder_signer, const Clock& clock, OcspResponderOptions options) {
  auto r = std::make_unique<OcspResponder>(certs, issuers, responder_cert, responder_signer, clock,
                                           std::move(options));
  if (!r->init_status().ok()) return r->init_status();
  return r;
}

Result<size_t> OcspResponder::AddDelegate(X509* responder_cert, const crypto::Signer& signer) {
  for (size_t i = 0; i < delegates_.size(); ++i) {
    if (delegates_[i].cert.get() == responder_cert) return i;
  }
  // Without an EKU extension OpenSSL reports "all purposes": require it explicitly.
  if ((X509_get_extension_flags(responder_cert) & EXFLAG_XKUSAGE) == 0 ||
      (X509_get_extended_key_usage(responder_cert) & XKU_OCSP_SIGN) == 0) {
    return FailedPrecondition("OCSP: responder certificate lacks id-kp-OCSPSigning");
  }
  EVP_PKEY* responder_key = X509_get0_pubkey(responder_cert);
  if (responder_key == nullptr) return crypto::OpensslError("OCSP: responder public key");
  // 1 equal, 0/-1 different (value or type); -2 cannot compare (e.g. some tokens): allowed.
  int eq = EVP_PKEY_eq(responder_key, signer.key());
  if (eq == 0 || eq == -1) {
    return FailedPrecondition("OCSP: signer key is not the responder certificate's key");
  }
  Delegate d;
  d.cert = UpRef(responder_cert);
  d.signer = &signer;
  ASSIGN_OR_RETURN(d.cert_der, crypto::CertToDer(responder_cert));
  const ASN1_BIT_STRING* rkey = X509_get0_pubkey_bitstr(responder_cert);
  if (rkey == nullptr) return crypto::OpensslError("OCSP: responder public key");
  ASSIGN_OR_RETURN(d.key_hash, Digest(View(rkey), EVP_sha1()));
  ASSIGN_OR_RETURN(d.signature_algorithm, signer.SignatureAlgorithmDer());
  delegates_.push_back(std::move(d));
  return delegates_.size() - 1;
}

Status OcspResponder::Init(const std::vector<OcspIssuer>& issuers, X509* responder_cert) {
  if (issuers.empty()) return InvalidArgument("OCSP: no issuers");
  if (responder_cert == nullptr) return InvalidArgument("OCSP: no responder certificate");
  if (options_.validity <= std::chrono::seconds(0) || refresh_after_ <= std::chrono::seconds(0) ||
      refresh_after_ > options_.validity) {
    return InvalidArgument("OCSP: need 0 < refresh_after <= validity");
  }
  RETURN_IF_ERROR(AddDelegate(responder_cert, signer_).status());

  const EVP_MD* mds[2] = {EVP_sha1(), EVP_sha256()};
  for (const OcspIssuer& in : issuers) {
    if (in.cert == nullptr) return InvalidArgument("OCSP: issuer " + in.issuer_id + " has no cert");
    if ((in.responder_cert == nullptr) != (in.responder_signer == nullptr)) {
      return InvalidArgument("OCSP: issuer " + in.issuer_id + ": responder without signer");
    }
    X509* delegate_cert = in.responder_cert ? in.responder_cert : responder_cert;
    if (X509_check_issued(in.cert, delegate_cert) != X509_V_OK) {
      return FailedPrecondition("OCSP: responder certificate was not issued by " + in.issuer_id);
    }
    ASSIGN_OR_RETURN(
        size_t delegate,
        AddDelegate(delegate_cert, in.responder_signer ? *in.responder_signer : signer_));
    IssuerHashes h{in.issuer_id, UpRef(in.cert), {}, {}, delegate};
    unsigned char* name = nullptr;
    int name_len = i2d_X509_NAME(X509_get_subject_name(in.cert), &name);
    if (name_len <= 0) return crypto::OpensslError("OCSP: i2d_X509_NAME");
    std::string name_der(reinterpret_cast<char*>(name), static_cast<size_t>(name_len));
    OPENSSL_free(name);
    const ASN1_BIT_STRING* key = X509_get0_pubkey_bitstr(in.cert);
    if (key == nullptr) return crypto::OpensslError("OCSP: issuer public key");
    for (int i = 0; i < 2; ++i) {
      ASSIGN_OR_RETURN(h.name_hash[i], Digest(name_der, mds[i]));
      ASSIGN_OR_RETURN(h.key_hash[i], Digest(View(key), mds[i]));
    }
    issuers_.push_back(std::move(h));
  }
  return Status::Ok();
}

OcspCounters OcspResponder::counters() const {
  constexpr auto o = std::memory_order_relaxed;
  return {good_.load(o),      revoked_.load(o),      unknown_.load(o),
          malformed_.load(o), unauthorized_.load(o), errors_.load(o),
          hits_.load(o),      misses_.load(o),       signatures_.load(o)};
}

OcspAnswer OcspResponder::Fail(ResponseStatus status) {
  switch (status) {
    case ResponseStatus::kMalformedRequest:
      malformed_.fetch_add(1, std::memory_order_relaxed);
      break;
    case ResponseStatus::kUnauthorized:
      unauthorized_.fetch_add(1, std::memory_order_relaxed);
      break;
    default:
      errors_.fetch_add(1, std::memory_order_relaxed);
  }
  return {ErrorResponse(status), nullptr};
}

void OcspResponder::Count(const std::vector<StatusKey>& statuses) {
  for (const StatusKey& s : statuses) {
    auto& c = s.kind == CertStatusKind::kGood      ? good_
              : s.kind == CertStatusKind::kRevoked ? revoked_
                                                   : unknown_;
    c.fetch_add(1, std::memory_order_relaxed);
  }
}

OcspAnswer OcspResponder::Answer(std::string_view request_der) noexcept {
  try {
    return AnswerOrThrow(request_der);
  } catch (...) {  // std::bad_alloc and friends: never let them reach the server
    try {
      return Fail(ResponseStatus::kInternalError);
    } catch (...) {
      return {};
    }
  }
}

std::shared_ptr<const OcspResponder::Cached> OcspResponder::Entry(std::vector<Query> queries,
                                                                  std::vector<StatusKey> statuses,
                                                                  Instant now,
                                                                  std::string der) const {
  auto f = std::make_shared<HttpFreshness>();
  f->this_update = now;
  f->next_update = now + options_.validity;
  f->last_modified = HttpDate(now);
  f->expires = HttpDate(f->next_update);
  auto sha1 = Digest(der, EVP_sha1());
  if (sha1.ok()) f->etag = "\"" + crypto::HexEncode(*sha1) + "\"";
  return std::make_shared<Cached>(
      Cached{std::move(queries), std::move(statuses), now, std::move(der), std::move(f)});
}

OcspAnswer OcspResponder::AnswerOrThrow(std::string_view req) {
  if (!init_status_.ok()) return Fail(ResponseStatus::kInternalError);
  if (req.empty() || req.size() > options_.max_request_size) {
    return Fail(ResponseStatus::kMalformedRequest);
  }
  const Instant now = clock_.Now();
  // Hot path: a cached response for these exact bytes (never a nonce request).
  if (std::shared_ptr<const Cached> hit = cache_.Get(req)) {
    Result<std::vector<StatusKey>> statuses = ReadStatuses(hit->queries);
    if (!statuses.ok()) {
      return Fail(statuses.status().code() == Code::kUnavailable ? ResponseStatus::kTryLater
                                                                 : ResponseStatus::kInternalError);
    }
    if (*statuses == hit->statuses && now >= hit->this_update &&
        now - hit->this_update < refresh_after_) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      Count(*statuses);
      return {hit->der, hit->freshness};
    }
    // Stale or the status changed: re-sign from the already parsed queries.
    misses_.fetch_add(1, std::memory_order_relaxed);
    Result<std::string> der = Sign(hit->queries, *statuses, now, std::nullopt);
    if (!der.ok()) return Fail(ResponseStatus::kInternalError);
    std::shared_ptr<const Cached> fresh = Entry(hit->queries, *statuses, now, std::move(*der));
    cache_.Put(req, fresh);
    Count(fresh->statuses);
    return {fresh->der, fresh->freshness};
  }

  misses_.fetch_add(1, std::memory_order_relaxed);
  ResponseStatus failure = ResponseStatus::kMalformedRequest;
  Result<Parsed> parsed = Parse(req, &failure);
  if (!parsed.ok()) return Fail(failure);
  Result<std::vector<StatusKey>> statuses = ReadStatuses(parsed->queries);
  if (!statuses.ok()) {
    return Fail(statuses.status().code() == Code::kUnavailable ? ResponseStatus::kTryLater
                                                               : ResponseStatus::kInternalError);
  }
  std::optional<std::string_view> nonce;
  if (parsed->nonce) nonce = *parsed->nonce;
  Result<std::string> der = Sign(parsed->queries, *statuses, now, nonce);
  if (!der.ok()) return Fail(ResponseStatus::kInternalError);
  Count(*statuses);
  if (parsed->nonce) return {std::move(der).value(), nullptr};  // for this client only
  std::shared_ptr<const Cached> entry =
      Entry(std::move(parsed->queries), std::move(*statuses), now, std::move(*der));
  cache_.Put(req, entry);
  return {entry->der, entry->freshness};
}

Result<OcspResponder::Parsed> OcspResponder::Parse(std::string_view der,
                                                   ResponseStatus* failure) const {
  *failure = ResponseStatus::kMalformedRequest;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  crypto::OcspRequestPtr req(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(der.size())));
  if (!req || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    ERR_clear_error();
    return InvalidArgument("OCSP request does not parse");
  }
  int n = OCSP_request_onereq_count(req.get());
  if (n <= 0 || static_cast<size_t>(n) > options_.max_cert_ids) {
    return InvalidArgument("OCSP request has no or too many CertIDs");
  }
  Parsed out;
  for (int i = 0; i < n; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req.get(), i));
    ASN1_OCTET_STRING *name_hash = nullptr, *key_hash = nullptr;
    ASN1_OBJECT* md = nullptr;
    ASN1_INTEGER* serial = nullptr;
    if (id == nullptr || OCSP_id_get0_info(&name_hash, &md, &key_hash, &serial, id) != 1) {
      return InvalidArgument("OCSP CertID unreadable");
    }
    int nid = OBJ_obj2nid(md);
    int h = nid == NID_sha1 ? 0 : nid == NID_sha256 ? 1 : -1;
    Query q;
    bool found = false;
    for (size_t k = 0; h >= 0 && k < issuers_.size() && !found; ++k) {
      if (View(name_hash) == issuers_[k].name_hash[h] &&
          View(key_hash) == issuers_[k].key_hash[h]) {
        q.issuer = k;
        found = true;
      }
    }
    if (!found) {
      *failure = ResponseStatus::kUnauthorized;
      return FailedPrecondition("OCSP CertID of an issuer not served here");
    }
    unsigned char* id_der = nullptr;
    int id_len = i2d_OCSP_CERTID(id, &id_der);
    if (id_len <= 0) return crypto::OpensslError("i2d_OCSP_CERTID");
    q.cert_id_der.assign(reinterpret_cast<char*>(id_der), static_cast<size_t>(id_len));
    OPENSSL_free(id_der);
    // The CertID is echoed in the response: it must read back as itself. OpenSSL accepts
    // some odd hashAlgorithm parameters (e.g. an empty constructed tag 0) that it then
    // re-encodes into something no client can parse (found by fuzz/ocsp_fuzz.cc).
    const auto* back = reinterpret_cast<const unsigned char*>(q.cert_id_der.data());
    OCSP_CERTID* again = d2i_OCSP_CERTID(nullptr, &back, static_cast<long>(q.cert_id_der.size()));
    const bool round_trips =
        again != nullptr &&
        back == reinterpret_cast<const unsigned char*>(q.cert_id_der.data()) + q.cert_id_der.size();
    OCSP_CERTID_free(again);
    if (!round_trips) return InvalidArgument("OCSP CertID unreadable");
    // Negative, zero or over-long serials were never issued: leave serial_hex empty.
    if (ASN1_STRING_type(serial) == V_ASN1_INTEGER && ASN1_STRING_length(serial) <= 21) {
      q.serial_hex = crypto::SerialHex(serial);
    }
    // One response has one signer: CertIDs answered by different responders cannot share it.
    if (!out.queries.empty() &&
        issuers_[out.queries.front().issuer].delegate != issuers_[q.issuer].delegate) {
      *failure = ResponseStatus::kUnauthorized;
      return FailedPrecondition("OCSP CertIDs of issuers with different responders");
    }
    out.queries.push_back(std::move(q));
  }
  int ext = OCSP_REQUEST_get_ext_by_NID(req.get(), NID_id_pkix_OCSP_Nonce, -1);
  if (ext >= 0) {
    X509_EXTENSION* x = OCSP_REQUEST_get_ext(req.get(), ext);
    const ASN1_OCTET_STRING* value = x ? X509_EXTENSION_get_data(x) : nullptr;
    if (value == nullptr || ASN1_STRING_length(value) > 128) {
      return InvalidArgument("OCSP nonce unreadable or too long");
    }
    out.nonce = std::string(View(value));
  }
  return out;
}

Result<std::vector<StatusKey>> OcspResponder::ReadStatuses(const std::vector<Query>& queries) {
  std::vector<StatusKey> out(queries.size());
  for (size_t i = 0; i < queries.size(); ++i) {
    if (queries[i].serial_hex.empty()) continue;  // unknown
    const std::string& issuer_id = issuers_[queries[i].issuer].issuer_id;
    Result<store::CertStatus> st =
        options_.status_cache ? options_.status_cache->GetStatus(issuer_id, queries[i].serial_hex)
                              : certs_.GetStatus(issuer_id, queries[i].serial_hex);
    if (!st.ok()) {
      if (st.status().code() == Code::kNotFound) continue;  // unknown
      return st.status();
    }
    if (st->state != store::CertState::kIssued) continue;  // never handed out: unknown
    if (st->revoked_at) {
      out[i] = {CertStatusKind::kRevoked, *st->revoked_at, st->revocation_reason};
    } else {
      out[i].kind = CertStatusKind::kGood;
    }
  }
  return out;
}

Result<std::string> OcspResponder::Sign(const std::vector<Query>& queries,
                                        const std::vector<StatusKey>& statuses, Instant now,
                                        std::optional<std::string_view> nonce) {
  std::vector<SingleResponse> singles;
  singles.reserve(queries.size());
  for (size_t i = 0; i < queries.size(); ++i)
    singles.push_back({queries[i].cert_id_der, statuses[i]});
  const Delegate& d = delegates_[queries.empty() ? 0 : issuers_[queries.front().issuer].delegate];
  ResponseParams params{d.key_hash, d.cert_der, d.signature_algorithm, now, now + options_.validity,
                        nonce};
  signatures_.fetch_add(1, std::memory_order_relaxed);
  return EncodeSuccessfulResponse(params, singles, *d.signer);
}

}  // namespace claimsca::ocsp
