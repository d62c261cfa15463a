#include "auth/address_ranges.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>

namespace claimsca::auth {
namespace {

struct Address {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// inet_pton on a NUL-terminated copy; IPv4-mapped IPv6 becomes IPv4.
std::optional<Address> ParseAddress(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;  // INET6_ADDRSTRLEN - 1
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string s(text);
  Address a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.bytes.data(), kMapped, sizeof kMapped) == 0) {
    std::memmove(a.bytes.data(), a.bytes.data() + 12, 4);
    std::memset(a.bytes.data() + 4, 0, 12);
    return a;
  }
  a.v6 = true;
  return a;
}

// True if the first `prefix` bits of a and b are equal.
bool SamePrefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int prefix) {
  const int whole = prefix / 8;
  if (std::memcmp(a.data(), b.data(), whole) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

Result<AddressRanges> AddressRanges::Parse(std::string_view text) {
  AddressRanges out;
  if (Trim(text).empty()) return out;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view entry = Trim(text.substr(0, comma));
    const std::string what = "address range \"" + std::string(entry) + "\"";
    if (entry.empty()) return InvalidArgument("address ranges: empty entry");
    const size_t slash = entry.find('/');
    const std::string_view addr_text = entry.substr(0, slash);
    // A mapped IPv6 text ("::ffff:10.0.0.0/104") is refused: write the IPv4 block.
    if (addr_text.find(':') != std::string_view::npos &&
        addr_text.find('.') != std::string_view::npos) {
      return InvalidArgument(what + ": write IPv4 blocks in IPv4 notation");
    }
    const auto addr = ParseAddress(addr_text);
    if (!addr) return InvalidArgument(what + ": not an IPv4 or IPv6 address");
    Block b;
    b.v6 = addr->v6;
    b.net = addr->bytes;
    const int max = b.v6 ? 128 : 32;
    b.prefix = max;
    if (slash != std::string_view::npos) {
      const std::string_view len = entry.substr(slash + 1);
      int v = -1;
      auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), v);
      if (len.empty() || len.size() > 3 || ec != std::errc() || end != len.data() + len.size() ||
          v < 0 || v > max) {
        return InvalidArgument(what + ": prefix length must be 0.." + std::to_string(max));
      }
      b.prefix = v;
    }
    std::array<uint8_t, 16> host = b.net;
    for (int bit = b.prefix; bit < max; ++bit)
      host[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
    if (host != b.net) {
      return InvalidArgument(what + ": host bits set below /" + std::to_string(b.prefix));
    }
    out.blocks_.push_back(b);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

bool AddressRanges::Contains(std::string_view ip) const {
  const auto addr = ParseAddress(ip);
  if (!addr) return false;
  for (const Block& b : blocks_) {
    if (b.v6 == addr->v6 && SamePrefix(b.net, addr->bytes, b.prefix)) return true;
  }
  return false;
}

std::string AddressRanges::ToString() const {
  std::string out;
  for (const Block& b : blocks_) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(b.v6 ? AF_INET6 : AF_INET, b.net.data(), buf, sizeof buf);
    if (!out.empty()) out += ", ";
    out += buf;
    out += '/';
    out += std::to_string(b.prefix);
  }
  return out;
}

}  // namespace claimsca::auth
