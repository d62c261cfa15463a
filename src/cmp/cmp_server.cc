#include "cmp/cmp_server.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <optional>

#include "ca/program.h"
#include "cmp/der_fields.h"
#include "crypto/keys.h"
#include "crypto/ossl.h"
#include "crypto/random.h"

namespace claimsca::cmp {

using Fields = std::vector<std::pair<std::string, std::string>>;

namespace {
// PKIBody choice numbers (RFC 4210 §5.1.2); OpenSSL 3.0 keeps its names private.
enum Body : int {
  kIr = 0,
  kIp = 1,
  kCr = 2,
  kP10cr = 4,
  kKur = 7,
  kKup = 8,
  kRr = 11,
  kGenm = 21,
  kError = 23,
  kCertConf = 24,
};

// Replay refusal lasts as long as the in-memory list of one node used to (docs).
constexpr std::chrono::hours kReplayWindow{24};
}  // namespace

struct CmpServer::Transaction {
  CmpServer* server = nullptr;
  std::unique_ptr<OSSL_CMP_SRV_CTX, void (*)(OSSL_CMP_SRV_CTX*)> srv{nullptr,
                                                                     &OSSL_CMP_SRV_CTX_free};
  std::string tid;
  std::string client;
  HeaderFields header;
  std::string request_id;  // ir: the senderKID
  std::string refusal;     // non-empty: every callback refuses with this text
  bool refused = false;    // a cmp_refused line was logged for this message
  bool reached = false;    // a callback ran: the message passed OpenSSL's checks
  // ir / kur: the certificate issued, awaiting certConf; for a kur, the renewed one as the
  // application held it (restored if the holder rejects the new one).
  std::string issued_serial;
  int cert_req_id = 0;
  std::optional<store::RenewalResult> restore;
  std::string sealed_secret;  // ir: the PBM secret, sealed, for the certConf on any node
  // Restore(): the certificate the ir / kur issued, answered again to rebuild OpenSSL's
  // state for the certConf; no RA call while it is set.
  crypto::X509Ptr priming;
};

namespace {

bool StartsTransaction(int type) {
  return type == kIr || type == kCr || type == kP10cr || type == kKur || type == kRr ||
         type == kGenm || type == kError;
}

const char* BodyName(int type) {
  switch (type) {
    case kIr:
      return "ir";
    case kCr:
      return "cr";
    case kP10cr:
      return "p10cr";
    case kKur:
      return "kur";
    case kRr:
      return "rr";
    case kGenm:
      return "genm";
    case kError:
      return "error";
    default:
      return "other";
  }
}

// The associated data of an ir's sealed PBM secret in its transaction's row.
std::string SecretContext(std::string_view tid) { return "cmp-transaction:" + std::string(tid); }

using OctetsPtr = std::unique_ptr<ASN1_OCTET_STRING, void (*)(ASN1_OCTET_STRING*)>;

OctetsPtr Octets(std::string_view bytes) {
  OctetsPtr o(ASN1_OCTET_STRING_new(), &ASN1_OCTET_STRING_free);
  if (o != nullptr &&
      ASN1_OCTET_STRING_set(o.get(), reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size())) != 1) {
    o.reset();
  }
  return o;
}

// Restore()'s link: the local ir goes straight to the server context; its answer is kept
// only as a body type (the client side is thrown away).
struct PrimingLink {
  OSSL_CMP_SRV_CTX* srv = nullptr;
  int answer = -1;
};

OSSL_CMP_MSG* PrimingTransfer(OSSL_CMP_CTX* ctx, const OSSL_CMP_MSG* req) {
  auto* link = static_cast<PrimingLink*>(OSSL_CMP_CTX_get_transfer_cb_arg(ctx));
  OSSL_CMP_MSG* rsp = OSSL_CMP_SRV_process_request(link->srv, req);
  link->answer = rsp == nullptr ? -1 : OSSL_CMP_MSG_get_bodytype(rsp);
  OSSL_CMP_MSG_free(rsp);
  return nullptr;
}

std::string Hex(const ASN1_OCTET_STRING* s) {
  if (s == nullptr) return "";
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < ASN1_STRING_length(s); ++i) {
    const unsigned char c = ASN1_STRING_get0_data(s)[i];
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

OSSL_CMP_PKISI* Reject(int fail_bit, const std::string& text) {
  return OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_rejection, 1 << fail_bit, text.c_str());
}

OSSL_CMP_PKISI* RejectFor(const Status& s) {
  const int bit =
      s.code() == Code::kUnauthorized || s.code() == Code::kForbidden || s.code() == Code::kNotFound
          ? OSSL_CMP_PKIFAILUREINFO_notAuthorized
      : s.code() == Code::kBadCsr || s.code() == Code::kInvalidArgument
          ? OSSL_CMP_PKIFAILUREINFO_badCertTemplate
          : OSSL_CMP_PKIFAILUREINFO_badRequest;
  return Reject(bit, s.message());
}

std::string NameDer(const X509_NAME* name) {
  unsigned char* buf = nullptr;
  const int n = i2d_X509_NAME(name, &buf);
  if (n <= 0) return "";
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return out;
}

// Whether a requested subject names only `code`: every attribute value made of 8 or 10
// digits (an institution code or insurer number) must be `code`. The profile decides the
// real subject; this refuses requests that ask for another institution's.
bool SubjectNamesOnly(const X509_NAME* subject, const std::string& code) {
  if (subject == nullptr) return true;
  for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
    const ASN1_STRING* v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)),
                      static_cast<size_t>(ASN1_STRING_length(v)));
    const bool digits =
        !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
    if (digits && (value.size() == 8 || value.size() == 10) && value != code) return false;
  }
  return true;
}

}  // namespace

