#include "portal/apply_prefill.h"

#include <algorithm>

#include "domain/application_form.h"
#include "domain/category.h"

namespace claimsca::portal {
namespace {

std::string RegisterCategory(store::RegisterReader* reg, std::string_view code, std::string* name) {
  if (reg == nullptr) return "";
  auto entry = reg->FindInRegister(code);
  if (!entry.ok()) return "";  // absent (or unreadable): the code alone decides
  if (name != nullptr) *name = entry->name;
  return entry->category;
}

}  // namespace

std::vector<std::string> CategoriesFor(std::string_view code, std::string_view register_category) {
  std::vector<std::string> out;
  if (code.size() != 10) return out;
  if (auto c = domain::FindCategory(register_category);
      c && c->form == domain::FormKind::kInstitution) {
    out.emplace_back(c->code);
    return out;
  }
  const std::string_view table = code.substr(2, 1);
  for (const auto& c : domain::AllCategories()) {
    if (c.form == domain::FormKind::kInstitution && c.score_table == table) {
      out.emplace_back(c.code);
    }
  }
  if (out.empty()) out.emplace_back("6");  // 特健機関: 10-digit 機関番号 without a 点数表
  return out;
}

Prefill PrefillFor(const auth::Principal& principal, store::RegisterReader* reg,
                   std::string_view wanted) {
  Prefill p;
  p.codes = principal.institution_codes;
  p.form.applicant_kind = "institution";
  if (p.codes.empty()) return p;
  p.code = std::find(p.codes.begin(), p.codes.end(), wanted) != p.codes.end() ? std::string(wanted)
                                                                              : p.codes.front();
  std::string name;
  const std::string category = RegisterCategory(reg, p.code, &name);
  if (p.code.size() == 8) {  // 保険者番号
    p.form.applicant_kind = "insurer";
    p.form.category = "7";
    p.form.insurer_number = p.code;
    p.form.insurer_name = name;
    return p;
  }
  p.categories = CategoriesFor(p.code, category);
  if (p.categories.size() == 1) p.form.category = p.categories.front();
  p.form.institution_name = name;
  if (p.code.size() != 10) return p;
  p.form.prefecture = p.code.substr(0, 2);
  if (p.form.category == "6") {
    p.form.facility_code = p.code;  // the 10-digit 機関番号 itself
  } else {
    p.form.score_table = p.code.substr(2, 1);
    p.form.facility_code = p.code.substr(3);
  }
  return p;
}

ra::ApplicationForm NormalizedForm(ra::ApplicationForm form) {
  if (form.applicant_kind == "insurer") {
    domain::InsurerForm f = domain::Normalize(
        domain::InsurerForm{form.category, form.insurer_number, form.insurer_name,
                            form.contact_name, form.phone, form.email, form.terminal_name});
    form.insurer_number = f.insurer_number;
    form.phone = f.phone;
    form.email = f.email;
    return form;
  }
  domain::InstitutionForm f = domain::Normalize(domain::InstitutionForm{
      form.category, form.prefecture, form.score_table, form.facility_code, form.institution_name,
      form.contact_name, form.phone, form.email, form.terminal_name});
  form.category = f.category;
  form.prefecture = f.prefecture;
  form.score_table = f.score_table;
  form.facility_code = f.facility_code;
  form.phone = f.phone;
  form.email = f.email;
  return form;
}

std::vector<std::string> AllowedCategories(const auth::Principal& principal,
                                           store::RegisterReader* reg) {
  std::vector<std::string> out;
  for (const std::string& code : principal.institution_codes) {
    for (std::string& c : CategoriesFor(code, RegisterCategory(reg, code, nullptr))) {
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace claimsca::portal
