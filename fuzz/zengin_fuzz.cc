// The 全銀協 振込入金通知 import (src/billing/zengin.h: ParseZengin) and the matching run on
// what it accepts (src/billing/payment_match.h: PlanPayments). Invariants: a refusal is
// InvalidArgument naming a record that exists (or the next one, for a missing record) and
// a field; an accepted file written back from the parsed fields — back to back, with CR LF,
// and with its kana as UTF-8 — parses to the same accounts and transfers; amounts, dates and
// text follow the documented rules; a transfer is applied only to one known invoice with the
// exact open amount.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "billing/kana.h"
#include "billing/payment_match.h"
#include "billing/zengin.h"
#include "billing/zengin_test_writer.h"
#include "check.h"

namespace {

using namespace claimsca;
using namespace claimsca::billing;

const Date kToday{std::chrono::year{2026}, std::chrono::month{12}, std::chrono::day{6}};

std::string Num(int64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
  return buf;
}

std::string Wareki(Date d) {
  return Num(static_cast<int>(d.year()) - 2018, 2) + Num(static_cast<unsigned>(d.month()), 2) +
         Num(static_cast<unsigned>(d.day()), 2);
}

std::string Write(const ZenginFile& f, std::string_view sep) {
  std::string out;
  const auto put = [&](const std::string& record) {
    FUZZ_CHECK(record.size() == kZenginRecordLength, "a written record is 200 bytes");
    out += record;
    out += sep;
  };
  for (const ZenginAccount& a : f.accounts) {
    put("1010" + Wareki(a.created) + Wareki(a.booking_from) + Wareki(a.booking_to) + a.bank_code +
        a.bank_name.raw + a.branch_code + a.branch_name.raw + a.account_type + a.account_number +
        a.account_name.raw + std::string(93, ' '));
    int64_t n = 0, s = 0, cn = 0, cs = 0;
    for (const ZenginTransfer& t : a.transfers) {
      put("2" + t.inquiry_number + Wareki(t.booking_date) + Wareki(t.value_date) +
          Num(t.amount, 10) + Num(t.other_bank_amount, 10) + t.payer_code + t.payer_name.raw +
          t.remitting_bank.raw + t.remitting_branch.raw + (t.cancelled ? "1" : " ") + t.edi.raw +
          std::string(52, ' '));
      (t.cancelled ? cn : n) += 1;
      (t.cancelled ? cs : s) += t.amount;
    }
    put("8" + Num(n, 6) + Num(s, 12) + Num(cn, 6) + Num(cs, 12) + std::string(163, ' '));
  }
  put("9" + std::string(199, ' '));
  return out;
}

void CheckText(const ZenginText& t, size_t width) {
  FUZZ_CHECK(t.raw.size() == width, "a text field keeps its raw bytes");
  for (unsigned char c : t.raw) FUZZ_CHECK(IsZenginCharacter(c), "half-width characters only");
  FUZZ_CHECK(t.text == DecodeZenginText(t.raw), "the text is the decoded raw bytes");
  FUZZ_CHECK(PayerNameKey(PayerNameKey(t.text)) == PayerNameKey(t.text), "name key idempotent");
}

void CheckAccepted(const ZenginFile& f) {
  for (const ZenginAccount& a : f.accounts) {
    FUZZ_CHECK(a.booking_from <= a.booking_to && a.booking_to <= a.created && a.created <= kToday,
               "header dates in order");
    CheckText(a.bank_name, 15);
    CheckText(a.branch_name, 15);
    CheckText(a.account_name, 40);
    for (const ZenginTransfer& t : a.transfers) {
      FUZZ_CHECK(t.amount > 0 && t.other_bank_amount <= t.amount, "amounts");
      FUZZ_CHECK(a.booking_from <= t.booking_date && t.booking_date <= a.booking_to,
                 "勘定日 within the header's period");
      FUZZ_CHECK(t.value_date <= kToday, "起算日 not after today");
      CheckText(t.payer_name, 48);
      CheckText(t.remitting_bank, 15);
      CheckText(t.remitting_branch, 15);
      CheckText(t.edi, 20);
    }
  }
  for (std::string_view sep : {"", "\r\n"}) {
    const std::string written = Write(f, sep);
    for (const std::string& bytes : {written, testing::KanaAsUtf8(written)}) {
      const Result<ZenginFile> again = ParseZengin(bytes, kToday);
      FUZZ_CHECK(again.ok(), "the file written back parses");
      FUZZ_CHECK(again->accounts == f.accounts, "the file written back reads the same");
    }
  }
  // Every number ending in an even digit is an invoice of 1,500 × (digit + 1) yen, unpaid.
  const InvoiceLookup lookup = [](std::string_view number) -> std::optional<OpenInvoice> {
    const int last = number.back() - '0';
    if (last % 2 != 0) return std::nullopt;
    return OpenInvoice{std::string(number), 1500 * (last + 1), 0};
  };
  for (const PlannedPayment& p : PlanPayments(f, lookup, [](std::string_view) { return false; })) {
    const Match& m = p.match;
    const bool found = m.outcome == MatchOutcome::kApplied || m.outcome == MatchOutcome::kPartial ||
                       m.outcome == MatchOutcome::kExcess;
    FUZZ_CHECK(found == !m.invoice_number.empty(), "an invoice only when one was found");
    FUZZ_CHECK(!p.transfer->cancelled || m.outcome == MatchOutcome::kCancelled,
               "a cancellation is never applied");
    if (m.outcome == MatchOutcome::kApplied)
      FUZZ_CHECK(p.transfer->amount == m.open_before, "exact");
    if (m.outcome == MatchOutcome::kPartial) FUZZ_CHECK(p.transfer->amount < m.open_before, "<");
    if (m.outcome == MatchOutcome::kExcess) FUZZ_CHECK(p.transfer->amount > m.open_before, ">");
    for (const std::string& c : m.candidates) FUZZ_CHECK(c.size() == 10, "10-digit candidates");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  ZenginError error;
  const Result<ZenginFile> f = ParseZengin(in, kToday, &error);
  if (!f.ok()) {
    FUZZ_CHECK(f.status().code() == Code::kInvalidArgument, "InvalidArgument");
    FUZZ_CHECK(f.status().message().find(error.ToString()) != std::string::npos,
               "the message names record, field and rule");
    FUZZ_CHECK(!error.rule.empty(), "a rule");
    FUZZ_CHECK(error.record >= 0 && static_cast<size_t>(error.record) <= size / 200 + 2,
               "a record of the file (or the next one)");
    FUZZ_CHECK(error.record == 0 || !error.field.empty(), "a field");
    return 0;
  }
  CheckAccepted(*f);
  return 0;
}