// The OpenSSL callbacks: thin, each forwards to the RA with the transaction's facts.
struct Callbacks {
  static CmpServer::Transaction& T(OSSL_CMP_SRV_CTX* srv) {
    return *static_cast<CmpServer::Transaction*>(OSSL_CMP_SRV_CTX_get0_custom_ctx(srv));
  }

  // Every refusal is one log line (docs/operations.md).
  static void Refused(CmpServer::Transaction& t, Fields fields) {
    t.refused = true;
    t.server->Log("cmp_refused", std::move(fields));
  }

  static OSSL_CMP_PKISI* Refuse(CmpServer::Transaction& t, const char* what, int bit,
                                const std::string& why) {
    Refused(t, {{"request", what}, {"client", t.client}, {"why", why}});
    return Reject(bit, why);
  }

  static OSSL_CMP_PKISI* CertRequest(OSSL_CMP_SRV_CTX* srv, const OSSL_CMP_MSG* req,
                                     int cert_req_id, const OSSL_CRMF_MSG* crm,
                                     const X509_REQ* p10cr, X509** cert_out,
                                     STACK_OF(X509) * *chain_out, STACK_OF(X509) * *ca_pubs) {
    CmpServer::Transaction& t = T(srv);
    CmpServer& s = *t.server;
    if (t.priming != nullptr) {  // CmpServer::Restore: issued already, by this or another node
      X509_up_ref(t.priming.get());
      *cert_out = t.priming.get();
      return OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_accepted, 0, nullptr);
    }
    t.reached = true;
    t.cert_req_id = cert_req_id;
    const int type = OSSL_CMP_MSG_get_bodytype(req);
    const char* what = type == kKur ? "kur" : "ir";
    if (!t.refusal.empty()) {
      return Refuse(t, what, OSSL_CMP_PKIFAILUREINFO_notAuthorized, t.refusal);
    }
    if (crm == nullptr || p10cr != nullptr || (type != kIr && type != kKur)) {
      return Refuse(t, what, OSSL_CMP_PKIFAILUREINFO_badRequest, "only ir and kur are served");
    }
    auto spki = TemplatePublicKeyDer(crm);
    if (!spki.ok()) {
      return Refuse(t, what, OSSL_CMP_PKIFAILUREINFO_badCertTemplate, spki.status().message());
    }
    auto key = crypto::PublicKeyFromDer(*spki);
    if (!key.ok()) {
      return Refuse(t, what, OSSL_CMP_PKIFAILUREINFO_badCertTemplate, key.status().message());
    }
    const X509_NAME* subject = OSSL_CRMF_CERTTEMPLATE_get0_subject(OSSL_CRMF_MSG_get0_tmpl(crm));
    Result<ra::Renewal> done = Status(Code::kInternal, "unset");
    if (type == kIr) {
      auto app = s.ra_.ApplicationOfRequest(t.request_id);
      if (app.ok() && !SubjectNamesOnly(subject, app->institution_code)) {
        return Refuse(t, what, OSSL_CMP_PKIFAILUREINFO_badCertTemplate,
                      "the requested subject names another institution");
      }
      done = s.ra_.EnrollOwnKey(t.request_id, key->get(), t.client);
    } else {
      // kur: the old certificate (controls oldCertID) must be the signer: the sender name
      // is its subject, unique per certificate (random Common Name, unique in the store).
      const OSSL_CRMF_CERTID* old = OSSL_CRMF_MSG_get0_regCtrl_oldCertID(crm);
      if (old == nullptr) {
        return Refuse(t, what, OSSL_CMP_PKIFAILUREINFO_badRequest, "kur without oldCertID");
      }
      const std::string serial = crypto::SerialHex(OSSL_CRMF_CERTID_get0_serialNumber(old));
      auto record = s.certs_.GetCertificate(serial);
      if (!record.ok())
        return Refuse(t, what, OSSL_CMP_PKIFAILUREINFO_notAuthorized, "unknown certificate");
      // CMP renews the common CA's certificates only (docs/certificate-profile.md).
      if (Status p = ca::RequireProgram(record->program, ca::kCommonProgram); !p.ok()) {
        return Refuse(t, what, OSSL_CMP_PKIFAILUREINFO_notAuthorized, std::string(p.message()));
      }
      auto cert = crypto::CertFromDer(record->cert_der);
      if (!cert.ok() || NameDer(X509_get_subject_name(cert->get())) != t.header.sender_name_der) {
        return Refuse(t, what, OSSL_CMP_PKIFAILUREINFO_notAuthorized,
                      "the kur is not signed by the certificate it renews");
      }
      if (!SubjectNamesOnly(subject, record->institution_code)) {
        return Refuse(t, what, OSSL_CMP_PKIFAILUREINFO_badCertTemplate,
                      "the requested subject names another institution");
      }
      // Restored if the holder rejects the new certificate: the renewed one, as the
      // application held it (on a retry the application holds the unconfirmed one).
      auto before = s.ra_.ApplicationOfCertificate(serial);
      store::RenewalResult restore;
      restore.serial = serial;
      restore.common_name = record->common_name;
      restore.issued_at = record->created_at;
      restore.not_after = record->not_after;
      if (before.ok() && before->serial == serial) {
        restore.issued_at = before->issued_at.value_or(restore.issued_at);
      }
      t.restore = restore;
      ra::RenewalRequest r;
      r.serial = serial;
      r.public_key = key->get();
      r.client = "cmp:" + t.client;
      done = s.ra_.Renew(r);
    }
    if (!done.ok()) {
      Refused(t, {{"request", what}, {"client", t.client}, {"why", done.status().ToString()}});
      return RejectFor(done.status());
    }
    auto issued = crypto::CertFromDer(done->certificate.cert_der);
    if (!issued.ok()) return nullptr;
    t.issued_serial = done->certificate.serial;
    if (type == kIr) t.restore.reset();
    *cert_out = issued->release();
    *chain_out = sk_X509_new_null();
    if (*chain_out != nullptr) X509_add_cert(*chain_out, s.issuing_.get(), X509_ADD_FLAG_UP_REF);
    if (type == kIr) {  // PBM-protected: the client learns its trust anchor
      *ca_pubs = sk_X509_new_null();
      if (*ca_pubs != nullptr) X509_add_cert(*ca_pubs, s.root_.get(), X509_ADD_FLAG_UP_REF);
    }
    s.Log("cmp_issued", {{"request", what},
                         {"client", t.client},
                         {"request_id", done->application.request_id},
                         {"serial", done->certificate.serial}});
    return OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_accepted, 0, nullptr);
  }

  static OSSL_CMP_PKISI* Revoke(OSSL_CMP_SRV_CTX* srv, const OSSL_CMP_MSG* req, const X509_NAME*,
                                const ASN1_INTEGER* serial_number) {
    CmpServer::Transaction& t = T(srv);
    CmpServer& s = *t.server;
    t.reached = true;
    if (!t.refusal.empty())
      return Refuse(t, "rr", OSSL_CMP_PKIFAILUREINFO_notAuthorized, t.refusal);
    if (serial_number == nullptr) {
      return Refuse(t, "rr", OSSL_CMP_PKIFAILUREINFO_badRequest, "rr without a serial number");
    }
    const std::string serial = crypto::SerialHex(serial_number);
    auto record = s.certs_.GetCertificate(serial);
    if (!record.ok())
      return Refuse(t, "rr", OSSL_CMP_PKIFAILUREINFO_notAuthorized, "unknown certificate");
    if (Status p = ca::RequireProgram(record->program, ca::kCommonProgram); !p.ok()) {
      return Refuse(t, "rr", OSSL_CMP_PKIFAILUREINFO_notAuthorized, std::string(p.message()));
    }
    auto cert = crypto::CertFromDer(record->cert_der);
    if (!cert.ok() || NameDer(X509_get_subject_name(cert->get())) != t.header.sender_name_der) {
      return Refuse(t, "rr", OSSL_CMP_PKIFAILUREINFO_notAuthorized,
                    "only the holder may revoke: the rr is not signed by this certificate");
    }
    // The CRLReason of crlEntryDetails (none given: unspecified); a holder gives only the
    // reasons the terminal page allows (RegistrationAuthority::RevokeAsHolder).
    unsigned char* buf = nullptr;
    const int n = i2d_OSSL_CMP_MSG(req, &buf);
    if (n <= 0) return Refuse(t, "rr", OSSL_CMP_PKIFAILUREINFO_badDataFormat, "rr does not encode");
    const std::string der(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
    OPENSSL_free(buf);
    auto requested = ReadRevocationReason(der);
    if (!requested.ok()) {
      return Refuse(t, "rr", OSSL_CMP_PKIFAILUREINFO_badDataFormat, requested.status().message());
    }
    const int reason = requested->value_or(store::kReasonUnspecified);
    if (!ra::HolderMayGiveReason(reason)) {
      return Refuse(t, "rr", OSSL_CMP_PKIFAILUREINFO_badRequest,
                    "revocation reason " + std::to_string(reason) +
                        " may not be given by the holder (allowed: 0 unspecified, 1 "
                        "keyCompromise, 3 affiliationChanged, 4 superseded, 5 "
                        "cessationOfOperation)");
    }
    Status st = s.ra_.RevokeAsHolder(serial, reason, "cmp:" + t.client);
    if (!st.ok()) {
      Refused(t, {{"request", "rr"}, {"client", t.client}, {"why", st.ToString()}});
      return RejectFor(st);
    }
    s.Log("cmp_revoked",
          {{"client", t.client}, {"serial", serial}, {"reason", std::to_string(reason)}});
    return OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_accepted, 0, nullptr);
  }

  // id-it-caCerts (RFC 9483 §4.3.1): the issuing CA and the root.
  static int Genm(OSSL_CMP_SRV_CTX* srv, const OSSL_CMP_MSG*, const STACK_OF(OSSL_CMP_ITAV) *,
                  STACK_OF(OSSL_CMP_ITAV) * *out) {
    CmpServer& s = *T(srv).server;
    std::string seq;
    for (X509* c : {s.issuing_.get(), s.root_.get()}) {
      unsigned char* buf = nullptr;
      const int n = i2d_X509(c, &buf);
      if (n <= 0) return 0;
      seq.append(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
      OPENSSL_free(buf);
    }
    unsigned char* body = nullptr;
    const int total = ASN1_object_size(1, static_cast<int>(seq.size()), V_ASN1_SEQUENCE);
    if (total <= 0) return 0;
    std::string der(static_cast<size_t>(total), '\0');
    body = reinterpret_cast<unsigned char*>(der.data());
    ASN1_put_object(&body, 1, static_cast<int>(seq.size()), V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
    std::copy(seq.begin(), seq.end(), reinterpret_cast<char*>(body));
    ASN1_STRING* str = ASN1_STRING_type_new(V_ASN1_SEQUENCE);
    ASN1_TYPE* value = ASN1_TYPE_new();
    ASN1_OBJECT* type = OBJ_txt2obj("1.3.6.1.5.5.7.4.17", 1);
    if (str == nullptr || value == nullptr || type == nullptr ||
        ASN1_STRING_set(str, der.data(), static_cast<int>(der.size())) != 1) {
      ASN1_STRING_free(str);
      ASN1_TYPE_free(value);
      ASN1_OBJECT_free(type);
      return 0;
    }
    ASN1_TYPE_set(value, V_ASN1_SEQUENCE, str);
    OSSL_CMP_ITAV* itav = OSSL_CMP_ITAV_create(type, value);
    if (itav == nullptr) {
      ASN1_TYPE_free(value);
      ASN1_OBJECT_free(type);
      return 0;
    }
    *out = nullptr;
    return OSSL_CMP_ITAV_push0_stack_item(out, itav);
  }

  static void Error(OSSL_CMP_SRV_CTX* srv, const OSSL_CMP_MSG*, const OSSL_CMP_PKISI*,
                    const ASN1_INTEGER*, const OSSL_CMP_PKIFREETEXT*) {
    CmpServer::Transaction& t = T(srv);
    t.reached = true;
    t.server->Log("cmp_client_error", {{"client", t.client}});
  }

  // certConf: an absent statusInfo means accepted. A rejection (RFC 9483 §4.1.1) revokes
  // the certificate just issued (cessationOfOperation); after a kur the renewed
  // certificate is the application's current one again. Answered with pkiConf.
  static int CertConf(OSSL_CMP_SRV_CTX* srv, const OSSL_CMP_MSG*, int, const ASN1_OCTET_STRING*,
                      const OSSL_CMP_PKISI* si) {
    CmpServer::Transaction& t = T(srv);
    CmpServer& s = *t.server;
    if (!t.refusal.empty()) return 0;  // expired, or not the requester (Handle logged it)
    char buf[256];
    const bool accepted = si == nullptr ||
                          OSSL_CMP_snprint_PKIStatusInfo(si, buf, sizeof(buf)) == nullptr ||
                          std::string_view(buf).starts_with("PKIStatus: accepted");
    s.Log(
        "cmp_cert_conf",
        {{"client", t.client}, {"serial", t.issued_serial}, {"accepted", accepted ? "yes" : "no"}});
    if (t.issued_serial.empty()) return 1;
    if (accepted) {
      // After a kur, the renewed certificate may no longer retry (RFC 4210 §5.3.18).
      if (t.restore.has_value()) {
        Status st = s.ra_.ConfirmRenewal(t.issued_serial, "cmp certConf");
        if (!st.ok()) {
          Refused(t, {{"request", "certConf"},
                      {"client", t.client},
                      {"serial", t.issued_serial},
                      {"why", st.ToString()}});
          return 0;
        }
      }
      return 1;
    }
    Status st = s.ra_.RevokeRejectedByHolder(t.issued_serial, t.restore, t.client);
    if (!st.ok()) {
      s.Log("cmp_cert_rejected",
            {{"client", t.client}, {"serial", t.issued_serial}, {"error", st.ToString()}});
      return 0;  // answered with an error message
    }
    Fields fields = {{"client", t.client}, {"serial", t.issued_serial}, {"revoked", "yes"}};
    if (t.restore.has_value()) fields.emplace_back("current_again", t.restore->serial);
    s.Log("cmp_cert_rejected", fields);
    t.issued_serial.clear();
    return 1;
  }
};

CmpServer::CmpServer(ra::RegistrationAuthority& ra, store::CertificateReader& certs,
                     TransactionStore& transactions, const crypto::SealedBox& sealer, X509* issuing,
                     X509* root, X509* cmp_cert, const crypto::Signer& cmp_signer,
                     const Clock& clock, CmpServerOptions options)
    : ra_(ra),
      certs_(certs),
      transactions_(transactions),
      sealer_(sealer),
      signer_(cmp_signer),
      clock_(clock),
      options_(std::move(options)) {
  X509_up_ref(issuing);
  X509_up_ref(root);
  X509_up_ref(cmp_cert);
  issuing_.reset(issuing);
  root_.reset(root);
  cmp_cert_.reset(cmp_cert);
}

CmpServer::~CmpServer() = default;

void CmpServer::Log(std::string_view event, Fields fields) const {
  if (options_.log) options_.log(event, fields);
}

Result<std::unique_ptr<CmpServer::Transaction>> CmpServer::NewTransaction(int bodytype) {
  auto t = std::make_unique<Transaction>();
  t->server = this;
  t->srv.reset(OSSL_CMP_SRV_CTX_new(nullptr, nullptr));
  if (t->srv == nullptr) return crypto::OpensslError("OSSL_CMP_SRV_CTX_new");
  OSSL_CMP_SRV_CTX* srv = t->srv.get();
  OSSL_CMP_CTX* ctx = OSSL_CMP_SRV_CTX_get0_cmp_ctx(srv);
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr || X509_STORE_add_cert(store, root_.get()) != 1 ||
      X509_STORE_add_cert(store, issuing_.get()) != 1) {
    X509_STORE_free(store);
    return crypto::OpensslError("trust store");
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store),
                             std::chrono::system_clock::to_time_t(clock_.Now()));
  // extraCerts of signed responses: the CMP signer certificate (OpenSSL puts it first),
  // then the issuing CA, so that a client trusting only the root builds the path.
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> extra(
      sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); });
  if (extra == nullptr || X509_add_cert(extra.get(), issuing_.get(), X509_ADD_FLAG_UP_REF) != 1) {
    X509_STORE_free(store);
    return crypto::OpensslError("CMP extraCerts");
  }
  if (OSSL_CMP_SRV_CTX_init(srv, t.get(), &Callbacks::CertRequest, &Callbacks::Revoke,
                            &Callbacks::Genm, &Callbacks::Error, &Callbacks::CertConf,
                            nullptr) != 1 ||
      OSSL_CMP_CTX_set0_trustedStore(ctx, store) != 1 ||
      OSSL_CMP_CTX_set1_cert(ctx, cmp_cert_.get()) != 1 ||
      OSSL_CMP_CTX_set1_pkey(ctx, signer_.key()) != 1 ||
      OSSL_CMP_CTX_set1_extraCertsOut(ctx, extra.get()) != 1 ||
      OSSL_CMP_SRV_CTX_set_send_unprotected_errors(srv, 1) != 1 ||
      OSSL_CMP_SRV_CTX_set_grant_implicit_confirm(srv, options_.grant_implicit_confirm) != 1 ||
      OSSL_CMP_SRV_CTX_set_accept_unprotected(srv, bodytype == kGenm) != 1) {
    return crypto::OpensslError("CMP server context");
  }
  OSSL_CMP_CTX_set_log_verbosity(ctx, OSSL_CMP_LOG_ERR);
  return t;
}

