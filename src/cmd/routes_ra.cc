// The registration-authority JSON API (docs/openapi.yaml, docs/applications.md):
// applications, review, download, revocation, accounts. Thin: parse, call the RA, map.

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "cmd/api_util.h"
#include "cmd/routes.h"
#include "cmd/views.h"
#include "common/time_util.h"
#include "crypto/ossl.h"

namespace claimsca::cmd {
namespace {

using nlohmann::json;
using store::ApplicationRecord;
using store::ApplicationState;

web::Response JsonError(const Status& s) { return web::Response::FromStatus(s); }

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

web::Response JsonOk(const json& j, int status = 200) {
  auto r = web::Response::Json(Dump(j), status);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

web::Response FormErrors(const std::vector<domain::FieldError>& errors) {
  json fields = json::array();
  for (const auto& e : errors) {
    fields.push_back({{"field", e.field}, {"rule", e.rule}, {"message_ja", e.message_ja}});
  }
  json body = {{"error",
                {{"code", "invalid_form"},
                 {"message", "the form has errors; nothing was stored"},
                 {"fields", fields}}}};
  return web::Response::Json(Dump(body), 422);
}

Result<ra::ApplicationForm> ParseForm(const json& body) {
  ra::ApplicationForm f;
  const std::pair<const char*, std::string*> fields[] = {
      {"applicant_kind", &f.applicant_kind},
      {"category", &f.category},
      {"prefecture", &f.prefecture},
      {"score_table", &f.score_table},
      {"facility_code", &f.facility_code},
      {"institution_name", &f.institution_name},
      {"insurer_number", &f.insurer_number},
      {"insurer_name", &f.insurer_name},
      {"contact_name", &f.contact_name},
      {"phone", &f.phone},
      {"email", &f.email},
      {"terminal_name", &f.terminal_name},
  };
  for (const auto& [name, target] : fields) {
    ASSIGN_OR_RETURN(*target, StringField(body, name, false));
  }
  return f;
}

// application/x-www-form-urlencoded value decoding ('+' is a space).
std::optional<std::string> QueryDecode(std::string_view s) {
  std::string plus;
  for (char c : s) plus.push_back(c == '+' ? ' ' : c);
  return PercentDecode(plus);
}

std::optional<std::string> QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return QueryDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

Result<int64_t> IntParam(std::string_view query, std::string_view name, int64_t fallback,
                         int64_t lo, int64_t hi) {
  auto v = QueryParam(query, name);
  if (!v) return fallback;
  char* end = nullptr;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || n < lo || n > hi) {
    return InvalidArgument(std::string(name) + ": an integer in " + std::to_string(lo) + ".." +
                           std::to_string(hi));
  }
  return static_cast<int64_t>(n);
}

class RaApi {
 public:
  RaApi(App& app, web::Metrics& metrics) : app_(app), metrics_(metrics) {
    auto token = ReadSecret(app.config.Path(app.config.api_token_file));
    operator_token_hash_ = token.ok() ? *token : "";
  }

  // The handlers share ownership of the API object.
  static void Register(web::Router& router, const std::shared_ptr<RaApi>& self) {
    web::RouteOptions slow{.slow = true};
    auto bind = [self](web::Response (RaApi::*fn)(const web::Request&)) {
      return [self, fn](const web::Request& r) { return (self.get()->*fn)(r); };
    };
    router.Handle("POST", "/api/v1/applications/preview", false, bind(&RaApi::PreviewApi), slow);
    router.Handle("POST", "/api/v1/applications", false, bind(&RaApi::SubmitApi), slow);
    router.Handle("GET", "/api/v1/applications", false, bind(&RaApi::ListApi), slow);
    for (const char* m : {"GET", "POST", "PATCH"}) {
      router.Handle(m, "/api/v1/applications/", true, bind(&RaApi::OneApplication), slow);
    }
    router.Handle("POST", "/api/v1/revocations", false, bind(&RaApi::BulkRevoke), slow);
    router.Handle("POST", "/api/v1/download", false, bind(&RaApi::DownloadApi), slow);
    router.Handle("POST", "/api/v1/login", false, bind(&RaApi::Login), slow);
    router.Handle("POST", "/api/v1/logout", false, bind(&RaApi::Logout), slow);
    router.Handle("GET", "/api/v1/me", false, bind(&RaApi::Me), slow);
    router.Handle("POST", "/api/v1/accounts", false, bind(&RaApi::CreateAccount), slow);
    router.Handle("POST", "/network/v1/applications/preview", false, bind(&RaApi::NetworkPreview),
                  slow);
    router.Handle("POST", "/network/v1/applications", false, bind(&RaApi::NetworkSubmit), slow);
  }

