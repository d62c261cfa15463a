#pragma once

// Files handed over by a short-lived link (docs/portal.md, "Download site"): a browser
// cannot show a page and save a file from one answer, so the form's answer is a page that
// says what was downloaded and starts the file by a link that works only for the browser
// that posted the form (the anonymous pages' CSRF cookie) and only for a few minutes (a
// second click within them saves the file again: the page, with a password shown once,
// must not be replaced by an error because the automatic start already used the link).
// Held in this process's memory only: nothing of a PKCS#12 is written anywhere new; wiped
// when expired.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace claimsca::portal {

struct OneTimeFile {
  std::string filename;      // for Content-Disposition, e.g. "12345678901234.p12"
  std::string content_type;  // e.g. "application/x-pkcs12"
  std::string bytes;
};

class OneTimeFiles {
 public:
  // Files live `ttl`; at most `capacity` at once (the oldest is dropped for a new one).
  explicit OneTimeFiles(const Clock& clock, std::chrono::seconds ttl = std::chrono::minutes(10),
                        size_t capacity = 1000);
  ~OneTimeFiles();
  OneTimeFiles(const OneTimeFiles&) = delete;
  OneTimeFiles& operator=(const OneTimeFiles&) = delete;

  // Keeps `file` for `owner` (non-empty) and returns the link's token (32 hex digits);
  // "" when the random generator fails or owner is empty.
  std::string Put(std::string_view owner, OneTimeFile file);
  // The file: nullopt when the token is unknown, expired or was put for another owner.
  std::optional<OneTimeFile> Get(std::string_view token, std::string_view owner);

 private:
  struct Entry {
    std::string owner;
    Instant expires;
    OneTimeFile file;
  };
  void DropExpiredLocked(Instant now);
  static void Wipe(Entry& e);

  const Clock& clock_;
  const std::chrono::seconds ttl_;
  const size_t capacity_;
  std::mutex mu_;
  std::map<std::string, Entry, std::less<>> files_;
};

}  // namespace claimsca::portal

#include "web/http.h"

namespace claimsca::portal {

// The owner of a browser's one-time files: its anonymous CSRF cookie ("" when absent).
std::string OneTimeOwner(const web::Request& req);
// GET …?t=TOKEN: the file as an attachment, or a page saying the link has expired,
// with a link to `back` (`back_label`).
web::Response ServeOneTimeFile(OneTimeFiles& files, const web::Request& req,
                               const std::string& back, const std::string& back_label);

}  // namespace claimsca::portal