// The state of `tid` a certConf (or any message that does not start a transaction) continues,
// taken at most once across all nodes. Refused (nullopt, `refusal` set) when it expired or
// the message is not from the requester of the ir / kur.
Result<std::optional<TransactionState>> CmpServer::Continue(const std::string& tid,
                                                            const std::string& sender_name_der,
                                                            const std::string& sender_kid,
                                                            std::string& refusal) {
  ASSIGN_OR_RETURN(std::optional<TransactionState> state, transactions_.Take(tid));
  if (!state) return state;
  if (state->expires_at < clock_.Now()) {
    refusal = "the transaction expired (transaction_ttl) before this message";
    return std::optional<TransactionState>();
  }
  // The sender Name of a kur is the renewed certificate's subject (unique per certificate);
  // an ir's is whatever the terminal put, with its senderKID, the request ID. OpenSSL then
  // checks the protection: the same MAC secret, or a signature chaining to the root by a
  // certificate of that subject.
  if (sender_name_der != state->sender_name_der ||
      (state->kind == "ir" && sender_kid != state->request_id)) {
    refusal = "not the requester of this transaction";
    return std::optional<TransactionState>();
  }
  return state;
}

// Rebuilds OpenSSL's server state for the certConf of `state` on a fresh context. OpenSSL
// 3.0 has public setters for the transactionID and the senderNonce (the next recipNonce),
// but none for the certReqId the certConf must name, nor for the "a certificate was
// issued, awaiting certConf" state: those are set by answering a local ir (unprotected,
// POPO raVerified, accepted for this one message only) with the certificate already issued
// (no RA call). Then the transactionID, our senderNonce and an ir's PBM secret are put
// back, and the certConf goes through OSSL_CMP_SRV_process_request's usual checks.
Status CmpServer::Restore(Transaction& t, const TransactionState& state) {
  ASSIGN_OR_RETURN(store::CertificateRecord record, certs_.GetCertificate(state.issued_serial));
  ASSIGN_OR_RETURN(t.priming, crypto::CertFromDer(record.cert_der));
  if (state.cert_req_id != 0) {  // OpenSSL's client sends 0; the local ir can only say 0
    return FailedPrecondition("certReqId " + std::to_string(state.cert_req_id) +
                              " cannot be restored");
  }
  OSSL_CMP_SRV_CTX* srv = t.srv.get();
  OSSL_CMP_CTX* ctx = OSSL_CMP_SRV_CTX_get0_cmp_ctx(srv);
  std::unique_ptr<OSSL_CMP_CTX, void (*)(OSSL_CMP_CTX*)> local(OSSL_CMP_CTX_new(nullptr, nullptr),
                                                               &OSSL_CMP_CTX_free);
  if (local == nullptr) return crypto::OpensslError("OSSL_CMP_CTX_new");
  ASSIGN_OR_RETURN(std::string tid_bytes, crypto::HexDecode(state.transaction_id));
  OctetsPtr tid = Octets(tid_bytes);
  OctetsPtr nonce = Octets(state.sender_nonce);
  PrimingLink link{srv};
  OSSL_CMP_CTX_set_log_verbosity(local.get(), OSSL_CMP_LOG_EMERG);
  if (tid == nullptr || nonce == nullptr ||
      OSSL_CMP_CTX_set1_transactionID(local.get(), tid.get()) != 1 ||
      OSSL_CMP_CTX_set_option(local.get(), OSSL_CMP_OPT_UNPROTECTED_SEND, 1) != 1 ||
      OSSL_CMP_CTX_set_option(local.get(), OSSL_CMP_OPT_POPO_METHOD, OSSL_CRMF_POPO_RAVERIFIED) !=
          1 ||
      OSSL_CMP_CTX_set0_newPkey(local.get(), 0, X509_get_pubkey(t.priming.get())) != 1 ||
      OSSL_CMP_CTX_set1_subjectName(local.get(), X509_get_subject_name(t.priming.get())) != 1 ||
      OSSL_CMP_CTX_set_transfer_cb(local.get(), &PrimingTransfer) != 1 ||
      OSSL_CMP_CTX_set_transfer_cb_arg(local.get(), &link) != 1 ||
      OSSL_CMP_SRV_CTX_set_accept_unprotected(srv, 1) != 1 ||
      OSSL_CMP_SRV_CTX_set_accept_raverified(srv, 1) != 1) {
    return crypto::OpensslError("CMP restore");
  }
  X509_free(OSSL_CMP_exec_IR_ses(local.get()));  // the client side ends at the thrown answer
  ERR_clear_error();
  t.priming.reset();
  if (link.answer != kIp || OSSL_CMP_CTX_get_option(ctx, OSSL_CMP_OPT_IMPLICIT_CONFIRM) != 0 ||
      OSSL_CMP_SRV_CTX_set_accept_unprotected(srv, 0) != 1 ||
      OSSL_CMP_SRV_CTX_set_accept_raverified(srv, 0) != 1 ||
      OSSL_CMP_CTX_set1_transactionID(ctx, tid.get()) != 1 ||
      OSSL_CMP_CTX_set1_senderNonce(ctx, nonce.get()) != 1) {
    return Internal("CMP: the transaction's state could not be restored (answer " +
                    std::to_string(link.answer) + ")");
  }
  if (!state.sealed_secret.empty()) {  // ir: the certConf is MAC-protected like the ir
    ASSIGN_OR_RETURN(std::string secret,
                     sealer_.Open(state.sealed_secret, SecretContext(state.transaction_id)));
    const auto* sv = reinterpret_cast<const unsigned char*>(secret.data());
    const bool set = OSSL_CMP_CTX_set1_secretValue(ctx, sv, static_cast<int>(secret.size())) == 1;
    OPENSSL_cleanse(secret.data(), secret.size());
    const auto* kid = reinterpret_cast<const unsigned char*>(state.request_id.data());
    if (!set || OSSL_CMP_CTX_set1_referenceValue(ctx, kid,
                                                 static_cast<int>(state.request_id.size())) != 1) {
      return crypto::OpensslError("CMP secret");
    }
  }
  t.request_id = state.request_id;
  t.issued_serial = state.issued_serial;
  t.cert_req_id = state.cert_req_id;
  t.restore = state.restore;
  return Status::Ok();
}

