#pragma once

// Password hashing (argon2id via libsodium) and the account password policy
// (docs/accounts.md). Passwords are never logged, stored or put in messages: only their
// argon2id strings are stored, and errors name rules, not values.
//
// Thread-safety: every function may be called from any number of threads.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/application_form.h"

namespace claimsca::auth {

// argon2id cost. The defaults are OWASP's minimum for argon2id (m = 19 MiB, t = 2,
// p = 1): about 30–60 ms and 19 MiB per hash on one core of a current server.
struct KdfParams {
  uint64_t opslimit = 2;                     // t: passes over memory (>= 1)
  size_t memlimit_bytes = 19 * 1024 * 1024;  // m: bytes of memory (>= 8 KiB)
};

// The PHC string "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" with a fresh 16-byte
// salt. InvalidArgument for parameters below libsodium's minimum; Internal when memory
// cannot be allocated.
Result<std::string> HashPassword(std::string_view password, const KdfParams& params = {});

// True iff `hash` is a valid argon2 string of `password`. Runs in time independent of
// where the two differ (the full KDF always runs). False for a malformed hash.
bool VerifyPassword(std::string_view hash, std::string_view password);

// An argon2id hash of a random secret under `params`, made on first use: what a password
// is verified against when there is no real hash (unknown account or request ID), so that
// the refusal takes as long as a real wrong password's. Empty if it could not be made
// (then VerifyPassword returns false at once).
class DummyHash {
 public:
  explicit DummyHash(const KdfParams& params) : params_(params) {}
  const std::string& Get();

 private:
  const KdfParams params_;
  std::once_flag once_;
  std::string hash_;
};

// True when `hash` was not made by argon2id with exactly `params` (weaker, stronger or
// another algorithm) or is malformed: rehash after the next successful login.
bool NeedsRehash(std::string_view hash, const KdfParams& params = {});

// Account password rules, checked on the password as typed (no trimming, no
// normalisation). Field "password"; rules (each reported at most once, in this order):
//   required        empty
//   invalid_utf8    not valid UTF-8
//   control_char    holds a control character (U+0000–U+001F, U+007F)
//   too_short       fewer than 12 characters (Unicode code points)
//   too_long        more than 128 characters
//   single_class    every character of one class: ASCII digits, lower-case ASCII letters,
//                   upper-case ASCII letters, ASCII symbols (space included), or non-ASCII
//   few_distinct    fewer than 5 distinct characters ("abababab1212")
//   contains_id     contains `account_id` (ASCII case-insensitive), when it is given and
//                   at least 4 bytes long
// An empty vector means the password is acceptable.
inline constexpr size_t kPasswordMinChars = 12;
inline constexpr size_t kPasswordMaxChars = 128;
std::vector<domain::FieldError> CheckPasswordPolicy(std::string_view password,
                                                    std::string_view account_id = {});

}  // namespace claimsca::auth
