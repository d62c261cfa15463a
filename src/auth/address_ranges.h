#pragma once

// Allowed client address ranges, e.g. for the network-terminal application channel
// (オンライン請求ネットワーク経由の申請), which is accepted only from configured networks
// (docs/accounts.md).
//
// Thread-safety: an AddressRanges is immutable after Parse; Contains may be called from
// any number of threads.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace claimsca::auth {

class AddressRanges {
 public:
  // A comma-separated list of CIDR blocks, IPv4 or IPv6, white space (newlines too)
  // allowed around entries:
  // "10.0.0.0/8, 192.168.1.0/24, ::1/128". An address without a prefix length is one
  // host (/32 or /128). An empty (or all-blank) text is an empty list that contains
  // nothing. InvalidArgument, naming the entry, for an unparsable address, a prefix
  // length out of range or not in decimal, or host bits set below the prefix
  // ("10.0.0.1/8": a typo more often than an intent).
  static Result<AddressRanges> Parse(std::string_view text);

  // True if `ip` (text, as a socket reports it) is inside one of the blocks. IPv4-mapped
  // IPv6 addresses (::ffff:10.1.2.3, as a dual-stack listener reports IPv4 clients) are
  // matched as the IPv4 address. False for anything unparsable (a zone id "%eth0"
  // included) and for an empty list.
  bool Contains(std::string_view ip) const;

  bool empty() const { return blocks_.empty(); }
  size_t size() const { return blocks_.size(); }
  // The canonical text of the blocks, e.g. "10.0.0.0/8, ::1/128".
  std::string ToString() const;

 private:
  struct Block {
    bool v6 = false;
    std::array<uint8_t, 16> net{};  // v4: the first 4 bytes
    int prefix = 0;
  };
  std::vector<Block> blocks_;
};

}  // namespace claimsca::auth