 private:
  // The operator token of `init` (secrets/api-token.sha256) acts as an administrator;
  // any other bearer token is an account's (login) token.
  Result<ra::Caller> Authenticate(const web::Request& req) {
    std::string_view token = BearerToken(req);
    if (token.empty()) return Status(Code::kUnauthorized, "a bearer token is required");
    ra::Caller caller;
    caller.channel = ra::Channel::kApi;
    if (HasOperatorToken(req, operator_token_hash_)) {
      ra::Caller op = OperatorCaller("api-token");
      op.channel = ra::Channel::kApi;
      return op;
    }
    ASSIGN_OR_RETURN(caller.principal, app_.auth->Authenticate(token));
    if (caller.principal.kind == "institution") caller.channel = ra::Channel::kPortal;
    return caller;
  }

  static web::Response Unauthenticated(const Status& s) {
    auto r = JsonError(s);
    if (s.code() == Code::kUnauthorized) r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }

  // Operator-only fields (who decided, hold reasons...) go to those who read every
  // institution.
  static bool IsOperator(const ra::Caller& c) {
    return auth::Allows(c.principal, auth::Permission::kRead, auth::kEveryInstitution);
  }

  web::Response Preview(const ra::Caller& caller, const web::Request& req) {
    auto body = ParseJsonBody(req);
    if (!body.ok()) return JsonError(body.status());
    auto form = ParseForm(*body);
    if (!form.ok()) return JsonError(form.status());
    auto result = app_.ra->PreviewApplication(caller, std::move(*form));
    if (!result.ok()) return JsonError(result.status());
    if (!result->errors.empty()) return FormErrors(result->errors);
    return JsonOk(PreviewJson(result->preview));
  }

  web::Response Submit(const ra::Caller& caller, const web::Request& req) {
    auto body = ParseJsonBody(req);
    if (!body.ok()) return JsonError(body.status());
    auto form = ParseForm(*body);
    if (!form.ok()) return JsonError(form.status());
    auto result = app_.ra->Submit(caller, std::move(*form), req.Header("Idempotency-Key"));
    if (!result.ok()) return JsonError(result.status());
    if (!result->errors.empty()) return FormErrors(result->errors);
    if (result->created) {
      metrics_
          .GetCounter("claimsca_applications_submitted_total", "applications submitted",
                      {{"channel", std::string(ra::ChannelName(caller.channel))}})
          .Inc();
    }
    json j = ApplicationJson(result->application, app_.clock->Now(), IsOperator(caller));
    j["created"] = result->created;
    j["preview"] = PreviewJson(result->preview);
    if (caller.channel == ra::Channel::kNetwork) {
      // The network channel has no status screen: answer only what the applicant needs.
      j = {{"request_id", result->application.request_id},
           {"state", j["state"]},
           {"state_ja", j["state_ja"]},
           {"created", result->created},
           {"preview", j["preview"]}};
    }
    return JsonOk(j, result->created ? 201 : 200);
  }

  web::Response PreviewApi(const web::Request& req) {
    auto caller = Authenticate(req);
    if (!caller.ok()) return Unauthenticated(caller.status());
    return Preview(*caller, req);
  }

  web::Response SubmitApi(const web::Request& req) {
    auto caller = Authenticate(req);
    if (!caller.ok()) return Unauthenticated(caller.status());
    return Submit(*caller, req);
  }

  Result<ra::Caller> NetworkCaller(const web::Request& req) {
    if (!app_.network_ranges.Contains(req.remote_addr)) {
      return Status(Code::kForbidden,
                    "the network-terminal application site is open only to terminals on the "
                    "claims network");
    }
    ra::Caller caller;
    caller.channel = ra::Channel::kNetwork;
    return caller;
  }

