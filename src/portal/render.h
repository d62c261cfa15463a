#pragma once

// Renders the portal's embedded mustache templates (the only translation unit that
// includes the template engine). Every {{name}} is HTML-escaped; triple braces are used
// only in layout.mustache, for a page body this renderer produced itself.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::portal {

// Renders templates/<name>.mustache with `data` (templates named "_x" are available as
// partials: {{> _x}}), then wraps it in templates/layout.mustache with `data` plus
// "content". An empty string counts as false in sections ({{#x}} skips it, {{^x}} shows).
// Internal error when a template is missing or malformed.
Result<std::string> RenderPage(std::string_view name, const nlohmann::json& data);

// The text of static/<name> ("portal.css"); nullopt when absent.
std::optional<std::string_view> StaticFile(std::string_view name);

}  // namespace claimsca::portal
