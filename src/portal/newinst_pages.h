#pragma once

// What the new-institution pages use (docs/newinst.md, docs/portal.md): the rows of
// newinst_institutions and the reminder days. /console/newinst lists the 仮コード with
// their state and deadlines and issues one (newinst_manage); /portal/newinst
// (新規開設の手続き) shows a clinic its own 仮コード, the deadlines and the on-screen
// reminder, and takes the 受付番号 (newinst_present).

#include <vector>

#include "newinst/institutions.h"

namespace claimsca::portal {

struct NewinstPages {
  newinst::InstitutionStore* institutions = nullptr;  // null = pages not offered
  std::vector<int> reminder_days_before = {5, 1};     // [newinst] reminder_days_before
};

}  // namespace claimsca::portal
