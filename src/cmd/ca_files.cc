#include "cmd/ca_files.h"

#include <fcntl.h>
#include <openssl/pem.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/token.h"
#include "ca/hierarchy.h"
#include "cmd/audit_cmd.h"
#include "cmd/ca_ceremony.h"
#include "crypto/file_signer.h"
#include "crypto/keys.h"
#include "crypto/pkcs11_signer.h"
#include "crypto/random.h"
#include "store/store.h"

namespace claimsca::cmd {
namespace fs = std::filesystem;

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) return Internal("cannot write " + path);
    off += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view data, int mode) {
  // A device or pipe (/dev/stdout, /dev/null) is written in place: renaming a file over
  // it would replace the device node.
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return Internal("cannot open " + path);
    Status w = WriteAll(fd, data, path);
    ::close(fd);
    return w;
  }
  const fs::path dir = fs::path(path).parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Internal("cannot create " + tmp);
  Status w = WriteAll(fd, data, tmp);
  if (w.ok() && (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0)) w = Internal("cannot sync " + tmp);
  if (::close(fd) != 0 && w.ok()) w = Internal("cannot close " + tmp);
  if (w.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) w = Internal("cannot rename to " + path);
  if (!w.ok()) {
    ::unlink(tmp.c_str());  // nothing half written stays behind
    return w;
  }
  // The rename is durable only once the directory is: sync it too.
  const std::string dir_name = dir.empty() ? "." : dir.string();
  int dfd = ::open(dir_name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Internal("cannot open directory " + dir_name);
  const bool synced = ::fsync(dfd) == 0;
  ::close(dfd);
  if (!synced) return Internal("cannot sync directory " + dir_name);
  return Status::Ok();
}

Result<std::string> WriteFileWithDigest(const std::string& dir, const std::string& name,
                                        std::string_view content, const std::string& digest_name,
                                        std::string_view digest_content) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("cannot create " + dir + ": " + ec.message());
  const std::string path = dir + "/" + name;
  RETURN_IF_ERROR(WriteFileAtomic(path, content));
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/" + digest_name, digest_content));
  return path;
}

Result<std::string> ReadSecret(const std::string& path) {
  ASSIGN_OR_RETURN(std::string s, ReadFile(path));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty()) return FailedPrecondition("secret file " + path + " is empty");
  return s;
}

