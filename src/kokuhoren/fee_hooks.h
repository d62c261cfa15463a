#pragma once

// Where the fees meet the certificate applications part (applications.h): the charge made
// inside Apply's transaction (ApplicationOptions::on_apply), and the fee side of a 振込
// payment confirmed for an application. docs/kokuhoren.md "Fees".

#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "domain/tariff.h"
#include "kokuhoren/applications.h"
#include "kokuhoren/fees.h"
#include "kokuhoren/transfer.h"
#include "store/module_sql.h"

namespace claimsca::kokuhoren {

// The charge of an application: 相殺 on its offset office (its own office when it names
// none: an office applying for itself), 振込 on its office with an invoice to the applying
// account; the renewal fee when it continues from the current certificate.
ChargeRequest ChargeRequestOf(const CertApplication& a);

// The on_apply hook: charges the application at its application time under `tariff`.
// `tariff` must outlive the hook.
ApplyHook ChargeOnApply(const domain::Tariff& tariff, InvoiceTerms terms);

// The fee side of "振込 paid" for an application (the operator's confirm-payment): the
// ledger's 'payment' entry for its invoice, in its own transaction. Ok as well when the
// invoice was already paid (a repeated confirmation finishes a move that a crash cut
// short); FailedPrecondition when the application has no invoice (相殺) or its fee was
// cancelled; NotFound for an unknown application.
Status RecordTransferPaid(store::Store& store, std::string_view application_id,
                          std::string_view note, std::string_view actor, Instant now);

}  // namespace claimsca::kokuhoren
