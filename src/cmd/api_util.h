#pragma once

// Request helpers shared by the JSON API handlers (routes_api.cc, routes_ra.cc).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"
#include "web/http.h"

namespace claimsca::cmd {

// The request's JSON object: InvalidArgument ("body: ...") unless the Content-Type is
// application/json and the body parses to an object.
Result<nlohmann::json> ParseJsonBody(const web::Request& req);

// A string field of `body`: `fallback` when absent or null and not required;
// InvalidArgument naming the field when required and absent, or not a string.
Result<std::string> StringField(const nlohmann::json& body, const char* name, bool required,
                                std::string fallback = "");

// The token of "Authorization: Bearer <token>", or empty.
std::string_view BearerToken(const web::Request& req);

// Whether the request carries the operator token of `init`, whose SHA-256 (hex) is
// `token_hash_hex` (constant-time comparison). False when no hash is configured.
bool HasOperatorToken(const web::Request& req, std::string_view token_hash_hex);

// The certificate a terminal presented on the mTLS listener, as the store knows it.
// Forbidden without a client certificate (any other listener); NotFound if unknown.
Result<store::CertificateRecord> PresentedCertificate(store::CertificateReader& certs,
                                                      const web::Request& req);

}  // namespace claimsca::cmd