namespace {

std::string KeyPath(const Config& c, const std::string& name) {
  return c.Path("keys/" + name + ".key.pem");
}
std::string CertPath(const Config& c, const std::string& name) {
  return c.Path("ca/" + name + ".pem");
}

Result<crypto::Pkcs11Options> Pkcs11For(const Config& c, const std::string& name) {
  crypto::Pkcs11Options o;
  o.module_path = c.pkcs11_module;
  o.token_label = c.pkcs11_token;
  ASSIGN_OR_RETURN(o.user_pin, ReadSecret(c.Path(c.pkcs11_pin_file)));
  o.key_label = name;
  return o;
}

Result<crypto::X509Ptr> LoadCert(const Config& c, const std::string& name) {
  ASSIGN_OR_RETURN(std::string pem, ReadFile(CertPath(c, name)));
  return crypto::CertFromPem(pem);
}

Status SaveCert(const Config& c, const std::string& name, X509* cert) {
  ASSIGN_OR_RETURN(std::string pem, crypto::CertToPem(cert));
  return WriteFileAtomic(CertPath(c, name), pem);
}

// Creates the key of `name` in the configured back end and opens its signer.
Result<std::unique_ptr<crypto::Signer>> CreateSigner(const Config& c, const std::string& name,
                                                     crypto::KeyAlgorithm alg) {
  if (c.signer == "pkcs11") {
    ASSIGN_OR_RETURN(crypto::Pkcs11Options o, Pkcs11For(c, name));
    RETURN_IF_ERROR(crypto::Pkcs11Signer::GenerateKeyInToken(o, alg));
    ASSIGN_OR_RETURN(auto signer, crypto::Pkcs11Signer::Open(o));
    return std::unique_ptr<crypto::Signer>(std::move(signer));
  }
  ASSIGN_OR_RETURN(std::string password, ReadSecret(c.Path(c.key_password_file)));
  const int iterations =
      c.key_kdf_iterations > 0 ? c.key_kdf_iterations : crypto::kKeyPbkdf2Iterations;
  ASSIGN_OR_RETURN(auto signer,
                   crypto::KeyFileSigner::Create(KeyPath(c, name), alg, password, iterations));
  return std::unique_ptr<crypto::Signer>(std::move(signer));
}

// The demo TLS server certificate (localhost, 127.0.0.1, ::1) for the HTTPS and mTLS
// listeners, signed by the root. Production deployments configure their own.
Status MakeDemoTlsCert(const Config& c, X509* root, const crypto::Signer& root_signer,
                       Instant now) {
  ASSIGN_OR_RETURN(crypto::EvpPkeyPtr key, crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256));
  crypto::X509Ptr cert(X509_new());
  ASSIGN_OR_RETURN(std::string serial, crypto::RandomSerial());
  BIGNUM* bn = nullptr;
  BN_hex2bn(&bn, serial.c_str());
  crypto::BignumPtr owned(bn);
  crypto::X509NamePtr name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  if (!X509_set_version(cert.get(), X509_VERSION_3) ||
      !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) ||
      !ASN1_TIME_set(X509_getm_notBefore(cert.get()), now.time_since_epoch().count()) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()),
                     (now + std::chrono::days(825)).time_since_epoch().count()) ||
      !X509_set_subject_name(cert.get(), name.get()) ||
      !X509_set_issuer_name(cert.get(), X509_get_subject_name(root)) ||
      !X509_set_pubkey(cert.get(), key.get())) {
    return crypto::OpensslError("demo TLS certificate");
  }
  const std::pair<int, const char*> exts[] = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"}};
  for (auto [nid, value] : exts) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, root, cert.get(), nullptr, nullptr, 0);
    crypto::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || !X509_add_ext(cert.get(), ext.get(), -1)) return crypto::OpensslError(value);
  }
  RETURN_IF_ERROR(ca::SignCert(cert.get(), root_signer));
  ASSIGN_OR_RETURN(std::string cert_pem, crypto::CertToPem(cert.get()));
  ASSIGN_OR_RETURN(std::string root_pem, crypto::CertToPem(root));
  RETURN_IF_ERROR(WriteFileAtomic(c.Path(c.tls_cert), cert_pem + root_pem));
  // The TLS key protects only the demo listener; it is kept unencrypted like any web
  // server's key, readable by the service user alone.
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)) {
    return crypto::OpensslError("TLS key");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return WriteFileAtomic(c.Path(c.tls_key), std::string_view(data, n), 0600);
}

}  // namespace

Result<std::unique_ptr<crypto::Signer>> OpenSigner(const Config& c, const std::string& name) {
  if (c.signer == "pkcs11") {
    ASSIGN_OR_RETURN(crypto::Pkcs11Options o, Pkcs11For(c, name));
    ASSIGN_OR_RETURN(auto signer, crypto::Pkcs11Signer::Open(o));
    return std::unique_ptr<crypto::Signer>(std::move(signer));
  }
  if (c.signer != "file") return InvalidArgument("ca.signer must be \"file\" or \"pkcs11\"");
  ASSIGN_OR_RETURN(std::string password, ReadSecret(c.Path(c.key_password_file)));
  ASSIGN_OR_RETURN(auto signer, crypto::KeyFileSigner::Load(KeyPath(c, name), password));
  return std::unique_ptr<crypto::Signer>(std::move(signer));
}

Result<std::unique_ptr<crypto::Signer>> CreateKey(const Config& c, const std::string& name) {
  ASSIGN_OR_RETURN(crypto::KeyAlgorithm alg, crypto::ParseKeyAlgorithm(c.key_algorithm));
  return CreateSigner(c, name, alg);
}

std::vector<const ca::ProgramProfile*> ProgramsWithOwnIssuer(const Config& c) {
  std::vector<const ca::ProgramProfile*> out;
  for (const ca::ProgramProfile& p : c.programs) {
    if (!p.issuer_id.empty() && p.issuer_id != c.issuer_id) out.push_back(&p);
  }
  return out;
}

