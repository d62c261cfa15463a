#pragma once

// A4 PDF documents of Japanese text: cairo's PDF surface + pango (plain text, never
// markup) in IPAex Gothic / IPAex Mincho, found through fontconfig and embedded (subset)
// by cairo. Used by the issuance notice (notice/notice.h) and the invoice
// (billing/invoice_pdf.h). pango and cairo are opened with dlopen on the first document
// (common/shared_library.h): commands that print nothing never load them.
//
// Deterministic: given a creation date, the same drawing calls give the same bytes (cairo
// otherwise writes the current time as /CreationDate).
//
// A Document is used by one thread; different Documents may be used on different threads.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time_util.h"

namespace claimsca::pdf {

// A4 in points.
inline constexpr double kPageWidth = 595.276;
inline constexpr double kPageHeight = 841.89;

inline constexpr char kGothic[] = "IPAexGothic";
inline constexpr char kMincho[] = "IPAexMincho";

enum class Align { kLeft, kCenter, kRight };

// How a piece of text is set: font family and size (points), at most `max_lines` lines
// (0 = unlimited; more text is cut and ends with "…").
struct Style {
  const char* family = kMincho;
  double size = 10;
  int max_lines = 0;
  bool bold = false;
  Align align = Align::kLeft;
  // The same text in the same box is drawn on many pages (titles, labels, fixed notes): its
  // layout is kept for the life of the Document and only drawn again. (Shaping the text is
  // about half the time of a page.) Leave false for text that varies.
  bool repeated = false;
};

class Document {
 public:
  // A new document with its first page open. `title` goes into the PDF's metadata;
  // `created_on` (JST midnight) is written as its /CreationDate, nullopt = the current time.
  // FailedPrecondition when pango/cairo or the IPAex fonts are missing (fonts-ipaexfont).
  static Result<std::unique_ptr<Document>> Create(std::string_view title,
                                                  std::optional<Date> created_on);
  ~Document();
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  // Draws `text` (CleanText applied) in a box `width` wide with its top left at (x, y);
  // returns the height it used.
  double Text(double x, double y, double width, std::string_view text, const Style& style);
  // A rectangle's outline, or filled with a grey level (0 black … 1 white).
  void Frame(double x, double y, double w, double h, double line_width);
  void Fill(double x, double y, double w, double h, double grey);
  void Line(double x1, double y1, double x2, double y2, double line_width);

  // Ends the current page and opens the next one.
  void NextPage();
  // Ends the last page and returns the PDF. Call once; the Document is unusable after.
  Result<std::string> Finish();

 private:
  struct Impl;
  explicit Document(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Text made safe to lay out: invalid UTF-8 replaced by U+FFFD, control characters other
// than "\n" by a space.
std::string CleanText(std::string_view text);

}  // namespace claimsca::pdf