  web::Response NetworkPreview(const web::Request& req) {
    auto caller = NetworkCaller(req);
    if (!caller.ok()) return JsonError(caller.status());
    return Preview(*caller, req);
  }

  web::Response NetworkSubmit(const web::Request& req) {
    auto caller = NetworkCaller(req);
    if (!caller.ok()) return JsonError(caller.status());
    return Submit(*caller, req);
  }

  web::Response ListApi(const web::Request& req) {
    auto caller = Authenticate(req);
    if (!caller.ok()) return Unauthenticated(caller.status());
    store::ApplicationFilter f;
    if (auto s = QueryParam(req.query, "state")) {
      auto state = store::ParseApplicationState(*s);
      if (!state.ok()) return JsonError(state.status().WithContext("state"));
      f.state = *state;
    }
    if (auto c = QueryParam(req.query, "institution_code")) f.institution_codes = {*c};
    if (auto id = QueryParam(req.query, "request_id")) f.request_id = *id;
    if (auto s = QueryParam(req.query, "serial")) f.serial = *s;
    if (auto h = QueryParam(req.query, "held")) f.only_held = *h == "true" || *h == "1";
    auto limit = IntParam(req.query, "limit", 50, 1, 500);
    if (!limit.ok()) return JsonError(limit.status());
    auto cursor = IntParam(req.query, "cursor", 0, 0, INT64_MAX);
    if (!cursor.ok()) return JsonError(cursor.status());
    f.limit = static_cast<int>(*limit);
    f.before_seq = *cursor;
    auto page = app_.ra->List(*caller, f);
    if (!page.ok()) return JsonError(page.status());
    const Instant now = app_.clock->Now();
    json items = json::array();
    for (const auto& a : page->items) items.push_back(ApplicationJson(a, now, IsOperator(*caller)));
    json j = {{"items", items}};
    j["next_cursor"] =
        page->next_before_seq > 0 ? json(std::to_string(page->next_before_seq)) : json(nullptr);
    return JsonOk(j);
  }

  // /api/v1/applications/{request_id}[/approve|/reject|/cancel|/revoke|/edits]
  web::Response OneApplication(const web::Request& req) {
    auto caller = Authenticate(req);
    if (!caller.ok()) return Unauthenticated(caller.status());
    std::string_view rest = std::string_view(req.path).substr(strlen("/api/v1/applications/"));
    std::string_view action;
    if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
      action = rest.substr(slash + 1);
      rest = rest.substr(0, slash);
    }
    const std::string id(rest);
    if (id.size() != 14 || id.find_first_not_of("0123456789") != std::string::npos) {
      return JsonError(NotFound("application not found: request IDs are 14 digits"));
    }
    const Instant now = app_.clock->Now();
    const bool op = IsOperator(*caller);
    auto show = [&]() {
      auto a = app_.ra->Get(*caller, id);
      if (!a.ok()) return JsonError(a.status());
      json j = ApplicationJson(*a, now, op);
      auto shipping = app_.ra->Shipping(*caller, id);
      if (!shipping.ok()) return JsonError(shipping.status());
      if (*shipping) j["shipping"] = ShippingJson(**shipping);
      return JsonOk(j);
    };
    if (action.empty() && (req.method == "GET" || req.method == "HEAD")) return show();
    if (action == "edits" && req.method == "GET") {
      auto edits = app_.ra->Edits(*caller, id);
      if (!edits.ok()) return JsonError(edits.status());
      json items = json::array();
      for (const auto& e : *edits) {
        json row = {
            {"field", e.field}, {"before", e.before}, {"after", e.after}, {"at", FormatJst(e.at)}};
        if (op) row["edited_by"] = e.edited_by;
        items.push_back(row);
      }
      return JsonOk({{"items", items}});
    }
    if (action.empty() && req.method == "PATCH") {
      auto body = ParseJsonBody(req);
      if (!body.ok()) return JsonError(body.status());
      std::vector<std::pair<std::string, std::string>> changes;
      for (const auto& [k, v] : body->items()) {
        if (!v.is_string()) return JsonError(InvalidArgument(k + ": must be a string"));
        changes.emplace_back(k, v.get<std::string>());
      }
      if (changes.empty()) return JsonError(InvalidArgument("body: no field to change"));
      std::vector<domain::FieldError> errors;
      auto edits = app_.ra->Edit(*caller, id, std::move(changes), &errors);
      if (!edits.ok()) return JsonError(edits.status());
      if (!errors.empty()) return FormErrors(errors);
      return show();
    }
    if (req.method != "POST") return web::Response::Error(405, "method_not_allowed", "use POST");
    json body = json::object();
    if (!req.body.empty()) {
      auto parsed = ParseJsonBody(req);
      if (!parsed.ok()) return JsonError(parsed.status());
      body = std::move(*parsed);
    }
    Status st;
    if (action == "approve") {
      auto approved = app_.ra->Approve(*caller, id);
      if (!approved.ok()) return JsonError(approved.status());
      metrics_.GetCounter("claimsca_applications_approved_total", "applications approved").Inc();
    } else if (action == "reject") {
      auto reason = StringField(body, "reason", true);
      if (!reason.ok()) return JsonError(reason.status());
      st = app_.ra->Reject(*caller, id, *reason);
    } else if (action == "cancel") {
      st = app_.ra->Cancel(*caller, id);
    } else if (action == "revoke") {
      auto name = StringField(body, "reason", false);
      if (!name.ok()) return JsonError(name.status());
      auto reason = ParseRevocationReason(name->empty() ? "unspecified" : *name);
      if (!reason.ok()) return JsonError(reason.status());
      st = app_.ra->Revoke(*caller, id, *reason);
      if (st.ok()) {
        metrics_.GetCounter("claimsca_certificates_revoked_total", "revocations by this process")
            .Inc();
      }
    } else {
      return JsonError(NotFound("no such operation: " + std::string(action)));
    }
    if (!st.ok()) return JsonError(st);
    return show();
  }

