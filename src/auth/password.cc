#include "auth/password.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>

namespace claimsca::auth {
namespace {

// sodium_init is idempotent and thread-safe; call it before any other libsodium function.
bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

// A NUL-terminated copy of a hash string, or nullopt when it cannot be one (too long, or
// with a NUL inside).
std::optional<std::string> HashCString(std::string_view hash) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return std::nullopt;
  if (hash.find('\0') != std::string_view::npos) return std::nullopt;
  return std::string(hash);
}

// Decodes UTF-8 into code points; nullopt when invalid (overlong forms, surrogates and
// values above U+10FFFF included).
std::optional<std::vector<char32_t>> DecodeUtf8(std::string_view s) {
  std::vector<char32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b0 < 0x80) {
      len = 1;
      cp = b0;
    } else if ((b0 & 0xe0) == 0xc0) {
      len = 2;
      cp = b0 & 0x1f;
      min = 0x80;
    } else if ((b0 & 0xf0) == 0xe0) {
      len = 3;
      cp = b0 & 0x0f;
      min = 0x800;
    } else if ((b0 & 0xf8) == 0xf0) {
      len = 4;
      cp = b0 & 0x07;
      min = 0x10000;
    } else {
      return std::nullopt;
    }
    if (i + len > s.size()) return std::nullopt;
    for (int k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xc0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
    out.push_back(cp);
    i += len;
  }
  return out;
}

enum class CharClass { kDigit, kLower, kUpper, kSymbol, kNonAscii };

CharClass ClassOf(char32_t c) {
  if (c >= '0' && c <= '9') return CharClass::kDigit;
  if (c >= 'a' && c <= 'z') return CharClass::kLower;
  if (c >= 'A' && c <= 'Z') return CharClass::kUpper;
  if (c < 0x80) return CharClass::kSymbol;
  return CharClass::kNonAscii;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool ContainsIgnoringAsciiCase(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return AsciiLower(a) == AsciiLower(b); });
  return it != haystack.end();
}

domain::FieldError PasswordError(std::string rule, std::string message_ja) {
  return {"password", std::move(rule), std::move(message_ja)};
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, const KdfParams& params) {
  if (!SodiumReady()) return Internal("hash password: sodium_init failed");
  if (params.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      params.opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
      params.memlimit_bytes < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params.memlimit_bytes > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    return InvalidArgument("hash password: argon2id parameters out of range");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.opslimit,
                            params.memlimit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("hash password: argon2id failed (out of memory?)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (!SodiumReady()) return false;
  const auto h = HashCString(hash);
  if (!h) return false;
  return crypto_pwhash_str_verify(h->c_str(), password.data(), password.size()) == 0;
}

const std::string& DummyHash::Get() {
  std::call_once(once_, [this] {
    if (!SodiumReady()) return;
    unsigned char secret[32];
    randombytes_buf(secret, sizeof secret);
    auto hash = HashPassword(std::string_view(reinterpret_cast<const char*>(secret), sizeof secret),
                             params_);
    sodium_memzero(secret, sizeof secret);
    if (hash.ok()) hash_ = std::move(hash).value();
  });
  return hash_;
}

bool NeedsRehash(std::string_view hash, const KdfParams& params) {
  if (!SodiumReady()) return true;
  const auto h = HashCString(hash);
  if (!h || !hash.starts_with("$argon2id$")) return true;
  return crypto_pwhash_str_needs_rehash(h->c_str(), params.opslimit, params.memlimit_bytes) != 0;
}

std::vector<domain::FieldError> CheckPasswordPolicy(std::string_view password,
                                                    std::string_view account_id) {
  std::vector<domain::FieldError> errors;
  if (password.empty()) {
    errors.push_back(PasswordError("required", "パスワードを入力してください。"));
    return errors;
  }
  const auto chars = DecodeUtf8(password);
  if (!chars) {
    errors.push_back(PasswordError("invalid_utf8", "パスワードに使えない文字が含まれています。"));
    return errors;
  }
  if (std::any_of(chars->begin(), chars->end(), [](char32_t c) { return c < 0x20 || c == 0x7f; })) {
    errors.push_back(PasswordError("control_char", "パスワードに制御文字は使えません。"));
  }
  if (chars->size() < kPasswordMinChars) {
    errors.push_back(PasswordError("too_short", "パスワードは12文字以上にしてください。"));
  }
  if (chars->size() > kPasswordMaxChars) {
    errors.push_back(PasswordError("too_long", "パスワードは128文字以内にしてください。"));
  }
  const CharClass first = ClassOf(chars->front());
  if (std::all_of(chars->begin(), chars->end(),
                  [first](char32_t c) { return ClassOf(c) == first; })) {
    errors.push_back(PasswordError(
        "single_class", "数字だけ・英小文字だけなど、1種類の文字だけのパスワードは使えません。"));
  }
  if (std::set<char32_t>(chars->begin(), chars->end()).size() < 5) {
    errors.push_back(PasswordError(
        "few_distinct", "同じ文字の繰り返しが多すぎます。5種類以上の文字を使ってください。"));
  }
  if (account_id.size() >= 4 && ContainsIgnoringAsciiCase(password, account_id)) {
    errors.push_back(
        PasswordError("contains_id", "パスワードにアカウントIDを含めないでください。"));
  }
  return errors;
}

}  // namespace claimsca::auth
