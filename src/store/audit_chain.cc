#include "store/audit_chain.h"

#include <openssl/evp.h>

#include <array>

namespace claimsca::store::internal {
namespace {

void AppendField(std::string& out, std::string_view v) {
  out += std::to_string(v.size());
  out += ':';
  out += v;
  out += ';';
}

}  // namespace

std::string AuditHash(std::string_view prev_hash, int64_t seq, int64_t at, std::string_view actor,
                      std::string_view action, std::string_view subject, std::string_view details) {
  std::string msg;
  msg.reserve(prev_hash.size() + actor.size() + action.size() + subject.size() + details.size() +
              64);
  AppendField(msg, prev_hash);
  AppendField(msg, std::to_string(seq));
  AppendField(msg, std::to_string(at));
  AppendField(msg, actor);
  AppendField(msg, action);
  AppendField(msg, subject);
  AppendField(msg, details);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(msg.data(), msg.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
    return std::string();  // never equal to a stored hash: verification fails loudly
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 0xf];
  }
  return hex;
}

Status ValidateAuditEvent(const AuditEvent& e) {
  if (e.actor.empty()) return InvalidArgument("append audit: empty actor");
  if (e.action.empty()) return InvalidArgument("append audit: empty action");
  return Status::Ok();
}

Status AuditChainVerifier::Next(const AuditRow& r) {
  auto broken = [&r](const std::string& why) {
    return Internal("audit chain broken at seq " + std::to_string(r.seq) + ": " + why);
  };
  if (r.seq != last_seq_ + 1) {
    return broken("expected seq " + std::to_string(last_seq_ + 1) + " (row missing or moved)");
  }
  if (r.prev_hash != last_hash_) {
    return broken("prev_hash does not match the hash of seq " + std::to_string(last_seq_));
  }
  std::string h = AuditHash(r.prev_hash, r.seq, r.at, r.actor, r.action, r.subject, r.details);
  if (h.empty() || r.hash != h) return broken("hash does not match the row's contents");
  last_seq_ = r.seq;
  last_hash_ = std::move(h);
  ++checked_;
  return Status::Ok();
}

}  // namespace claimsca::store::internal
