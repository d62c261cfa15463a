#include "store/register_csv.h"

#include <string>
#include <unordered_map>

#include "domain/category.h"
#include "domain/codes.h"
#include "domain/prefecture.h"

namespace claimsca::store {
namespace {
constexpr size_t kMaxReported = 10;
}  // namespace

bool SplitCsvLine(std::string_view line, std::vector<std::string>& out) {
  out.clear();
  std::string field;
  size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) return false;
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      // Anything between the closing quote and the comma is kept as is.
      while (i < line.size() && line[i] != ',') field += line[i++];
    } else {
      while (i < line.size() && line[i] != ',') field += line[i++];
    }
    out.push_back(field);
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

namespace {

std::string_view CategoryOfScoreTable(std::string_view score_table) {
  if (score_table == "1") return "1";
  if (score_table == "3") return "2";
  if (score_table == "4") return "3";
  if (score_table == "6") return "n";
  if (score_table == "7") return "s";
  return "";
}

}  // namespace

void CsvErrors::Add(int64_t line, std::string_view field, std::string_view why) {
  if (kept_.size() < kMaxReported) {
    kept_.push_back("line " + std::to_string(line) + ", " + std::string(field) + ": " +
                    std::string(why));
  }
  ++count_;
}

Status CsvErrors::ToStatus(std::string_view what) const {
  if (count_ == 0) return Status::Ok();
  std::string msg = std::string(what) + ": " + std::to_string(count_) + " error(s)";
  for (const std::string& e : kept_) msg += "; " + e;
  if (count_ > kept_.size()) msg += "; ...";
  return InvalidArgument(msg);
}

void ForEachCsvRow(std::string_view text, std::string_view header, size_t fields, CsvErrors& errors,
                   const std::function<void(int64_t line, std::string_view raw,
                                            std::vector<std::string>& f)>& row) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::string> f;
  int64_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line_no == 1) {
      if (line != header) {
        errors.Add(1, "header", "expected \"" + std::string(header) + "\"");
        return;
      }
      continue;
    }
    if (line.empty()) continue;
    if (!SplitCsvLine(line, f)) {
      errors.Add(line_no, "line", "unterminated quoted field");
      continue;
    }
    if (f.size() != fields) {
      errors.Add(line_no, "line",
                 "expected " + std::to_string(fields) + " fields, got " + std::to_string(f.size()));
      continue;
    }
    row(line_no, line, f);
  }
  if (line_no == 0) errors.Add(1, "header", "empty file");
}

Result<std::vector<RegisterEntry>> ParseRegisterCsv(std::string_view text) {
  CsvErrors errors;
  std::vector<RegisterEntry> rows;
  std::unordered_map<std::string, std::pair<int64_t, std::string>> seen;  // code -> line
  ForEachCsvRow(
      text, kRegisterCsvHeader, 6, errors,
      [&](int64_t line_no, std::string_view line, std::vector<std::string>& f) {
        const std::string &prefecture = f[0], &score_table = f[1], &facility = f[2];
        const size_t before = errors.count();
        if (!domain::IsValidPrefecture(prefecture)) errors.Add(line_no, "prefecture", "not 01–47");
        if (!domain::FindScoreTable(score_table) || CategoryOfScoreTable(score_table).empty()) {
          errors.Add(line_no, "score_table",
                     "unknown score table \"" + score_table.substr(0, 8) + "\"");
        }
        if (facility.size() != 7 || !domain::IsAsciiDigits(facility)) {
          errors.Add(line_no, "institution_code", "must be 7 ASCII digits");
        } else if (errors.count() == before &&
                   !domain::FacilityCodeCheckDigitOk(prefecture, score_table, facility)) {
          errors.Add(line_no, "institution_code", "check digit does not match");
        }
        if (f[3].empty()) errors.Add(line_no, "name", "empty");
        if (f[4].size() != 7 || !domain::IsAsciiDigits(f[4])) {
          errors.Add(line_no, "postal_code", "must be 7 ASCII digits");
        }
        if (f[5].empty()) errors.Add(line_no, "address", "empty");
        if (errors.count() != before) return;
        RegisterEntry e;
        e.institution_code = prefecture + score_table + facility;
        auto [it, fresh] = seen.try_emplace(e.institution_code, line_no, std::string(line));
        if (!fresh) {
          if (it->second.second != line) {
            errors.Add(line_no, "institution_code",
                       e.institution_code + " already on line " + std::to_string(it->second.first) +
                           " with different data");
          }
          return;  // a verbatim repeat is kept once
        }
        e.name = f[3];
        e.postal_code = f[4];
        e.address = f[5];
        e.category = CategoryOfScoreTable(score_table);
        // The usage application's choice is not in the published register: deduction
        // where the category allows it, else invoice (職域診療所: DOMAIN.md §7). The
        // operator sets the real choice with `claimsca billing methods` (docs/billing.md).
        const auto category = domain::FindCategory(e.category);
        e.billing_method = category && category->deduction_allowed ? "deduction" : "invoice";
        rows.push_back(std::move(e));
      });
  RETURN_IF_ERROR(errors.ToStatus("register csv"));
  if (rows.empty()) return InvalidArgument("register csv: no rows");
  return rows;
}

}  // namespace claimsca::store
