// Form bodies of the portal (src/portal/util.h): urlencoded bodies and query strings
// (FormData, FormDecode), multipart/form-data uploads (ParseMultipart) and cookies
// (CookieValue), first on the raw input (the first line is the Content-Type or Cookie
// header, the rest the body), then on a form built from the input's NUL-separated
// name/value pairs. Invariants: FormDecode(UrlEncode(x)) == x; every well-formed pair of a
// raw body is found by FormData; a urlencoded and a multipart body built from the pairs parse
// back to them (first value of a repeated name wins); a Set-Cookie's pair reads back.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check.h"
#include "portal/util.h"

namespace {

namespace portal = claimsca::portal;

void CheckRawForm(std::string_view body) {
  const portal::FormData form = portal::FormData::Parse(body);
  for (std::string_view rest = body; !rest.empty();) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    auto name = portal::FormDecode(pair.substr(0, eq));
    auto value = portal::FormDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (name && value && !name->empty()) FUZZ_CHECK(form.Has(*name), "a good pair is kept");
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
}

void CheckBuiltForms(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::map<std::string, std::string, std::less<>> want;
  std::string urlencoded;
  for (const auto& [name, value] : pairs) {
    if (name.empty()) continue;
    want.emplace(name, value);
    if (!urlencoded.empty()) urlencoded += '&';
    urlencoded += portal::UrlEncode(name) + "=" + portal::UrlEncode(value);
  }
  const portal::FormData form = portal::FormData::Parse(urlencoded);
  for (const auto& [name, value] : want) {
    FUZZ_CHECK(form.Has(name) && form.Get(name) == value, "urlencoded round trip");
  }

  // multipart/form-data: names without quote or line breaks; a boundary no value contains.
  std::string boundary = "fuzzboundary";
  std::map<std::string, std::string, std::less<>> want_mp;
  std::vector<std::pair<std::string, std::string>> parts;
  for (const auto& [name, value] : pairs) {
    if (name.find_first_of("\"\r\n") != std::string::npos) continue;
    want_mp.emplace(name, value);
    parts.emplace_back(name, value);
  }
  if (parts.empty()) return;
  for (bool clash = true; clash;) {
    clash = false;
    for (const auto& [name, value] : parts) {
      // The delimiter is CRLF "--" boundary, and the blank line ends in a CRLF.
      if (value.find("\r\n--" + boundary) != std::string::npos ||
          value.starts_with("--" + boundary)) {
        clash = true;
      }
    }
    if (clash) boundary += "x";
    if (boundary.size() > 70) return;
  }
  std::string body;
  for (const auto& [name, value] : parts) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
            value + "\r\n";
  }
  body += "--" + boundary + "--\r\n";
  auto mp = portal::ParseMultipart("multipart/form-data; boundary=" + boundary, body);
  FUZZ_CHECK(mp.has_value() && *mp == want_mp, "multipart round trip");
}

void CheckCookie(const std::string& name, const std::string& value) {
  auto trimmed = [](const std::string& s) {
    return !s.empty() && s.front() != ' ' && s.front() != '\t' && s.back() != ' ' &&
           s.back() != '\t';
  };
  if (!trimmed(name) || name.find_first_of(";=") != std::string::npos) return;
  if (value.find(';') != std::string::npos || (!value.empty() && !trimmed(value))) return;
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') return;
  const std::string header = "a=1; " + portal::SetCookie(name, value, true, 60);
  auto got = portal::CookieValue(header, name);
  FUZZ_CHECK(got.has_value(), "a Set-Cookie pair is found");
  if (name != "a") FUZZ_CHECK(*got == value, "cookie round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto decoded = portal::FormDecode(portal::UrlEncode(in));
  FUZZ_CHECK(decoded.has_value() && *decoded == in, "FormDecode(UrlEncode(x)) == x");

  const size_t nl = in.find('\n');
  const std::string_view head = in.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? "" : in.substr(nl + 1);
  CheckRawForm(body);
  (void)portal::ParseMultipart(head, body);
  (void)portal::CookieValue(head, "claimsca_session");
  (void)portal::IdAndAction(head, "/console/applications/");
  (void)portal::IsRequestIdSyntax(head);

  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<std::string> items;
  for (std::string_view rest = in;;) {
    const size_t z = rest.find('\0');
    items.emplace_back(rest.substr(0, z));
    if (z == std::string_view::npos) break;
    rest.remove_prefix(z + 1);
  }
  for (size_t i = 0; i + 1 < items.size(); i += 2) pairs.emplace_back(items[i], items[i + 1]);
  CheckBuiltForms(pairs);
  for (const auto& [name, value] : pairs) CheckCookie(name, value);
  return 0;
}
