// The console's notices page (docs/notices-and-mail.md "From the console"): the printed
// batches by dispatch date with their shipping counts, the day's batch made by the same code
// as `claimsca notices print`, the batch's PDF and mailing list, and the mailing service's
// tracking list imported as `claimsca notices import-tracking` does (all rows or none),
// its errors by row in Japanese.
//
// Reading the page: `read` on every institution (reviewer and up). Printing, the files
// (the PDF holds download passwords) and the tracking import: `hand_over_password`
// (operator and up), docs/accounts.md.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>

#include "portal/labels.h"
#include "portal/page.h"
#include "portal/routes.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

constexpr char kBase[] = "/console/notices";

std::string FieldJa(const std::string& field) {
  static const std::map<std::string, std::string, std::less<>> kFields = {
      {"request_id", "リクエストID"},
      {"tracking_number", "追跡番号"},
      {"status", "状況"},
      {"date", "日付"},
      {"header", "見出し行"},
      {"line", "行"}};
  auto it = kFields.find(field);
  return it == kFields.end() ? "項目" : it->second;
}

std::string ShippingNameJa(const std::string& name) {
  auto s = store::ParseShippingStatus(name);
  return s.ok() ? labels::Shipping(*s) : "不明";
}

// One error of the parser ("<field>: <why>") or of the store ("<request_id>: <why>") in
// Japanese.
std::string WhyJa(const std::string& why) {
  std::smatch m;
  if (why.starts_with("not a 14-digit")) return "14桁の数字のリクエストIDではありません";
  if (why.starts_with("expected 発送済み")) {
    return "「発送済み」「お届け済み」「不達」のいずれかを書いてください";
  }
  if (why.starts_with("1–32")) return "英数字とハイフン（-）32文字以内で書いてください";
  if (why == "required when shipped") return "「発送済み」の行には追跡番号が必要です";
  if (why.starts_with("not a date")) return "日付（YYYY-MM-DD または YYYY/MM/DD）ではありません";
  if (std::regex_match(why, m, std::regex("also on line (\\d+)"))) {
    return m[1].str() + " 行目と同じリクエストIDです（1件につき1行）";
  }
  if (why.starts_with("expected \"")) {
    return "1行目（見出し行）は request_id,tracking_number,status,date にしてください";
  }
  if (why == "empty file") return "ファイルが空です";
  if (why == "unterminated quoted field") return "引用符（\"）が閉じていません";
  if (std::regex_match(why, m, std::regex("expected (\\d+) fields, got (\\d+)"))) {
    return "項目の数が " + m[1].str() + " ではありません（" + m[2].str() + " 個）";
  }
  if (why.find("no printed notice") != std::string::npos) {
    return "このリクエストIDの印刷済みの発行通知書はありません";
  }
  if (std::regex_search(why, m,
                        std::regex("tracking number (\\S+) is not this notice's \\((.*)\\)"))) {
    return "追跡番号 " + m[1].str() + " はこの通知書の追跡番号（" + m[2].str() + "）ではありません";
  }
  if (std::regex_search(why, m, std::regex("cannot go from (\\w+) to (\\w+)"))) {
    return "発送状況を「" + ShippingNameJa(m[1].str()) + "」から「" + ShippingNameJa(m[2].str()) +
           "」に変えることはできません";
  }
  if (why.find("tracking number required") != std::string::npos) {
    return "「発送済み」の行には追跡番号が必要です";
  }
  return "この行は取り込めません";
}

// The tracking import's error as Japanese lines, one per row: the parser's
// "tracking list: N error(s); line L, <field>: <why>; …" and the store's
// "line L: <request_id>: <why>".
std::vector<std::string> TrackingErrorsJa(const Status& st) {
  std::vector<std::string> out;
  const std::string m = st.message();
  std::smatch g;
  const std::regex parser("line (\\d+), (\\w+): (.*)");
  const std::regex stored("line (\\d+): (\\d+): (.*)");
  for (size_t p = 0; p != std::string::npos;) {
    const size_t q = m.find("; ", p);
    const std::string item = m.substr(p, q == std::string::npos ? q : q - p);
    p = q == std::string::npos ? q : q + 2;
    if (std::regex_match(item, g, parser)) {
      out.push_back(g[1].str() + " 行目　" + FieldJa(g[2]) + "：" + WhyJa(g[3]));
    } else if (std::regex_search(item, g, stored)) {
      out.push_back(g[1].str() + " 行目　リクエストID " + g[2].str() + "：" + WhyJa(g[3]));
    } else if (item == "...") {
      out.push_back("ほかにも誤りがあります（最初の10件を表示しています）");
    }
  }
  return out;
}

