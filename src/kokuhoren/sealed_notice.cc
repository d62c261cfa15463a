// qpdf 11: use std::shared_ptr everywhere, no PointerHolder (qpdf/PointerHolder.hh).
#define POINTERHOLDER_TRANSITION 4

#include "kokuhoren/sealed_notice.h"

#include <zip.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFWriter.hh>

#include "crypto/ossl.h"
#include "crypto/random.h"

namespace claimsca::kokuhoren {

Result<std::string> EncryptPdf(std::string_view pdf, std::string_view user_password) {
  if (user_password.empty() || user_password.find('\0') != std::string_view::npos) {
    return InvalidArgument("encrypt pdf: the password must be non-empty and without NUL");
  }
  ASSIGN_OR_RETURN(std::string owner_bytes, crypto::RandomBytes(32));
  const std::string owner = crypto::HexEncode(owner_bytes);
  const std::string user(user_password);
  try {
    QPDF q;
    q.setSuppressWarnings(true);
    q.processMemoryFile("notice.pdf", pdf.data(), pdf.size());
    QPDFWriter w(q);
    w.setOutputMemory();
    w.setR6EncryptionParameters(user.c_str(), owner.c_str(), /*allow_accessibility=*/true,
                                /*allow_extract=*/true, /*allow_assemble=*/false,
                                /*allow_annotate_and_form=*/false, /*allow_form_filling=*/false,
                                /*allow_modify_other=*/false, qpdf_r3p_full,
                                /*encrypt_metadata_aes=*/true);
    w.write();
    std::shared_ptr<Buffer> out = w.getBufferSharedPointer();
    return std::string(reinterpret_cast<const char*>(out->getBuffer()), out->getSize());
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("encrypt pdf: ") + e.what());
  }
}

namespace {

struct ZipSourceFree {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};
using ZipSource = std::unique_ptr<zip_source_t, ZipSourceFree>;

Status ZipError(std::string_view what, zip_error_t* e) {
  Status st = Internal("zip: " + std::string(what) + ": " + zip_error_strerror(e));
  zip_error_fini(e);
  return st;
}

}  // namespace

Result<std::string> ZipOne(std::string_view file_name, std::string_view bytes, std::time_t mtime) {
  if (file_name.empty()) return InvalidArgument("zip: empty file name");
  zip_error_t error;
  zip_error_init(&error);
  // The archive is written into this memory source, kept alive past zip_close.
  ZipSource archive(zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!archive) return ZipError("buffer", &error);
  zip_source_keep(archive.get());
  zip_t* za = zip_open_from_source(archive.get(), ZIP_TRUNCATE, &error);
  if (za == nullptr) {
    zip_source_free(archive.get());  // the reference zip_open_from_source did not take
    return ZipError("open", &error);
  }
  const auto fail = [&](std::string_view what) {
    Status st = Internal("zip: " + std::string(what) + ": " + zip_strerror(za));
    zip_discard(za);
    return st;
  };
  zip_source_t* file = zip_source_buffer(za, bytes.data(), bytes.size(), 0);
  if (file == nullptr) return fail("file source");
  const std::string name(file_name);
  const zip_int64_t index = zip_file_add(za, name.c_str(), file, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(file);
    return fail("add");
  }
  if (zip_file_set_mtime(za, static_cast<zip_uint64_t>(index), mtime, 0) < 0) return fail("mtime");
  if (zip_set_file_compression(za, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 9) < 0) {
    return fail("compression");
  }
  if (zip_close(za) < 0) return fail("close");

  zip_source_t* s = archive.get();
  if (zip_source_open(s) < 0) return Internal("zip: reopening the archive failed");
  std::string out;
  char buf[8192];
  for (;;) {
    const zip_int64_t n = zip_source_read(s, buf, sizeof buf);
    if (n < 0) {
      zip_source_close(s);
      return Internal("zip: read back failed");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  zip_source_close(s);
  return out;
}

}  // namespace claimsca::kokuhoren
