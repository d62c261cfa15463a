#pragma once

// Pure helpers of the portal: cookies, form bodies, CSRF comparison, security headers.
// No I/O; unit-tested in util_test.cc.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/time_util.h"

namespace claimsca::portal {

// The session cookie (an AuthService token of kind "session") and the anonymous pages'
// CSRF cookie (double submit: the cookie and the hidden field must be equal).
inline constexpr std::string_view kSessionCookie = "claimsca_session";
inline constexpr std::string_view kAnonCsrfCookie = "claimsca_csrf";

// The value of cookie `name` in a Cookie header ("a=1; b=2"); nullopt when absent.
std::optional<std::string> CookieValue(std::string_view cookie_header, std::string_view name);

// A Set-Cookie value: HttpOnly; SameSite=Strict; Path=/, plus Secure when `secure`, plus
// Max-Age when max_age_seconds >= 0 (0 deletes the cookie).
std::string SetCookie(std::string_view name, std::string_view value, bool secure,
                      long max_age_seconds = -1);

// application/x-www-form-urlencoded decoding ('+' is a space); nullopt on a malformed
// escape.
std::optional<std::string> FormDecode(std::string_view s);

// A parsed form body or query string. The first value of a repeated name wins.
class FormData {
 public:
  // Malformed pairs are dropped.
  static FormData Parse(std::string_view body);
  // "" when absent.
  std::string Get(std::string_view name) const;
  bool Has(std::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// A multipart/form-data body (RFC 7578) as name → content, for the console's file upload.
// `content_type` is the request's Content-Type (its boundary parameter is used). nullopt
// when it is not multipart/form-data or the body is malformed. The first part of a
// repeated name wins; part headers other than the name are ignored.
std::optional<std::map<std::string, std::string, std::less<>>> ParseMultipart(
    std::string_view content_type, std::string_view body);
// The content of part `name` of a parsed multipart body; "" when absent or unparsed.
std::string MultipartPart(
    const std::optional<std::map<std::string, std::string, std::less<>>>& parts,
    std::string_view name);

// Percent-encoding of a query value (RFC 3986 unreserved characters kept).
std::string UrlEncode(std::string_view s);

// True iff both are non-empty and equal, compared in constant time for equal lengths.
bool CsrfMatches(std::string_view expected, std::string_view submitted);

// The headers every portal page carries: a strict Content-Security-Policy, nosniff,
// no referrer, no framing, no caching.
std::vector<std::pair<std::string, std::string>> SecurityHeaders();
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

// The one date format of every page and document people read (docs/portal.md "Dates"):
// claimsca::FormatDateJa (common/time_util.h, "2026/11/22", the guide's YYYY/MM/DD) and
// FormatJstMinute ("2026/11/22 10:05"), both the Asia/Tokyo civil date and time; the notice,
// invoice and letters call the same functions. Here the forms pages need besides: "" for
// nullopt, and stored ISO 8601 text ("2026-11-22", "2026-11-22T10:05:00+09:00", read as
// ParseInstant does; the text unchanged when it is not ISO 8601, "" for "").
using ::claimsca::FormatDateJa;
std::string FormatDateJa(const std::optional<Instant>& t);
std::string FormatDateJa(std::string_view iso);
std::string FormatDateTimeJa(Instant t);
std::string FormatDateTimeJa(const std::optional<Instant>& t);
std::string FormatDateTimeJa(std::string_view iso);

// "1,500" for 1500.
std::string GroupDigits(long long n);

// "/prefix/{id}[/{action}]" → {id, action} (action "" when absent); `path` must start
// with `prefix`.
std::pair<std::string, std::string> IdAndAction(std::string_view path, std::string_view prefix);

// A request ID is 14 ASCII digits.
bool IsRequestIdSyntax(std::string_view id);

}  // namespace claimsca::portal
