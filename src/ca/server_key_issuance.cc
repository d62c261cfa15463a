#include "ca/server_key_issuance.h"

#include "crypto/random.h"

namespace claimsca::ca {

Result<IssuedPkcs12> IssueWithServerKey(Issuer& issuer, KeyPool& pool,
                                        const ProgramRegistry& programs,
                                        const std::vector<X509*>& chain,
                                        const ServerKeyRequest& request) {
  ASSIGN_OR_RETURN(const ProgramProfile* program, programs.Find(request.issue.program));
  std::string alg_name =
      request.key_algorithm.empty() ? program->default_key_algorithm : request.key_algorithm;
  if (!program->AllowsKeyAlgorithm(alg_name)) {
    return InvalidArgument("key_algorithm: " + alg_name + " is not allowed");
  }
  ASSIGN_OR_RETURN(crypto::KeyAlgorithm algorithm, crypto::ParseKeyAlgorithm(alg_name));
  RETURN_IF_ERROR(program->CheckSubjectCode(request.issue.subject_code));
  RETURN_IF_ERROR(ValidateTerminalName(request.issue.terminal_name));

  ASSIGN_OR_RETURN(crypto::EvpPkeyPtr key, pool.Take(algorithm));
  ASSIGN_OR_RETURN(IssuedCertificate cert, issuer.IssueForKey(request.issue, key.get()));
  ASSIGN_OR_RETURN(crypto::X509Ptr x509, crypto::CertFromDer(cert.cert_der));

  IssuedPkcs12 out;
  out.password = request.password;
  if (out.password.empty()) {
    ASSIGN_OR_RETURN(out.password, crypto::RandomPassword(16));
  }
  ASSIGN_OR_RETURN(out.pkcs12_der,
                   crypto::MakePkcs12(key.get(), x509.get(), chain, request.issue.terminal_name,
                                      out.password, request.mode));
  out.certificate = std::move(cert);
  return out;
}

}  // namespace claimsca::ca
