#include "billing/payment_match.h"

#include <algorithm>
#include <array>
#include <map>

#include "domain/normalize.h"

namespace claimsca::billing {
namespace {

constexpr size_t kInvoiceDigits = 10;

constexpr std::array<std::string_view, 7> kOutcomeNames = {
    "applied",  "partial", "excess", "unknown_invoice", "no_invoice_number", "several_candidates",
    "cancelled"};

bool IsSeparator(char32_t cp) { return cp == ' ' || cp == '-' || cp == 0x30FC || cp == 0xFF70; }

// A run of digits, possibly with separators inside: its digits, and those before the first
// separator.
struct Run {
  size_t start = 0;  // code point index of the first digit
  std::string digits;
  std::string first_segment;
  bool separated = false;
};

std::vector<Run> DigitRuns(std::string_view text) {
  std::vector<Run> runs;
  bool in_run = false, pending_separator = false;
  size_t pos = 0, index = 0;
  for (; pos < text.size(); ++index) {
    const char32_t cp = domain::DecodeUtf8(text, &pos);
    if (cp >= '0' && cp <= '9') {
      if (!in_run) runs.push_back(Run{index, "", "", false});
      if (pending_separator) runs.back().separated = true;
      runs.back().digits.push_back(static_cast<char>(cp));
      if (!runs.back().separated) runs.back().first_segment.push_back(static_cast<char>(cp));
      in_run = true;
      pending_separator = false;
    } else if (in_run && IsSeparator(cp)) {
      pending_separator = true;
    } else {
      in_run = pending_separator = false;
    }
  }
  return runs;
}

std::optional<std::string> InvoiceNumberOf(const Run& run) {
  if (run.digits.size() == kInvoiceDigits) return run.digits;
  if (run.first_segment.size() == kInvoiceDigits) return run.first_segment;
  return std::nullopt;
}

}  // namespace

std::string_view MatchOutcomeName(MatchOutcome outcome) {
  return kOutcomeNames[static_cast<size_t>(outcome)];
}

std::optional<MatchOutcome> ParseMatchOutcome(std::string_view name) {
  for (size_t i = 0; i < kOutcomeNames.size(); ++i) {
    if (kOutcomeNames[i] == name) return static_cast<MatchOutcome>(i);
  }
  return std::nullopt;
}

std::vector<std::string> InvoiceNumbersInName(std::string_view name) {
  const std::string folded = domain::NormalizeCode(name);  // full-width digits, U+3000, trim
  const std::vector<Run> runs = DigitRuns(folded);
  std::vector<std::string> out;
  if (!runs.empty() && runs.front().start == 0) {
    if (auto n = InvoiceNumberOf(runs.front())) out.push_back(*n);
    return out;  // the number typed before the name decides, whatever follows
  }
  for (const Run& run : runs) {
    if (auto n = InvoiceNumberOf(run)) out.push_back(*n);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Match MatchTransfer(const ZenginTransfer& transfer, const InvoiceLookup& lookup) {
  Match m;
  m.candidates = InvoiceNumbersInName(transfer.payer_name.text);
  if (transfer.payer_code.find_first_not_of('0') != std::string::npos) {
    m.candidates.push_back(transfer.payer_code);
    std::sort(m.candidates.begin(), m.candidates.end());
    m.candidates.erase(std::unique(m.candidates.begin(), m.candidates.end()), m.candidates.end());
  }
  if (transfer.cancelled) {
    m.outcome = MatchOutcome::kCancelled;
    return m;
  }
  std::vector<OpenInvoice> known;
  for (const std::string& number : m.candidates) {
    if (auto invoice = lookup(number)) known.push_back(*invoice);
  }
  if (known.empty()) {
    m.outcome =
        m.candidates.empty() ? MatchOutcome::kNoInvoiceNumber : MatchOutcome::kUnknownInvoice;
    return m;
  }
  if (known.size() > 1) {
    m.outcome = MatchOutcome::kSeveralCandidates;
    return m;
  }
  m.invoice_number = known[0].number;
  m.open_before = known[0].open();
  m.outcome = transfer.amount == m.open_before  ? MatchOutcome::kApplied
              : transfer.amount < m.open_before ? MatchOutcome::kPartial
                                                : MatchOutcome::kExcess;
  return m;
}

}  // namespace claimsca::billing

namespace claimsca::billing {

std::vector<PlannedPayment> PlanPayments(
    const ZenginFile& file, const InvoiceLookup& lookup,
    const std::function<bool(std::string_view key)>& imported) {
  std::map<std::string, int64_t, std::less<>> applied_here;  // invoice → yen applied in this file
  const InvoiceLookup with_this_file = [&](std::string_view number) {
    std::optional<OpenInvoice> invoice = lookup(number);
    if (invoice) {
      const auto it = applied_here.find(number);
      if (it != applied_here.end()) invoice->paid += it->second;
    }
    return invoice;
  };
  std::vector<PlannedPayment> plan;
  for (const ZenginAccount& account : file.accounts) {
    for (const ZenginTransfer& transfer : account.transfers) {
      PlannedPayment p{&account, &transfer, TransferKey(account, transfer), false, {}};
      p.already_imported = imported(p.key);
      if (!p.already_imported) {
        p.match = MatchTransfer(transfer, with_this_file);
        if (p.match.outcome == MatchOutcome::kApplied) {
          applied_here[p.match.invoice_number] += transfer.amount;
        }
      }
      plan.push_back(std::move(p));
    }
  }
  return plan;
}

}  // namespace claimsca::billing
