#pragma once

// The [billing] section of claimsca.toml (docs/operations.md, docs/billing.md "invoice"):
// its checks, run when the configuration is loaded, and the payee check the billing run
// makes before it prints an invoice.

#include <string_view>

#include "billing/invoice_pdf.h"
#include "cmd/config.h"
#include "common/status.h"

namespace claimsca::cmd {

// The values `init --demo` writes: a payee account that is plainly a demo (the bank name
// says so), so that a demo data directory can print invoices.
void SetDemoBillingPayee(Config& c);

// InvalidArgument naming the key ("billing.invoice_day must be …") when a [billing]
// value is out of range or malformed: invoice_day 1..28, due_days and grace_days 0..365,
// payee_account_type 普通 or 当座, and the payee account either wholly empty (not set up
// yet) or complete: bank and branch names of printable text, a 7-digit account number,
// the holder name in kana (full- or half-width katakana, the letters, digits and
// punctuation a bank transfer accepts).
Status ValidateBillingConfig(const Config& c);

// FailedPrecondition naming the first empty payee key when the account is not set up.
// (Called by whoever prints invoices; ValidateBillingConfig has checked the rest.)
Status BillingPayeeReady(const Config& c);

// True iff `name` is non-empty and made only of the characters a 全銀 transfer accepts
// for an account holder's name, in full- or half-width: katakana (with ー and the
// voiced marks; half-width without the small ｧ…ｯ, which bank-held names do not use),
// A–Z, 0–9, space, and ( ) . - / , 「 」.
bool IsKanaAccountName(std::string_view name);

// What invoices print, from the configuration: the payee account ([billing] payee_*) and the
// sender block (the notice's [notice] sender_postal_code, sender_address (lines separated
// by "\n"), sender_organisation and ca_name: one sender for both documents).
billing::PayeeAccount InvoicePayee(const Config& c);
billing::InvoiceIssuer InvoiceIssuerOf(const Config& c);

}  // namespace claimsca::cmd
