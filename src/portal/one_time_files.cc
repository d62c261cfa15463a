#include "portal/one_time_files.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "portal/page.h"
#include "portal/util.h"

namespace claimsca::portal {

OneTimeFiles::OneTimeFiles(const Clock& clock, std::chrono::seconds ttl, size_t capacity)
    : clock_(clock), ttl_(ttl), capacity_(std::max<size_t>(capacity, 1)) {}

OneTimeFiles::~OneTimeFiles() {
  for (auto& [token, e] : files_) Wipe(e);
}

void OneTimeFiles::Wipe(Entry& e) {
  OPENSSL_cleanse(e.file.bytes.data(), e.file.bytes.size());
  e.file.bytes.clear();
}

void OneTimeFiles::DropExpiredLocked(Instant now) {
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->second.expires <= now) {
      Wipe(it->second);
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
}

std::string OneTimeFiles::Put(std::string_view owner, OneTimeFile file) {
  std::string token = RandomHex(16);
  if (token.empty() || owner.empty()) {
    OPENSSL_cleanse(file.bytes.data(), file.bytes.size());
    return "";
  }
  const Instant now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  DropExpiredLocked(now);
  while (files_.size() >= capacity_) {
    auto oldest = std::min_element(files_.begin(), files_.end(), [](const auto& a, const auto& b) {
      return a.second.expires < b.second.expires;
    });
    Wipe(oldest->second);
    files_.erase(oldest);
  }
  files_.emplace(token, Entry{std::string(owner), now + ttl_, std::move(file)});
  return token;
}

std::optional<OneTimeFile> OneTimeFiles::Get(std::string_view token, std::string_view owner) {
  std::lock_guard<std::mutex> lock(mu_);
  DropExpiredLocked(clock_.Now());
  auto it = files_.find(token);
  if (it == files_.end() || !CsrfMatches(it->second.owner, owner)) return std::nullopt;
  return it->second.file;
}

}  // namespace claimsca::portal

namespace claimsca::portal {

std::string OneTimeOwner(const web::Request& req) {
  return CookieValue(req.Header("Cookie"), kAnonCsrfCookie).value_or("");
}

web::Response ServeOneTimeFile(OneTimeFiles& files, const web::Request& req,
                               const std::string& back, const std::string& back_label) {
  auto f = files.Get(FormData::Parse(req.query).Get("t"), OneTimeOwner(req));
  if (!f) {
    return Message(nullptr, 410, "このリンクは使えません",
                   "ファイルを保存するリンクは、表示されてから10分間、その画面を開いたブラウザ"
                   "でだけ使えます。時間が過ぎたか、別のブラウザで開かれました。保存できていない"
                   "場合は、もう一度はじめからやり直してください。",
                   back, back_label);
  }
  auto r = web::Response::Bytes(f->content_type, std::move(f->bytes));
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + f->filename + "\"");
  return WithHeaders(std::move(r));
}

}  // namespace claimsca::portal
