#pragma once

// The portal's templates and static files, embedded at build time (embed_files.cmake).

#include <span>
#include <string_view>

namespace claimsca::portal::internal {

struct EmbeddedFile {
  std::string_view name;  // "templates/form.mustache", "static/portal.css"
  std::string_view text;
};

std::span<const EmbeddedFile> EmbeddedFiles();

}  // namespace claimsca::portal::internal
