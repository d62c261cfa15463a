// Who may do what to an application: every decision here is auth::Allows (the table of
// docs/accounts.md), scoped to the application's institution, plus the four-eyes rule of
// docs/applications.md. Kept apart from registration_authority.cc so the rules are read
// in one place.

#include "ra/ra_internal.h"
#include "ra/registration_authority.h"

namespace claimsca::ra {

Status RegistrationAuthority::CheckCanApply(const Caller& caller) const {
  if (caller.channel == Channel::kNetwork) return Status::Ok();
  if (caller.principal.account_id.empty()) return {Code::kUnauthorized, "sign in to apply"};
  if (auth::Allows(caller.principal, auth::Permission::kApply)) return Status::Ok();
  return {Code::kForbidden, "this account may not apply"};
}

Status RegistrationAuthority::CheckCanRead(const Caller& caller,
                                           const store::ApplicationRecord& a) const {
  if (caller.channel != Channel::kNetwork &&
      auth::Allows(caller.principal, auth::Permission::kRead, a.institution_code)) {
    return Status::Ok();
  }
  if (caller.channel != Channel::kNetwork && caller.principal.account_id.empty()) {
    return {Code::kUnauthorized, "sign in first"};
  }
  // Never say that someone else's application exists.
  return NotFound("application " + a.request_id + " not found");
}

Status RegistrationAuthority::Authorize(const Caller& caller, const store::ApplicationRecord& a,
                                        auth::Permission p) const {
  RETURN_IF_ERROR(CheckCanRead(caller, a));
  if (!auth::Allows(caller.principal, p, a.institution_code)) {
    return {Code::kForbidden, "this account's role does not allow " +
                                  std::string(auth::PermissionName(p)) + " on this application"};
  }
  return Status::Ok();
}

Status RegistrationAuthority::Require(const Caller& caller, auth::Permission p,
                                      std::string_view scope) const {
  if (caller.principal.account_id.empty()) return {Code::kUnauthorized, "sign in first"};
  if (!auth::Allows(caller.principal, p, scope)) {
    return {Code::kForbidden,
            "this account's role does not allow " + std::string(auth::PermissionName(p))};
  }
  return Status::Ok();
}

Status RegistrationAuthority::CheckFourEyes(const Caller& caller,
                                            const store::ApplicationRecord& a) {
  if (!options_.four_eyes || caller.owner || a.account_id.empty() ||
      a.account_id != caller.principal.account_id) {
    return Status::Ok();
  }
  const store::AuditEvent ev{clock_.Now(), caller.Actor(), "application.approve_refused",
                             a.request_id,
                             internal::Dump({{"rule", "four_eyes"}, {"applied_by", a.account_id}})};
  RETURN_IF_ERROR(Logged(ev, store_.AppendAudit(ev)));
  return {Code::kForbidden, "four-eyes rule: the account that applied for " + a.request_id +
                                " may not approve it; another reviewer must"};
}

Result<store::ApplicationRecord> RegistrationAuthority::GetForCaller(const Caller& caller,
                                                                     std::string_view request_id) {
  ASSIGN_OR_RETURN(store::ApplicationRecord a, store_.GetApplication(request_id));
  RETURN_IF_ERROR(CheckCanRead(caller, a));
  return a;
}

}  // namespace claimsca::ra
