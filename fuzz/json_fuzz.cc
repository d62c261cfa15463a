// JSON request bodies of the API (src/cmd/api_util.h: ParseJsonBody, StringField) and the
// application form they carry (the fields of routes_ra.cc's ParseForm), normalised and
// validated by src/domain/application_form.h as the RA does. Invariants: an accepted body
// is an object that dumps and parses back to itself; Normalize is idempotent and keeps valid
// UTF-8 valid (the answers dump these strings); a form Validate accepts has a 10-digit
// institution code that passes the check-digit test.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "check.h"
#include "cmd/api_util.h"
#include "domain/application_form.h"
#include "domain/codes.h"

namespace {

using nlohmann::json;
namespace domain = claimsca::domain;

// Throws nothing: dump() of a string that is not UTF-8 would (json::type_error 316).
bool DumpsAsUtf8(const std::string& s) {
  try {
    (void)json(s).dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

template <class Form>
void CheckNormalize(const Form& raw, std::initializer_list<std::string Form::*> fields) {
  const Form once = domain::Normalize(raw);
  FUZZ_CHECK(domain::Normalize(once) == once, "Normalize is idempotent");
  for (auto f : fields) {
    if (DumpsAsUtf8(raw.*f)) FUZZ_CHECK(DumpsAsUtf8(once.*f), "normalised text stays UTF-8");
  }
  (void)domain::Validate(once);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  claimsca::web::Request req;
  req.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  req.body.assign(reinterpret_cast<const char*>(data), size);
  auto body = claimsca::cmd::ParseJsonBody(req);
  if (!body.ok()) return 0;
  FUZZ_CHECK(body->is_object(), "a body is an object");
  const std::string dumped = body->dump();
  FUZZ_CHECK(json::parse(dumped, nullptr, false) == *body, "dump and parse back");

  std::map<std::string, std::string> f;
  for (const char* name : {"applicant_kind", "category", "prefecture", "score_table",
                           "facility_code", "institution_name", "insurer_number", "insurer_name",
                           "contact_name", "phone", "email", "terminal_name"}) {
    auto v = claimsca::cmd::StringField(*body, name, false);
    if (!v.ok()) {
      FUZZ_CHECK(body->contains(name) && !(*body)[name].is_string() && !(*body)[name].is_null(),
                 "StringField refuses only a present non-string");
      return 0;
    }
    f[name] = *v;
  }
  domain::InstitutionForm inst{
      f["category"],         f["prefecture"],   f["score_table"], f["facility_code"],
      f["institution_name"], f["contact_name"], f["phone"],       f["email"],
      f["terminal_name"]};
  using I = domain::InstitutionForm;
  CheckNormalize(
      inst, {&I::category, &I::prefecture, &I::score_table, &I::facility_code, &I::institution_name,
             &I::contact_name, &I::phone, &I::email, &I::terminal_name});
  const I normalised = domain::Normalize(inst);
  if (domain::Validate(normalised).empty()) {
    auto code = domain::InstitutionCode(normalised);
    FUZZ_CHECK(code.ok() && code->size() == 10 && domain::IsAsciiDigits(*code),
               "a valid form has a 10-digit institution code");
  }
  domain::InsurerForm ins;
  ins.insurer_number = f["insurer_number"];
  ins.insurer_name = f["insurer_name"];
  ins.contact_name = f["contact_name"];
  ins.phone = f["phone"];
  ins.email = f["email"];
  ins.terminal_name = f["terminal_name"];
  using S = domain::InsurerForm;
  CheckNormalize(ins, {&S::insurer_number, &S::insurer_name, &S::contact_name, &S::phone, &S::email,
                       &S::terminal_name});
  return 0;
}
