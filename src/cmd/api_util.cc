#include "cmd/api_util.h"

#include "auth/token.h"
#include "ca/program.h"
#include "crypto/ossl.h"

namespace claimsca::cmd {

Result<nlohmann::json> ParseJsonBody(const web::Request& req) {
  if (req.Header("Content-Type").find("application/json") == std::string_view::npos) {
    return InvalidArgument("body: Content-Type must be application/json");
  }
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return InvalidArgument("body: not a JSON object");
  return body;
}

Result<std::string> StringField(const nlohmann::json& body, const char* name, bool required,
                                std::string fallback) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) return InvalidArgument(std::string(name) + ": required");
    return fallback;
  }
  if (!it->is_string()) return InvalidArgument(std::string(name) + ": must be a string");
  return it->get<std::string>();
}

std::string_view BearerToken(const web::Request& req) {
  std::string_view h = req.Header("Authorization");
  if (!h.starts_with("Bearer ")) return {};
  return h.substr(7);
}

bool HasOperatorToken(const web::Request& req, std::string_view token_hash_hex) {
  std::string_view token = BearerToken(req);
  if (token.empty() || token_hash_hex.size() != 64) return false;
  return auth::ConstantTimeEquals(auth::TokenHash(token), token_hash_hex);
}

Result<store::CertificateRecord> PresentedCertificate(store::CertificateReader& certs,
                                                      const web::Request& req) {
  if (req.client_cert_der.empty()) {
    return Status(Code::kForbidden, "this endpoint needs the terminal's client certificate");
  }
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, crypto::CertFromDer(req.client_cert_der));
  ASSIGN_OR_RETURN(store::CertificateRecord record,
                   certs.GetCertificate(crypto::SerialHex(X509_get0_serialNumber(cert.get()))));
  // The terminal endpoints are the common CA's: a 国保連 certificate is refused here.
  RETURN_IF_ERROR(ca::RequireProgram(record.program, ca::kCommonProgram));
  return record;
}

}  // namespace claimsca::cmd