namespace {

std::string OcspName(const std::string& issuer_id) { return "ocsp-" + issuer_id; }

// The issuing CA of `p` and its OCSP responder, with the signers `needs` names.
Result<ProgramIssuingCa> LoadProgramIssuing(const Config& c, const ca::ProgramProfile& p,
                                            CaNeeds needs) {
  ProgramIssuingCa m;
  m.program = p.id;
  m.issuer_id = p.issuer_id;
  auto cert = LoadCert(c, p.issuer_id);
  if (!cert.ok()) {
    return FailedPrecondition("programs." + p.id + ".issuer_id: " + CertPath(c, p.issuer_id) +
                              " is missing; make it with `claimsca ca add-issuing --program " +
                              p.id + "` (docs/operations.md)");
  }
  m.cert = std::move(*cert);
  ASSIGN_OR_RETURN(m.ocsp, LoadCert(c, OcspName(p.issuer_id)));
  if (needs.ocsp_signer) {
    ASSIGN_OR_RETURN(m.ocsp_signer, OpenSigner(c, OcspName(p.issuer_id)));
  }
  if (needs.issuing_signer) {
    ASSIGN_OR_RETURN(m.signer, OpenSigner(c, p.issuer_id));
    if (X509_check_private_key(m.cert.get(), m.signer->key()) != 1 && c.signer == "file") {
      return FailedPrecondition("issuing CA key does not match ca/" + p.issuer_id + ".pem");
    }
  }
  return m;
}

}  // namespace

Result<CaMaterial> LoadCa(const Config& c, CaNeeds needs) {
  CaMaterial m;
  for (const ca::ProgramProfile* p : ProgramsWithOwnIssuer(c)) {
    ASSIGN_OR_RETURN(ProgramIssuingCa pi, LoadProgramIssuing(c, *p, needs));
    m.program_issuing.push_back(std::move(pi));
  }
  ASSIGN_OR_RETURN(m.root, LoadCert(c, "root"));
  ASSIGN_OR_RETURN(m.issuing, LoadCert(c, c.issuer_id));
  ASSIGN_OR_RETURN(m.ocsp, LoadCert(c, "ocsp"));
  if (needs.ocsp_signer) {
    ASSIGN_OR_RETURN(m.ocsp_signer, OpenSigner(c, "ocsp"));
  }
  if (needs.cmp_signer && fs::exists(CertPath(c, "cmp"))) {
    ASSIGN_OR_RETURN(m.cmp, LoadCert(c, "cmp"));
    ASSIGN_OR_RETURN(m.cmp_signer, OpenSigner(c, "cmp"));
    if (X509_check_private_key(m.cmp.get(), m.cmp_signer->key()) != 1 && c.signer == "file") {
      return FailedPrecondition("CMP signer key does not match ca/cmp.pem");
    }
  }
  if (!needs.issuing_signer) return m;
  ASSIGN_OR_RETURN(m.issuing_signer, OpenSigner(c, c.issuer_id));
  if (X509_check_private_key(m.issuing.get(), m.issuing_signer->key()) != 1 && c.signer == "file") {
    return FailedPrecondition("issuing CA key does not match ca/" + c.issuer_id + ".pem");
  }
  return m;
}

namespace {

ca::HierarchySpec SpecFor(const Config& c) {
  ca::HierarchySpec spec;
  spec.organization = c.organization;
  spec.root_name = c.root_name;
  spec.issuing_name = c.issuing_name;
  spec.ocsp_name = c.ocsp_name;
  spec.cmp_name = c.cmp_name;
  if (spec.cmp_name.empty()) {  // configuration written before the CMP signer existed
    const std::string from = "OCSP Responder";
    spec.cmp_name = c.ocsp_name;
    const size_t at = spec.cmp_name.find(from);
    if (at != std::string::npos) {
      spec.cmp_name.replace(at, from.size(), "CMP Signer");
    } else {
      spec.cmp_name += " CMP Signer";
    }
  }
  // The issuing CA's revocation pointers: the root's ARL and the root certificate.
  spec.issuing_urls = {c.public_url + "/crl/root.crl", "", c.public_url + "/ca/root.der"};
  return spec;
}

}  // namespace

