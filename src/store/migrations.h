#pragma once

// Schema migrations embedded at build time from src/store/migrations/<backend>/NNN_name.sql
// (see embed_migrations.cmake). Internal to the store library.

#include <span>
#include <string_view>

namespace claimsca::store::internal {

struct Migration {
  int version;            // NNN, 1-based, increasing (gaps allowed)
  std::string_view name;  // "certificates"
  std::string_view sql;   // one or more statements, no parameters
};

// In version order. Both lists hold the same versions and names (checked at build time).
std::span<const Migration> SqliteMigrations();
std::span<const Migration> PostgresMigrations();

}  // namespace claimsca::store::internal
