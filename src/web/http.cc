#include "web/http.h"

#include <algorithm>
#include <future>

#include "web/json_util.h"

namespace claimsca::web {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

Response Response::Text(std::string body, int status) {
  return Bytes("text/plain; charset=utf-8", std::move(body), status);
}

Response Response::Json(std::string json, int status) {
  return Bytes("application/json", std::move(json), status);
}

Response Response::Bytes(std::string content_type, std::string body, int status) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Response::Error(int status, std::string_view code, std::string_view message) {
  std::string json = "{\"error\":{\"code\":";
  AppendJsonString(json, code);
  json += ",\"message\":";
  AppendJsonString(json, message);
  json += "}}";
  return Json(std::move(json), status);
}

Response Response::FromStatus(const Status& s) {
  return Error(HttpStatusFor(s.code()), CodeName(s.code()), s.message());
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kBadCsr:
      return 400;
    case Code::kUnauthorized:
      return 401;
    case Code::kForbidden:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kConflict:
      return 409;
    case Code::kRateLimited:
      return 429;
    case Code::kLintFailed:
      return 422;
    case Code::kFailedPrecondition:
      return 409;
    case Code::kUnavailable:
      return 503;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
  }
  return "";
}

void Router::Handle(std::string method, std::string path_or_prefix, bool prefix, Handler handler,
                    RouteOptions options) {
  Route& r = Add(std::move(method), std::move(path_or_prefix), prefix, options);
  r.handler = std::move(handler);
  r.async_handler = nullptr;
}

void Router::HandleAsync(std::string method, std::string path_or_prefix, bool prefix,
                         AsyncHandler handler, RouteOptions options) {
  Route& r = Add(std::move(method), std::move(path_or_prefix), prefix, options);
  r.handler = nullptr;
  r.async_handler = std::move(handler);
}

Route& Router::Add(std::string method, std::string path_or_prefix, bool prefix,
                   RouteOptions options) {
  Entry* entry = nullptr;
  if (prefix) {
    auto it = std::find_if(prefixes_.begin(), prefixes_.end(),
                           [&](const auto& p) { return p.first == path_or_prefix; });
    if (it == prefixes_.end()) {
      prefixes_.emplace_back(path_or_prefix, Entry{});
      std::stable_sort(prefixes_.begin(), prefixes_.end(), [](const auto& a, const auto& b) {
        return a.first.size() > b.first.size();
      });
      it = std::find_if(prefixes_.begin(), prefixes_.end(),
                        [&](const auto& p) { return p.first == path_or_prefix; });
    }
    entry = &it->second;
  } else {
    entry = &exact_[path_or_prefix];
  }
  for (auto& r : routes_) {
    if (r->method == method && r->pattern == path_or_prefix && r->prefix == prefix) {
      r->options = options;
      return *r;
    }
  }
  auto route = std::make_unique<Route>();
  route->id = routes_.size();
  route->method = std::move(method);
  route->pattern = std::move(path_or_prefix);
  route->prefix = prefix;
  route->options = options;
  entry->by_method.push_back(route.get());
  routes_.push_back(std::move(route));
  return *routes_.back();
}

const Route* Router::Lookup(const Entry& e, std::string_view method) const {
  const Route* get = nullptr;
  for (const Route* r : e.by_method) {
    if (r->method == method) return r;
    if (r->method == "GET") get = r;
  }
  return method == "HEAD" ? get : nullptr;
}

std::string Router::AllowOf(const Entry& e) const {
  std::vector<std::string> methods;
  for (const Route* r : e.by_method) {
    methods.push_back(r->method);
    if (r->method == "GET") methods.push_back("HEAD");
  }
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  std::string out;
  for (const auto& m : methods) {
    if (!out.empty()) out += ", ";
    out += m;
  }
  return out;
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  const Entry* first_matched = nullptr;
  if (auto it = exact_.find(path); it != exact_.end()) {
    first_matched = &it->second;
    if (const Route* r = Lookup(it->second, method)) {
      m.route = r;
      m.status = 200;
      return m;
    }
  }
  for (const auto& [prefix, entry] : prefixes_) {
    if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) continue;
    if (first_matched == nullptr) first_matched = &entry;
    if (const Route* r = Lookup(entry, method)) {
      m.route = r;
      m.status = 200;
      return m;
    }
  }
  if (first_matched != nullptr) {
    m.status = 405;
    m.allow = AllowOf(*first_matched);
  }
  return m;
}

Response Router::Invoke(const Match& match, const Request& request) {
  if (match.route == nullptr) {
    if (match.status == 405) {
      Response r = Response::Error(405, "method_not_allowed",
                                   "method " + std::string(request.method) + " not allowed");
      r.headers.emplace_back("Allow", match.allow);
      return r;
    }
    return Response::Error(404, "not_found", "no route for this path");
  }
  try {
    if (!match.route->async_handler) return match.route->handler(request);
    std::promise<Response> answer;
    std::future<Response> answered = answer.get_future();
    match.route->async_handler(request,
                               Reply([&answer](Response r) { answer.set_value(std::move(r)); },
                                     [&answer](Reply::Work work) { answer.set_value(work()); }));
    return answered.get();
  } catch (...) {
    return Response::Error(500, "internal", "handler failed");
  }
}

Response Router::Serve(const Request& request) const {
  Response r = Invoke(Find(request.method, request.path), request);
  if (request.method == "HEAD") r.body.clear();
  return r;
}

}  // namespace claimsca::web
