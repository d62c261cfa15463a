#include "audit/anchor.h"

#include <map>

#include "audit/checkpoint.h"
#include "common/time_util.h"

namespace claimsca::audit {
namespace {

std::string Described(const Checkpoint& c) {
  return "the checkpoint signed " + FormatJst(c.at) + " (seq " + std::to_string(c.seq) + ")";
}

}  // namespace

Result<AnchoredReport> VerifyAnchored(store::AuditChainReader& chain, const CheckpointLog& log,
                                      EVP_PKEY* public_key) {
  ASSIGN_OR_RETURN(CheckpointFile file, log.ReadVerified(public_key));
  AnchoredReport report;
  report.torn_last_line = file.torn_last_line;
  std::multimap<int64_t, const Checkpoint*> by_seq;
  for (const Checkpoint& c : file.checkpoints) by_seq.emplace(c.seq, &c);

  Status rewritten;
  int64_t last_seq = 0;
  Status walk = chain.WalkAuditChain(
      [&](int64_t seq, std::string_view hash) {
        last_seq = seq;
        auto [from, to] = by_seq.equal_range(seq);
        for (auto it = from; it != to && rewritten.ok(); ++it) {
          if (it->second->head != hash) {
            rewritten = Internal("audit row seq " + std::to_string(seq) + " differs from " +
                                 Described(*it->second) +
                                 ": the chain was rewritten at or before this row");
          }
        }
      },
      &report.rows);
  // The first mismatch lies before the first broken row (rows are matched once intact).
  RETURN_IF_ERROR(rewritten);
  RETURN_IF_ERROR(walk);
  if (!file.checkpoints.empty()) {
    const Checkpoint& newest = file.checkpoints.back();
    if (newest.seq > last_seq) {
      return Internal("audit trail truncated: the checkpoint signed " + FormatJst(newest.at) +
                      " covers seq " + std::to_string(newest.seq) +
                      " but the database ends at seq " + std::to_string(last_seq) + " (rows " +
                      std::to_string(last_seq + 1) + ".." + std::to_string(newest.seq) +
                      " removed)");
    }
    report.newest = newest;
    report.unanchored = last_seq - newest.seq;
  } else {
    report.unanchored = last_seq;
  }
  report.checkpoints = static_cast<int64_t>(file.checkpoints.size());
  return report;
}

Result<Checkpoint> WriteCheckpoint(store::AuditChainReader& chain, CheckpointLog& log,
                                   const crypto::Signer& signer, EVP_PKEY* public_key,
                                   const Clock& wall) {
  // The head first, then the walk: the walk's snapshot holds the head row, so the head
  // that gets signed is one the walk found intact.
  ASSIGN_OR_RETURN(store::AuditHead head, chain.AuditChainHead());
  ASSIGN_OR_RETURN(AnchoredReport report, VerifyAnchored(chain, log, public_key));
  if (report.rows < head.seq) {
    return Internal("audit head seq " + std::to_string(head.seq) + " not found intact");
  }
  Checkpoint c;
  c.seq = head.seq;
  c.head = head.hash;
  c.at = wall.Now();
  return log.Append(std::move(c), signer);
}

Result<bool> CheckpointDue(store::AuditChainReader& chain, const CheckpointLog& log,
                           const Clock& wall, std::chrono::seconds interval) {
  ASSIGN_OR_RETURN(std::optional<Checkpoint> last, log.Last());
  if (!last) return true;
  const Instant now = wall.Now();
  if (now - last->at < interval && last->at <= now) return false;
  ASSIGN_OR_RETURN(store::AuditHead head, chain.AuditChainHead());
  return head.seq != last->seq;
}

}  // namespace claimsca::audit