class NoticesConsole {
 public:
  NoticesConsole(PortalDeps d, const NoticePages& n) : d_(std::move(d)), n_(n) {}

  // An operator's session (read on every institution); with `act`, one that may also take
  // the download passwords (hand_over_password). Else `refused` is set.
  std::optional<Session> Operator(const web::Request& req, web::Response* refused, bool act) {
    auto s = ConsoleSession(d_, req, "発行通知書", refused);
    if (!s) return std::nullopt;
    if (act && !auth::Allows(s->caller.principal, auth::Permission::kHandOverPassword)) {
      *refused = Message(&*s, 403, "発行通知書",
                         "このアカウントの権限では、発行通知書の印刷・ファイル・追跡番号の取込は"
                         "できません（運用者の権限が必要です）。",
                         kBase, "発行通知書に戻る");
      return std::nullopt;
    }
    return s;
  }

  web::Response Show(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused, false);
    if (!s) return refused;
    FormData q = FormData::Parse(req.query);
    json data = {{"title", "発行通知書の印刷・発送"}};
    if (q.Get("done") == "print") {
      const std::string n = q.Get("batches");
      data["done"] =
          n == "0" ? "印刷する発行通知書はありませんでした。"
                   : "発行通知書を印刷しました（" + n +
                         " 件のファイル）。下の一覧から PDF と発送リストを取り出してください。";
    } else if (q.Get("done") == "tracking") {
      data["done"] = "追跡番号の一覧を取り込みました（" + q.Get("rows") + " 行）。";
    }
    return Render(*s, std::move(data), 200);
  }

  web::Response Render(const Session& s, json data, int status) {
    auto waiting = n_.awaiting();
    auto batches = n_.batches();
    if (!waiting.ok() || !batches.ok()) {
      return Message(&s, 503, "発行通知書",
                     "表示できませんでした。しばらくしてからもう一度開いてください。", "/console/",
                     "コンソールに戻る");
    }
    const bool act = auth::Allows(s.caller.principal, auth::Permission::kHandOverPassword);
    json rows = json::array();
    for (const auto& b : *batches) {
      const std::string id = std::to_string(b.batch_id);
      rows.push_back({{"id", id},
                      {"dispatch_on", FormatDateJa(b.dispatch_on)},
                      {"printed_on", FormatDateJa(b.printed_on)},
                      {"created_at", Minute(b.created_at)},
                      {"by", labels::Actor(b.created_by)},
                      {"pages", b.pages},
                      {"printed", b.printed},
                      {"shipped", b.shipped},
                      {"delivered", b.delivered},
                      {"undeliverable", b.undeliverable},
                      {"pdf", std::string(kBase) + "/batches/" + id + ".pdf"},
                      {"csv", std::string(kBase) + "/batches/" + id + ".csv"},
                      {"act", act}});
    }
    data["batches"] = rows;
    data["no_batches"] = rows.empty();
    data["waiting"] = GroupDigits(*waiting);
    data["has_waiting"] = *waiting > 0;
    data["act"] = act;
    data["directory"] = n_.directory;
    data["labels"] = {{"printed", labels::Shipping(store::ShippingStatus::kPrinted)},
                      {"shipped", labels::Shipping(store::ShippingStatus::kShipped)},
                      {"delivered", labels::Shipping(store::ShippingStatus::kDelivered)},
                      {"undeliverable", labels::Shipping(store::ShippingStatus::kUndeliverable)}};
    return Page("console_notices", std::move(data), &s, status);
  }

  // POST /console/notices/print: the day's batch, as `claimsca notices print`.
  web::Response Print(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused, true);
    if (!s) return refused;
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    if (f.Get("confirmed") != "1") {
      json data = {
          {"title", "発行通知書の印刷・発送"},
          {"print_error", "確認の欄にチェックを入れてから押してください。まだ印刷していません。"}};
      return Render(*s, std::move(data), 422);
    }
    auto before = n_.batches();
    if (!before.ok()) return Failed(*s, before.status());
    const int64_t last = before->empty() ? 0 : before->front().batch_id;
    Status st = n_.print(s->caller);
    if (!st.ok()) return Failed(*s, st);
    auto after = n_.batches();
    if (!after.ok()) return Failed(*s, after.status());
    int made = 0;
    for (const auto& b : *after) made += b.batch_id > last ? 1 : 0;
    return Redirect(std::string(kBase) + "?done=print&batches=" + std::to_string(made));
  }

  web::Response Failed(const Session& s, const Status& st) {
    json data = {{"title", "発行通知書の印刷・発送"}};
    data["error"] = st.code() == Code::kConflict
                        ? "ほかの印刷が実行中です。終わってからもう一度押してください。"
                        : "印刷できませんでした。発行通知書の用紙と出力先（" + n_.directory +
                              "）を確かめてください。何も印刷済みになっていません。";
    return Render(s, std::move(data), st.code() == Code::kConflict ? 409 : 503);
  }

  // GET /console/notices/batches/{id}.pdf | .csv
  web::Response File(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused, true);
    if (!s) return refused;
    static const std::regex kName("/console/notices/batches/([1-9][0-9]{0,17})\\.(pdf|csv)");
    std::smatch m;
    const std::string path = req.path;
    auto missing = [&] {
      return Message(&*s, 404, "発行通知書",
                     "このファイルはありません（出力先 " + n_.directory + " に見当たりません）。",
                     kBase, "発行通知書に戻る");
    };
    if (!std::regex_match(path, m, kName)) return missing();
    const bool pdf = m[2] == "pdf";
    auto file = n_.file(std::stoll(m[1].str()), pdf);
    if (!file.ok()) return missing();
    auto r = web::Response::Bytes(pdf ? "application/pdf" : "text/csv; charset=utf-8",
                                  std::move(file->bytes));
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file->name + "\"");
    r.headers.emplace_back("Cache-Control", "no-store");
    return WithHeaders(std::move(r));
  }

  // POST /console/notices/tracking (multipart): the tracking list, all rows or none.
  web::Response Tracking(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused, true);
    if (!s) return refused;
    auto parts = ParseMultipart(req.Header("Content-Type"), req.body);
    auto part = [&](std::string_view name) { return MultipartPart(parts, name); };
    if (!parts || !CsrfMatches(s->csrf, part("csrf"))) return CsrfRefused(&*s);
    json data = {{"title", "発行通知書の印刷・発送"}};
    const std::string text = part("file");
    if (text.empty()) {
      data["tracking_error"] = "取り込むファイル（CSV）を選んでください。";
      return Render(*s, std::move(data), 422);
    }
    auto rows = n_.import_tracking(text, s->caller);
    if (!rows.ok()) {
      const bool input = rows.status().code() == Code::kInvalidArgument ||
                         rows.status().code() == Code::kNotFound ||
                         rows.status().code() == Code::kFailedPrecondition;
      if (!input) {
        data["tracking_error"] = "取り込めませんでした。しばらくしてからもう一度お試しください。";
        return Render(*s, std::move(data), 503);
      }
      data["tracking_error"] =
          "ファイルに誤りがあるため、1行も取り込みませんでした（発送状況は変わっていません）。"
          "誤りの行を直して、ファイル全体をもう一度取り込んでください。";
      json details = json::array();
      for (std::string& line : TrackingErrorsJa(rows.status())) details.push_back(std::move(line));
      data["tracking_details"] = details;
      data["has_tracking_details"] = !details.empty();
      return Render(*s, std::move(data), 422);
    }
    return Redirect(std::string(kBase) + "?done=tracking&rows=" + std::to_string(*rows));
  }

 private:
  PortalDeps d_;
  const NoticePages& n_;
};

}  // namespace

void AddConsoleNoticeRoutes(web::Router& router, const PortalDeps& deps) {
  if (deps.notices == nullptr) return;
  auto self = std::make_shared<NoticesConsole>(deps, *deps.notices);
  auto bind = [self](web::Response (NoticesConsole::*fn)(const web::Request&)) {
    return [self, fn](const web::Request& r) { return (self.get()->*fn)(r); };
  };
  web::RouteOptions slow{.slow = true};
  router.Handle("GET", kBase, false, bind(&NoticesConsole::Show), slow);
  router.Handle("POST", "/console/notices/print", false, bind(&NoticesConsole::Print), slow);
  router.Handle("GET", "/console/notices/batches/", true, bind(&NoticesConsole::File), slow);
  router.Handle("POST", "/console/notices/tracking", false, bind(&NoticesConsole::Tracking), slow);
}

}  // namespace claimsca::portal
