#include "notice/notice.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <cstdio>
#include <memory>
#include <string_view>

#include "common/shared_library.h"
#include "domain/normalize.h"

namespace claimsca::notice {
namespace {

// pango and cairo (and through them glib, fontconfig, freetype, harfbuzz: 32 libraries),
// opened on the first PDF rather than linked (common/shared_library.h). Only
// `notices print` and the daily batch render PDFs; every other command starts without them.
// clang-format off
#define CLAIMSCA_PANGOCAIRO_FUNCTIONS(X) \
  X(cairo_create) X(cairo_destroy) X(cairo_move_to) \
  X(cairo_pdf_surface_create_for_stream) X(cairo_pdf_surface_set_metadata) \
  X(cairo_rectangle) X(cairo_set_line_width) X(cairo_set_source_rgb) X(cairo_show_page) \
  X(cairo_status) \
  X(cairo_status_to_string) X(cairo_stroke) X(cairo_surface_destroy) \
  X(cairo_surface_finish) X(cairo_surface_status) \
  X(g_free) X(g_object_unref) X(g_utf8_find_prev_char) \
  X(pango_cairo_create_layout) X(pango_cairo_font_map_get_default) \
  X(pango_cairo_show_layout) X(pango_font_description_free) \
  X(pango_font_description_new) X(pango_font_description_set_absolute_size) \
  X(pango_font_description_set_family) X(pango_font_description_set_weight) \
  X(pango_font_family_get_name) \
  X(pango_font_map_list_families) X(pango_layout_get_line_count) \
  X(pango_layout_get_line_readonly) X(pango_layout_get_size) \
  X(pango_layout_set_alignment) X(pango_layout_set_font_description) \
  X(pango_layout_set_text) X(pango_layout_set_width) X(pango_layout_set_wrap)
// clang-format on
struct PangoCairo {
  CLAIMSCA_PANGOCAIRO_FUNCTIONS(CLAIMSCA_DECLARE_FUNCTION)
};

const Result<PangoCairo>& LoadPangoCairo() {
  // libpangocairo's dependencies (libpango, libcairo, libgobject, libglib) are searched by
  // dlsym too, so one handle binds every function.
  static const Result<PangoCairo> lib = BindLibrary<PangoCairo>(
      "libpangocairo-1.0.so.0", "libpangocairo-1.0-0", [](SharedLibrary& so, PangoCairo& api) {
        CLAIMSCA_PANGOCAIRO_FUNCTIONS(CLAIMSCA_BIND_FUNCTION)
      });
  return lib;
}

// Precondition: LoadPangoCairo() succeeded (RenderNoticePdf checks it first).
const PangoCairo& Pc() { return *LoadPangoCairo(); }

// A4 in points, and the printable box.
constexpr double kPageWidth = 595.276;
constexpr double kPageHeight = 841.89;
constexpr double kMargin = 48;
constexpr double kTextWidth = kPageWidth - 2 * kMargin;

constexpr char kGothic[] = "IPAexGothic";
constexpr char kMincho[] = "IPAexMincho";

struct CairoSurfaceFree {
  void operator()(cairo_surface_t* s) const { Pc().cairo_surface_destroy(s); }
};
struct CairoFree {
  void operator()(cairo_t* c) const { Pc().cairo_destroy(c); }
};
struct GObjectFree {
  void operator()(void* o) const { Pc().g_object_unref(o); }
};
struct FontDescFree {
  void operator()(PangoFontDescription* d) const { Pc().pango_font_description_free(d); }
};

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// True when fontconfig (through pango's font map) knows `family`.
bool HasFamily(const char* family) {
  PangoFontMap* map = Pc().pango_cairo_font_map_get_default();  // owned by pango
  PangoFontFamily** families = nullptr;
  int n = 0;
  Pc().pango_font_map_list_families(map, &families, &n);
  bool found = false;
  for (int i = 0; i < n && !found; ++i) {
    found = std::string_view(Pc().pango_font_family_get_name(families[i])) == family;
  }
  Pc().g_free(families);
  return found;
}

std::string SlashDate(Date d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d/%02u/%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

// Draws plain text into a box of `width` at (x, y), at most `max_lines` lines (cut with
// "…"; 0 = unlimited), and returns the height used.
class Writer {
 public:
  explicit Writer(cairo_t* cr) : cr_(cr) {}

  double Text(double x, double y, double width, const std::string& text, const char* family,
              double size, int max_lines = 0, bool bold = false,
              PangoAlignment align = PANGO_ALIGN_LEFT) {
    std::unique_ptr<PangoLayout, GObjectFree> layout(Pc().pango_cairo_create_layout(cr_));
    std::unique_ptr<PangoFontDescription, FontDescFree> font(Pc().pango_font_description_new());
    Pc().pango_font_description_set_family(font.get(), family);
    Pc().pango_font_description_set_absolute_size(font.get(), size * PANGO_SCALE);
    Pc().pango_font_description_set_weight(font.get(),
                                           bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    Pc().pango_layout_set_font_description(layout.get(), font.get());
    Pc().pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
    Pc().pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    Pc().pango_layout_set_alignment(layout.get(), align);
    std::string clean = CleanText(text);
    Pc().pango_layout_set_text(layout.get(), clean.c_str(), static_cast<int>(clean.size()));
    // Too many lines: keep what fits in max_lines and end it with "…". (pango's own
    // ellipsis for a height in lines leaves the rest unwrapped on the last line.)
    if (max_lines > 0 && Pc().pango_layout_get_line_count(layout.get()) > max_lines) {
      const PangoLayoutLine* last =
          Pc().pango_layout_get_line_readonly(layout.get(), max_lines - 1);
      clean.resize(static_cast<size_t>(last->start_index + last->length));
      while (true) {
        const std::string cut = clean + "…";
        Pc().pango_layout_set_text(layout.get(), cut.c_str(), static_cast<int>(cut.size()));
        if (clean.empty() || Pc().pango_layout_get_line_count(layout.get()) <= max_lines) break;
        const char* end = clean.data() + clean.size();
        clean.resize(
            static_cast<size_t>(Pc().g_utf8_find_prev_char(clean.data(), end) - clean.data()));
      }
    }
    Pc().cairo_move_to(cr_, x, y);
    Pc().pango_cairo_show_layout(cr_, layout.get());
    int w = 0;
    int h = 0;
    Pc().pango_layout_get_size(layout.get(), &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

 private:
  cairo_t* cr_;
};

void DrawNotice(cairo_t* cr, const NoticeData& n, const NoticeSender& s, Date printed_on,
                size_t page, size_t pages) {
  Writer w(cr);
  Pc().cairo_set_source_rgb(cr, 0, 0, 0);
  const double half = kTextWidth / 2;

  // Sheet counter and date, top right.
  w.Text(kMargin, kMargin - 18, kTextWidth,
         std::to_string(page) + "/" + std::to_string(pages) + "  " + CleanText(n.request_id),
         kGothic, 8, 1, false, PANGO_ALIGN_RIGHT);
  w.Text(kMargin, kMargin, kTextWidth, SlashDate(printed_on), kMincho, 10.5, 1, false,
         PANGO_ALIGN_RIGHT);

  // Addressee (left; the window of the envelope): registered postal code, address, name,
  // then the application's 担当部署/担当者.
  double y = kMargin + 24;
  const double box = half - 10;
  y += w.Text(kMargin, y, box, "〒" + FormatPostalCode(n.postal_code), kMincho, 11, 1);
  y += w.Text(kMargin, y, box, n.address, kMincho, 11, 3);
  y += 4;
  y += w.Text(kMargin, y, box, n.institution_name, kMincho, 12, 2);
  y += w.Text(kMargin, y, box, n.contact_name + " 様", kMincho, 12, 2);
  const double left_end = y;

  // Sender block (right).
  double sy = kMargin + 24;
  const double sx = kMargin + half + 10;
  sy += w.Text(sx, sy, box, "〒" + FormatPostalCode(s.postal_code), kMincho, 9, 1);
  for (const std::string& line : s.address_lines) sy += w.Text(sx, sy, box, line, kMincho, 9, 2);
  sy += w.Text(sx, sy, box, s.organisation, kMincho, 10, 2);
  sy += 4;
  for (const std::string& line : s.agent_lines) sy += w.Text(sx, sy, box, line, kMincho, 7.5, 2);

  y = std::max(left_end, sy) + 18;
  // Title and greeting.
  y += w.Text(kMargin, y, kTextWidth, s.ca_name, kGothic, 13, 2, true, PANGO_ALIGN_CENTER);
  y += w.Text(kMargin, y, kTextWidth, "電子証明書発行通知書", kGothic, 15, 1, true,
              PANGO_ALIGN_CENTER);
  y += 10;
  y += w.Text(kMargin, y, kTextWidth,
              "平素は、" + s.ca_name +
                  "の業務運営につきまして、格別のご理解とご協力を賜り厚くお礼申し上げます。\n"
                  "電子証明書の発行依頼に基づき、発行手続きが完了しましたのでお知らせいたします。",
              kMincho, 9.5, 4);
  y += 8;

  // The download data, framed.
  const double frame_top = y;
  y += 6;
  y +=
      w.Text(kMargin + 8, y, kTextWidth - 16, "■ 証明書の取得に関する情報", kGothic, 10.5, 1, true);
  const double label = 150;
  auto row = [&](const std::string& k, const std::string& v, double size, int lines) {
    const double h1 = w.Text(kMargin + 16, y, label, k, kGothic, 9.5, 1);
    const double h2 =
        w.Text(kMargin + 16 + label, y, kTextWidth - 32 - label, v, kGothic, size, lines);
    y += std::max(h1, h2) + 2;
  };
  row("リクエストID", n.request_id, 12, 1);
  row("ダウンロードパスワード", n.download_password, 12, 2);
  row("医療機関等コード", n.institution_code, 9.5, 1);
  row("端末名称等", n.terminal_name, 9.5, 2);
  row("発行日", FormatDateJa(JstDate(n.issued_at)), 9.5, 1);
  row("ダウンロード有効期限",
      FormatDateJa(JstDate(n.download_deadline)) + "（この日を過ぎると取得できません）", 9.5, 1);
  row("証明書有効期限", FormatDateJa(JstDate(n.not_after)), 9.5, 1);
  y += 6;
  Pc().cairo_set_line_width(cr, 0.8);
  Pc().cairo_rectangle(cr, kMargin, frame_top, kTextWidth, y - frame_top);
  Pc().cairo_stroke(cr);
  y += 10;

  // Steps.
  y += w.Text(kMargin, y, kTextWidth, "■ 電子証明書のダウンロードとインストールの手順", kGothic,
              10.5, 1, true);
  y += w.Text(kMargin + 8, y, kTextWidth - 8,
              "1. 証明書をインストールする端末で、ダウンロードサイト（" + s.download_url +
                  "）を開きます。\n"
                  "2. 上記のリクエストIDとダウンロードパスワードを入力し、証明書ファイル"
                  "（PKCS#12、拡張子 .p12）をダウンロードします。\n"
                  "3. ファイルを開き、証明書のインポートウィザードでダウンロードパスワードを"
                  "入力してインストールします。\n"
                  "4. ルート証明書の拇印（フィンガープリント）が、サイトに掲載された値と一致する"
                  "ことを確認します。\n"
                  "5. ダウンロードしたファイルは、再インストールに備えて媒体等にバックアップし、"
                  "大切に保管してください。\n"
                  "詳しくはユーザーマニュアル（" +
                  s.manual_url + "）の「1. 証明書の取得とインストール」を参照ください。",
              kMincho, 9, 14);
  y += 8;

  // Notes: fees, deadline, keep the notice.
  y += w.Text(kMargin, y, kTextWidth, "【留意事項】", kGothic, 10.5, 1, true);
  w.Text(kMargin + 8, y, kTextWidth - 8,
         "・電子証明書の発行（更新）料は、「" + s.ca_name +
             "運用規程（CP/CPS）」をご確認ください。\n"
             "・保険医療機関（特定健診・特定保健指導を実施している保険医療機関を含む）及び保険"
             "薬局への発行（更新）料は、電子証明書発行月（電子証明書有効期間の開始月）の翌々月"
             "に、診療（調剤）報酬支払額からの控除又は「電子証明書発行・更新料払込請求書」に"
             "よる振込みとなります。\n"
             "・特定健診・特定保健指導機関及び医療保険者等への発行（更新）料は、電子証明書発行月"
             "（電子証明書有効期間の開始月）の翌々月に、「電子証明書発行・更新料払込請求書」"
             "による振込みとなります。\n"
             "・電子証明書の有効期限（電子証明書有効期間の終了日）前に電子証明書の更新が必要"
             "です。更新方法については、ユーザーマニュアルを参照ください。\n"
             "・ダウンロード有効期限の30日前及び15日前に、申請時に登録されたメールアドレス宛て"
             "にお知らせします。\n"
             "・本通知書は、電子証明書の更新や失効等の申請の際に必要となりますので、大切に保管"
             "してください。ダウンロードパスワードは本通知書にのみ記載され、再表示できません。"
             "紛失した場合は、電子証明書を失効のうえ、再度申請してください。",
         kMincho, 8.5, 24);
}

}  // namespace

std::string CleanText(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    const char32_t c = domain::DecodeUtf8(text, &pos);
    // Keep newlines in our own multi-line texts; other controls (C0, DEL, C1) become spaces.
    if (c == domain::kInvalidCodePoint) {
      out += "\xEF\xBF\xBD";  // U+FFFD for each invalid byte
    } else if (c == '\n') {
      out += '\n';
    } else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029) {
      out += ' ';
    } else {
      out.append(text, start, pos - start);
    }
  }
  return out;
}

std::string FormatPostalCode(const std::string& digits) {
  bool all_digits = digits.size() == 7;
  for (char c : digits) all_digits = all_digits && c >= '0' && c <= '9';
  if (!all_digits) return CleanText(digits);
  return digits.substr(0, 3) + "-" + digits.substr(3);
}

Result<std::string> RenderNoticePdf(const std::vector<NoticeData>& notices,
                                    const NoticeSender& sender, Date printed_on) {
  if (notices.empty()) return InvalidArgument("a notice batch needs at least one notice");
  if (!LoadPangoCairo().ok()) return LoadPangoCairo().status();
  for (const char* family : {kGothic, kMincho}) {
    if (!HasFamily(family)) {
      return FailedPrecondition(std::string("font ") + family +
                                " not found by fontconfig (install fonts-ipaexfont)");
    }
  }
  std::string pdf;
  std::unique_ptr<cairo_surface_t, CairoSurfaceFree> surface(
      Pc().cairo_pdf_surface_create_for_stream(&AppendToString, &pdf, kPageWidth, kPageHeight));
  Pc().cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                      "電子証明書発行通知書");
  Pc().cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "claimsca");
  {
    std::unique_ptr<cairo_t, CairoFree> cr(Pc().cairo_create(surface.get()));
    for (size_t i = 0; i < notices.size(); ++i) {
      DrawNotice(cr.get(), notices[i], sender, printed_on, i + 1, notices.size());
      Pc().cairo_show_page(cr.get());
    }
    if (Pc().cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
      return Internal(std::string("cairo: ") +
                      Pc().cairo_status_to_string(Pc().cairo_status(cr.get())));
    }
  }
  Pc().cairo_surface_finish(surface.get());
  if (Pc().cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Internal(std::string("cairo pdf: ") +
                    Pc().cairo_status_to_string(Pc().cairo_surface_status(surface.get())));
  }
  return pdf;
}

std::string MailingListCsv(const std::vector<NoticeData>& notices) {
  auto field = [](const std::string& raw) {
    std::string v = CleanText(raw);
    for (char& c : v) {
      if (c == '\n') c = ' ';
    }
    if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
    std::string out = "\"";
    for (char c : v) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  };
  std::string csv =
      "\"page\",\"postal_code\",\"address\",\"name\",\"addressee\",\"request_id\"\r\n";
  for (size_t i = 0; i < notices.size(); ++i) {
    const NoticeData& n = notices[i];
    csv += field(std::to_string(i + 1)) + "," + field(FormatPostalCode(n.postal_code)) + "," +
           field(n.address) + "," + field(n.institution_name) + "," + field(n.contact_name) + "," +
           field(n.request_id) + "\r\n";
  }
  return csv;
}

}  // namespace claimsca::notice
