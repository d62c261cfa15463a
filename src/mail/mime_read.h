#pragma once

// Reading back a message of the outbox (BuildMime's output) for the demo mailbox
// (docs/operations.md "Demo"): the headers' RFC 2047 encoded-words (UTF-8, B or Q) and the
// base64 (or 7bit / 8bit) text body.

#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::mail {

struct ReadMessage {
  std::string from;  // the From header, decoded
  std::string to;    // the To header, without <>
  std::string date;  // the Date header as written
  std::string subject;
  std::string body;  // UTF-8, "\n" line ends
};

// InvalidArgument when there is no blank line after the headers or the body's base64 is
// malformed.
Result<ReadMessage> ReadMime(std::string_view mime);

// The header value with its encoded-words decoded (unknown charsets left as they are).
std::string DecodeHeaderWords(std::string_view value);

}  // namespace claimsca::mail
