#include "billing/text_encoding.h"

#include <iconv.h>

#include <cerrno>
#include <memory>

namespace claimsca::billing {
namespace {

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};
using IconvPtr = std::unique_ptr<void, IconvCloser>;

Result<IconvPtr> Open(const char* to, const char* from) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return Internal(std::string("iconv_open ") + from + " -> " + to + " failed");
  }
  return IconvPtr(cd);
}

// Length of the UTF-8 sequence led by `b` (1 for a stray byte, so it is reported).
size_t Utf8Length(unsigned char b) {
  if (b >= 0xf0) return 4;
  if (b >= 0xe0) return 3;
  if (b >= 0xc0) return 2;
  return 1;
}

// Converts `in` with `cd`. `on_unmappable(pos, &skip)` decides what a well-formed but
// unmappable input character becomes: it returns the replacement (or an error) and sets
// how many input bytes to skip.
template <typename OnUnmappable>
Result<std::string> Convert(iconv_t cd, std::string_view in, OnUnmappable on_unmappable) {
  std::string out;
  char buf[4096];
  size_t pos = 0;
  while (pos < in.size()) {
    char* src = const_cast<char*>(in.data() + pos);
    size_t src_left = in.size() - pos;
    char* dst = buf;
    size_t dst_left = sizeof buf;
    size_t r = iconv(cd, &src, &src_left, &dst, &dst_left);
    out.append(buf, dst - buf);
    pos = in.size() - src_left;
    if (r != static_cast<size_t>(-1)) continue;
    if (errno == E2BIG) continue;
    size_t skip = 0;
    ASSIGN_OR_RETURN(std::string replacement, on_unmappable(pos, errno, &skip));
    out += replacement;
    pos += skip;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset the shift state
  }
  return out;
}

bool WellFormedUtf8At(std::string_view s, size_t pos, size_t len) {
  if (pos + len > s.size() || len == 1)
    return len == 1 && static_cast<unsigned char>(s[pos]) < 0x80;
  for (size_t i = 1; i < len; ++i) {
    if ((static_cast<unsigned char>(s[pos + i]) & 0xc0) != 0x80) return false;
  }
  return true;
}

}  // namespace

Result<std::string> Utf8ToCp932(std::string_view utf8) {
  ASSIGN_OR_RETURN(IconvPtr cd, Open("CP932", "UTF-8"));
  return Convert(static_cast<iconv_t>(cd.get()), utf8,
                 [&](size_t pos, int err, size_t* skip) -> Result<std::string> {
                   size_t len = Utf8Length(static_cast<unsigned char>(utf8[pos]));
                   if (err != EILSEQ || !WellFormedUtf8At(utf8, pos, len)) {
                     return InvalidArgument("ill-formed UTF-8 at byte " + std::to_string(pos));
                   }
                   *skip = len;
                   return std::string(kCp932Geta);
                 });
}

Result<std::string> Cp932ToUtf8(std::string_view cp932) {
  ASSIGN_OR_RETURN(IconvPtr cd, Open("UTF-8", "CP932"));
  return Convert(static_cast<iconv_t>(cd.get()), cp932,
                 [](size_t pos, int, size_t*) -> Result<std::string> {
                   return InvalidArgument("not CP932 at byte " + std::to_string(pos));
                 });
}

}  // namespace claimsca::billing
