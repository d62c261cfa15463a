// /ca/ (ca_page.h; docs/portal.md "CA certificates").

#include "portal/ca_page.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/time_util.h"
#include "crypto/ossl.h"
#include "portal/page.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

// The certificate's subject CN ("" when it has none) and end date (YYYY/MM/DD, JST).
std::pair<std::string, std::string> NameAndEnd(const std::string& der) {
  auto cert = crypto::CertFromDer(der);
  if (!cert.ok()) return {"", ""};
  char cn[256] = {0};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert->get()), NID_commonName, cn, sizeof cn) <
      0) {
    cn[0] = '\0';
  }
  std::tm tm{};
  std::string end;
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert->get()), &tm) == 1) {
    end = FormatDateJa(Instant(std::chrono::seconds(timegm(&tm))));
  }
  return {cn, end};
}

json RoleWords(const PublishedCa& c) {
  const std::string program = c.program.empty() ? "" : "（" + c.program + "）";
  switch (c.role) {
    case PublishedCa::Role::kRoot:
      return {
          {"title", "ルート証明書（認証局のおおもとの証明書）"},
          {"purpose",
           "この認証局が発行するすべての電子証明書の信頼のもとになる証明書です。電子証明書のファ"
           "イルに含まれていて、インストールの途中の「セキュリティ警告」で、この証明書の拇印が"
           "表示されます。表示された拇印が下の値と同じことを確かめてください。"},
          {"compare", true}};
    case PublishedCa::Role::kIssuing:
      return {
          {"title", "中間証明書" + program + "（端末の電子証明書を発行する証明書）"},
          {"purpose",
           "端末の電子証明書に署名している証明書です。電子証明書のファイルに含まれていて、イン"
           "ストールのときに一緒に入ります。ふつうは、ここからダウンロードする必要はありません。"},
          {"compare", false}};
    case PublishedCa::Role::kOcsp:
      return {{"title", "失効確認用の証明書" + program},
              {"purpose",
               "電子証明書が失効していないかを問い合わせに答えるときに使う証明書です。端末にインス"
               "トールする必要はありません。"},
              {"compare", false}};
  }
  return {};
}

}  // namespace

web::Response CaCertificatesPage(const std::vector<PublishedCa>& certs) {
  json list = json::array();
  for (const PublishedCa& c : certs) {
    auto [cn, end] = NameAndEnd(c.der);
    json row = RoleWords(c);
    row["id"] = c.name;
    row["cn"] = cn;
    row["not_after"] = end;
    row["sha1"] = crypto::Thumbprint(c.der, EVP_sha1());
    row["sha256"] = crypto::Thumbprint(c.der, EVP_sha256());
    row["der_href"] = "/ca/" + c.name + ".der";
    row["pem_href"] = "/ca/" + c.name + ".pem";
    list.push_back(std::move(row));
  }
  return Page("ca", {{"title", "認証局の証明書と拇印"}, {"certs", list}}, nullptr);
}

}  // namespace claimsca::portal
