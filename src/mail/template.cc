#include "mail/template.h"

#include <set>
#include <vector>

namespace claimsca::mail {
namespace {

// Control characters other than "\n" and "\t" become spaces (a CR could end a line early
// in SMTP's eyes; the body is base64-encoded anyway).
std::string CleanValue(std::string_view v) {
  std::string out(v);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f) c = ' ';
  }
  return out;
}

Result<std::string> Fill(std::string_view text, const std::map<std::string, std::string>& values,
                         std::set<std::string>* used) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      return out;
    }
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) return InvalidArgument("template: unclosed {{");
    out.append(text.substr(pos, open - pos));
    const std::string name(text.substr(open + 2, close - open - 2));
    auto it = values.find(name);
    if (it == values.end()) return InvalidArgument("template: no value for {{" + name + "}}");
    out += CleanValue(it->second);
    used->insert(name);
    pos = close + 2;
  }
}

}  // namespace

std::vector<std::string> TemplateKinds() {
  std::vector<std::string> kinds;
  for (const auto& t : internal::EmbeddedTemplates()) kinds.emplace_back(t.kind);
  return kinds;
}

Result<RenderedMail> RenderTemplate(std::string_view kind,
                                    const std::map<std::string, std::string>& values) {
  for (const auto& t : internal::EmbeddedTemplates()) {
    if (kind != t.kind) continue;
    std::string_view text = t.text;
    constexpr std::string_view kSubject = "Subject: ";
    const size_t eol = text.find('\n');
    if (text.substr(0, kSubject.size()) != kSubject || eol == std::string_view::npos) {
      return InvalidArgument("template " + std::string(kind) + ": first line must be Subject:");
    }
    std::set<std::string> used;
    RenderedMail m;
    ASSIGN_OR_RETURN(std::string subject,
                     Fill(text.substr(kSubject.size(), eol - kSubject.size()), values, &used));
    ASSIGN_OR_RETURN(m.body, Fill(text.substr(eol + 1), values, &used));
    // A subject is one line.
    for (char& c : subject) {
      if (c == '\n' || c == '\t') c = ' ';
    }
    m.subject = std::move(subject);
    return m;
  }
  return NotFound("no mail template '" + std::string(kind) + "'");
}

}  // namespace claimsca::mail