  web::Response BulkRevoke(const web::Request& req) {
    auto caller = Authenticate(req);
    if (!caller.ok()) return Unauthenticated(caller.status());
    auto body = ParseJsonBody(req);
    if (!body.ok()) return JsonError(body.status());
    auto name = StringField(*body, "reason", true);
    if (!name.ok()) return JsonError(name.status());
    auto reason = ParseRevocationReason(*name);
    if (!reason.ok()) return JsonError(reason.status());
    auto code = StringField(*body, "institution_code", false);
    if (!code.ok()) return JsonError(code.status());
    std::vector<std::string> serials;
    if (auto it = body->find("serials"); it != body->end()) {
      if (!it->is_array() || it->size() > 10000) {
        return JsonError(InvalidArgument("serials: an array of at most 10000 serials"));
      }
      for (const auto& s : *it) {
        if (!s.is_string()) return JsonError(InvalidArgument("serials: strings"));
        auto canonical = crypto::CanonicalSerialHex(s.get<std::string>());
        if (!canonical.ok()) return JsonError(canonical.status().WithContext("serials"));
        serials.push_back(*canonical);
      }
    }
    if (code->empty() == serials.empty()) {
      return JsonError(InvalidArgument("body: give exactly one of institution_code or serials"));
    }
    auto items = code->empty() ? app_.ra->RevokeSerials(*caller, serials, *reason)
                               : app_.ra->RevokeInstitution(*caller, *code, *reason);
    if (!items.ok()) return JsonError(items.status());
    json out = json::array();
    int revoked = 0;
    for (const auto& item : *items) {
      json row = {{"serial", item.serial}, {"revoked", item.status.ok()}};
      if (!item.request_id.empty()) row["request_id"] = item.request_id;
      if (!item.status.ok()) {
        row["error"] = {{"code", std::string(CodeName(item.status.code()))},
                        {"message", item.status.message()}};
      }
      revoked += item.status.ok() ? 1 : 0;
      out.push_back(row);
    }
    return JsonOk({{"revoked", revoked}, {"items", out}});
  }

  web::Response DownloadApi(const web::Request& req) {
    auto body = ParseJsonBody(req);
    if (!body.ok()) return JsonError(body.status());
    auto id = StringField(*body, "request_id", true);
    auto password = StringField(*body, "password", true);
    if (!id.ok()) return JsonError(id.status());
    if (!password.ok()) return JsonError(password.status());
    auto d = app_.ra->DownloadPkcs12(*id, *password, req.remote_addr);
    OPENSSL_cleanse(password->data(), password->size());
    if (!d.ok()) return JsonError(d.status());
    auto r = web::Response::Bytes("application/x-pkcs12", std::move(d->pkcs12_der));
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + d->filename + "\"");
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }

