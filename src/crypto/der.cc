#include "crypto/der.h"

namespace claimsca::crypto::der {

bool Next(Span& in, unsigned char tag, Span* contents, Span* whole) {
  if (in.n < 2 || in.p[0] != tag) return false;
  size_t len = in.p[1];
  size_t header = 2;
  if (len >= 0x80) {
    size_t k = len & 0x7f;
    if (k == 0 || k > 3 || in.n < 2 + k || in.p[2] == 0) return false;  // indefinite, huge
    len = 0;
    for (size_t i = 0; i < k; ++i) len = len << 8 | in.p[2 + i];
    if (len < 0x80) return false;  // the short form was required
    header += k;
  }
  if (len > in.n - header) return false;
  if (whole != nullptr) *whole = Span{in.p, header + len};
  *contents = Span{in.p + header, len};
  in.p += header + len;
  in.n -= header + len;
  return true;
}

bool NextAny(Span& in, unsigned char* tag, Span* contents) {
  if (in.empty()) return false;
  *tag = in.p[0];
  return Next(in, *tag, contents);
}

bool ValidOid(Span oid) {
  if (oid.empty() || (oid.p[oid.n - 1] & 0x80)) return false;
  for (size_t i = 0; i < oid.n; ++i) {
    if (oid.p[i] == 0x80 && (i == 0 || !(oid.p[i - 1] & 0x80))) return false;
  }
  return true;
}

Span PositiveInteger(Span v) {
  if (v.empty() || (v.p[0] & 0x80)) return {};
  if (v.p[0] == 0) {
    if (v.n == 1 || !(v.p[1] & 0x80)) return {};  // zero, or a redundant leading 0x00
    return Span{v.p + 1, v.n - 1};
  }
  return v;
}

void Append(std::string& out, unsigned char tag, std::string_view contents) {
  out += static_cast<char>(tag);
  size_t len = contents.size();
  if (len < 0x80) {
    out += static_cast<char>(len);
  } else {
    int octets = 0;
    for (size_t l = len; l > 0; l >>= 8) ++octets;
    out += static_cast<char>(0x80 | octets);
    for (int i = octets - 1; i >= 0; --i) out += static_cast<char>((len >> (8 * i)) & 0xff);
  }
  out.append(contents);
}

std::string Tlv(unsigned char tag, std::string_view contents) {
  std::string out;
  out.reserve(contents.size() + 6);
  Append(out, tag, contents);
  return out;
}

}  // namespace claimsca::crypto::der
