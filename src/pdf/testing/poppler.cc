#include "pdf/testing/poppler.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

namespace claimsca::pdf::testing {

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) {
    ADD_FAILURE() << "popen " << cmd;
    return out;
  }
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int rc = pclose(p);
  EXPECT_EQ(rc, 0) << cmd;
  return out;
}

std::string NoSpace(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f') out += c;
  }
  return out;
}

PdfFile::PdfFile(const std::string& bytes) {
  std::random_device rd;
  dir_ = std::filesystem::path(::testing::TempDir()) / ("claimsca_pdf_" + std::to_string(rd()));
  std::filesystem::create_directories(dir_);
  path_ = (dir_ / "doc.pdf").string();
  std::ofstream(path_, std::ios::binary) << bytes;
}

PdfFile::~PdfFile() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string PdfFile::Info() const { return Shell("pdfinfo '" + path_ + "'"); }

int PdfFile::Pages() const {
  const std::string info = Info();
  const size_t at = info.find("Pages:");
  if (at == std::string::npos) return -1;
  return std::stoi(info.substr(at + 6));
}

std::string PdfFile::PageText(int page, bool layout) const {
  return Shell(std::string("pdftotext ") + (layout ? "-layout " : "") + "-enc UTF-8 -f " +
               std::to_string(page) + " -l " + std::to_string(page) + " '" + path_ + "' -");
}

std::string PdfFile::Text() const { return Shell("pdftotext -enc UTF-8 '" + path_ + "' -"); }

std::vector<std::string> PdfFile::Fonts() const {
  std::istringstream lines(Shell("pdffonts '" + path_ + "'"));
  std::vector<std::string> out;
  std::string line;
  for (int i = 0; std::getline(lines, line); ++i) {
    if (i >= 2 && !line.empty()) out.push_back(line);
  }
  return out;
}

::testing::AssertionResult PdfFile::IpaexFontsEmbedded() const {
  bool gothic = false;
  bool mincho = false;
  const std::vector<std::string> fonts = Fonts();
  for (const std::string& line : fonts) {
    gothic = gothic || line.find("IPAexGothic") != std::string::npos;
    mincho = mincho || line.find("IPAexMincho") != std::string::npos;
    if (line.find(" yes yes ") == std::string::npos) {
      return ::testing::AssertionFailure() << "not embedded/subset: " << line;
    }
  }
  if (!gothic || !mincho) {
    return ::testing::AssertionFailure()
           << "IPAex fonts missing: " << ::testing::PrintToString(fonts);
  }
  return ::testing::AssertionSuccess();
}

std::vector<PdfFile::WordEdge> PdfFile::WordEdges(int first, int last) const {
  const std::string pages =
      first > 0 ? "-f " + std::to_string(first) + " -l " + std::to_string(last) + " " : "";
  std::istringstream in(Shell("pdftotext -bbox " + pages + "'" + path_ + "' -"));
  std::vector<WordEdge> out;
  std::string tok;
  while (in >> tok) {
    if (tok.rfind("xMax=\"", 0) == 0) {
      out.push_back({std::stod(tok.substr(6)), 0});
    } else if (tok.rfind("yMax=\"", 0) == 0 && !out.empty()) {
      out.back().y_max = std::stod(tok.substr(6));
    }
  }
  return out;
}

}  // namespace claimsca::pdf::testing
