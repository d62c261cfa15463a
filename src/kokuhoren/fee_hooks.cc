#include "kokuhoren/fee_hooks.h"

#include <string>

namespace claimsca::kokuhoren {

ChargeRequest ChargeRequestOf(const CertApplication& a) {
  ChargeRequest r;
  r.application_id = a.id;
  r.applicant_account = a.account_id;
  r.office_number = a.office_number;
  r.method = a.payment;
  if (a.payment == PaymentMethod::kOffset) {
    r.offset_office_number =
        a.offset_office_number.empty() ? a.office_number : a.offset_office_number;
    if (r.offset_office_number == a.office_number && a.account_kind == kOfficeKind) {
      r.offset_account = a.account_id;
    }
  }
  r.renewal = a.validity == ValidityStart::kContinue;
  r.actor = "account:" + a.account_id;
  return r;
}

ApplyHook ChargeOnApply(const domain::Tariff& tariff, InvoiceTerms terms) {
  return [&tariff, terms](store::SqlTx& tx, const CertApplication& a) -> Status {
    return ChargeApplication(tx, tariff, ChargeRequestOf(a), terms, a.applied_at).status();
  };
}

Status RecordTransferPaid(store::Store& store, std::string_view application_id,
                          std::string_view note, std::string_view actor, Instant now) {
  return store::RunInTransaction(store, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<TransferInvoice> inv, InvoiceOfApplication(tx, application_id));
    if (!inv) {
      ASSIGN_OR_RETURN(std::optional<FeeEntry> charge, ChargeOf(tx, application_id));
      if (!charge)
        return NotFound("kokuhoren: application " + std::string(application_id) + " has no fee");
      return FailedPrecondition("kokuhoren: application " + std::string(application_id) +
                                " is paid by 相殺, not by 振込");
    }
    if (inv->paid) {
      if (inv->settled_by == Name(EntryKind::kPayment)) return Status::Ok();
      return FailedPrecondition("kokuhoren: the fee of " + std::string(application_id) +
                                " was cancelled");
    }
    return ConfirmTransferPayment(tx, inv->number, note, actor, now, nullptr).status();
  });
}

}  // namespace claimsca::kokuhoren
