#include "newinst/xlsx_reader.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

namespace claimsca::newinst {
namespace {

Status Bad(std::string m) { return InvalidArgument("xlsx: " + std::move(m)); }

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
struct DocFreer {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocFreer>;

class Package {
 public:
  static Result<Package> Open(std::string_view bytes, const XlsxLimits& limits) {
    if (bytes.size() > limits.max_file_bytes) {
      return Bad("the file is " + std::to_string(bytes.size()) + " bytes, more than the limit of " +
                 std::to_string(limits.max_file_bytes));
    }
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (src == nullptr) return Bad("cannot read the zip container");
    zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &error);
    if (za == nullptr) {
      zip_source_free(src);
      zip_error_fini(&error);
      return Bad("not a zip container (an .xlsx is one)");
    }
    Package p(za, limits);
    const zip_int64_t n = zip_get_num_entries(za, 0);
    if (n < 0 || static_cast<std::size_t>(n) > limits.max_entries) {
      return Bad("the zip has " + std::to_string(n) + " entries, more than the limit of " +
                 std::to_string(limits.max_entries));
    }
    return p;
  }

  // The part at `name` (no leading '/'), inflated; nullopt when absent.
  Result<std::optional<std::string>> Read(const std::string& name) const {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(za_.get(), name.c_str(), 0, &st) != 0) return std::optional<std::string>();
    if ((st.valid & ZIP_STAT_SIZE) && st.size > limits_.max_part_bytes) {
      return Bad(name + " inflates to " + std::to_string(st.size) +
                 " bytes, more than the limit of " + std::to_string(limits_.max_part_bytes) +
                 " (refused as a possible zip bomb)");
    }
    std::unique_ptr<zip_file_t, ZipFileCloser> f(zip_fopen(za_.get(), name.c_str(), 0));
    if (!f) return Bad("cannot open " + name + " (encrypted or damaged)");
    std::string out;
    char buf[65536];
    for (;;) {
      const zip_int64_t got = zip_fread(f.get(), buf, sizeof buf);
      if (got < 0) return Bad("cannot inflate " + name + " (damaged)");
      if (got == 0) break;
      out.append(buf, static_cast<std::size_t>(got));
      // The declared size may lie: count what is really inflated.
      if (out.size() > limits_.max_part_bytes) {
        return Bad(name + " inflates to more than the limit of " +
                   std::to_string(limits_.max_part_bytes) +
                   " bytes (refused as a possible zip bomb)");
      }
    }
    return std::optional<std::string>(std::move(out));
  }

  Result<Doc> ReadXml(const std::string& name, bool required) const {
    ASSIGN_OR_RETURN(std::optional<std::string> text, Read(name));
    if (!text) {
      if (required) return Bad("the part " + name + " is missing");
      return Doc();
    }
    // No SpreadsheetML part has a DTD; refusing one rules out entity expansion.
    if (text->find("<!DOCTYPE") != std::string::npos) return Bad(name + " has a DTD (refused)");
    xmlDoc* d = xmlReadMemory(text->data(), static_cast<int>(text->size()), name.c_str(), nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (d == nullptr) return Bad(name + " is not well-formed XML");
    return Doc(d);
  }

 private:
  Package(zip_t* za, const XlsxLimits& limits) : za_(za), limits_(limits) {}
  std::unique_ptr<zip_t, ZipCloser> za_;
  XlsxLimits limits_;
};

// Namespaces differ between transitional and strict SpreadsheetML: match local names only.
bool Is(const xmlNode* n, const char* local) {
  return n->type == XML_ELEMENT_NODE &&
         std::strcmp(reinterpret_cast<const char*>(n->name), local) == 0;
}

std::string Attr(const xmlNode* n, const char* local) {
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    if (std::strcmp(reinterpret_cast<const char*>(a->name), local) != 0) continue;
    xmlChar* v = xmlNodeGetContent(reinterpret_cast<const xmlNode*>(a));
    std::string s = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return s;
  }
  return "";
}

std::string Text(const xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}

const xmlNode* Child(const xmlNode* n, const char* local) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (Is(c, local)) return c;
  }
  return nullptr;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Excel writes control characters as _xHHHH_ (ECMA-376 §22.9.2.19). Only those below 0x20
