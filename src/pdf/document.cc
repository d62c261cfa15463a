#include "pdf/document.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <cstdio>
#include <map>
#include <tuple>

#include "common/shared_library.h"
#include "domain/normalize.h"

namespace claimsca::pdf {
namespace {

// pango and cairo (and through them glib, fontconfig, freetype, harfbuzz: 32 libraries),
// opened on the first PDF rather than linked (common/shared_library.h).
// clang-format off
#define CLAIMSCA_PANGOCAIRO_FUNCTIONS(X) \
  X(cairo_create) X(cairo_destroy) X(cairo_fill) X(cairo_line_to) X(cairo_move_to) \
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

// Precondition: LoadPangoCairo() succeeded (Document::Create checks it first).
const PangoCairo& Pc() { return *LoadPangoCairo(); }

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

// Checked once per process: fontconfig's font list does not change under us.
Status CheckFonts() {
  static const Status status = [] {
    for (const char* family : {kGothic, kMincho}) {
      if (!HasFamily(family)) {
        return FailedPrecondition(std::string("font ") + family +
                                  " not found by fontconfig (install fonts-ipaexfont)");
      }
    }
    return Status::Ok();
  }();
  return status;
}

PangoAlignment ToPango(Align a) {
  switch (a) {
    case Align::kCenter:
      return PANGO_ALIGN_CENTER;
    case Align::kRight:
      return PANGO_ALIGN_RIGHT;
    case Align::kLeft:
      break;
  }
  return PANGO_ALIGN_LEFT;
}

}  // namespace

struct Document::Impl {
  std::string pdf;  // declared first: the surface writes into it until it is finished
  std::unique_ptr<cairo_surface_t, CairoSurfaceFree> surface;
  std::unique_ptr<cairo_t, CairoFree> cr;
  // One layout for every piece of text and one description per font: creating them per
  // call was most of the time spent on a page.
  std::unique_ptr<PangoLayout, GObjectFree> layout;
  std::map<std::tuple<std::string, double, bool>,
           std::unique_ptr<PangoFontDescription, FontDescFree>>
      fonts;
  // Layouts of Style::repeated text, by text, box width and style.
  std::map<std::tuple<std::string, double, std::string, double, bool, int, Align>,
           std::unique_ptr<PangoLayout, GObjectFree>>
      repeated;

