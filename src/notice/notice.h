#pragma once

// The issuance notice (発行通知書, DOMAIN.md §3, seed 000 §3.3 図表19) as an A4 PDF, and
// the mailing list a mailing service needs to send the day's batch by registered post.
//
// One page per notice; a batch is one PDF whose pages carry "n/N". Text is drawn with
// pango (plain text, never markup) in IPAex Gothic / IPAex Mincho, found through
// fontconfig and embedded (subset) by cairo's PDF surface. Every variable field has a
// fixed box: long text wraps and is cut with "…" at the box's last line, so nothing
// overflows the page whatever the input.
//
// Pure with respect to the store: the caller gathers the data (registered name and
// address from the register, never from the form) and writes the bytes where it wants.
// Thread-safe (each call has its own cairo surface).

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "common/time_util.h"

namespace claimsca::notice {

// One notice: where it goes and what it carries.
struct NoticeData {
  std::string request_id;         // リクエストID
  std::string download_password;  // the only place it is ever printed
  std::string postal_code;        // registered, 7 digits ("1050004"); printed "105-0004"
  std::string address;            // registered address
  std::string institution_name;   // registered name
  std::string contact_name;       // 担当部署/担当者 of the application (the addressee)
  std::string institution_code;
  std::string terminal_name;
  Instant issued_at{};
  Instant download_deadline{};  // the last instant; its JST date is printed
  Instant not_after{};
};

// The sender block and the addresses printed on every notice. The defaults are the
// seed's sample (000 §3.3); the command fills them from configuration.
struct NoticeSender {
  std::string postal_code = "1050004";
  std::vector<std::string> address_lines = {"東京都港区新橋二丁目1番1号", "山口ビルディング3層"};
  std::string organisation = "社会保険診療報酬支払基金";
  std::vector<std::string> agent_lines = {"【発送代行】【還付先】",
                                          "株式会社ネクスウェイ e-オンデマンド便サービス事務局",
                                          "〒275-0023 千葉県習志野市芝園2-5-3"};
  std::string ca_name = "オンライン請求ネットワーク関連システム等共通認証局";
  std::string download_url = "https://127.0.0.1:8080/download";
  std::string manual_url =
      "https://iryohokenjyoho.service-now.com/csm?sys_kb_id=4356711cc3537910615bd1877a0131b6"
      "&id=kb_article_view";
};

// Renders `notices` (at least one) as one PDF, page i showing "i/N". `printed_on` is the
// date at the top of each notice. FailedPrecondition when the IPAex fonts are not
// installed (fonts-ipaexfont); InvalidArgument for an empty batch.
Result<std::string> RenderNoticePdf(const std::vector<NoticeData>& notices,
                                    const NoticeSender& sender, Date printed_on);

// The mailing list of a batch: UTF-8 CSV (RFC 4180, CRLF, every field quoted), a header
// row then one row per notice in page order: page, postal code (NNN-NNNN), address, name,
// addressee, request ID. Never the password. A field starting with = + - or @ gets a
// leading ' so that a spreadsheet does not run it as a formula.
std::string MailingListCsv(const std::vector<NoticeData>& notices);

// Text made safe to lay out: invalid UTF-8 replaced by U+FFFD, control characters by a
// space. (Exposed for tests.)
std::string CleanText(const std::string& text);

// "105-0004" for "1050004"; anything else is returned cleaned but unchanged.
std::string FormatPostalCode(const std::string& digits);

}  // namespace claimsca::notice
