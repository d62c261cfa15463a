#pragma once

// Minimal DER writing primitives for the hand-encoded, performance-critical structures of
// the revocation services (CRLs, OCSP responses). Everything here appends to or writes into
// caller-owned buffers; nothing allocates except std::string growth. Thread-safe (no state).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace claimsca::der {

inline constexpr uint8_t kInteger = 0x02;
inline constexpr uint8_t kBitString = 0x03;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kNull = 0x05;
inline constexpr uint8_t kOid = 0x06;
inline constexpr uint8_t kEnumerated = 0x0a;
inline constexpr uint8_t kUtcTime = 0x17;
inline constexpr uint8_t kGeneralizedTime = 0x18;
inline constexpr uint8_t kSequence = 0x30;

// Largest header (tag + length) this writer produces: lengths up to 2^32 - 1.
inline constexpr size_t kMaxHeaderSize = 6;
// Largest encoded Time (GeneralizedTime "YYYYMMDDHHMMSSZ" with its header).
inline constexpr size_t kMaxTimeSize = 17;

// Number of bytes of a DER definite length for `len`.
inline size_t LengthSize(size_t len) {
  if (len < 0x80) return 1;
  size_t n = 1;
  for (size_t v = len; v; v >>= 8) ++n;
  return n;
}

inline size_t HeaderSize(size_t len) { return 1 + LengthSize(len); }

// Writes tag + length at `p` (which must have HeaderSize(len) bytes); returns bytes written.
inline size_t WriteHeader(char* p, uint8_t tag, size_t len) {
  p[0] = static_cast<char>(tag);
  if (len < 0x80) {
    p[1] = static_cast<char>(len);
    return 2;
  }
  size_t n = LengthSize(len) - 1;
  p[1] = static_cast<char>(0x80 | n);
  for (size_t i = 0; i < n; ++i) p[2 + i] = static_cast<char>(len >> (8 * (n - 1 - i)));
  return 2 + n;
}

inline void AppendHeader(std::string& out, uint8_t tag, size_t len) {
  char h[kMaxHeaderSize + 4];
  out.append(h, WriteHeader(h, tag, len));
}

inline void AppendTlv(std::string& out, uint8_t tag, std::string_view content) {
  AppendHeader(out, tag, content.size());
  out.append(content);
}

inline std::string Tlv(uint8_t tag, std::string_view content) {
  std::string out;
  out.reserve(content.size() + kMaxHeaderSize);
  AppendTlv(out, tag, content);
  return out;
}

// INTEGER content octets of a non-negative 64-bit value (minimal two's complement).
inline std::string IntegerContent(uint64_t v) {
  char b[9];
  int n = 0;
  do {
    b[8 - n++] = static_cast<char>(v & 0xff);
    v >>= 8;
  } while (v);
  if (static_cast<uint8_t>(b[9 - n]) & 0x80) b[8 - n++] = 0;
  return std::string(b + 9 - n, n);
}

// True if `t` can be written as an X.509 Time (years 1950..9999).
inline bool TimeInRange(Instant t) {
  using namespace std::chrono;
  constexpr Instant kFirst = sys_days(year(1950) / January / 1);
  constexpr Instant kEnd = sys_days(year(10000) / January / 1);
  return t >= kFirst && t < kEnd;
}

// Writes a UTCTime (years 1950..2049) or GeneralizedTime (2050..9999), the RFC 5280
// §4.1.2.5 rule, or always a GeneralizedTime when `generalized` (OCSP, invalidityDate).
// Precondition: TimeInRange(t). `p` needs kMaxTimeSize bytes. Returns bytes written.
inline size_t WriteTime(char* p, Instant t, bool generalized = false) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  auto secs = (t - day).count();
  int y = int(ymd.year());
  bool gen = generalized || y >= 2050 || y < 1950;
  char* q = p + 2;
  auto two = [&q](unsigned v) {
    *q++ = static_cast<char>('0' + v / 10);
    *q++ = static_cast<char>('0' + v % 10);
  };
  if (gen) two(unsigned(y) / 100);
  two(unsigned(y) % 100);
  two(unsigned(ymd.month()));
  two(unsigned(ymd.day()));
  two(unsigned(secs / 3600));
  two(unsigned(secs / 60 % 60));
  two(unsigned(secs % 60));
  *q++ = 'Z';
  p[0] = static_cast<char>(gen ? kGeneralizedTime : kUtcTime);
  p[1] = static_cast<char>(q - p - 2);
  return static_cast<size_t>(q - p);
}

inline void AppendTime(std::string& out, Instant t, bool generalized = false) {
  char b[kMaxTimeSize];
  out.append(b, WriteTime(b, t, generalized));
}

// Decodes a hex serial ("01ab...", either case) into INTEGER content octets: leading zero
// bytes are dropped and a 00 is prepended when the high bit is set. `out` needs 21 bytes.
// Returns the content length, or 0 if `hex` is not a positive hex number of <= 20 octets.
inline size_t SerialContentFromHex(std::string_view hex, char* out) {
  static constexpr auto kNibble = [] {
    std::array<int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<int8_t>(c);
    for (int c = 0; c < 6; ++c) t['a' + c] = t['A' + c] = static_cast<int8_t>(10 + c);
    return t;
  }();
  auto nibble = [](char c) { return kNibble[static_cast<uint8_t>(c)]; };
  while (hex.size() > 1 && hex[0] == '0') hex.remove_prefix(1);
  if (hex.empty() || hex.size() > 40 || hex == "0") return 0;
  const size_t bytes = (hex.size() + 1) / 2;
  size_t n = 0, h = 0;
  int first;
  if (hex.size() % 2) {
    first = nibble(hex[h++]);
  } else {
    int hi = nibble(hex[0]), lo = nibble(hex[1]);
    if (hi < 0 || lo < 0) return 0;
    first = hi << 4 | lo;
    h = 2;
  }
  if (first < 0) return 0;
  if (first & 0x80) out[n++] = 0;
  out[n++] = static_cast<char>(first);
  for (size_t i = 1; i < bytes; ++i, h += 2) {
    int hi = nibble(hex[h]), lo = nibble(hex[h + 1]);
    if ((hi | lo) < 0) return 0;
    out[n++] = static_cast<char>(hi << 4 | lo);
  }
  return n;
}

}  // namespace claimsca::der
