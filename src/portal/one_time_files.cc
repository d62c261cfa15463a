#include "portal/one_time_files.h"

#include "portal/page.h"
#include "portal/util.h"

namespace claimsca::portal {

std::string OneTimeOwner(const web::Request& req) {
  return CookieValue(req.Header("Cookie"), kAnonCsrfCookie).value_or("");
}

web::Response ServeOneTimeFile(OneTimeFiles& files, const web::Request& req,
                               const std::string& back, const std::string& back_label) {
  auto f = files.Get(FormData::Parse(req.query).Get("t"), OneTimeOwner(req));
  if (!f.ok()) {
    return Message(nullptr, 503, "ただいま保存できません",
                   "しばらくしてから、もう一度「ファイルを保存する」を押してください。", back,
                   back_label);
  }
  if (!f->has_value()) {
    return Message(nullptr, 410, "このリンクは使えません",
                   "ファイルを保存するリンクは、表示されてから10分間、その画面を開いたブラウザ"
                   "でだけ使えます。時間が過ぎたか、別のブラウザで開かれました。保存できていない"
                   "場合は、もう一度はじめからやり直してください。",
                   back, back_label);
  }
  OneTimeFile& file = **f;
  auto r = web::Response::Bytes(file.content_type, std::move(file.bytes));
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file.filename + "\"");
  return WithHeaders(std::move(r));
}

}  // namespace claimsca::portal