// are decoded; anything else stays as written.
std::string DecodeEscapes(std::string s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_') {
      int v = 0;
      bool ok = true;
      for (int k = 2; k < 6; ++k) {
        const int h = HexDigit(s[i + k]);
        ok = ok && h >= 0;
        v = v * 16 + (h < 0 ? 0 : h);
      }
      if (ok && v < 0x20) {
        out.push_back(static_cast<char>(v));
        i += 6;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// The text of a string item (<si> or <is>): its <t>, or the <t> of each rich-text run <r>;
// phonetic runs (<rPh>, the furigana of Japanese files) are not part of the value.
std::string StringItem(const xmlNode* si) {
  std::string s;
  for (const xmlNode* c = si->children; c != nullptr; c = c->next) {
    if (Is(c, "t")) {
      s += Text(c);
    } else if (Is(c, "r")) {
      if (const xmlNode* t = Child(c, "t")) s += Text(t);
    }
  }
  return DecodeEscapes(std::move(s));
}

// Resolves a relationship target against the folder of the part that owns it.
std::string ResolveTarget(const std::string& base_dir, const std::string& target) {
  if (!target.empty() && target[0] == '/') return target.substr(1);
  std::vector<std::string> parts;
  std::string path = base_dir + target;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::string seg =
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string DirOf(const std::string& part) {
  const std::size_t slash = part.rfind('/');
  return slash == std::string::npos ? "" : part.substr(0, slash + 1);
}

std::string RelsOf(const std::string& part) {
  return DirOf(part) + "_rels/" + part.substr(DirOf(part).size()) + ".rels";
}

// Relationship Id → (type, resolved target) of the part `owner`.
Result<std::map<std::string, std::pair<std::string, std::string>>> Relationships(
    const Package& pkg, const std::string& owner) {
  const std::string rels = owner.empty() ? "_rels/.rels" : RelsOf(owner);
  ASSIGN_OR_RETURN(Doc doc, pkg.ReadXml(rels, /*required=*/true));
  std::map<std::string, std::pair<std::string, std::string>> out;
  for (const xmlNode* r = xmlDocGetRootElement(doc.get())->children; r; r = r->next) {
    if (!Is(r, "Relationship") || Attr(r, "TargetMode") == "External") continue;
    out[Attr(r, "Id")] = {Attr(r, "Type"), ResolveTarget(DirOf(owner), Attr(r, "Target"))};
  }
  return out;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "1.310000013E9" → "1310000013"; non-integral or very large values stay as written.
std::string NormaliseNumber(const std::string& raw) {
  char* end = nullptr;
  const double v = std::strtod(raw.c_str(), &end);
  if (end == raw.c_str() || *end != '\0' || !std::isfinite(v)) return raw;
  if (v != std::floor(v) || std::fabs(v) >= 1e15) return raw;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  return buf;
}

// "AB12" → column 27 (row digits ignored); -1 when malformed.
int ColumnOfRef(const std::string& ref) {
  std::size_t i = 0;
  while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z') ++i;
  if (i == 0 || i == ref.size()) return -1;
  return ColumnIndex(std::string_view(ref).substr(0, i));
}

Result<XlsxCell> ReadCell(const xmlNode* c, const std::vector<std::string>& shared) {
  const std::string t = Attr(c, "t");
  const xmlNode* v = Child(c, "v");
  XlsxCell cell;
  if (t == "inlineStr") {
    const xmlNode* is = Child(c, "is");
    if (is == nullptr) return cell;
    cell.type = XlsxCell::Type::kString;
    cell.text = StringItem(is);
    return cell;
  }
  if (v == nullptr) return cell;
  const std::string raw = Text(v);
  if (t == "s") {
    std::size_t idx = 0;
    const auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), idx);
    if (ec != std::errc() || p != raw.data() + raw.size() || idx >= shared.size()) {
      return Bad("cell " + Attr(c, "r") + " names shared string " + raw + ", which does not exist");
    }
    cell.type = XlsxCell::Type::kString;
    cell.text = shared[idx];
  } else if (t == "str" || t == "d") {
    cell.type = XlsxCell::Type::kString;
    cell.text = DecodeEscapes(raw);
  } else if (t == "b") {
    cell.type = XlsxCell::Type::kBool;
    cell.text = raw == "1" ? "1" : "0";
  } else if (t == "e") {
    cell.type = XlsxCell::Type::kError;
    cell.text = raw;
  } else {
    cell.type = XlsxCell::Type::kNumber;
    cell.text = NormaliseNumber(raw);
  }
  return cell;
}

Result<std::vector<XlsxRow>> ReadRows(const xmlNode* sheet_data,
                                      const std::vector<std::string>& shared,
                                      const XlsxLimits& limits) {
  std::vector<XlsxRow> rows;
  std::size_t cells = 0;
  int last_row = 0;
  for (const xmlNode* r = sheet_data->children; r != nullptr; r = r->next) {
    if (!Is(r, "row")) continue;
    XlsxRow row;
    const std::string rn = Attr(r, "r");
    row.number = rn.empty() ? last_row + 1 : std::atoi(rn.c_str());
    if (row.number <= last_row) return Bad("row numbers out of order at row " + rn);
    last_row = row.number;
    int last_col = -1;
    for (const xmlNode* c = r->children; c != nullptr; c = c->next) {
      if (!Is(c, "c")) continue;
      const std::string ref = Attr(c, "r");
      const int col = ref.empty() ? last_col + 1 : ColumnOfRef(ref);
      if (col < 0 || col <= last_col) return Bad("bad cell reference '" + ref + "'");
      if (static_cast<std::size_t>(col) >= limits.max_columns) {
        return Bad("cell " + ref + " is beyond the column limit of " +
                   std::to_string(limits.max_columns));
      }
      last_col = col;
      ASSIGN_OR_RETURN(XlsxCell cell, ReadCell(c, shared));
      if (cell.type == XlsxCell::Type::kEmpty) continue;
      if (++cells > limits.max_cells) {
        return Bad("more than " + std::to_string(limits.max_cells) + " cells (limit)");
      }
      row.cells.resize(static_cast<std::size_t>(col) + 1);
      row.cells[static_cast<std::size_t>(col)] = std::move(cell);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

int ColumnIndex(std::string_view letters) {
  if (letters.empty() || letters.size() > 3) return -1;
  int v = 0;
  for (char ch : letters) {
    if (ch < 'A' || ch > 'Z') return -1;
    v = v * 26 + (ch - 'A' + 1);
  }
  return v - 1;
}

Result<std::string> ExcelSerialToDate(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial < 1 || serial >= 2958466) {
    return Bad("date serial " + std::to_string(serial) + " is out of range");
  }
  long days = static_cast<long>(std::floor(serial));
  // Days since 1970-01-01 of the serial's epoch: 1900 system day 1 = 1900-01-01, with the
  // phantom 1900-02-29 at 60; the 1904 system's day 0 = 1904-01-01.
  if (date1904) {
    days += -24107;
  } else {
    if (days < 60) days += 1;  // before the phantom day
    days += -25569;
  }
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
  days += 719468;
  const long era = (days >= 0 ? days : days - 146096) / 146097;
  const long doe = days - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  const long d = doy - (153 * mp + 2) / 5 + 1;
  const long m = mp < 10 ? mp + 3 : mp - 9;
  const long y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04ld-%02ld-%02ld", y, m, d);
  return std::string(buf);
}

Result<XlsxSheet> ReadFirstSheet(std::string_view bytes, const XlsxLimits& limits) {
  ASSIGN_OR_RETURN(Package pkg, Package::Open(bytes, limits));
  ASSIGN_OR_RETURN(auto root_rels, Relationships(pkg, ""));
  std::string workbook_part;
  for (const auto& [id, rel] : root_rels) {
    if (EndsWith(rel.first, "/officeDocument")) workbook_part = rel.second;
  }
  if (workbook_part.empty()) return Bad("no workbook (officeDocument relationship) in the package");
  ASSIGN_OR_RETURN(Doc workbook, pkg.ReadXml(workbook_part, /*required=*/true));
  ASSIGN_OR_RETURN(auto wb_rels, Relationships(pkg, workbook_part));

  XlsxSheet sheet;
  std::string sheet_part;
  const xmlNode* wb = xmlDocGetRootElement(workbook.get());
  if (const xmlNode* pr = Child(wb, "workbookPr")) {
    const std::string d = Attr(pr, "date1904");
    sheet.date1904 = d == "1" || d == "true";
  }
  if (const xmlNode* sheets = Child(wb, "sheets")) {
    if (const xmlNode* first = Child(sheets, "sheet")) {
      sheet.name = Attr(first, "name");
      const auto it = wb_rels.find(Attr(first, "id"));  // r:id
      if (it != wb_rels.end()) sheet_part = it->second.second;
    }
  }
  if (sheet_part.empty()) return Bad("the workbook has no worksheet");

  std::vector<std::string> shared;
  for (const auto& [id, rel] : wb_rels) {
    if (!EndsWith(rel.first, "/sharedStrings")) continue;
    ASSIGN_OR_RETURN(Doc sst, pkg.ReadXml(rel.second, /*required=*/true));
    for (const xmlNode* si = xmlDocGetRootElement(sst.get())->children; si; si = si->next) {
      if (Is(si, "si")) shared.push_back(StringItem(si));
    }
  }

  ASSIGN_OR_RETURN(Doc ws, pkg.ReadXml(sheet_part, /*required=*/true));
  const xmlNode* data = Child(xmlDocGetRootElement(ws.get()), "sheetData");
  if (data == nullptr) return Bad(sheet_part + " has no sheetData (a chart sheet?)");
  ASSIGN_OR_RETURN(sheet.rows, ReadRows(data, shared, limits));
  return sheet;
}

}  // namespace claimsca::newinst
