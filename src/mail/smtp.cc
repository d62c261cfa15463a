#include "mail/smtp.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "common/shared_library.h"

namespace claimsca::mail {
namespace {

// libcurl, opened on the first message rather than linked (common/shared_library.h): a
// process that sends no mail never loads it and its ~30 dependencies. Named without the
// curl_ prefix: curl.h turns a call curl_easy_setopt(...) into a type-checking macro.
struct LibCurl {
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
};

// Loaded and curl_global_init'ed once per process.
const Result<LibCurl>& LoadLibCurl() {
  static const Result<LibCurl> lib = []() -> Result<LibCurl> {
    ASSIGN_OR_RETURN(
        LibCurl api,
        BindLibrary<LibCurl>("libcurl.so.4", "libcurl4", [](SharedLibrary& so, LibCurl& a) {
          so.Bind(a.global_init, "curl_global_init");
          so.Bind(a.easy_init, "curl_easy_init");
          so.Bind(a.easy_setopt, "curl_easy_setopt");
          so.Bind(a.easy_perform, "curl_easy_perform");
          so.Bind(a.easy_getinfo, "curl_easy_getinfo");
          so.Bind(a.easy_strerror, "curl_easy_strerror");
          so.Bind(a.easy_cleanup, "curl_easy_cleanup");
          so.Bind(a.slist_append, "curl_slist_append");
          so.Bind(a.slist_free_all, "curl_slist_free_all");
        }));
    if (const CURLcode rc = api.global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
      return Internal(std::string("smtp: curl_global_init: ") + api.easy_strerror(rc));
    }
    return api;
  }();
  return lib;
}

struct Upload {
  std::string_view data;
  size_t pos = 0;
  const std::function<Status()>* before_end = nullptr;
  Status hook = Status::Ok();  // what before_end returned
};

// libcurl sends the end-of-data mark ("\r\n.\r\n") only after this returns 0. The hook
// runs before the last bytes are handed over (so even when libcurl stops asking once it
// has INFILESIZE bytes, the mark still follows the hook); a failed hook aborts the upload.
size_t ReadBody(char* buf, size_t size, size_t nitems, void* userp) {
  auto* up = static_cast<Upload*>(userp);
  const size_t n = std::min(size * nitems, up->data.size() - up->pos);
  if (up->pos + n == up->data.size() && up->before_end != nullptr && *up->before_end) {
    up->hook = (*up->before_end)();
    up->before_end = nullptr;
    if (!up->hook.ok()) return CURL_READFUNC_ABORT;
  }
  std::memcpy(buf, up->data.data() + up->pos, n);
  up->pos += n;
  return n;
}

struct CurlFree {
  void operator()(CURL* c) const { LoadLibCurl()->easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { LoadLibCurl()->slist_free_all(l); }
};

}  // namespace

SmtpMailer::SmtpMailer(SmtpConfig config) : config_(std::move(config)) {}

Status SmtpMailer::Send(std::string_view from, std::string_view to, std::string_view mime,
                        const std::function<Status()>& before_end) {
  if (config_.url.rfind("smtp://", 0) != 0 && config_.url.rfind("smtps://", 0) != 0) {
    return InvalidArgument("smtp: url must start with smtp:// or smtps://");
  }
  const Result<LibCurl>& lib = LoadLibCurl();
  if (!lib.ok()) return lib.status();
  const LibCurl& api = *lib;
  std::unique_ptr<CURL, CurlFree> curl(api.easy_init());
  if (!curl) return Internal("smtp: curl_easy_init failed");
  CURL* c = curl.get();
  std::string url = config_.url;
  if (!config_.helo_name.empty()) url += "/" + config_.helo_name;
  const std::string mail_from = "<" + std::string(from) + ">";
  const std::string rcpt = "<" + std::string(to) + ">";
  std::unique_ptr<curl_slist, SlistFree> rcpts(api.slist_append(nullptr, rcpt.c_str()));
  Upload up{mime};
  up.before_end = &before_end;
  char errbuf[CURL_ERROR_SIZE] = {0};

  api.easy_setopt(c, CURLOPT_URL, url.c_str());
  api.easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  api.easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts.get());
  api.easy_setopt(c, CURLOPT_UPLOAD, 1L);
  api.easy_setopt(c, CURLOPT_READFUNCTION, &ReadBody);
  api.easy_setopt(c, CURLOPT_READDATA, &up);
  api.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mime.size()));
  api.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(config_.timeout.count()));
  api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config_.timeout.count()));
  api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  switch (config_.starttls) {
    case SmtpConfig::StartTls::kNone:
      api.easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_NONE));
      break;
    case SmtpConfig::StartTls::kTry:
      api.easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
      break;
    case SmtpConfig::StartTls::kRequired:
      api.easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
      break;
  }
  if (!config_.ca_file.empty()) api.easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
  api.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, config_.verify_peer ? 1L : 0L);
  api.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, config_.verify_peer ? 2L : 0L);
  if (!config_.username.empty()) {
    api.easy_setopt(c, CURLOPT_USERNAME, config_.username.c_str());
    api.easy_setopt(c, CURLOPT_PASSWORD, config_.password.c_str());
  }

  const CURLcode rc = api.easy_perform(c);
  if (!up.hook.ok()) return up.hook;
  if (rc == CURLE_OK) return Status::Ok();
  long reply = 0;
  api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  std::string what = "smtp " + config_.url + ": " +
                     (errbuf[0] != '\0' ? std::string(errbuf) : api.easy_strerror(rc));
  if (reply > 0) what += " (reply " + std::to_string(reply) + ")";
  // A 5xx reply is the server's final word; anything else (no connection, 4xx, timeout,
  // TLS handshake) may pass on a later try.
  // Authentication replies (530, 534, 535, 538) are this server's configuration, not the
  // message's fault: retried like an outage, so fixing the configuration loses nothing.
  const bool auth = reply == 530 || reply == 534 || reply == 535 || reply == 538;
  if (reply >= 500 && reply < 600 && !auth) return FailedPrecondition(what);
  return Unavailable(what);
}

}  // namespace claimsca::mail