ca::HierarchySpec HierarchySpecFor(const Config& c) { return SpecFor(c); }

ca::HierarchySpec ProgramHierarchySpec(const Config& c, const ca::ProgramProfile& program) {
  ca::HierarchySpec spec = SpecFor(c);
  spec.issuing_name = program.issuing_name;
  spec.ocsp_name = program.issuing_name;
  const std::string from = "Issuing CA";
  const size_t at = spec.ocsp_name.find(from);
  if (at != std::string::npos) {
    spec.ocsp_name.replace(at, from.size(), "OCSP Responder");
  } else {
    spec.ocsp_name += " OCSP Responder";
  }
  return spec;
}

Status MakeProgramIssuingCa(const Config& c, const ca::ProgramProfile& program, X509* root,
                            const crypto::Signer& root_signer, Instant now) {
  RETURN_IF_ERROR(program.Validate());
  if (program.issuer_id.empty() || program.issuer_id == c.issuer_id) {
    return InvalidArgument("programs." + program.id +
                           ".issuer_id: must name an issuing CA other than " + c.issuer_id);
  }
  if (fs::exists(CertPath(c, program.issuer_id))) {
    return Conflict(CertPath(c, program.issuer_id) + " exists already");
  }
  ASSIGN_OR_RETURN(crypto::KeyAlgorithm alg, crypto::ParseKeyAlgorithm(c.key_algorithm));
  const ca::HierarchySpec spec = ProgramHierarchySpec(c, program);
  ASSIGN_OR_RETURN(auto signer, CreateSigner(c, program.issuer_id, alg));
  ASSIGN_OR_RETURN(crypto::X509Ptr issuing,
                   ca::MakeIssuingCert(spec, root, root_signer, signer->key(), now));
  ASSIGN_OR_RETURN(auto ocsp_signer, CreateSigner(c, OcspName(program.issuer_id), alg));
  ASSIGN_OR_RETURN(crypto::X509Ptr ocsp,
                   ca::MakeOcspCert(spec, issuing.get(), *signer, ocsp_signer->key(), now));
  // The responder first: a present ca/<issuer_id>.pem means the CA is complete.
  RETURN_IF_ERROR(SaveCert(c, OcspName(program.issuer_id), ocsp.get()));
  return SaveCert(c, program.issuer_id, issuing.get());
}

