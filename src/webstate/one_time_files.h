#pragma once

// Files handed over by a short-lived link (docs/portal.md, "Download site"; migration 094),
// kept in the database so that the link works on whichever `serve` process it reaches
// (issue 22 point 2). A link works only for the browser that asked for it (the owner: its
// anonymous CSRF cookie) and only for `ttl`; within it a second click gets the same file
// again (the page, with a password shown once, must not be replaced by an error because
// the automatic start already used the link).
//
// What the database holds: SHA-256 of the token and of the owner, the file name and type,
// and the file sealed (AES-256-GCM, crypto::SealedBox) under a key derived from the token
// and the owner, neither of which is stored: a reader of the database cannot open it, and a
// token presented with another browser's cookie opens nothing. Expired rows are deleted on
// every Put and by PurgeOneTimeFiles (the web-state job).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace claimsca::webstate {

struct OneTimeFile {
  std::string filename;      // for Content-Disposition, e.g. "12345678901234.p12"
  std::string content_type;  // e.g. "application/x-pkcs12"
  std::string bytes;
};

class OneTimeFiles {
 public:
  // `store` and `clock` must outlive it.
  OneTimeFiles(store::Store& store, const Clock& clock,
               std::chrono::seconds ttl = std::chrono::minutes(10))
      : store_(store), clock_(clock), ttl_(ttl) {}

  // Keeps `file` for `owner` (non-empty) and returns the link's token (32 hex digits).
  // InvalidArgument for an empty owner; the bytes of `file` are wiped either way.
  Result<std::string> Put(std::string_view owner, OneTimeFile file);
  // The file: nullopt when the token is unknown, expired or was put for another owner.
  Result<std::optional<OneTimeFile>> Get(std::string_view token, std::string_view owner);

 private:
  store::Store& store_;
  const Clock& clock_;
  const std::chrono::seconds ttl_;
};

// Deletes the files expired at `now`; returns how many.
Result<int64_t> PurgeOneTimeFiles(store::Store& store, Instant now);

}  // namespace claimsca::webstate