// After an ip / kup: what the certConf needs, for whichever node it lands on.
Status CmpServer::Remember(Transaction& t, std::string_view response_der) {
  ASSIGN_OR_RETURN(HeaderFields ours, ReadHeaderFields(response_der));
  OSSL_CMP_CTX* ctx = OSSL_CMP_SRV_CTX_get0_cmp_ctx(t.srv.get());
  TransactionState state;
  state.transaction_id = t.tid;
  state.kind = t.restore.has_value() ? "kur" : "ir";
  state.expires_at = clock_.Now() + options_.transaction_ttl;
  state.request_id = t.request_id;
  state.sender_name_der = t.header.sender_name_der;
  state.issued_serial = t.issued_serial;
  state.cert_req_id = t.cert_req_id;
  state.sender_nonce = ours.sender_nonce;
  state.implicit_confirm = OSSL_CMP_CTX_get_option(ctx, OSSL_CMP_OPT_IMPLICIT_CONFIRM) != 0;
  state.restore = t.restore;
  if (!state.implicit_confirm) state.sealed_secret = t.sealed_secret;
  return transactions_.Record(state);
}

Result<std::string> CmpServer::Handle(std::string_view der, std::string_view client) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<OSSL_CMP_MSG, void (*)(OSSL_CMP_MSG*)> msg(
      d2i_OSSL_CMP_MSG(nullptr, &p, static_cast<long>(der.size())), &OSSL_CMP_MSG_free);
  if (msg == nullptr || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    ERR_clear_error();
    Log("cmp_refused", {{"client", std::string(client)}, {"why", "not a PKIMessage"}});
    return InvalidArgument("body: not a DER PKIMessage");
  }
  ASSIGN_OR_RETURN(HeaderFields header, ReadHeaderFields(der));
  const std::string tid = Hex(OSSL_CMP_HDR_get0_transactionID(OSSL_CMP_MSG_get0_header(msg.get())));
  if (tid.empty()) return InvalidArgument("body: PKIMessage without transactionID");
  const int type = OSSL_CMP_MSG_get_bodytype(msg.get());
  const Instant now = clock_.Now();

  // A new transaction: its ID recorded once across all nodes. A continuation (certConf):
  // the state its ir / kur left in the database, on whichever node answered it.
  std::string refusal;
  std::optional<TransactionState> continued;
  bool began = false;  // this message inserted the transactionID's row
  if (type == kGenm) {
    // Accepted unprotected and stateless (the CA certificates): no row, so that anybody's
    // genm cannot fill the table; a replay only gets the same certificates again.
  } else if (StartsTransaction(type)) {
    ASSIGN_OR_RETURN(began, transactions_.Begin(tid, BodyName(type), now, now + kReplayWindow));
    if (!began) refusal = "replayed transactionID";
  } else {
    ASSIGN_OR_RETURN(continued, Continue(tid, header.sender_name_der, header.sender_kid, refusal));
  }
  auto begin = [&]() -> Result<std::unique_ptr<Transaction>> {
    ASSIGN_OR_RETURN(std::unique_ptr<Transaction> t, NewTransaction(type));
    t->tid = tid;
    t->refusal = refusal;
    t->client = std::string(client);
    t->header = header;
    return t;
  };
  ASSIGN_OR_RETURN(std::unique_ptr<Transaction> t, begin());
  if (continued) {
    if (Status st = Restore(*t, *continued); !st.ok()) {
      refusal = "the transaction could not be continued: " + st.ToString();
      ASSIGN_OR_RETURN(t, begin());  // a context in no transaction: OpenSSL refuses
    }
  }
  // One log line per refusal: the ir, kur and rr callbacks log theirs.
  if (!refusal.empty() && type != kIr && type != kKur && type != kRr) {
    Log("cmp_refused", {{"client", t->client}, {"transaction", tid}, {"why", refusal}});
    t->refused = true;
  }
  OSSL_CMP_CTX* ctx = OSSL_CMP_SRV_CTX_get0_cmp_ctx(t->srv.get());

  if (type == kIr && t->refusal.empty()) {
    // PBM: senderKID = リクエストID, secret = the notice's download password. No oracle for
    // request IDs (docs/renewal-and-cmp.md): an unknown, used, revoked or locked one is
    // checked against a random secret, and so refused like a wrong password.
    t->request_id = header.sender_kid;
    auto secret = ra_.CmpSecret(t->request_id);
    const bool known = secret.ok();
    if (!known) {
      const Code c = secret.status().code();
      if (c != Code::kNotFound && c != Code::kFailedPrecondition && c != Code::kRateLimited) {
        return secret.status();
      }
      secret = crypto::RandomBytes(32);
    }
    if (!secret.ok()) {
      return secret.status();
    } else {
      const auto* s = reinterpret_cast<const unsigned char*>(secret->data());
      const bool set = OSSL_CMP_CTX_set1_secretValue(ctx, s, static_cast<int>(secret->size())) == 1;
      // The certConf is MAC-protected too, and the ir erases the secret from cmp_secrets.
      auto sealed = known ? sealer_.Seal(*secret, SecretContext(tid)) : Result<std::string>("");
      OPENSSL_cleanse(secret->data(), secret->size());
      if (!sealed.ok()) return sealed.status();
      t->sealed_secret = std::move(*sealed);
      const auto* kid = reinterpret_cast<const unsigned char*>(t->request_id.data());
      if (!set ||
          OSSL_CMP_CTX_set1_referenceValue(ctx, kid, static_cast<int>(t->request_id.size())) != 1) {
        return crypto::OpensslError("CMP secret");
      }
      if (OSSL_CMP_validate_msg(ctx, msg.get()) != 1 || !known) {
        ERR_clear_error();
        if (known) (void)ra_.RecordCmpMacFailure(t->request_id, client);
        t->refusal =
            "request ID or password is wrong (or the ir was already made, or it is locked after "
            "repeated wrong passwords)";
      }
    }
  }

  std::unique_ptr<OSSL_CMP_MSG, void (*)(OSSL_CMP_MSG*)> rsp(
      OSSL_CMP_SRV_process_request(t->srv.get(), msg.get()), &OSSL_CMP_MSG_free);
  char why[256] = "refused by OpenSSL's checks";
  if (const unsigned long e = ERR_peek_last_error(); e != 0)
    ERR_error_string_n(e, why, sizeof(why));
  ERR_clear_error();
  if (rsp == nullptr) return Internal("CMP: no response could be made");
  unsigned char* out = nullptr;
  const int n = i2d_OSSL_CMP_MSG(rsp.get(), &out);
  if (n <= 0) return crypto::OpensslError("encoding the CMP response");
  std::string body(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  const int rsp_type = OSSL_CMP_MSG_get_bodytype(rsp.get());
  if (rsp_type == kError && !t->refused) {  // protection, POPO, ...: OpenSSL refused it
    Fields fields = {{"client", t->client}, {"transaction", tid}};
    if (type == kIr) {
      fields.emplace_back("request", "ir");
      fields.emplace_back("request_id", t->request_id);
    }
    fields.emplace_back("why", t->refusal.empty() ? std::string(why) : t->refusal);
    Log("cmp_refused", std::move(fields));
  }
  // A message OpenSSL refused before any callback (protection, format) started nothing:
  // its row goes, so that forged messages do not fill the table for 24 hours. Only the row
  // this message inserted: a replay's refusal must not free the ID it replays.
  if (began && !t->reached) RETURN_IF_ERROR(transactions_.Forget(tid));
  // Recorded before the answer leaves: a certConf may come back to another node at once.
  // Lost here (the node dies), the certificate is still the RA's; only the certConf fails.
  if ((rsp_type == kIp || rsp_type == kKup) && !t->issued_serial.empty()) {
    RETURN_IF_ERROR(Remember(*t, body));
  }
  return body;
}

}  // namespace claimsca::cmp
