#include "kokuhoren/reissue.h"

#include <openssl/crypto.h>

#include <chrono>
#include <optional>

#include "kokuhoren/inbox.h"
#include "kokuhoren/sealed_notice.h"
#include "kokuhoren/types.h"
#include "store/module_sql.h"
#include "store/store.h"

namespace claimsca::kokuhoren {

Result<Reissue> ReissueIssuancePassword(store::Store& store, Accounts& accounts, const Clock& clock,
                                        const NoticeSender& sender, std::string_view account_id,
                                        std::string_view login_password) {
  ASSIGN_OR_RETURN(auth::Principal p, accounts.CheckLogin(account_id, login_password));
  ASSIGN_OR_RETURN(std::string name, accounts.NameOf(p));
  ASSIGN_OR_RETURN(auto made, accounts.MakeIssuancePassword(p.account_id));
  auto& [password, hash] = made;
  const Instant now = clock.Now();

  // The notice is made before the transaction (drawing and encrypting take a while; the
  // generation is not printed on it), so the write lock is held only for the rows.
  PasswordNotice notice;
  notice.user_id = DisplayUserId(p.account_id);
  notice.name = name;
  notice.issuance_password = password;
  notice.issued_on = JstDate(now);
  auto pdf = IssuancePasswordNoticePdf(notice, sender);
  OPENSSL_cleanse(password.data(), password.size());
  OPENSSL_cleanse(notice.issuance_password.data(), notice.issuance_password.size());
  if (!pdf.ok()) return pdf.status();
  ASSIGN_OR_RETURN(std::string encrypted, EncryptPdf(*pdf, login_password));
  OPENSSL_cleanse(pdf->data(), pdf->size());
  ASSIGN_OR_RETURN(
      std::string zip,
      ZipOne(kReissuePdfName, encrypted, static_cast<std::time_t>(now.time_since_epoch().count())));

  Reissue out;
  RETURN_IF_ERROR(store::RunInTransaction(store, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(out.generation, accounts.AddIssuancePasswordIn(tx, p.account_id, hash));
    InboxMessage m;
    m.account_id = p.account_id;
    m.dedupe_key = "issuance_password:" + p.account_id + ":" + std::to_string(out.generation);
    m.title = kReissueNoticeTitle;
    m.body =
        "証明書発行用パスワードを再発行しました。添付ファイル「" + std::string(kReissueZipName) +
        "」を保存して開き、「" + kReissuePdfName +
        "」をログインパスワードで開いてください。\n"
        "再発行した証明書発行用パスワードでは、以前の証明書発行用パスワードで申請した電子証明書を"
        "インストールできません。新たに電子証明書の発行申請を行ってください。";
    m.attachment_name = kReissueZipName;
    m.attachment = zip;
    ASSIGN_OR_RETURN(bool posted, PostMessageIn(tx, m, now));
    if (!posted) return Conflict("the re-issue notice of this generation exists already");
    ASSIGN_OR_RETURN(
        std::optional<store::SqlRow> row,
        tx.QueryFirst("SELECT message_id FROM kj_inbox WHERE dedupe_key = $1", {m.dedupe_key}));
    if (!row) return Internal("re-issue: the posted message is not there");
    ASSIGN_OR_RETURN(out.message_id, row->Int(0));
    return tx.AppendAudit(store::AuditEvent{
        now, "self:" + p.account_id, "kokuhoren.issuance_password.reissue", p.account_id,
        R"({"generation":)" + std::to_string(out.generation) + "}"});
  }));
  return out;
}

}  // namespace claimsca::kokuhoren
