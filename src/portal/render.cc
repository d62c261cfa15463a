#include "portal/render.h"

#include <kainjow/mustache.hpp>

#include "portal/embedded.h"

namespace claimsca::portal {
namespace {

namespace mu = kainjow::mustache;

std::optional<std::string_view> Embedded(std::string_view name) {
  for (const auto& f : internal::EmbeddedFiles()) {
    if (f.name == name) return f.text;
  }
  return std::nullopt;
}

mu::data ToData(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mu::data d{mu::data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, ToData(v));
      return d;
    }
    case nlohmann::json::value_t::array: {
      mu::data d{mu::data::type::list};
      for (const auto& v : j) d.push_back(ToData(v));
      return d;
    }
    case nlohmann::json::value_t::string:
      // An empty string is false, so that {{#x}}…{{/x}} skips it (it still renders as "").
      if (j.get_ref<const std::string&>().empty()) return mu::data{false};
      return mu::data{j.get<std::string>()};
    case nlohmann::json::value_t::boolean:
      return mu::data{j.get<bool>()};
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return mu::data{false};
    default:
      return mu::data{j.dump()};
  }
}

// Templates named "_name" as partials, for {{> _name}} (the underscore keeps them apart
// from the data's keys, which share the context).
void AddPartials(mu::data& d) {
  for (const auto& f : internal::EmbeddedFiles()) {
    std::string_view name = f.name;
    if (!name.starts_with("templates/_") || !name.ends_with(".mustache")) continue;
    name.remove_prefix(10);
    name.remove_suffix(9);
    std::string text(f.text);
    d.set(std::string(name), mu::data{mu::partial{[text] { return text; }}});
  }
}

Result<std::string> Render(std::string_view name, mu::data& d) {
  auto text = Embedded("templates/" + std::string(name) + ".mustache");
  if (!text) return Status(Code::kInternal, "no template " + std::string(name));
  mu::mustache tmpl{std::string(*text)};
  if (!tmpl.is_valid()) {
    return Status(Code::kInternal, "template " + std::string(name) + ": " + tmpl.error_message());
  }
  std::string out = tmpl.render(d);
  if (!tmpl.is_valid()) {
    return Status(Code::kInternal, "template " + std::string(name) + ": " + tmpl.error_message());
  }
  return out;
}

}  // namespace

Result<std::string> RenderPage(std::string_view name, const nlohmann::json& data) {
  mu::data d = ToData(data.is_object() ? data : nlohmann::json::object());
  AddPartials(d);
  ASSIGN_OR_RETURN(std::string body, Render(name, d));
  d.set("content", mu::data{body});
  return Render("layout", d);
}

std::optional<std::string_view> StaticFile(std::string_view name) {
  return Embedded("static/" + std::string(name));
}

}  // namespace claimsca::portal
