#pragma once

// Mail templates: files in src/mail/templates/<kind>.txt, embedded at build time. The first
// line is "Subject: <text>", the rest (after it) the body. {{name}} is a placeholder; every
// placeholder must be given a value (a typo is an error, not a blank in a sent message);
// values no template uses are ignored. Values are inserted as plain text (a message is
// text/plain: there is nothing to escape), with control characters other than newline
// removed; a value never adds a header because the subject is encoded separately.

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace claimsca::mail {

struct RenderedMail {
  std::string subject;
  std::string body;  // lines end in "\n"
};

// The kinds there are templates for, sorted ("application_received", "issued", ...).
std::vector<std::string> TemplateKinds();

// NotFound for an unknown kind; InvalidArgument when a placeholder has no value or the
// template is malformed.
Result<RenderedMail> RenderTemplate(std::string_view kind,
                                    const std::map<std::string, std::string>& values);

namespace internal {
struct EmbeddedTemplate {
  const char* kind;
  const char* text;
};
std::span<const EmbeddedTemplate> EmbeddedTemplates();
}  // namespace internal

}  // namespace claimsca::mail