  web::Response Login(const web::Request& req) {
    auto body = ParseJsonBody(req);
    if (!body.ok()) return JsonError(body.status());
    auto id = StringField(*body, "account_id", true);
    auto password = StringField(*body, "password", true);
    if (!id.ok()) return JsonError(id.status());
    if (!password.ok()) return JsonError(password.status());
    auto principal = app_.auth->Login(*id, *password);
    OPENSSL_cleanse(password->data(), password->size());
    if (!principal.ok()) return JsonError(principal.status());
    auto token = app_.auth->IssueToken(principal->account_id, "api", std::chrono::hours(12));
    if (!token.ok()) return JsonError(token.status());
    json j = {{"token", *token},
              {"token_type", "Bearer"},
              {"expires_in", 12 * 3600},
              {"account_id", principal->account_id},
              {"kind", principal->kind},
              {"roles", principal->roles},
              {"institution_codes", principal->institution_codes}};
    return JsonOk(j);
  }

  web::Response Logout(const web::Request& req) {
    std::string_view token = BearerToken(req);
    if (token.empty()) return Unauthenticated({Code::kUnauthorized, "a bearer token is required"});
    // An unknown or expired token is refused like on every other route (401), so a
    // made-up token is never answered "logged out".
    auto who = app_.auth->Authenticate(token);
    if (!who.ok() && who.status().code() == Code::kUnauthorized) {
      return Unauthenticated(who.status());
    }
    Status st = app_.auth->RevokeToken(token);
    if (!st.ok()) return JsonError(st);
    return JsonOk({{"logged_out", true}});
  }

  web::Response Me(const web::Request& req) {
    auto caller = Authenticate(req);
    if (!caller.ok()) return Unauthenticated(caller.status());
    const auth::Principal& p = caller->principal;
    return JsonOk({{"account_id", p.account_id},
                   {"kind", p.kind},
                   {"roles", p.roles},
                   {"institution_codes", p.institution_codes}});
  }

  web::Response CreateAccount(const web::Request& req) {
    auto caller = Authenticate(req);
    if (!caller.ok()) return Unauthenticated(caller.status());
    if (!auth::Allows(caller->principal, auth::Permission::kManageAccounts)) {
      return JsonError({Code::kForbidden, "only administrators create accounts"});
    }
    auto body = ParseJsonBody(req);
    if (!body.ok()) return JsonError(body.status());
    store::AccountRecord a;
    auto id = StringField(*body, "account_id", true);
    auto kind = StringField(*body, "kind", true);
    auto name = StringField(*body, "display_name", false);
    auto email = StringField(*body, "email", false);
    auto password = StringField(*body, "password", true);
    for (const auto* f : {&id, &kind, &name, &email, &password}) {
      if (!f->ok()) return JsonError(f->status());
    }
    a.account_id = *id;
    a.kind = *kind;
    a.display_name = *name;
    a.email = *email;
    for (const char* list : {"roles", "institution_codes"}) {
      auto it = body->find(list);
      if (it == body->end()) continue;
      if (!it->is_array()) return JsonError(InvalidArgument(std::string(list) + ": an array"));
      for (const auto& v : *it) {
        if (!v.is_string()) return JsonError(InvalidArgument(std::string(list) + ": strings"));
        (std::string_view(list) == "roles" ? a.roles : a.institution_codes)
            .push_back(v.get<std::string>());
      }
    }
    auto created = app_.auth->CreateAccount(a, *password, caller->Actor());
    OPENSSL_cleanse(password->data(), password->size());
    if (!created.ok()) return JsonError(created);
    return JsonOk({{"account_id", a.account_id}, {"kind", a.kind}}, 201);
  }

  App& app_;
  web::Metrics& metrics_;
  std::string operator_token_hash_;
};

}  // namespace

void AddRaRoutes(web::Router& router, RouteDeps deps) {
  RaApi::Register(router, std::make_shared<RaApi>(deps.app, deps.metrics));
}

}  // namespace claimsca::cmd
