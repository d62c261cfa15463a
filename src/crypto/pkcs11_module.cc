// The parts of Pkcs11Signer that need raw PKCS#11 calls (libp11 cannot set key attributes
// on generation or read them): key generation and key inspection. The module is loaded with
// dlopen and driven through its CK_FUNCTION_LIST.

#include <dlfcn.h>

#include <cstdio>
#include <vector>

#include "crypto/pkcs11_signer.h"
#include "crypto/random.h"

// GNU naming (struct ck_attribute, ck_rv_t, ...): the compatibility naming #defines lowercase
// words such as `value` and `count`, which would break C++ code. Included last on purpose.
#define CRYPTOKI_GNU 1
#include <p11-kit/pkcs11.h>

namespace claimsca::crypto {
namespace {

std::string RvText(const char* call, ck_rv_t rv) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s failed: CKR 0x%lx", call, rv);
  return buf;
}

unsigned char kTrue = 1, kFalse = 0;

class Template {
 public:
  void Add(ck_attribute_type_t type, const void* data, size_t len) {
    attrs_.push_back({type, const_cast<void*>(data), len});
  }
  void Bool(ck_attribute_type_t type, bool v) { Add(type, v ? &kTrue : &kFalse, 1); }
  struct ck_attribute* data() {
    return attrs_.data();
  }
  unsigned long size() const { return attrs_.size(); }

 private:
  std::vector<struct ck_attribute> attrs_;
};

// A loaded module with one logged-in session on the token named in the options. Cleans up
// only what it set up itself: the module may already be initialised and logged in by libp11
// in this process, and C_Finalize / C_Logout would pull the rug from under it.
class Session {
 public:
  static Result<std::unique_ptr<Session>> Open(const Pkcs11Options& options, bool rw) {
    std::unique_ptr<Session> s(new Session);
    s->dl_ = dlopen(options.module_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (s->dl_ == nullptr) {
      return Unavailable("cannot load PKCS#11 module " + options.module_path + ": " + dlerror());
    }
    auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(s->dl_, "C_GetFunctionList"));
    if (get_list == nullptr || get_list(&s->f_) != CKR_OK || s->f_ == nullptr) {
      return Unavailable(options.module_path + " is not a PKCS#11 module");
    }
    struct ck_c_initialize_args args = {};
    args.flags = CKF_OS_LOCKING_OK;
    ck_rv_t rv = s->f_->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      return Unavailable(RvText("C_Initialize", rv));
    }
    s->initialized_ = rv == CKR_OK;
    ASSIGN_OR_RETURN(ck_slot_id_t slot, s->FindSlot(options.token_label));
    unsigned long flags = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);
    rv = s->f_->C_OpenSession(slot, flags, nullptr, nullptr, &s->session_);
    if (rv != CKR_OK) return Unavailable(RvText("C_OpenSession", rv));
    s->open_ = true;
    rv =
        s->f_->C_Login(s->session_, CKU_USER,
                       reinterpret_cast<unsigned char*>(const_cast<char*>(options.user_pin.data())),
                       options.user_pin.size());
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE ||
        rv == CKR_PIN_LOCKED || rv == CKR_PIN_EXPIRED) {
      return Status(Code::kUnauthorized, RvText("PKCS#11 user login", rv));
    }
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
      return Unavailable(RvText("C_Login", rv));
    }
    s->logged_in_ = rv == CKR_OK;
    return s;
  }

  ~Session() {
    if (logged_in_) f_->C_Logout(session_);
    if (open_) f_->C_CloseSession(session_);
    if (initialized_) f_->C_Finalize(nullptr);
    if (dl_ != nullptr) dlclose(dl_);
  }

  Result<std::vector<ck_object_handle_t>> Find(ck_object_class_t cls, const std::string& label) {
    Template t;
    t.Add(CKA_CLASS, &cls, sizeof cls);
    t.Add(CKA_LABEL, label.data(), label.size());
    ck_rv_t rv = f_->C_FindObjectsInit(session_, t.data(), t.size());
    if (rv != CKR_OK) return Unavailable(RvText("C_FindObjectsInit", rv));
    std::vector<ck_object_handle_t> found;
    ck_object_handle_t batch[16];
    unsigned long n = 0;
    while ((rv = f_->C_FindObjects(session_, batch, 16, &n)) == CKR_OK && n > 0) {
      found.insert(found.end(), batch, batch + n);
    }
    f_->C_FindObjectsFinal(session_);
    if (rv != CKR_OK) return Unavailable(RvText("C_FindObjects", rv));
    return found;
  }

  Result<ck_object_handle_t> FindOne(ck_object_class_t cls, const std::string& label) {
    ASSIGN_OR_RETURN(auto found, Find(cls, label));
    if (found.empty()) return NotFound("no private key labelled \"" + label + "\" in the token");
    if (found.size() > 1) return Conflict("several private keys labelled \"" + label + "\"");
    return found[0];
  }

  struct ck_function_list* f() const {
    return f_;
  }
  ck_session_handle_t session() const { return session_; }

 private:
  Session() = default;

  Result<ck_slot_id_t> FindSlot(const std::string& label) {
    unsigned long n = 0;
    ck_rv_t rv = f_->C_GetSlotList(1, nullptr, &n);
    if (rv != CKR_OK) return Unavailable(RvText("C_GetSlotList", rv));
    std::vector<ck_slot_id_t> slots(n);
    rv = f_->C_GetSlotList(1, slots.data(), &n);
    if (rv != CKR_OK) return Unavailable(RvText("C_GetSlotList", rv));
    slots.resize(n);
    for (ck_slot_id_t slot : slots) {
      struct ck_token_info info;
      if (f_->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
      std::string token(reinterpret_cast<const char*>(info.label), sizeof info.label);
      token.erase(token.find_last_not_of(' ') + 1);
      if (token == label) return slot;
    }
    return Unavailable("no PKCS#11 token labelled \"" + label + "\"");
  }

  void* dl_ = nullptr;
  struct ck_function_list* f_ = nullptr;
  ck_session_handle_t session_ = 0;
  bool initialized_ = false, open_ = false, logged_in_ = false;
};

