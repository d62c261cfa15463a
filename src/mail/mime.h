#pragma once

// An e-mail as bytes (RFC 5322 + MIME, RFC 2045/2047): UTF-8 text/plain, the body in
// base64 (76-character lines), non-ASCII header text as RFC 2047 "B" encoded-words of at
// most 75 characters each (split only between UTF-8 characters), Date in JST (+0900),
// Message-ID given by the caller. Header values never carry CR or LF (stripped), so no
// value can add a header.

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace claimsca::mail {

struct MailMessage {
  std::string from_address;  // e.g. "no-reply@ca.example.jp"
  std::string from_name;     // display name, may be Japanese; may be empty
  std::string to_address;
  std::string subject;
  std::string body;        // UTF-8; "\n" line ends (sent as CRLF)
  std::string message_id;  // without <>, e.g. "1a2b...@ca.example.jp"
  Instant date{};
};

// InvalidArgument for an address that is not local@domain (or holds spaces, <, >, CR, LF,
// commas, quotes) or an empty message_id.
Result<std::string> BuildMime(const MailMessage& m);

// RFC 2047 encoded-words for a header value ("=?UTF-8?B?...?=" pieces joined by CRLF SP
// folding), or the value itself when it is printable ASCII. `used` is the length of the
// header name and colon already on the line (for folding).
std::string EncodeHeaderValue(std::string_view value, size_t used);

// "Sun, 22 Nov 2026 17:04:15 +0900".
std::string FormatRfc5322DateJst(Instant t);

// Plain base64 (RFC 4648) without line breaks.
std::string Base64(std::string_view data);

// True for a plausible address: local@domain, printable ASCII, no space, <, >, ", comma,
// CR or LF.
bool ValidAddress(std::string_view address);

}  // namespace claimsca::mail
