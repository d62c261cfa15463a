#include "audit/checkpoint.h"

#include <charconv>
#include <vector>

#include "crypto/keys.h"
#include "crypto/ossl.h"

namespace claimsca::audit {
namespace {

bool IsLowerHex(std::string_view s, size_t size) {
  if (size != 0 && s.size() != size) return false;
  if (s.empty()) return false;
  for (char ch : s) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

bool ParseInt(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string SignedText(const Checkpoint& c) {
  return "claimsca audit checkpoint v1\nseq=" + std::to_string(c.seq) + "\nhead=" + c.head +
         "\nat=" + std::to_string(c.at.time_since_epoch().count()) + "\nprev=" + c.prev +
         "\nkey=" + c.key + "\n";
}

Result<std::string> KeyId(const EVP_PKEY* key) {
  ASSIGN_OR_RETURN(std::string spki, crypto::PublicKeyDer(key));
  return crypto::Sha256Hex(spki);
}

Status Sign(Checkpoint& c, const crypto::Signer& signer) {
  ASSIGN_OR_RETURN(c.key, KeyId(signer.key()));
  ASSIGN_OR_RETURN(std::string sig, signer.SignSha256(SignedText(c)));
  c.sig = crypto::HexEncode(sig);
  return Status::Ok();
}

Status VerifySignature(const Checkpoint& c, EVP_PKEY* public_key) {
  ASSIGN_OR_RETURN(std::string key, KeyId(public_key));
  if (c.key != key) return Internal("signed by another key (" + c.key.substr(0, 16) + "…)");
  ASSIGN_OR_RETURN(std::string sig, crypto::HexDecode(c.sig));
  const std::string text = SignedText(c);
  crypto::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, public_key) != 1) {
    return crypto::OpensslError("checkpoint signature: init");
  }
  const int ok =
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(text.data()), text.size());
  if (ok != 1) {
    (void)crypto::OpensslError("");  // drain the queue
    return Internal("signature does not verify");
  }
  return Status::Ok();
}

std::string FormatLine(const Checkpoint& c) {
  return "v1 seq=" + std::to_string(c.seq) + " head=" + c.head +
         " at=" + std::to_string(c.at.time_since_epoch().count()) + " prev=" + c.prev +
         " key=" + c.key + " sig=" + c.sig;
}

Result<Checkpoint> ParseLine(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (start <= line.size()) {
    size_t sp = line.find(' ', start);
    if (sp == std::string_view::npos) sp = line.size();
    fields.push_back(line.substr(start, sp - start));
    start = sp + 1;
  }
  static constexpr std::string_view kNames[] = {"seq=", "head=", "at=", "prev=", "key=", "sig="};
  if (fields.size() != 7 || fields[0] != "v1") {
    return InvalidArgument("not a v1 checkpoint line");
  }
  std::string_view v[6];
  for (int i = 0; i < 6; ++i) {
    if (!fields[i + 1].starts_with(kNames[i])) {
      return InvalidArgument("expected " + std::string(kNames[i]) + "…");
    }
    v[i] = fields[i + 1].substr(kNames[i].size());
  }
  Checkpoint c;
  int64_t at = 0;
  if (!ParseInt(v[0], c.seq)) return InvalidArgument("seq: not a number");
  if (!IsLowerHex(v[1], 64)) return InvalidArgument("head: not 64 hex digits");
  if (!ParseInt(v[2], at)) return InvalidArgument("at: not a number");
  if (!IsLowerHex(v[3], 64)) return InvalidArgument("prev: not 64 hex digits");
  if (!IsLowerHex(v[4], 64)) return InvalidArgument("key: not 64 hex digits");
  if (!IsLowerHex(v[5], 0) || v[5].size() % 2 != 0) return InvalidArgument("sig: not hex");
  c.head = v[1];
  c.at = Instant(std::chrono::seconds(at));
  c.prev = v[3];
  c.key = v[4];
  c.sig = v[5];
  return c;
}

}  // namespace claimsca::audit
