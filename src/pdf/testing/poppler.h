#pragma once

// Test helpers: a PDF checked with poppler-utils (pdfinfo, pdftotext, pdffonts), as a
// reader would see it. For tests only (GoogleTest failures are reported from here).

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace claimsca::pdf::testing {

// Runs a shell command and returns its stdout; a non-zero exit fails the current test.
std::string Shell(const std::string& cmd);

// `s` without spaces, tabs, newlines and form feeds (pdftotext breaks lines where the
// layout does).
std::string NoSpace(const std::string& s);

// A PDF written to a fresh temporary file, removed with the object.
class PdfFile {
 public:
  explicit PdfFile(const std::string& bytes);
  ~PdfFile();
  PdfFile(const PdfFile&) = delete;
  PdfFile& operator=(const PdfFile&) = delete;

  const std::string& path() const { return path_; }
  // pdfinfo's page count; -1 when it reports none.
  int Pages() const;
  std::string Info() const;
  // pdftotext of one page (1-based), UTF-8; with `layout` (-layout) a table's rows come
  // out as lines, in the order they are drawn.
  std::string PageText(int page, bool layout = false) const;
  // pdftotext of the whole document.
  std::string Text() const;
  // The font lines of pdffonts (its two header lines dropped).
  std::vector<std::string> Fonts() const;

  // Success iff pdffonts lists IPAex Gothic and IPAex Mincho and every font is embedded
  // as a subset ("emb yes, sub yes").
  ::testing::AssertionResult IpaexFontsEmbedded() const;

  // The right and bottom edges (points from the top left) of every word pdftotext -bbox
  // finds on pages first..last (0, 0: all pages).
  struct WordEdge {
    double x_max = 0;
    double y_max = 0;
  };
  std::vector<WordEdge> WordEdges(int first = 0, int last = 0) const;

 private:
  std::filesystem::path dir_;
  std::string path_;
};

}  // namespace claimsca::pdf::testing
