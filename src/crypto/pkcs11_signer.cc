#include "crypto/pkcs11_signer.h"

#include <libp11.h>

#include <cstring>
#include <map>
#include <mutex>
#include <string>

namespace claimsca::crypto {

namespace {

// C_Finalize and C_CloseAllSessions act on the whole process, not on one libp11 context: a
// signer that unloaded its module while another signer of the same module lived would
// leave that one with "Cryptoki not initialized" (init met it: a program's issuing CA is
// made, and its signers closed, before the root signs again). So only the last open signer
// of a module releases its slots and unloads it; one closed earlier leaves its context
// allocated (a few hundred bytes, once per signer closed early).
std::mutex g_modules_mu;
std::map<std::string, int>& OpenSignersByModule() {
  static auto* open = new std::map<std::string, int>;
  return *open;
}

}  // namespace

// Owns the libp11 context (module loaded) and its slot list; the slots own the sessions and
// the login. Destroyed after the EVP_PKEY that refers to them.
struct Pkcs11Signer::Handles {
  PKCS11_CTX* ctx = nullptr;
  bool loaded = false;
  std::string module;  // set once counted in OpenSignersByModule
  PKCS11_SLOT* slots = nullptr;
  unsigned int nslots = 0;

  Handles() = default;
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;
  ~Handles() {
    if (!module.empty()) {
      std::lock_guard lock(g_modules_mu);
      if (--OpenSignersByModule()[module] > 0) return;  // others still use the module
    }
    if (slots != nullptr) PKCS11_release_all_slots(ctx, slots, nslots);  // closes sessions
    if (loaded) PKCS11_CTX_unload(ctx);                                  // C_Finalize
    if (ctx != nullptr) PKCS11_CTX_free(ctx);
  }
};

Pkcs11Signer::Pkcs11Signer(std::unique_ptr<Handles> handles, EvpPkeyPtr key, KeyAlgorithm algorithm,
                           std::string description)
    : handles_(std::move(handles)),
      key_(std::move(key)),
      algorithm_(algorithm),
      description_(std::move(description)) {}

Pkcs11Signer::~Pkcs11Signer() {
  key_.reset();  // before the context it points into
  handles_.reset();
}

Result<std::unique_ptr<Pkcs11Signer>> Pkcs11Signer::Open(const Pkcs11Options& options) {
  auto h = std::make_unique<Handles>();
  h->ctx = PKCS11_CTX_new();
  if (h->ctx == nullptr) return OpensslError("PKCS11_CTX_new");
  if (PKCS11_CTX_load(h->ctx, options.module_path.c_str()) != 0) {
    return OpensslError("cannot load PKCS#11 module " + options.module_path, Code::kUnavailable);
  }
  h->loaded = true;
  {
    std::lock_guard lock(g_modules_mu);
    ++OpenSignersByModule()[options.module_path];
    h->module = options.module_path;
  }
  if (PKCS11_enumerate_slots(h->ctx, &h->slots, &h->nslots) != 0) {
    return OpensslError("PKCS11_enumerate_slots", Code::kUnavailable);
  }
  PKCS11_SLOT* slot = nullptr;
  for (unsigned int i = 0; i < h->nslots; ++i) {
    PKCS11_TOKEN* token = h->slots[i].token;
    if (token != nullptr && token->initialized && token->label != nullptr &&
        options.token_label == token->label) {
      slot = &h->slots[i];
      break;
    }
  }
  if (slot == nullptr) {
    return Unavailable("no initialised PKCS#11 token labelled \"" + options.token_label + "\"");
  }
  // libp11 keeps a wiped copy of the PIN to log in again if the token drops the login.
  if (PKCS11_login(slot, 0, options.user_pin.c_str()) != 0) {
    return OpensslError("PKCS#11 user login failed", Code::kUnauthorized);
  }
  PKCS11_KEY* keys = nullptr;
  unsigned int nkeys = 0;
  if (PKCS11_enumerate_keys(slot->token, &keys, &nkeys) != 0) {
    return OpensslError("PKCS11_enumerate_keys", Code::kUnavailable);
  }
  PKCS11_KEY* found = nullptr;
  for (unsigned int i = 0; i < nkeys; ++i) {
    if (keys[i].label == nullptr || options.key_label != keys[i].label) continue;
    if (found != nullptr) {
      return Conflict("several private keys labelled \"" + options.key_label + "\"");
    }
    found = &keys[i];
  }
  if (found == nullptr) {
    return NotFound("no private key labelled \"" + options.key_label + "\" in token \"" +
                    options.token_label + "\"");
  }
  EvpPkeyPtr key(PKCS11_get_private_key(found));  // a new reference
  if (!key) return OpensslError("PKCS11_get_private_key", Code::kUnavailable);
  auto algorithm = KeyAlgorithmOf(key.get());
  if (!algorithm.ok()) return algorithm.status().WithContext("PKCS#11 key");
  std::string description = "pkcs11:token=" + options.token_label + ";object=" + options.key_label +
                            ";module=" + options.module_path;
  return std::unique_ptr<Pkcs11Signer>(
      new Pkcs11Signer(std::move(h), std::move(key), *algorithm, std::move(description)));
}

Result<EvpPkeyPtr> Pkcs11Signer::PublicKey() const {
  ASSIGN_OR_RETURN(std::string der, PublicKeyDer(key_.get()));
  return PublicKeyFromDer(der);
}

std::string Pkcs11Signer::Describe() const { return description_; }

}  // namespace claimsca::crypto
