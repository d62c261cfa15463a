#pragma once

// The run's invoice bills as the invoice part's documents (billing/invoice_pdf.h): one
// InvoiceDocument per bill, one breakdown line per fee (an entry with a mailing fee prints
// as two lines: 発行料 and 郵送手数料). Pure.

#include <vector>

#include "billing/invoice_pdf.h"
#include "billing/run_store.h"

namespace claimsca::billing {

// InvalidArgument when a bill is not an invoice, has no due date, or holds a malformed date
// or an unknown entry kind.
Result<std::vector<InvoiceDocument>> InvoiceDocuments(const std::vector<BillRecord>& bills);

}  // namespace claimsca::billing
