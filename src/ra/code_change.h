#pragma once

// The re-issue on the real code (docs/newinst.md, "Certificates on the real code"). After
// the code swap an application carries the real code while the certificates issued before
// it still name the 仮コード or the 受付番号 in their subject OU. Their holder re-issues
// through the ordinary renewal paths (HTTPS over mTLS, CMP kur, the agent): the renewal
// engine (renewal.cc) asks this interface whether the certificate's code was replaced by
// the application's, and if so accepts at any time, charges nothing and keeps the period.

#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::ra {

// Who knows the code swaps (implemented by src/newinst/reissue.cc over its table).
// Thread-safe.
class CodeChangeRegistry {
 public:
  virtual ~CodeChangeRegistry() = default;
  // True when a code swap replaced `old_code` (a 仮コード or a 受付番号) by `new_code`.
  virtual Result<bool> Replaced(std::string_view old_code, std::string_view new_code) = 0;
};

// The code a certificate names: its first subject OU (docs/certificate-profile.md).
// InvalidArgument when the DER is not a certificate or has no OU.
Result<std::string> SubjectCodeOf(std::string_view cert_der);

}  // namespace claimsca::ra
