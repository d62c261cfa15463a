#include "ca/crl_shard.h"

#include <cstdint>

namespace claimsca::ca {

std::optional<int> CrlShardOf(std::string_view serial_hex, int shards) {
  if (shards < 1 || shards > kMaxCrlShards || serial_hex.empty()) return std::nullopt;
  uint32_t low = 0;
  for (char c : serial_hex) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    low = (low << 4) | static_cast<uint32_t>(v);  // keeps the low 32 bits
  }
  return static_cast<int>(low % static_cast<uint32_t>(shards));
}

std::string CrlShardUrl(std::string_view full_crl_url, int shard) {
  constexpr std::string_view kSuffix = ".crl";
  std::string_view base = full_crl_url;
  if (base.size() > kSuffix.size() && base.substr(base.size() - kSuffix.size()) == kSuffix) {
    base.remove_suffix(kSuffix.size());
  }
  return std::string(base) + "/" + std::to_string(shard) + ".crl";
}

std::optional<int> ParseCrlShardFile(std::string_view file, int shards) {
  constexpr std::string_view kSuffix = ".crl";
  if (file.size() <= kSuffix.size() || file.substr(file.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  file.remove_suffix(kSuffix.size());
  if (file.size() > 4 || (file.size() > 1 && file[0] == '0')) return std::nullopt;
  int n = 0;
  for (char c : file) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n >= shards) return std::nullopt;
  return n;
}

}  // namespace claimsca::ca