  PangoFontDescription* Font(const Style& s) {
    auto key = std::make_tuple(std::string(s.family), s.size, s.bold);
    auto it = fonts.find(key);
    if (it == fonts.end()) {
      std::unique_ptr<PangoFontDescription, FontDescFree> font(Pc().pango_font_description_new());
      Pc().pango_font_description_set_family(font.get(), s.family);
      Pc().pango_font_description_set_absolute_size(font.get(), s.size * PANGO_SCALE);
      Pc().pango_font_description_set_weight(font.get(),
                                             s.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
      it = fonts.emplace(std::move(key), std::move(font)).first;
    }
    return it->second.get();
  }
};

Document::Document(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Document::~Document() = default;

Result<std::unique_ptr<Document>> Document::Create(std::string_view title,
                                                   std::optional<Date> created_on) {
  if (!LoadPangoCairo().ok()) return LoadPangoCairo().status();
  RETURN_IF_ERROR(CheckFonts());
  auto impl = std::make_unique<Impl>();
  impl->surface.reset(Pc().cairo_pdf_surface_create_for_stream(&AppendToString, &impl->pdf,
                                                               kPageWidth, kPageHeight));
  const std::string title_z(title);
  Pc().cairo_pdf_surface_set_metadata(impl->surface.get(), CAIRO_PDF_METADATA_TITLE,
                                      title_z.c_str());
  Pc().cairo_pdf_surface_set_metadata(impl->surface.get(), CAIRO_PDF_METADATA_CREATOR, "claimsca");
  if (created_on) {
    char iso[40];
    std::snprintf(iso, sizeof iso, "%04d-%02u-%02uT00:00:00+09:00",
                  static_cast<int>(created_on->year()), static_cast<unsigned>(created_on->month()),
                  static_cast<unsigned>(created_on->day()));
    Pc().cairo_pdf_surface_set_metadata(impl->surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, iso);
  }
  impl->cr.reset(Pc().cairo_create(impl->surface.get()));
  impl->layout.reset(Pc().pango_cairo_create_layout(impl->cr.get()));
  Pc().pango_layout_set_wrap(impl->layout.get(), PANGO_WRAP_WORD_CHAR);
  Pc().cairo_set_source_rgb(impl->cr.get(), 0, 0, 0);
  return std::unique_ptr<Document>(new Document(std::move(impl)));
}

namespace {

// Sets `layout` to show `text` in a box `width` wide in `style`, cut to style.max_lines.
void SetUp(PangoLayout* layout, PangoFontDescription* font, double width, std::string_view text,
           const Style& style) {
  Pc().pango_layout_set_font_description(layout, font);
  Pc().pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
  Pc().pango_layout_set_alignment(layout, ToPango(style.align));
  std::string clean = CleanText(text);
  Pc().pango_layout_set_text(layout, clean.c_str(), static_cast<int>(clean.size()));
  // Too many lines: keep what fits in max_lines and end it with "…". (pango's own
  // ellipsis for a height in lines leaves the rest unwrapped on the last line.)
  if (style.max_lines > 0 && Pc().pango_layout_get_line_count(layout) > style.max_lines) {
    const PangoLayoutLine* last = Pc().pango_layout_get_line_readonly(layout, style.max_lines - 1);
    clean.resize(static_cast<size_t>(last->start_index + last->length));
    while (true) {
      const std::string cut = clean + "…";
      Pc().pango_layout_set_text(layout, cut.c_str(), static_cast<int>(cut.size()));
      if (clean.empty() || Pc().pango_layout_get_line_count(layout) <= style.max_lines) break;
      const char* end = clean.data() + clean.size();
      clean.resize(
          static_cast<size_t>(Pc().g_utf8_find_prev_char(clean.data(), end) - clean.data()));
    }
  }
}

}  // namespace

double Document::Text(double x, double y, double width, std::string_view text, const Style& style) {
  PangoLayout* layout = impl_->layout.get();
  if (style.repeated) {
    auto key = std::make_tuple(std::string(text), width, std::string(style.family), style.size,
                               style.bold, style.max_lines, style.align);
    auto it = impl_->repeated.find(key);
    if (it == impl_->repeated.end()) {
      std::unique_ptr<PangoLayout, GObjectFree> own(
          Pc().pango_cairo_create_layout(impl_->cr.get()));
      Pc().pango_layout_set_wrap(own.get(), PANGO_WRAP_WORD_CHAR);
      SetUp(own.get(), impl_->Font(style), width, text, style);
      it = impl_->repeated.emplace(std::move(key), std::move(own)).first;
    }
    layout = it->second.get();
  } else {
    SetUp(layout, impl_->Font(style), width, text, style);
  }
  Pc().cairo_move_to(impl_->cr.get(), x, y);
  Pc().pango_cairo_show_layout(impl_->cr.get(), layout);
  int w = 0;
  int h = 0;
  Pc().pango_layout_get_size(layout, &w, &h);
  return static_cast<double>(h) / PANGO_SCALE;
}

void Document::Frame(double x, double y, double w, double h, double line_width) {
  Pc().cairo_set_line_width(impl_->cr.get(), line_width);
  Pc().cairo_rectangle(impl_->cr.get(), x, y, w, h);
  Pc().cairo_stroke(impl_->cr.get());
}

void Document::Fill(double x, double y, double w, double h, double grey) {
  Pc().cairo_set_source_rgb(impl_->cr.get(), grey, grey, grey);
  Pc().cairo_rectangle(impl_->cr.get(), x, y, w, h);
  Pc().cairo_fill(impl_->cr.get());
  Pc().cairo_set_source_rgb(impl_->cr.get(), 0, 0, 0);
}

void Document::Line(double x1, double y1, double x2, double y2, double line_width) {
  Pc().cairo_set_line_width(impl_->cr.get(), line_width);
  Pc().cairo_move_to(impl_->cr.get(), x1, y1);
  Pc().cairo_line_to(impl_->cr.get(), x2, y2);
  Pc().cairo_stroke(impl_->cr.get());
}

void Document::NextPage() { Pc().cairo_show_page(impl_->cr.get()); }

Result<std::string> Document::Finish() {
  Pc().cairo_show_page(impl_->cr.get());
  const cairo_status_t drawn = Pc().cairo_status(impl_->cr.get());
  impl_->repeated.clear();
  impl_->layout.reset();
  impl_->cr.reset();
  if (drawn != CAIRO_STATUS_SUCCESS) {
    return Internal(std::string("cairo: ") + Pc().cairo_status_to_string(drawn));
  }
  Pc().cairo_surface_finish(impl_->surface.get());
  const cairo_status_t written = Pc().cairo_surface_status(impl_->surface.get());
  impl_->surface.reset();
  if (written != CAIRO_STATUS_SUCCESS) {
    return Internal(std::string("cairo pdf: ") + Pc().cairo_status_to_string(written));
  }
  return std::move(impl_->pdf);
}

std::string CleanText(std::string_view text) {
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
      out.append(text.substr(start, pos - start));
    }
  }
  return out;
}

}  // namespace claimsca::pdf