Result<bool> BoolAttribute(Session& s, ck_object_handle_t obj, ck_attribute_type_t type) {
  unsigned char v = 0;
  struct ck_attribute a = {type, &v, sizeof v};
  ck_rv_t rv = s.f()->C_GetAttributeValue(s.session(), obj, &a, 1);
  if (rv != CKR_OK) return Unavailable(RvText("C_GetAttributeValue", rv));
  return v != 0;
}

}  // namespace

Status Pkcs11Signer::GenerateKeyInToken(const Pkcs11Options& options, KeyAlgorithm algorithm) {
  if (options.key_label.empty()) return InvalidArgument("PKCS#11 key label must not be empty");
  ASSIGN_OR_RETURN(auto session, Session::Open(options, /*rw=*/true));
  ASSIGN_OR_RETURN(auto existing, session->Find(CKO_PRIVATE_KEY, options.key_label));
  if (!existing.empty()) {
    return Conflict("the token already holds a private key labelled \"" + options.key_label + "\"");
  }
  ASSIGN_OR_RETURN(std::string id, RandomBytes(16));

  static const unsigned char kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  static const unsigned char kP384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
  static const unsigned char kF4[] = {0x01, 0x00, 0x01};
  ck_object_class_t pub_class = CKO_PUBLIC_KEY, priv_class = CKO_PRIVATE_KEY;
  const bool rsa = IsRsa(algorithm);
  ck_key_type_t key_type = rsa ? CKK_RSA : CKK_EC;
  struct ck_mechanism mech = {rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  unsigned long bits = algorithm == KeyAlgorithm::kRsa2048   ? 2048
                       : algorithm == KeyAlgorithm::kRsa3072 ? 3072
                                                             : 4096;
  const std::string& label = options.key_label;

  Template pub, priv;
  for (Template* t : {&pub, &priv}) {
    t->Add(CKA_KEY_TYPE, &key_type, sizeof key_type);
    t->Add(CKA_LABEL, label.data(), label.size());
    t->Add(CKA_ID, id.data(), id.size());
    t->Bool(CKA_TOKEN, true);
  }
  pub.Add(CKA_CLASS, &pub_class, sizeof pub_class);
  pub.Bool(CKA_PRIVATE, false);
  pub.Bool(CKA_VERIFY, true);
  pub.Bool(CKA_ENCRYPT, false);
  pub.Bool(CKA_WRAP, false);
  if (rsa) {
    pub.Add(CKA_MODULUS_BITS, &bits, sizeof bits);
    pub.Add(CKA_PUBLIC_EXPONENT, kF4, sizeof kF4);
  } else if (algorithm == KeyAlgorithm::kEcP256) {
    pub.Add(CKA_EC_PARAMS, kP256, sizeof kP256);
  } else {
    pub.Add(CKA_EC_PARAMS, kP384, sizeof kP384);
  }
  priv.Add(CKA_CLASS, &priv_class, sizeof priv_class);
  priv.Bool(CKA_PRIVATE, true);
  priv.Bool(CKA_SENSITIVE, true);
  priv.Bool(CKA_EXTRACTABLE, false);
  priv.Bool(CKA_SIGN, true);
  priv.Bool(CKA_DECRYPT, false);
  priv.Bool(CKA_UNWRAP, false);
  priv.Bool(CKA_DERIVE, false);

  ck_object_handle_t pub_obj = 0, priv_obj = 0;
  ck_rv_t rv = session->f()->C_GenerateKeyPair(session->session(), &mech, pub.data(), pub.size(),
                                               priv.data(), priv.size(), &pub_obj, &priv_obj);
  if (rv != CKR_OK) return Unavailable(RvText("C_GenerateKeyPair", rv));
  return Status::Ok();
}

Result<Pkcs11KeyProtection> Pkcs11Signer::InspectKeyInToken(const Pkcs11Options& options) {
  ASSIGN_OR_RETURN(auto session, Session::Open(options, /*rw=*/false));
  ASSIGN_OR_RETURN(ck_object_handle_t obj, session->FindOne(CKO_PRIVATE_KEY, options.key_label));
  Pkcs11KeyProtection p;
  ASSIGN_OR_RETURN(p.sensitive, BoolAttribute(*session, obj, CKA_SENSITIVE));
  ASSIGN_OR_RETURN(p.extractable, BoolAttribute(*session, obj, CKA_EXTRACTABLE));
  ASSIGN_OR_RETURN(p.always_sensitive, BoolAttribute(*session, obj, CKA_ALWAYS_SENSITIVE));
  ASSIGN_OR_RETURN(p.never_extractable, BoolAttribute(*session, obj, CKA_NEVER_EXTRACTABLE));

  ck_key_type_t type = 0;
  struct ck_attribute t = {CKA_KEY_TYPE, &type, sizeof type};
  ck_rv_t rv = session->f()->C_GetAttributeValue(session->session(), obj, &t, 1);
  if (rv != CKR_OK) return Unavailable(RvText("C_GetAttributeValue(CKA_KEY_TYPE)", rv));
  // Ask only for the length of the secret: a sensitive key answers CKR_ATTRIBUTE_SENSITIVE
  // (or an unavailable length) and reveals nothing.
  struct ck_attribute secret = {type == CKK_RSA ? CKA_PRIVATE_EXPONENT : CKA_VALUE, nullptr, 0};
  rv = session->f()->C_GetAttributeValue(session->session(), obj, &secret, 1);
  p.value_readable = rv == CKR_OK && secret.value_len != CK_UNAVAILABLE_INFORMATION;
  return p;
}

}  // namespace claimsca::crypto
