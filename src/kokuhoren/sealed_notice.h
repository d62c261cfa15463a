#pragma once

// A notice delivered through the inbox as "a PDF inside a ZIP, the PDF encrypted with the
// login password" (seed 002 Q3; docs/kokuhoren.md):
// - EncryptPdf: PDF standard security handler revision 6 (AES-256), made by qpdf's C++
//   library (libqpdf, https://qpdf.sourceforge.io, Apache-2.0): the user password opens
//   it; the owner password is 32 random bytes nobody keeps; printing allowed, changes not.
// - ZipOne: one file in a ZIP archive, made by libzip (https://libzip.org, BSD-3-Clause),
//   deflated, its name UTF-8 (general purpose flag bit 11, which Windows Explorer and
//   unzip read), with a fixed modification time.
//
// Thread-safe: each call has its own objects.

#include <ctime>
#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::kokuhoren {

// `pdf` encrypted so that it opens only with `user_password` (UTF-8, non-empty, without
// NUL). InvalidArgument for an unreadable PDF or an unusable password.
Result<std::string> EncryptPdf(std::string_view pdf, std::string_view user_password);

// A ZIP archive holding `bytes` as `file_name` (UTF-8), modified at `mtime`.
Result<std::string> ZipOne(std::string_view file_name, std::string_view bytes, std::time_t mtime);

}  // namespace claimsca::kokuhoren