namespace {

Result<Instant> AsInstant(const ASN1_TIME* t) {
  struct tm tm {};
  if (!ASN1_TIME_to_tm(t, &tm)) return crypto::OpensslError("certificate validity");
  return Instant{std::chrono::seconds(timegm(&tm))};
}

// Valid at `now` for more than `margin`. A certificate not yet valid (written by a
// rehearsal with a future --at, docs/operations.md) is not: it is renewed.
Result<bool> StillGood(X509* cert, Instant now, std::chrono::days margin) {
  ASSIGN_OR_RETURN(Instant not_before, AsInstant(X509_get0_notBefore(cert)));
  ASSIGN_OR_RETURN(Instant not_after, AsInstant(X509_get0_notAfter(cert)));
  return not_before <= now && not_after - now > margin;
}

// An exclusive lock on `path` (created if needed) for the life of the object.
class FileLock {
 public:
  explicit FileLock(const std::string& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

}  // namespace

Result<bool> EnsureCmpSigner(const Config& c, CaMaterial& m, Instant now,
                             std::chrono::days margin) {
  if (m.issuing_signer == nullptr) {
    return FailedPrecondition("the CMP signer needs the issuing CA's key");
  }
  if (m.cmp != nullptr && m.cmp_signer != nullptr) {
    ASSIGN_OR_RETURN(bool good, StillGood(m.cmp.get(), now, margin));
    if (good) return false;
  }
  FileLock lock(c.Path("ca/cmp.lock"));
  if (!lock.ok()) return Internal("cannot lock " + c.Path("ca/cmp.lock"));
  if (m.cmp == nullptr && fs::exists(CertPath(c, "cmp"))) {  // another process made it
    ASSIGN_OR_RETURN(m.cmp, LoadCert(c, "cmp"));
    ASSIGN_OR_RETURN(m.cmp_signer, OpenSigner(c, "cmp"));
    ASSIGN_OR_RETURN(bool good, StillGood(m.cmp.get(), now, margin));
    if (good) return false;
  }
  if (m.cmp_signer == nullptr) {
    // The key first (a file, or a token object labelled "cmp"), then the certificate: a
    // key left by an interrupted creation is reused.
    if (c.signer != "pkcs11" && fs::exists(KeyPath(c, "cmp"))) {
      ASSIGN_OR_RETURN(m.cmp_signer, OpenSigner(c, "cmp"));
    } else {
      ASSIGN_OR_RETURN(crypto::KeyAlgorithm alg, crypto::ParseKeyAlgorithm(c.key_algorithm));
      auto created = CreateSigner(c, "cmp", alg);
      if (!created.ok() && created.status().code() == Code::kConflict && c.signer == "pkcs11") {
        created = OpenSigner(c, "cmp");  // the token already holds the key
      }
      if (!created.ok()) return created.status().WithContext("creating the CMP signer key");
      m.cmp_signer = std::move(*created);
    }
  }
  ASSIGN_OR_RETURN(
      crypto::X509Ptr fresh,
      ca::MakeCmpCert(SpecFor(c), m.issuing.get(), *m.issuing_signer, m.cmp_signer->key(), now));
  RETURN_IF_ERROR(SaveCert(c, "cmp", fresh.get()));
  m.cmp = std::move(fresh);
  return true;
}

Result<bool> RenewOcspCertIfDue(const Config& c, CaMaterial& m, Instant now,
                                std::chrono::days margin) {
  bool renewed = false;
  for (ProgramIssuingCa& pi : m.program_issuing) {
    ASSIGN_OR_RETURN(bool good, StillGood(pi.ocsp.get(), now, margin));
    if (good) continue;
    if (pi.signer == nullptr || pi.ocsp_signer == nullptr) {
      return FailedPrecondition("renewing ca/" + OcspName(pi.issuer_id) + ".pem needs its keys");
    }
    const ca::ProgramProfile* program = nullptr;
    for (const ca::ProgramProfile& p : c.programs) {
      if (p.id == pi.program) program = &p;
    }
    if (program == nullptr) return Internal("program " + pi.program + " vanished");
    ASSIGN_OR_RETURN(crypto::X509Ptr fresh,
                     ca::MakeOcspCert(ProgramHierarchySpec(c, *program), pi.cert.get(), *pi.signer,
                                      pi.ocsp_signer->key(), now));
    RETURN_IF_ERROR(SaveCert(c, OcspName(pi.issuer_id), fresh.get()));
    pi.ocsp = std::move(fresh);
    renewed = true;
  }
  ASSIGN_OR_RETURN(bool good, StillGood(m.ocsp.get(), now, margin));
  if (good) return renewed;
  ASSIGN_OR_RETURN(
      crypto::X509Ptr fresh,
      ca::MakeOcspCert(SpecFor(c), m.issuing.get(), *m.issuing_signer, m.ocsp_signer->key(), now));
  RETURN_IF_ERROR(SaveCert(c, "ocsp", fresh.get()));
  m.ocsp = std::move(fresh);
  return true;
}

Status InitDataDir(const Config& config, const InitOptions& options, const Clock& clock,
                   std::string* api_token_out) {
  Config c = config;
  std::error_code ec;
  if (fs::exists(c.Path("claimsca.toml")) && !options.force) {
    return Conflict(c.data_dir + " already holds a CA (claimsca.toml exists); refusing to " +
                    "overwrite it");
  }
  for (const char* d : {"", "ca", "keys", "secrets", "tls"}) {
    fs::create_directories(c.Path(d), ec);
    if (ec) return Internal("cannot create " + c.Path(d) + ": " + ec.message());
  }
  fs::permissions(c.Path("secrets"), fs::perms::owner_all, ec);
  fs::permissions(c.Path("keys"), fs::perms::owner_all, ec);

  // Secrets: generated here for a demo; production operators put their own in place
  // (or point the *_file settings elsewhere) before running init.
  auto ensure_secret = [&](const std::string& rel) -> Status {
    if (fs::exists(c.Path(rel))) return Status::Ok();
    ASSIGN_OR_RETURN(std::string s, crypto::RandomPassword(32));
    return WriteFileAtomic(c.Path(rel), s + "\n", 0600);
  };
  // The CA keys' PBKDF2 count: stretching protects a password a person chose; a password
  // generated here has 190 bits (32 characters of 62) and gains nothing from it, while
  // every process that opens a key pays for it (docs/operations.md).
  if (c.key_kdf_iterations == 0) {
    c.key_kdf_iterations = fs::exists(c.Path(c.key_password_file))
                               ? crypto::kKeyPbkdf2Iterations
                               : crypto::kRandomSecretPbkdf2Iterations;
  }
  RETURN_IF_ERROR(ensure_secret(c.key_password_file));
  RETURN_IF_ERROR(ensure_secret(c.key_pool_secret_file));
  RETURN_IF_ERROR(ensure_secret(c.ra_seal_secret_file));
  ASSIGN_OR_RETURN(std::string token, crypto::RandomPassword(32));
  const std::string token_hash = auth::TokenHash(token);
  RETURN_IF_ERROR(WriteFileAtomic(c.Path(c.api_token_file), token_hash + "\n", 0600));
  *api_token_out = token;

  ASSIGN_OR_RETURN(crypto::KeyAlgorithm alg, crypto::ParseKeyAlgorithm(c.key_algorithm));
  const Instant now = clock.Now();
  ca::HierarchySpec spec = SpecFor(c);

  ASSIGN_OR_RETURN(auto root_signer, CreateSigner(c, "root", alg));
  ASSIGN_OR_RETURN(crypto::X509Ptr root, ca::MakeRootCert(spec, *root_signer, now));
  ASSIGN_OR_RETURN(auto issuing_signer, CreateSigner(c, c.issuer_id, alg));
  ASSIGN_OR_RETURN(crypto::X509Ptr issuing,
                   ca::MakeIssuingCert(spec, root.get(), *root_signer, issuing_signer->key(), now));
  ASSIGN_OR_RETURN(auto ocsp_signer, CreateSigner(c, "ocsp", alg));
  ASSIGN_OR_RETURN(crypto::X509Ptr ocsp,
                   ca::MakeOcspCert(spec, issuing.get(), *issuing_signer, ocsp_signer->key(), now));
  RETURN_IF_ERROR(SaveCert(c, "root", root.get()));
  RETURN_IF_ERROR(SaveCert(c, c.issuer_id, issuing.get()));
  ASSIGN_OR_RETURN(auto cmp_signer, CreateSigner(c, "cmp", alg));
  ASSIGN_OR_RETURN(crypto::X509Ptr cmp,
                   ca::MakeCmpCert(spec, issuing.get(), *issuing_signer, cmp_signer->key(), now));
  RETURN_IF_ERROR(SaveCert(c, "ocsp", ocsp.get()));
  RETURN_IF_ERROR(SaveCert(c, "cmp", cmp.get()));
  // The audit signer at the same ceremony (docs/audit.md), not at its first use: every
  // copy of this data directory — the nodes of a cluster — then signs checkpoints with the
  // one key that ca/audit.pub.pem pins.
  RETURN_IF_ERROR(OpenAuditSigner(c).status());
  // The programs' own issuing CAs (the 国保連 program's "issuing-kj-1"), at the same
  // ceremony.
  for (const ca::ProgramProfile* p : ProgramsWithOwnIssuer(c)) {
    RETURN_IF_ERROR(MakeProgramIssuingCa(c, *p, root.get(), *root_signer, now)
                        .WithContext("the issuing CA of the program " + p->id));
  }
  RETURN_IF_ERROR(MakeDemoTlsCert(c, root.get(), *root_signer, now));
  RETURN_IF_ERROR(
      WriteArl(c, root.get(), *root_signer, now, crl::kDefaultArlValidity, nullptr).status());

  ASSIGN_OR_RETURN(auto store, store::OpenStore(c.DatabaseUrl()));
  RETURN_IF_ERROR(store->Migrate());
  return WriteFileAtomic(c.Path("claimsca.toml"), RenderConfig(c));
}

}  // namespace claimsca::cmd
